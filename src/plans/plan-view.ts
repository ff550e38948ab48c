import { permittedFieldsOf } from '@casl/ability/extra';
import { PLAN_FIELDS, type AppAbility } from '../access/ability.factory.js';
import type { ApprovedAssessmentSummary } from '../assessments/approved-assessment.js';
import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import type { SessionResponse } from './dto/plan-session.dto.js';
import type { ReviewResponse } from './dto/plan-review.dto.js';
import type {
  AssessmentRef,
  GoalResponse,
  InterventionResponse,
  PendingRevisionResponse,
  PlanResponse,
  PlanSummaryResponse,
  PlanView,
} from './dto/plan.response.js';
import {
  intensityFor,
  PLAN_REVIEW_INTERVAL,
  type Goal,
  type PlanIntervention,
} from './plan-content.js';
import type {
  InterventionNames,
  LoadedPlan,
  PlanSummary,
  Proposal,
  Review,
  Session,
} from './plans.repository.js';

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
export function nextReviewDate(loaded: Pick<LoadedPlan, 'plan' | 'lastReview'>): string | null {
  const { plan, lastReview } = loaded;
  if (!['active', 'suspended'].includes(plan.status) || !plan.approvedAt) return null;
  if (lastReview) return lastReview.nextReviewDate;
  return addIsoDuration(new Date(plan.approvedAt), PLAN_REVIEW_INTERVAL).toISOString().slice(0, 10);
}

const staffRef = (id: string | null, name: string | null | undefined) =>
  id ? { id, displayName: name ?? '' } : null;

export function goalResponses(goals: Goal[], catalogue: InterventionCatalogue): GoalResponse[] {
  const needLabels = new Map(catalogue.needs.map((n) => [n.code, n.label]));
  return goals.map((g) => ({
    id: g.id,
    needCode: g.needCode,
    needLabel: needLabels.get(g.needCode) ?? g.needCode,
    priority: g.priority,
    description: g.description,
    targetDate: g.targetDate,
    status: g.status,
  }));
}

export function interventionResponses(
  items: PlanIntervention[],
  names: Map<string, InterventionNames>,
  catalogue: InterventionCatalogue,
  riskLevel: string | null,
): InterventionResponse[] {
  const entries = new Map(catalogue.interventions.map((i) => [i.code, i]));
  return items.map((item): InterventionResponse => {
    const entry = entries.get(item.catalogueCode);
    const itemNames = names.get(item.id);
    return {
      id: item.id,
      catalogueCode: item.catalogueCode,
      type: entry?.type ?? 'unknown',
      phase: entry?.phase ?? null,
      discipline: item.discipline,
      responsibleStaff: staffRef(item.responsibleStaffId, itemNames?.responsibleStaff),
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
        recordedBy: staffRef(item.consent.recordedBy, itemNames?.consentRecordedBy),
      },
      intensity: intensityFor(entry, riskLevel),
      dosage: entry && { ...entry.dosage },
    };
  });
}

/** Everything about the plan's current revision (needs changes are added by the caller). */
export function fullPlan(loaded: LoadedPlan, sources: PlanSources): PlanResponse {
  const { plan } = loaded;
  return {
    id: plan.id,
    prisonerId: plan.prisonerId,
    view: 'full',
    status: plan.status,
    revision: plan.revision,
    version: plan.version,
    interventions: interventionResponses(
      loaded.interventions,
      loaded.names,
      sources.catalogue,
      plan.riskLevel,
    ),
    approvedAt: plan.approvedAt,
    suspendedAt: plan.suspendedAt,
    completedAt: plan.completedAt,
    closedAt: plan.closedAt,
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    revisedAt: plan.revisedAt,
    basedOnAssessment: assessmentRef(sources.basis),
    riskAssessment: sources.risk ? assessmentRef(sources.risk) : null,
    riskLevel: plan.riskLevel,
    catalogue: { key: sources.catalogue.key, version: sources.catalogue.version },
    goals: goalResponses(loaded.goals, sources.catalogue),
    prisonerAgreement: plan.agreement && {
      response: plan.agreement.response,
      prisonerWords: plan.agreement.prisonerWords,
      recordedOn: plan.agreement.recordedOn,
      recordedBy: plan.agreement.recordedBy && { ...plan.agreement.recordedBy },
    },
    release: {
      expectedReleaseDate: plan.release.expectedReleaseDate,
      tasks: plan.release.tasks.map((t) => ({ ...t })),
      handovers: plan.release.handovers.map((h) => ({ ...h })),
    },
    author: { ...plan.author },
    submittedBy: plan.submittedBy && { ...plan.submittedBy },
    submittedAt: plan.submittedAt,
    approver: plan.approver && { ...plan.approver },
    returned: plan.returned && {
      by: { ...plan.returned.by },
      at: plan.returned.at,
      comments: plan.returned.comments,
    },
    suspendReason: plan.suspendReason,
    completionNote: plan.completionNote,
    closeReason: plan.closeReason,
    lastReviewDate: loaded.lastReview?.date ?? null,
    nextReviewDate: nextReviewDate(loaded),
  };
}

/** A pending revision as shown beside the current one (full view only). */
export function pendingRevisionResponse(
  proposal: Proposal,
  shown: { goals: Goal[]; interventions: PlanIntervention[] },
  names: Map<string, InterventionNames>,
  sources: PlanSources,
): PendingRevisionResponse {
  return {
    revision: proposal.revision,
    basedOnRevision: proposal.basedOnRevision,
    status: proposal.status,
    changedFields: proposal.changedFields,
    author: { ...proposal.author },
    createdAt: proposal.createdAt,
    updatedAt: proposal.updatedAt,
    submittedBy: proposal.submittedBy && { ...proposal.submittedBy },
    submittedAt: proposal.submittedAt,
    returnedBy: proposal.returnedBy && { ...proposal.returnedBy },
    returnedAt: proposal.returnedAt,
    returnComments: proposal.returnComments,
    basedOnAssessment: assessmentRef(sources.basis),
    riskAssessment: sources.risk ? assessmentRef(sources.risk) : null,
    riskLevel: proposal.riskLevel,
    goals: goalResponses(shown.goals, sources.catalogue),
    interventions: interventionResponses(
      shown.interventions,
      names,
      sources.catalogue,
      proposal.riskLevel,
    ),
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

export const summaryResponse = (plan: PlanSummary): PlanSummaryResponse => ({
  id: plan.id,
  prisonerId: plan.prisonerId,
  status: plan.status,
  revision: plan.revision,
  version: plan.version,
  createdAt: plan.createdAt,
  updatedAt: plan.updatedAt,
  approvedAt: plan.approvedAt,
  completedAt: plan.completedAt,
  closedAt: plan.closedAt,
});

export function sessionResponse(session: Session, view: PlanView): SessionResponse {
  const logistics = {
    id: session.id,
    interventionId: session.interventionId,
    date: session.date,
    attendance: session.attendance,
  };
  if (view === 'logistics') return logistics;
  return {
    ...logistics,
    engagement: session.engagement,
    notes: session.notes,
    recordedBy: { ...session.recordedBy },
    recordedAt: session.recordedAt,
  };
}

export const reviewResponse = (review: Review): ReviewResponse => ({
  id: review.id,
  revision: review.revision,
  date: review.date,
  attendees: review.attendees,
  goalProgress: review.goalProgress.map((g) => ({
    goalId: g.goalId,
    status: g.status,
    note: g.note,
  })),
  summary: review.summary,
  nextReviewDate: review.nextReviewDate,
  recordedBy: { ...review.recordedBy },
  recordedAt: review.recordedAt,
});
