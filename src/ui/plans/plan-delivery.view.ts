import type { ReviewResponse } from '../../plans/dto/plan-review.dto.js';
import type { SessionResponse } from '../../plans/dto/plan-session.dto.js';
import type { PlanResponse } from '../../plans/dto/plan.response.js';
import type { Translate } from '../i18n/catalogue.js';
import {
  ATTENDANCE,
  DISCIPLINE,
  GOAL_STATUS,
  INTERVENTION_TYPE,
  labelOf,
  type TermLabels,
} from './plan-labels.js';

/** What an intervention is called on a page: its catalogue title, or its type and code. */
export function interventionName(
  plan: PlanResponse,
  interventionId: string | null,
  t: Translate,
  titles: Map<string, string> = new Map(),
): string {
  if (!interventionId) return t('plans.sessions.caseWork');
  const item = plan.interventions.find((i) => i.id === interventionId);
  if (!item) return t('plans.sessions.otherRevision');
  return (
    item.title ??
    titles.get(item.catalogueCode) ??
    `${labelOf(t, INTERVENTION_TYPE, item.type)} (${item.catalogueCode})`
  );
}

/** Sessions as the caller's view has them: the logistics view has dates and attendance only. */
export function sessionRows(
  items: SessionResponse[],
  plan: PlanResponse,
  t: Translate,
  titles: Map<string, string>,
) {
  return items.map((s) => ({
    date: s.date,
    intervention: interventionName(plan, s.interventionId, t, titles),
    attendance: labelOf(t, ATTENDANCE, s.attendance),
    engagement: s.engagement ?? null,
    notes: s.notes ?? '',
    recordedBy: s.recordedBy?.displayName ?? '',
  }));
}

export function reviewRows(
  items: ReviewResponse[],
  plan: PlanResponse,
  t: Translate,
  terms?: TermLabels,
) {
  const goals = new Map((plan.goals ?? []).map((g, i) => [g.id, `${i + 1}. ${g.description}`]));
  return items.map((r) => ({
    date: r.date,
    revision: r.revision,
    // Disciplines are declared by the catalogue: its titles where the messages have none.
    attendees: r.attendees
      .map((a) => (terms ? terms.discipline(a) : labelOf(t, DISCIPLINE, a)))
      .join(', '),
    summary: r.summary,
    nextReviewDate: r.nextReviewDate,
    recordedBy: r.recordedBy.displayName,
    progress: r.goalProgress.map((p) => ({
      goal: goals.get(p.goalId) ?? t('plans.reviews.goalElsewhere'),
      status: labelOf(t, GOAL_STATUS, p.status),
      note: p.note ?? '',
    })),
  }));
}
