import { permittedFieldsOf } from '@casl/ability/extra';
import { PLAN_FIELDS, type AppAbility } from '../access/ability.factory.js';
import type { ApprovedAssessmentSummary } from '../assessments/approved-assessment.js';
import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import type { SessionResponse } from './dto/plan-session.dto.js';
import type { ReviewResponse } from './dto/plan-review.dto.js';
import type {
  AssessmentRef,
  InterventionResponse,
  PlanResponse,
  PlanSummaryResponse,
  PlanView,
} from './dto/plan.response.js';
import { intensityFor, PLAN_REVIEW_INTERVAL } from './plan-content.js';
import type { LoadedPlan, PlanSummaryRow, ReviewRow, SessionRow } from './plans.repository.js';

/**
 * The view of a plan a caller gets: `full` when their read rules permit the plan's `content`,
 * else `logistics`. Derived from the CASL field permissions, never from role names.
 */
export function planView(ability: AppAbility, subject: Record<string, unknown>): PlanView {
  const fields = permittedFieldsOf(ability, 'read', subject, {
    fieldsFrom: (rule) => rule.fields ?? PLAN_FIELDS,
  });
  return fields.includes('content') ? 'full' : 'logistics';
}

export const assessmentRef = (a: ApprovedAssessmentSummary): AssessmentRef => ({
  id: a.id,
  instrumentKey: a.instrumentKey,
  instrumentVersion: a.instrumentVersion,
  approvedAt: a.approvedAt,
});

export interface PlanSources {
  catalogue: InterventionCatalogue;
  basis: ApprovedAssessmentSummary;
  risk: ApprovedAssessmentSummary | undefined;
}

/** When the plan is next due for review (active or suspended plans only). */
export function nextReviewDate(plan: LoadedPlan): string | null {
  const { row, lastReview } = plan;
  if (!['active', 'suspended'].includes(row.status) || !row.approved_at) return null;
  if (lastReview) return lastReview.nextReviewDate;
  return addIsoDuration(new Date(row.approved_at), PLAN_REVIEW_INTERVAL).toISOString().slice(0, 10);
}

/** Everything about the plan's current revision (needs changes are added by the service). */
export function fullPlan(plan: LoadedPlan, sources: PlanSources): PlanResponse {
  const { row } = plan;
  const entries = new Map(sources.catalogue.interventions.map((i) => [i.code, i]));
  const needLabels = new Map(sources.catalogue.needs.map((n) => [n.code, n.label]));
  const staff = (id: string | null, name: string | null | undefined) =>
    id ? { id, displayName: name ?? '' } : null;
  const interventions = plan.interventions.map((item): InterventionResponse => {
    const entry = entries.get(item.catalogueCode);
    const names = plan.names.get(item.id);
    return {
      id: item.id,
      catalogueCode: item.catalogueCode,
      type: entry?.type ?? 'unknown',
      discipline: item.discipline,
      responsibleStaff: staff(item.responsibleStaffId, names?.responsibleStaff),
      provider: item.provider,
      frequency: item.frequency,
      plannedStart: item.plannedStart,
      plannedEnd: item.plannedEnd,
      location: item.location,
      status: item.status,
      title: entry?.title ?? item.catalogueCode,
      goalIds: item.goalIds,
      consentRequired: item.consentRequired,
      consent: item.consent && {
        given: item.consent.given,
        recordedOn: item.consent.recordedOn,
        note: item.consent.note,
        recordedBy: staff(item.consent.recordedBy, names?.consentRecordedBy),
      },
      intensity: intensityFor(entry, row.risk_level),
      dosage: entry && { ...entry.dosage },
    };
  });
  return {
    id: row.id,
    prisonerId: row.prisoner_id,
    view: 'full',
    status: row.status,
    revision: row.revision,
    version: row.version,
    interventions,
    approvedAt: row.approved_at,
    suspendedAt: row.suspended_at,
    completedAt: row.completed_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revisedAt: row.revised_at,
    basedOnAssessment: assessmentRef(sources.basis),
    riskAssessment: sources.risk ? assessmentRef(sources.risk) : null,
    riskLevel: row.risk_level,
    catalogue: { key: sources.catalogue.key, version: sources.catalogue.version },
    goals: plan.goals.map((g) => ({
      id: g.id,
      needCode: g.needCode,
      needLabel: needLabels.get(g.needCode) ?? g.needCode,
      priority: g.priority,
      description: g.description,
      targetDate: g.targetDate,
      status: g.status,
    })),
    prisonerAgreement: row.agreement_response
      ? {
          response: row.agreement_response,
          prisonerWords: row.agreement_words,
          recordedOn: row.agreement_recorded_on!,
          recordedBy: staff(row.agreement_recorded_by, row.agreement_recorded_by_name),
        }
      : null,
    release: {
      expectedReleaseDate: row.expected_release_date,
      tasks: row.release_tasks,
      handovers: row.release_handovers,
    },
    author: { id: row.author_id, displayName: row.author_name },
    submittedBy: staff(row.submitted_by, row.submitted_by_name),
    submittedAt: row.submitted_at,
    approver: staff(row.approver_id, row.approver_name),
    suspendReason: row.suspend_reason,
    completionNote: row.completion_note,
    closeReason: row.close_reason,
    lastReviewDate: plan.lastReview?.date ?? null,
    nextReviewDate: nextReviewDate(plan),
  };
}

/**
 * The logistics view (security officers): status, dates and the intervention schedule: what
 * takes place, when, where and with whom. Built by picking fields, so nothing added to the
 * full view can leak into it.
 */
export function logisticsPlan(full: PlanResponse): PlanResponse {
  return {
    id: full.id,
    prisonerId: full.prisonerId,
    view: 'logistics',
    status: full.status,
    revision: full.revision,
    version: full.version,
    interventions: full.interventions.map((i) => ({
      id: i.id,
      catalogueCode: i.catalogueCode,
      type: i.type,
      discipline: i.discipline,
      responsibleStaff: i.responsibleStaff && {
        id: i.responsibleStaff.id,
        displayName: i.responsibleStaff.displayName,
      },
      provider: i.provider,
      frequency: i.frequency,
      plannedStart: i.plannedStart,
      plannedEnd: i.plannedEnd,
      location: i.location,
      status: i.status,
    })),
    approvedAt: full.approvedAt,
    suspendedAt: full.suspendedAt,
    completedAt: full.completedAt,
    closedAt: full.closedAt,
    createdAt: full.createdAt,
    updatedAt: full.updatedAt,
  };
}

export const inView = (full: PlanResponse, view: PlanView): PlanResponse =>
  view === 'full' ? full : logisticsPlan(full);

export const summaryResponse = (row: PlanSummaryRow): PlanSummaryResponse => ({
  id: row.id,
  prisonerId: row.prisoner_id,
  status: row.status,
  revision: row.revision,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  approvedAt: row.approved_at,
  completedAt: row.completed_at,
  closedAt: row.closed_at,
});

export function sessionResponse(row: SessionRow, view: PlanView): SessionResponse {
  const logistics = {
    id: row.id,
    interventionId: row.intervention_id,
    date: row.date,
    attendance: row.attendance,
  };
  if (view === 'logistics') return logistics;
  return {
    ...logistics,
    engagement: row.engagement,
    notes: row.notes,
    recordedBy: { id: row.recorded_by, displayName: row.recorded_by_name },
    recordedAt: row.recorded_at,
  };
}

export const reviewResponse = (row: ReviewRow): ReviewResponse => ({
  id: row.id,
  revision: row.revision,
  date: row.date,
  attendees: row.attendees,
  goalProgress: row.goal_progress.map((g) => ({
    goalId: g.goalId,
    status: g.status,
    note: g.note,
  })),
  summary: row.summary,
  nextReviewDate: row.next_review_date,
  recordedBy: { id: row.recorded_by, displayName: row.recorded_by_name },
  recordedAt: row.recorded_at,
});
