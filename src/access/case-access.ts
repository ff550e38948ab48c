import type { EmergencyGrant } from '../auth/actor.js';
import { asSubject, type AppAction, type AppSubject } from './ability.factory.js';
import type { RequestContext } from '../auth/request-context.js';
import type { AuditEntry } from '../audit/audit-event.js';

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
 * The audit fields of an access to a case: prisoner, facility, and, for an emergency read, the
 * grant and its reason as the purpose.
 */
export function caseAuditFields(
  ctx: RequestContext,
  location: CaseLocation,
): Pick<AuditEntry, 'prisonerId' | 'facilityId' | 'purpose' | 'details'> {
  const grant = emergencyGrantFor(ctx, location);
  return {
    prisonerId: location.prisonerId,
    facilityId: location.facilityId,
    ...(grant ? { purpose: grant.reason, details: { emergencyAccessId: grant.id } } : {}),
  };
}

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
