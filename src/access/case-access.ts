import type { RequestContext } from '../auth/request-context.js';
import { asSubject, type AppAction, type AppSubject } from './ability.factory.js';
import { decide } from './case-operations.service.js';

export {
  caseAuditFields,
  emergencyGrantFor,
  type CaseLocation,
} from './case-operations.service.js';

/** Where a prisoner is held, which scopes every case row about them; undefined when unknown. */
export async function locatePrisoner(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  prisonerId: string,
): Promise<{ prisonerId: string; facilityId: string } | undefined> {
  const [row] = (await db.query(`SELECT facility_id FROM prisoner WHERE id = $1`, [
    prisonerId,
  ])) as { facility_id: string }[];
  return row && { prisonerId, facilityId: row.facility_id };
}

/** Whether the caller may read the prisoner at `location` (own facilities or an emergency grant). */
export const canReadPrisoner = (
  ctx: RequestContext,
  location: { prisonerId: string; facilityId: string },
) =>
  ctx.ability.can(
    'read',
    asSubject('Prisoner', { id: location.prisonerId, facilityId: location.facilityId }),
  );

/** The instance check on a loaded row (see `decide`). */
export const caseDecision = (
  ctx: RequestContext,
  action: AppAction,
  subjectType: AppSubject,
  row: Record<string, unknown>,
) => decide(ctx, action, { subject: subjectType, fields: row });
