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
}

export interface EmergencyGrant {
  id: string;
  prisonerId: string;
  reason: string;
}
