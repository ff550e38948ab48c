import { Identity1764115200000 } from './1764115200000-identity.js';
import { AuditTrail1764115200001 } from './1764115200001-audit-trail.js';
import { Prisoners1764115200002 } from './1764115200002-prisoners.js';
import { Instruments1764115200003 } from './1764115200003-instruments.js';
import { Assessments1764115200004 } from './1764115200004-assessments.js';
import { Plans1764115200005 } from './1764115200005-plans.js';
import { EmergencyAccessEnd1764115200006 } from './1764115200006-emergency-access-end.js';
import { RoleSeparation1764115200010 } from './1764115200010-role-separation.js';
import { SessionRotation1764115200011 } from './1764115200011-session-rotation.js';
import { LoginThrottle1764115200012 } from './1764115200012-login-throttle.js';
import { UiSessions1764115200020 } from './1764115200020-ui-sessions.js';
import { OneOpenAssessment1764115200030 } from './1764115200030-one-open-assessment.js';
import { PlanRevisionApproval1764115200040 } from './1764115200040-plan-revision-approval.js';
import { PlanReturn1764115200050 } from './1764115200050-plan-return.js';
import { AuditPartitions1764115200100 } from './1764115200100-audit-partitions.js';
import { IdempotencyKeys1764115200110 } from './1764115200110-idempotency-keys.js';
import { AssessmentJudgements1764115200120 } from './1764115200120-assessment-judgements.js';
import { SharedFlags1764115200121 } from './1764115200121-shared-flags.js';
import { TriggerReviews1764115200122 } from './1764115200122-trigger-reviews.js';
import { CaseFactors1764115200123 } from './1764115200123-case-factors.js';
import { PrisonerRights1764115200130 } from './1764115200130-prisoner-rights.js';
import { Oversight1764115200140 } from './1764115200140-oversight.js';
import { Training1764115200150 } from './1764115200150-training.js';
import { TeamWorking1764115200160 } from './1764115200160-team-working.js';
import { EventTypes1764115200170 } from './1764115200170-event-types.js';
import { MeasureHealthObjections1764115200200 } from './1764115200200-measure-health-objections.js';
import { DueIndexes1764115200210 } from './1764115200210-due-indexes.js';
import { ChallengeEscalations1764115200220 } from './1764115200220-challenge-escalations.js';
import { Complaints1764115200230 } from './1764115200230-complaints.js';
import { ReleaseCopyDue1764115200240 } from './1764115200240-release-copy-due.js';
import { Discharge1764115200260 } from './1764115200260-discharge.js';

/** Every migration, oldest first. Add new ones at the end. */
export const migrations = [
  Identity1764115200000,
  AuditTrail1764115200001,
  Prisoners1764115200002,
  Instruments1764115200003,
  Assessments1764115200004,
  Plans1764115200005,
  EmergencyAccessEnd1764115200006,
  RoleSeparation1764115200010,
  SessionRotation1764115200011,
  LoginThrottle1764115200012,
  UiSessions1764115200020,
  OneOpenAssessment1764115200030,
  PlanRevisionApproval1764115200040,
  PlanReturn1764115200050,
  AuditPartitions1764115200100,
  IdempotencyKeys1764115200110,
  AssessmentJudgements1764115200120,
  SharedFlags1764115200121,
  TriggerReviews1764115200122,
  CaseFactors1764115200123,
  PrisonerRights1764115200130,
  Oversight1764115200140,
  Training1764115200150,
  TeamWorking1764115200160,
  EventTypes1764115200170,
  MeasureHealthObjections1764115200200,
  DueIndexes1764115200210,
  ChallengeEscalations1764115200220,
  Complaints1764115200230,
  ReleaseCopyDue1764115200240,
  Discharge1764115200260,
];
