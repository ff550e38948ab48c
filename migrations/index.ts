import { Identity1764115200000 } from './1764115200000-identity.js';
import { AuditTrail1764115200001 } from './1764115200001-audit-trail.js';
import { Prisoners1764115200002 } from './1764115200002-prisoners.js';
import { Instruments1764115200003 } from './1764115200003-instruments.js';
import { Assessments1764115200004 } from './1764115200004-assessments.js';
import { Plans1764115200005 } from './1764115200005-plans.js';
import { UiSessions1764115200020 } from './1764115200020-ui-sessions.js';

/** Every migration, oldest first. Add new ones at the end. */
export const migrations = [
  Identity1764115200000,
  AuditTrail1764115200001,
  Prisoners1764115200002,
  Instruments1764115200003,
  Assessments1764115200004,
  Plans1764115200005,
  UiSessions1764115200020,
];
