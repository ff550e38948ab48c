import { permittedFieldsOf } from '@casl/ability/extra';
import {
  asSubject,
  CONFIDENTIAL_COMPLAINT_ENTITY,
  type AppAbility,
} from '../access/ability.factory.js';
import type { Complaint, WatchItem } from './complaints.repository.js';
import type { ComplaintResponse } from './dto/complaint.dto.js';

/** The fields CASL conditions on a complaint refer to. */
export const complaintSubject = (c: Complaint) => ({
  id: c.id,
  prisonerId: c.prisonerId,
  facilityId: c.facilityId,
  confidential: c.confidential,
  recordedById: c.recordedBy.id,
  assignedToId: c.assignedTo.id,
});

/**
 * The audit entity of a complaint's events: a confidential one's (and any an inspector makes,
 * whose lists and reads would show how many there are) are `confidential_complaint`, which only
 * inspectors' audit rules let them read.
 */
export const complaintEntityType = (
  confidential: boolean,
  actorRoles: readonly string[],
): string =>
  confidential || actorRoles.includes('inspector') ? CONFIDENTIAL_COMPLAINT_ENTITY : 'complaint';

/**
 * The widest view the caller's read rules give: `full` (words, response, concerned staff, the
 * watch) from a rule without fields, else `summary`; null when they may not read it. A member of
 * staff the complaint concerns reads its summary only, whatever their roles.
 */
export function complaintView(
  ability: AppAbility,
  actorId: string,
  c: Complaint,
): 'full' | 'summary' | null {
  const subject = asSubject('Complaint', complaintSubject(c));
  if (!ability.can('read', subject)) return null;
  if (c.concernedStaff.some((s) => s.id === actorId)) return 'summary';
  const fields = permittedFieldsOf(ability, 'read', subject, {
    fieldsFrom: (rule) => rule.fields ?? ['*'],
  });
  return fields.includes('*') ? 'full' : 'summary';
}

const today = () => new Date().toISOString().slice(0, 10);

/** A complaint in the caller's view (the watch only when given, in the full view). */
export function complaintResponse(
  c: Complaint,
  view: 'full' | 'summary',
  watch?: WatchItem[],
): ComplaintResponse {
  const full = view === 'full';
  return {
    id: c.id,
    prisonerId: c.prisonerId,
    prisonNumber: c.prisonNumber,
    facilityId: c.facilityId,
    view,
    channel: c.channel,
    confidential: c.confidential,
    madeBy: c.madeBy,
    subject: c.subject,
    allegesIllTreatment: c.allegesIllTreatment,
    receivedOn: c.receivedOn,
    ...(full ? { words: c.words, concernedStaff: c.concernedStaff } : {}),
    assignedTo: c.assignedTo,
    respondBy: c.respondBy,
    overdue: c.status === 'open' && c.respondBy < today(),
    status: c.status,
    outcome: c.outcome,
    ...(full ? { response: c.response } : {}),
    answeredBy: c.answeredBy,
    answeredAt: c.answeredAt,
    referralRequired: c.allegesIllTreatment && c.referrals.length === 0,
    referrals: c.referrals,
    ...(full ? { watchFlags: c.watchFlags } : {}),
    ...(full && watch ? { watch } : {}),
    recordedBy: c.recordedBy,
    recordedAt: c.recordedAt,
    version: c.version,
  };
}
