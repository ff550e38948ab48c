import type { Role } from '../access/roles.js';

/** The authenticated user as the server knows them on this request (never from the token alone). */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  facilityIds: string[];
  sessionId: string;
  /** Prisoners opened through a live emergency-access grant. */
  emergencyPrisonerIds: string[];
}
