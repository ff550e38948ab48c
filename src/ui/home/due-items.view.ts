import type { DueItem } from '../../reviews/due-item.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

const KIND: Record<DueItem['kind'], MessageKey> = {
  reassessment: 'due.kind.reassessment',
  plan_review: 'due.kind.plan_review',
  challenge_response: 'due.kind.challenge_response',
  amendment: 'due.kind.amendment',
  complaint_response: 'due.kind.complaint_response',
  ill_treatment_referral: 'due.kind.ill_treatment_referral',
};
const REASON: Record<string, MessageKey> = {
  scheduled: 'due.reason.scheduled',
  event: 'due.reason.event',
  pre_release: 'due.reason.pre_release',
  intake: 'due.reason.intake',
  needs_changed: 'due.reason.needs_changed',
  challenge: 'due.reason.challenge',
  challenge_upheld: 'due.reason.challenge_upheld',
  escalation_upheld: 'due.reason.escalation_upheld',
  complaint: 'due.reason.complaint',
  ill_treatment_allegation: 'due.reason.ill_treatment_allegation',
};

/** Rows of a reviews-due table: each links to the prisoner whose work it is. */
export function dueItemRows(items: DueItem[], t: Translate) {
  return items.map((item) => ({
    href: item.complaintId
      ? `/complaints/${item.complaintId}`
      : item.challengeId
        ? `/challenges/${item.challengeId}`
        : item.planId
          ? `/plans/${item.planId}`
          : `/prisoners/${item.prisonerId}`,
    prisonNumber: item.prisonNumber,
    prisonerName: item.prisonerName,
    what: t(KIND[item.kind]),
    why: REASON[item.reason] ? t(REASON[item.reason]) : item.reason,
    instrumentKey: item.instrumentKey ?? '',
    dueDate: item.dueDate,
    overdue: item.overdue,
  }));
}
