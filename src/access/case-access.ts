import type { EmergencyGrant } from '../auth/actor.js';
import { asSubject, type AppAction, type AppSubject } from './ability.factory.js';
import type { RequestContext } from '../auth/request-context.js';
import type { AuditDetails, AuditEntry } from '../audit/audit-event.js';

/** Where a case row sits: the prisoner and the facility that scopes access to it. */
export interface CaseLocation {
  prisonerId: string;
  facilityId: string;
}

/** The grant a read relies on, when the prisoner is outside the caller's facilities. */
export function emergencyGrantFor(
  ctx: RequestContext,
  location: CaseLocation,
): EmergencyGrant | undefined {
  if (ctx.actor.facilityIds.includes(location.facilityId)) return undefined;
  return ctx.actor.emergencyGrants.find((g) => g.prisonerId === location.prisonerId);
}

/**
 * The audit fields of an access to a case: prisoner, facility, `details`, and, for an emergency
 * read, the grant (in the details) and its reason as the purpose.
 */
export function caseAuditFields(
  ctx: RequestContext,
  location: CaseLocation,
  details: AuditDetails = {},
): Pick<AuditEntry, 'prisonerId' | 'facilityId' | 'purpose' | 'details'> {
  const grant = emergencyGrantFor(ctx, location);
  const merged = grant ? { ...details, emergencyAccessId: grant.id } : details;
  return {
    prisonerId: location.prisonerId,
    facilityId: location.facilityId,
    ...(grant ? { purpose: grant.reason } : {}),
    ...(Object.keys(merged).length > 0 ? { details: merged } : {}),
  };
}

/** Where a prisoner is held, which scopes every case row about them; undefined when unknown. */
export async function locatePrisoner(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  prisonerId: string,
): Promise<CaseLocation | undefined> {
  const [row] = (await db.query(`SELECT facility_id FROM prisoner WHERE id = $1`, [
    prisonerId,
  ])) as {
    facility_id: string;
  }[];
  return row && { prisonerId, facilityId: row.facility_id };
}

/** Whether the caller may read the prisoner at `location` (own facilities or an emergency grant). */
export const canReadPrisoner = (ctx: RequestContext, location: CaseLocation) =>
  ctx.ability.can(
    'read',
    asSubject('Prisoner', { id: location.prisonerId, facilityId: location.facilityId }),
  );

/**
 * The instance check every case service makes on a loaded row: 'not_found' when the caller may
 * not even read it (answer 404, as for a row that does not exist), 'forbidden' when they may
 * read it but not take `action` (403).
 */
export function caseDecision(
  ctx: RequestContext,
  action: AppAction,
  subjectType: AppSubject,
  row: Record<string, unknown>,
): 'allowed' | 'not_found' | 'forbidden' {
  if (!ctx.ability.can('read', asSubject(subjectType, row))) return 'not_found';
  if (action !== 'read' && !ctx.ability.can(action, asSubject(subjectType, row)))
    return 'forbidden';
  return 'allowed';
}
