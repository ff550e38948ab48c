import {
  AbilityBuilder,
  createMongoAbility,
  subject,
  type MongoAbility,
  type MongoQuery,
} from '@casl/ability';
import type { Actor } from '../auth/actor.js';

export type AppAction =
  | 'manage'
  | 'read'
  | 'create'
  | 'update'
  | 'transfer'
  | 'discharge'
  | 'countersign'
  | 'submit'
  | 'approve'
  | 'review'
  | 'verify'
  | 'import'
  | 'request'
  | 'suspend'
  | 'complete'
  | 'close'
  | 'release'
  | 'answer'
  | 'escalate'
  | 'decide'
  | 'object'
  | 'assign'
  | 'revoke'
  | 'refer';

export type AppSubject =
  | 'User'
  | 'Facility'
  | 'Certification'
  | 'Instrument'
  | 'Prisoner'
  | 'PrisonerEvent'
  | 'Assessment'
  | 'Plan'
  | 'PlanDelivery'
  | 'ReviewDue'
  | 'EmergencyAccess'
  | 'AuditEvent'
  | 'SubjectAccess'
  | 'Disclosure'
  | 'Challenge'
  | 'Complaint'
  | 'PracticeCase'
  | 'TrainingAttempt'
  | 'TrainingOverview'
  | 'InspectorAppointment'
  | 'RestrictiveMeasure'
  | 'Statistics'
  | 'CountersignAssignment'
  | 'Contribution'
  | 'RatingSet';

export type AppAbility = MongoAbility<[AppAction, AppSubject | Record<string, unknown>]>;

type Conditions = MongoQuery<Record<string, unknown>>;

/** A loaded row tagged with its subject type, for instance checks (`ability.can(action, it)`). */
export const asSubject = (type: AppSubject, fields: object): Record<string, unknown> =>
  subject(type, { ...fields }) as unknown as Record<string, unknown>;

/**
 * Field sets of the assessment views (DESIGN.md "Views"). The view a caller gets is the widest
 * set their read rules permit; `assessmentView` in the assessments feature derives it.
 */
export const ASSESSMENT_PROGRAMME_FIELDS = ['programme', 'security'];
export const ASSESSMENT_SECURITY_FIELDS = ['security'];
/**
 * Plan fields: `logistics` (status, intervention schedule, places, responsible staff, session
 * dates and attendance) and `content` (goals, notes, consent, agreement, release, reviews).
 * A read rule without fields gives both; `planView` in the plans feature derives the view.
 */
export const PLAN_LOGISTICS_FIELDS = ['logistics'];
export const PLAN_FIELDS = ['logistics', 'content'];
/**
 * Challenge fields: `summary` (what is challenged, dates, routing, status, outcome) and `words`
 * (the prisoner's words and the reasoned response). A read rule without fields gives both; a
 * challenge of an assessment can quote clinical content, so roles without the full assessment
 * view read its summary only (`challengeView` in the challenges feature derives the view).
 */
export const CHALLENGE_SUMMARY_FIELDS = ['summary'];
/**
 * Complaint fields: `summary` (subject, dates, routing, status, outcome, whether ill-treatment is
 * alleged, referrals) and, from a rule without fields, the words, the response, the staff it
 * concerns and the anti-retaliation watch (`complaintView` in the complaints feature; staff a
 * complaint concerns read its summary only, whatever their rules).
 */
export const COMPLAINT_SUMMARY_FIELDS = ['summary'];
/**
 * The audit entity of a confidential complaint's events (and of inspectors' complaint events):
 * only inspectors' audit rules reach it.
 */
export const CONFIDENTIAL_COMPLAINT_ENTITY = 'confidential_complaint';
/**
 * The audit entity of an inspector's queries of the trail (`audit.query`, `audit.export`,
 * `audit.verify`): their filters and counts would show the inspected prison's supervisors what
 * the inspectorate looks into, and how many events they see that the supervisors do not.
 */
export const INSPECTION_AUDIT_ENTITY = 'inspection_audit';
/** What only inspectors' audit rules reach. */
const INSPECTORATE_ONLY = [CONFIDENTIAL_COMPLAINT_ENTITY, INSPECTION_AUDIT_ENTITY];
/**
 * Contribution fields are their confidentiality classes: `standard` observations reach every
 * role that reads the assessment; `security` ones (restricted security information) the
 * assessor's clinical team and security officers; `clinical` ones the clinical team only.
 */
export const CONTRIBUTION_CLASSES = ['standard', 'security', 'clinical'] as const;

/**
 * The only place access rules are written. Everything is denied unless a rule below allows it.
 * Scope: a case row is in scope when the prisoner's current facility is one of the caller's.
 * An emergency grant opens one prisoner for reading, with the view the caller's roles give.
 */
export function defineAbilityFor(actor: Actor): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const inScope: Conditions = { facilityId: { $in: actor.facilityIds } };
  const grantedIds = actor.emergencyGrants.map((g) => g.prisonerId);
  const granted: Conditions = { prisonerId: { $in: grantedIds } };
  const grantedPrisoner: Conditions = { id: { $in: grantedIds } };
  const hasGrants = grantedIds.length > 0;

  const readPrisoners = () => {
    can('read', 'Prisoner', inScope);
    if (hasGrants) can('read', 'Prisoner', grantedPrisoner);
    can('request', 'EmergencyAccess');
    can('read', 'Instrument');
  };
  const readAssessments = (fields?: string[]) => {
    for (const conditions of hasGrants ? [inScope, granted] : [inScope]) {
      if (fields) can('read', 'Assessment', fields, conditions);
      else can('read', 'Assessment', conditions);
    }
  };
  const readChallenges = (fields?: string[], where: Conditions = {}) => {
    for (const conditions of hasGrants ? [inScope, granted] : [inScope]) {
      if (fields) can('read', 'Challenge', fields, { ...conditions, ...where });
      else can('read', 'Challenge', { ...conditions, ...where });
    }
  };
  // Training on fictional practice cases: every assessing role, each on their own attempts.
  const train = () => {
    can('read', 'PracticeCase');
    can(['create', 'read', 'update', 'submit'], 'TrainingAttempt', { traineeId: actor.id });
  };
  // Restrictive measures are read where the prisoner is, and under an emergency grant.
  const readMeasures = () => {
    can('read', 'RestrictiveMeasure', inScope);
    if (hasGrants) can('read', 'RestrictiveMeasure', granted);
  };
  // Complaints made to staff (never confidential ones: those exist for inspectors only, Rule 56).
  const staffComplaint: Conditions = { confidential: false };
  const readComplaints = (fields?: string[], where: Conditions = {}) => {
    for (const conditions of hasGrants ? [inScope, granted] : [inScope]) {
      const all = { ...conditions, ...staffComplaint, ...where };
      if (fields) can('read', 'Complaint', fields, all);
      else can('read', 'Complaint', all);
    }
  };
  // What they recorded or were assigned, a psychologist or PVE inspector reads in full.
  const readOwnComplaints = () => {
    readComplaints(COMPLAINT_SUMMARY_FIELDS);
    readComplaints(undefined, { recordedById: actor.id });
    readComplaints(undefined, { assignedToId: actor.id });
  };
  const readPlans = (fields?: string[]) => {
    for (const conditions of hasGrants ? [inScope, granted] : [inScope]) {
      if (fields) can('read', 'Plan', fields, conditions);
      else can('read', 'Plan', conditions);
    }
  };

  for (const role of actor.roles) {
    switch (role) {
      case 'administrator':
        can('manage', 'User');
        can('manage', 'Facility');
        can('manage', 'Certification');
        can('manage', 'InspectorAppointment');
        can(['read', 'import'], 'Instrument');
        break;
      case 'security_officer':
        // Security officers record restrictive measures and their daily regime (Rule 46 keeps
        // health staff out of imposing them).
        readMeasures();
        can(['create', 'update'], 'RestrictiveMeasure', inScope);
        readPrisoners();
        can(['create', 'update', 'transfer'], 'Prisoner', inScope);
        can('create', 'PrisonerEvent', inScope);
        readAssessments(ASSESSMENT_SECURITY_FIELDS);
        readPlans(PLAN_LOGISTICS_FIELDS);
        can('read', 'ReviewDue', inScope);
        // Wing staff take a prisoner's challenge down; its words stay with those who answer it.
        can('create', 'Challenge', inScope);
        readChallenges(CHALLENGE_SUMMARY_FIELDS);
        // A rejected or late challenge taken to an outside authority (Rule 57(1)) is recorded
        // by whoever may take a challenge down.
        can('escalate', 'Challenge', inScope);
        // Complaints to staff (Rule 56(1)): recorded by any staff; read in summary.
        can('create', 'Complaint', inScope);
        readComplaints(COMPLAINT_SUMMARY_FIELDS);
        train();
        break;
      case 'psychologist':
        // Health staff see separated prisoners' regimes and alerts (Rule 46(1)), never impose them;
        // they may object that a measure would worsen a disability or mental illness (Rule 45(2)).
        readMeasures();
        can('object', 'RestrictiveMeasure', inScope);
        readPrisoners();
        readAssessments();
        can('create', 'Assessment', inScope);
        can('update', 'Assessment', { ...inScope, assessorId: actor.id });
        can('countersign', 'Assessment', inScope);
        can('create', 'PrisonerEvent', inScope);
        readPlans();
        can('update', 'Plan', ['psychologicalInterventions'], inScope);
        // Psychologists record sessions of the interventions they deliver (attendance and a
        // summary only: session content stays with the psychology service): those whose
        // discipline the plan's catalogue says psychologists record.
        can('create', 'PlanDelivery', { ...inScope, recordedBy: 'psychologist' });
        can('read', 'ReviewDue', inScope);
        can('create', 'Challenge', inScope);
        readChallenges();
        can('answer', 'Challenge', { ...inScope, assignedToId: actor.id });
        can('escalate', 'Challenge', inScope);
        // The outside authority's decision: any psychologist of the facility (not an author of
        // what is challenged: the service refuses them).
        can('decide', 'Challenge', inScope);
        can('create', 'Complaint', inScope);
        readOwnComplaints();
        train();
        break;
      case 'pve_inspector':
        readPrisoners();
        readAssessments(ASSESSMENT_PROGRAMME_FIELDS);
        can('create', 'PrisonerEvent', inScope);
        readPlans();
        can(
          ['create', 'update', 'submit', 'suspend', 'complete', 'close', 'review'],
          'Plan',
          inScope,
        );
        can('create', 'PlanDelivery', inScope);
        can('read', 'ReviewDue', inScope);
        can('create', 'Challenge', inScope);
        readChallenges(undefined, { targetType: 'plan' });
        readChallenges(CHALLENGE_SUMMARY_FIELDS);
        can('escalate', 'Challenge', inScope);
        can('create', 'Complaint', inScope);
        readOwnComplaints();
        train();
        break;
      case 'inspector': {
        // Read only, in the facilities of the appointments in force today (Mandela Rules
        // 83-84); the clinical view only where the appointment says a health professional
        // inspects. No emergency access, and one thing written: complaints made to them in an
        // inspection (Rule 56(1)(c)), confidential, which they handle, refer and answer.
        const appointments = actor.appointments ?? [];
        if (appointments.length === 0) break;
        const inspected: Conditions = {
          facilityId: { $in: [...new Set(appointments.flatMap((a) => a.facilityIds))] },
        };
        const clinical = [
          ...new Set(
            appointments.filter((a) => a.healthProfessional).flatMap((a) => a.facilityIds),
          ),
        ];
        can('read', 'Prisoner', inspected);
        can('read', 'Instrument');
        can('read', 'Assessment', ASSESSMENT_PROGRAMME_FIELDS, inspected);
        if (clinical.length > 0) can('read', 'Assessment', { facilityId: { $in: clinical } });
        can('read', 'Plan', inspected);
        can('read', 'ReviewDue', inspected);
        can('read', 'AuditEvent', inspected);
        can('verify', 'AuditEvent');
        can('read', 'Statistics', inspected);
        can('read', 'RestrictiveMeasure', inspected);
        // The disclosure log and prisoners' challenges (Rule 57); a challenge's words stay
        // with those who answer it.
        can('read', 'Disclosure', inspected);
        can('read', 'Challenge', CHALLENGE_SUMMARY_FIELDS, inspected);
        // Complaints: made to staff and their own confidential ones, in full.
        can(['create', 'read'], 'Complaint', inspected);
        can(['answer', 'refer'], 'Complaint', { ...inspected, assignedToId: actor.id });
        break;
      }
      case 'supervisor':
        can('read', 'Statistics', inScope);
        readMeasures();
        readPrisoners();
        readAssessments(ASSESSMENT_PROGRAMME_FIELDS);
        readPlans();
        // Approval also resumes a suspended plan.
        can(['approve', 'suspend', 'close'], 'Plan', inScope);
        // Discharge from custody (and readmission) is the facility supervisor's decision.
        can('discharge', 'Prisoner', inScope);
        can('read', 'ReviewDue', inScope);
        can('read', 'EmergencyAccess', inScope);
        can('review', 'EmergencyAccess', inScope);
        // Every event but a confidential complaint's and an inspector's queries of the trail:
        // those are the inspectorate's (Rules 56(1)(c), 84).
        can('read', 'AuditEvent', { ...inScope, entityType: { $nin: INSPECTORATE_ONLY } });
        can('read', 'AuditEvent', { facilityId: null, entityType: { $nin: INSPECTORATE_ONLY } });
        can('verify', 'AuditEvent');
        // Mandela Rule 9: the prisoner's own access to their file, prepared and released here.
        can(['read', 'create', 'update', 'release'], 'SubjectAccess', inScope);
        can(['read', 'create'], 'Disclosure', inScope);
        can('create', 'Challenge', inScope);
        readChallenges();
        can('answer', 'Challenge', { ...inScope, assignedToId: actor.id });
        can(['escalate', 'decide'], 'Challenge', inScope);
        // Complaints to staff: read in full, handled and answered when assigned, referred by
        // any supervisor of the facility; never by one the complaint concerns (routing, the
        // database and the service see to that, and such a supervisor reads the summary only).
        can('create', 'Complaint', inScope);
        readComplaints();
        can('answer', 'Complaint', { ...inScope, ...staffComplaint, assignedToId: actor.id });
        can('refer', 'Complaint', { ...inScope, ...staffComplaint });
        // Certification status and calibration of the staff of their facilities.
        can('read', 'TrainingOverview');
        break;
    }
  }
  teamWorking(actor, inScope, can, cannot);
  // Four eyes, whatever roles one person holds: nobody approves a plan they wrote or submitted.
  cannot('approve', 'Plan', { authorId: actor.id });
  cannot('approve', 'Plan', { submittedBy: actor.id });
  return build();
}

type Builder = AbilityBuilder<AppAbility>;

/**
 * Team working (issue 12 point 6). Instruments may say which roles assess and countersign
 * (`team`; the session loads every version that does): a named role may start, edit (its own),
 * read in full and countersign assessments with that version in scope; a role it does not name
 * may not, whatever its other rules give. Validation keeps clinical items out of instruments
 * that roles outside psychology work on. A psychologist assigned to countersign one assessment
 * of another facility reads it in full and countersigns it, and nothing else of the prisoner.
 * Other disciplines contribute observations; each reads the confidentiality classes below.
 * Blind rating sets are each rater's own until both are submitted.
 */
function teamWorking(
  actor: Actor,
  inScope: Conditions,
  can: Builder['can'],
  cannot: Builder['cannot'],
): void {
  const team = actor.teamInstruments ?? [];
  const holds = (roles: string[]) => roles.some((r) => (actor.roles as string[]).includes(r));
  const versions = (pick: (t: (typeof team)[number]) => boolean) =>
    team.filter(pick).map((t) => t.versionId);
  const assesses = versions((t) => holds(t.assessors));
  const countersigns = versions((t) => holds(t.countersigners));
  const clinical = actor.roles.includes('psychologist');
  if (assesses.length > 0) {
    const with_ = { ...inScope, instrumentVersionId: { $in: assesses } };
    can(['create', 'read'], 'Assessment', with_);
    can('update', 'Assessment', { ...with_, assessorId: actor.id });
  }
  if (countersigns.length > 0) {
    const with_ = { ...inScope, instrumentVersionId: { $in: countersigns } };
    can(['countersign', 'read'], 'Assessment', with_);
  }
  const notAssessed = versions((t) => !holds(t.assessors));
  const notCountersigned = versions((t) => !holds(t.countersigners));
  if (notAssessed.length > 0)
    cannot(['create', 'update'], 'Assessment', { instrumentVersionId: { $in: notAssessed } });
  if (notCountersigned.length > 0)
    cannot('countersign', 'Assessment', { instrumentVersionId: { $in: notCountersigned } });

  const assigned = actor.countersignAssignments ?? [];
  if (clinical && assigned.length > 0) {
    can(['read', 'countersign'], 'Assessment', { id: { $in: assigned } });
    can('read', 'Contribution', { assessmentId: { $in: assigned } });
    // The prisoner's record too, so that the countersigner knows whose assessment it is (and
    // its pages have their frame); nothing else of the prisoner opens.
    const prisoners = actor.countersignPrisoners ?? [];
    if (prisoners.length > 0) can('read', 'Prisoner', { id: { $in: prisoners } });
  }

  for (const role of actor.roles) {
    switch (role) {
      case 'psychologist':
        can(['create', 'read'], 'Contribution', inScope);
        break;
      case 'security_officer':
        can('create', 'Contribution', inScope);
        can('read', 'Contribution', ['standard', 'security'], inScope);
        break;
      case 'pve_inspector':
        can('create', 'Contribution', inScope);
        can('read', 'Contribution', ['standard'], inScope);
        break;
      case 'supervisor':
        can('read', 'Contribution', ['standard'], inScope);
        // A facility with one psychologist: its supervisors assign another facility's.
        can(['assign', 'read', 'revoke'], 'CountersignAssignment', inScope);
        break;
    }
  }
  // Each rater works on their own set; once both are in, both sets and where they differ are
  // read by whoever reads the assessment in full (the service checks that view).
  if (actor.roles.some((r) => r !== 'administrator' && r !== 'inspector')) {
    can(['read', 'update', 'submit'], 'RatingSet', { raterId: actor.id });
    can('read', 'RatingSet', { blind: false });
  }
}
