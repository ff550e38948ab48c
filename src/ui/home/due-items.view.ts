import type { DueItem } from '../../reviews/due-item.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

export const DUE_KIND: Record<DueItem['kind'], MessageKey> = {
  reassessment: 'due.kind.reassessment',
  plan_review: 'due.kind.plan_review',
  challenge_response: 'due.kind.challenge_response',
  amendment: 'due.kind.amendment',
  release_copy: 'due.kind.release_copy',
  complaint_response: 'due.kind.complaint_response',
  ill_treatment_referral: 'due.kind.ill_treatment_referral',
};
export const DUE_REASON: Record<string, MessageKey> = {
  scheduled: 'due.reason.scheduled',
  event: 'due.reason.event',
  pre_release: 'due.reason.pre_release',
  intake: 'due.reason.intake',
  needs_changed: 'due.reason.needs_changed',
  challenge: 'due.reason.challenge',
  challenge_upheld: 'due.reason.challenge_upheld',
  escalation_upheld: 'due.reason.escalation_upheld',
  release_approaching: 'due.reason.release_approaching',
  release_date_passed: 'due.reason.release_date_passed',
  released: 'due.reason.released',
  complaint: 'due.reason.complaint',
  ill_treatment_allegation: 'due.reason.ill_treatment_allegation',
};

/** Where a due item's work is done. */
export const dueHref = (item: DueItem) =>
  item.kind === 'release_copy'
    ? `/prisoners/${item.prisonerId}/subject-access?kind=release_copy#record`
    : item.complaintId
      ? `/complaints/${item.complaintId}`
      : item.challengeId
        ? `/challenges/${item.challengeId}`
        : item.planId
          ? `/plans/${item.planId}`
          : `/prisoners/${item.prisonerId}`;

/**
 * Rows of a reviews-due table: each links to where its work is done (the prisoner, the plan, the
 * challenge or complaint, or the subject-access form with the official copy on release chosen).
 */
export function dueItemRows(items: DueItem[], t: Translate) {
  return items.map((item) => ({
    href: dueHref(item),
    prisonNumber: item.prisonNumber,
    prisonerName: item.prisonerName,
    what: t(DUE_KIND[item.kind]),
    why: DUE_REASON[item.reason] ? t(DUE_REASON[item.reason]) : item.reason,
    instrumentKey: item.instrumentKey ?? '',
    dueDate: item.dueDate,
    overdue: item.overdue,
  }));
}
