import { permittedFieldsOf } from '@casl/ability/extra';
import { asSubject, type AppAbility } from '../access/ability.factory.js';
import type { ChallengeResponse } from './dto/challenge.dto.js';
import type { Challenge } from './challenges.repository.js';

/** The fields CASL conditions on a challenge refer to. */
export const challengeSubject = (c: Challenge) => ({
  id: c.id,
  prisonerId: c.prisonerId,
  facilityId: c.facilityId,
  targetType: c.targetType,
  assignedToId: c.assignedTo.id,
});

/**
 * The widest view the caller's read rules give: `full` (the prisoner's words and the response)
 * from a rule without fields, else `summary`; null when they may not read it.
 */
export function challengeView(ability: AppAbility, c: Challenge): 'full' | 'summary' | null {
  const subject = asSubject('Challenge', challengeSubject(c));
  if (!ability.can('read', subject)) return null;
  const fields = permittedFieldsOf(ability, 'read', subject, {
    fieldsFrom: (rule) => rule.fields ?? ['*'],
  });
  return fields.includes('*') ? 'full' : 'summary';
}

const today = () => new Date().toISOString().slice(0, 10);

/** A challenge in the caller's view. */
export function challengeResponse(c: Challenge, view: 'full' | 'summary'): ChallengeResponse {
  return {
    id: c.id,
    prisonerId: c.prisonerId,
    prisonNumber: c.prisonNumber,
    facilityId: c.facilityId,
    view,
    targetType: c.targetType,
    assessmentId: c.assessmentId,
    planId: c.planId,
    receivedOn: c.receivedOn,
    ...(view === 'full' ? { words: c.words } : {}),
    assignedTo: c.assignedTo,
    respondBy: c.respondBy,
    overdue: c.status === 'open' && c.respondBy < today(),
    status: c.status,
    outcome: c.outcome,
    ...(view === 'full' ? { response: c.response } : {}),
    answeredBy: c.answeredBy,
    answeredAt: c.answeredAt,
    amendmentDue: c.amendmentDue,
    amended: c.amended,
    recordedBy: c.recordedBy,
    recordedAt: c.recordedAt,
    version: c.version,
  };
}
