import { permittedFieldsOf } from '@casl/ability/extra';
import { asSubject, type AppAbility } from '../access/ability.factory.js';
import type { ChallengeEscalationResponse, ChallengeResponse } from './dto/challenge.dto.js';
import type { Challenge, Escalation } from './challenges.repository.js';

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
    escalations: c.escalations.map((e) => escalationResponse(e, view)),
    version: c.version,
  };
}

/**
 * An escalation in the challenge's view: the outside decision's summary may quote clinical
 * content, so it is in the `full` view only, as the challenge's words and response are.
 */
export function escalationResponse(
  e: Escalation,
  view: 'full' | 'summary',
): ChallengeEscalationResponse {
  return {
    id: e.id,
    authority: e.authority,
    authorityName: e.authorityName,
    referredOn: e.referredOn,
    reference: e.reference,
    grounds: e.grounds,
    recordedBy: e.recordedBy,
    recordedAt: e.recordedAt,
    decision: e.decision && {
      decidedOn: e.decision.decidedOn,
      outcome: e.decision.outcome,
      ...(view === 'full' ? { summary: e.decision.summary } : {}),
      recordedBy: e.decision.recordedBy,
      recordedAt: e.decision.recordedAt,
    },
    amendmentDue: e.amendmentDue,
    amended: e.amended,
  };
}

/**
 * Whether a challenge may be taken to an outside authority now, and on what grounds: answered
 * `not_upheld` or `partly_upheld`, or still open past its deadline (undue delay). Otherwise why
 * not.
 */
export function escalationGrounds(
  c: { status: string; outcome: string | null; respondBy: string },
  on: string,
): { grounds: 'rejected' | 'partly_rejected' | 'delayed' } | { refused: string } {
  if (c.status === 'answered') {
    if (c.outcome === 'not_upheld') return { grounds: 'rejected' };
    if (c.outcome === 'partly_upheld') return { grounds: 'partly_rejected' };
    return { refused: 'The challenge was upheld: there is nothing to take further' };
  }
  if (c.respondBy < on) return { grounds: 'delayed' };
  return {
    refused: `The challenge is open and its answer is not due until ${c.respondBy}: it can be taken further once it is rejected or late`,
  };
}
