import { asSubject } from '../access/ability.factory.js';
import { caseAuditFields, emergencyGrantFor, type CaseLocation } from '../access/case-access.js';
import type { AuditAction } from '../audit/audit-actions.js';
import type { AuditEntry } from '../audit/audit-event.js';
import type { RequestContext } from '../auth/request-context.js';
import type { PlanRow } from './plans.repository.js';

/** The fields CASL conditions on a plan refer to. */
export const planSubjectFields = (row: PlanRow) => ({
  id: row.id,
  prisonerId: row.prisoner_id,
  facilityId: row.facility_id,
  authorId: row.author_id,
  submittedBy: row.submitted_by,
});

export const planSubject = (row: PlanRow) => asSubject('Plan', planSubjectFields(row));

export const planLocation = (row: PlanRow): CaseLocation => ({
  prisonerId: row.prisoner_id,
  facilityId: row.facility_id,
});

/** An audit entry about a plan (or a row of it), with the grant an emergency read relies on. */
export function planAudit(
  ctx: RequestContext,
  location: CaseLocation,
  action: AuditAction,
  entity: { type: string; id?: string },
  extra: Pick<AuditEntry, 'changedFields' | 'details'> = {},
): AuditEntry {
  const fields = caseAuditFields(ctx, location);
  const details = { ...fields.details, ...extra.details };
  return {
    action,
    entityType: entity.type,
    ...(entity.id ? { entityId: entity.id } : {}),
    ...fields,
    ...(extra.changedFields ? { changedFields: extra.changedFields } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

export const grantField = (ctx: RequestContext, location: CaseLocation) => {
  const grant = emergencyGrantFor(ctx, location);
  return grant ? { emergencyAccessId: grant.id } : {};
};
