import type { Role } from '../access/roles.js';

/** The authenticated user as the server knows them on this request (never from the token alone). */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  facilityIds: string[];
  sessionId: string;
  /** Live emergency-access grants: each opens one out-of-scope prisoner for reading. */
  emergencyGrants: EmergencyGrant[];
  /** Live inspection appointments (inspectors only): each opens its facilities for reading. */
  appointments?: InspectionAppointment[];
  /** Instrument versions that declare a `team`: who assesses and countersigns with them. */
  teamInstruments?: TeamInstrument[];
  /** Assessments of another facility this psychologist was assigned to countersign (live). */
  countersignAssignments?: string[];
  /** The prisoners of those assessments: their record opens so the pages can say whose it is. */
  countersignPrisoners?: string[];
}

/** An instrument version's team roles, as the ability factory needs them. */
export interface TeamInstrument {
  versionId: string;
  assessors: string[];
  countersigners: string[];
}

/** An inspector's appointment in force today (Mandela Rules 83-84). */
export interface InspectionAppointment {
  id: string;
  body: string;
  facilityIds: string[];
  /** A health professional inspects: the clinical (full) assessment view is open. */
  healthProfessional: boolean;
  endsOn: string;
}

export interface EmergencyGrant {
  id: string;
  prisonerId: string;
  reason: string;
}
