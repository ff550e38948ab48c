import type {
  GoalResponse,
  InterventionResponse,
  PlanResponse,
} from '../../plans/dto/plan.response.js';
import type { Translate } from '../i18n/catalogue.js';
import {
  AGREEMENT,
  frequencyText,
  GOAL_STATUS,
  INTERVENTION_STATUS,
  INTERVENTION_PHASE,
  labelOf,
  PENDING_STATUS,
  PLAN_STATUS,
  PRIORITY,
  STATUS_TAG,
  TASK_STATUS,
  termLabels,
  type TermLabels,
} from './plan-labels.js';
import type { PlanPage } from './plan-page.service.js';

/** What the caller may do with a plan (decided by the same ability the services check). */
export interface PlanAbilities {
  full: boolean;
  editProgramme: boolean;
  submit: boolean;
  approve: boolean;
  resume: boolean;
  deliver: boolean;
  review: boolean;
  suspend: boolean;
  complete: boolean;
  close: boolean;
  approveRevision: boolean;
  withdrawRevision: boolean;
}

/**
 * Where a change to goals or interventions goes: the plan itself (a draft, or an active plan
 * whose change becomes its pending revision), the caller's own pending revision, or nowhere
 * (a revision that is submitted or someone else's: it is decided first).
 */
export type EditTarget = 'plan' | 'revision' | 'blocked';

export function editTarget(plan: PlanResponse, actorId: string): EditTarget {
  if (!['active', 'suspended'].includes(plan.status) || !plan.pendingRevision) return 'plan';
  const pending = plan.pendingRevision;
  return ['draft', 'returned'].includes(pending.status) && pending.author.id === actorId
    ? 'revision'
    : 'blocked';
}

/** The goals and interventions a programme change starts from (the revision's, when editing it). */
export function editableContent(plan: PlanResponse, target: EditTarget) {
  const source = target === 'revision' && plan.pendingRevision ? plan.pendingRevision : plan;
  return { goals: source.goals ?? [], interventions: source.interventions };
}

function goalRows(goals: GoalResponse[], t: Translate, base: string | undefined) {
  return goals.map((g, index) => ({
    id: g.id,
    number: index + 1,
    need: g.needLabel,
    needCode: g.needCode,
    description: g.description,
    priority: labelOf(t, PRIORITY, g.priority),
    targetDate: g.targetDate,
    status: labelOf(t, GOAL_STATUS, g.status),
    statusCode: g.status,
    changeHref: base && `${base}/goals/${g.id}`,
    removeHref: base && `${base}/goals/${g.id}/remove`,
  }));
}

/** An intervention's consent as words: not needed, not recorded, given or refused (with date). */
function consentText(i: InterventionResponse, t: Translate): string {
  if (!i.consentRequired) return t('plans.consent.notNeeded');
  if (!i.consent) return t('plans.consent.notRecorded');
  return i.consent.given
    ? t('plans.consent.givenOn', { date: i.consent.recordedOn })
    : t('plans.consent.refusedOn', { date: i.consent.recordedOn });
}

function interventionRows(
  items: InterventionResponse[],
  goals: GoalResponse[],
  t: Translate,
  base: string | undefined,
  titles: Map<string, string>,
  terms: TermLabels,
) {
  const goalNumbers = new Map(goals.map((g, i) => [g.id, { number: i + 1, text: g.description }]));
  return items.map((i) => ({
    id: i.id,
    title: i.title ?? titles.get(i.catalogueCode) ?? i.catalogueCode,
    code: i.catalogueCode,
    type: terms.type(i.type),
    phase: i.phase ? labelOf(t, INTERVENTION_PHASE, i.phase) : '',
    discipline: terms.discipline(i.discipline),
    staff: i.responsibleStaff?.displayName ?? '',
    provider: i.provider ?? '',
    frequency: frequencyText(t, i.frequency),
    plannedStart: i.plannedStart,
    plannedEnd: i.plannedEnd,
    location: i.location ?? '',
    status: labelOf(t, INTERVENTION_STATUS, i.status),
    statusCode: i.status,
    statusClass: STATUS_TAG[i.status] ?? '',
    goals: (i.goalIds ?? []).map((id) => goalNumbers.get(id)).filter((g) => g !== undefined),
    consentRequired: i.consentRequired ?? false,
    consent: i.consent
      ? {
          given: i.consent.given,
          recordedOn: i.consent.recordedOn,
          note: i.consent.note ?? '',
          by: i.consent.recordedBy?.displayName ?? '',
        }
      : null,
    consentText: consentText(i, t),
    refused: i.consent?.given === false,
    intensity: i.intensity ?? '',
    changeHref: base && `${base}/interventions/${i.id}`,
    removeHref: base && `${base}/interventions/${i.id}/remove`,
    consentHref: base && i.consentRequired ? `${base}/interventions/${i.id}/consent` : undefined,
  }));
}

/**
 * A plan as its pages show it, from the service's answer in the caller's view: a logistics view
 * has no goals, consent, agreement or release, and so neither has this model.
 */
export function planModel(page: PlanPage, actorId: string, t: Translate, locale = 'en') {
  const { plan, can } = page;
  const href = `/plans/${plan.id}`;
  const target = editTarget(plan, actorId);
  const programmeBase = can.editProgramme && target !== 'blocked' ? href : undefined;
  const deliveryBase = can.editProgramme ? href : undefined;
  const goals = plan.goals ?? [];
  const pending = plan.pendingRevision;
  const terms = termLabels(t, page.catalogue, locale);
  const interventions = interventionRows(
    plan.interventions,
    goals,
    t,
    deliveryBase,
    page.titles,
    terms,
  );
  return {
    id: plan.id,
    href,
    version: plan.version,
    view: plan.view,
    full: plan.view === 'full',
    status: labelOf(t, PLAN_STATUS, plan.status),
    statusCode: plan.status,
    statusClass: STATUS_TAG[plan.status] ?? '',
    revision: plan.revision,
    createdAt: plan.createdAt,
    approvedAt: plan.approvedAt,
    suspendedAt: plan.suspendedAt,
    completedAt: plan.completedAt,
    closedAt: plan.closedAt,
    author: plan.author?.displayName ?? '',
    submittedBy: plan.submittedBy?.displayName ?? '',
    submittedAt: plan.submittedAt ?? null,
    approver: plan.approver?.displayName ?? '',
    suspendReason: plan.suspendReason ?? '',
    closeReason: plan.closeReason ?? '',
    completionNote: plan.completionNote ?? '',
    basedOn: plan.basedOnAssessment && {
      href: `/assessments/${plan.basedOnAssessment.id}`,
      instrument: `${plan.basedOnAssessment.instrumentKey} ${plan.basedOnAssessment.instrumentVersion}`,
      approvedAt: plan.basedOnAssessment.approvedAt,
    },
    riskLevel: page.riskLevelLabel,
    catalogueNotice: page.catalogue?.illustrative ? (page.catalogue.notice ?? '') : '',
    nextReviewDate: plan.nextReviewDate ?? null,
    lastReviewDate: plan.lastReviewDate ?? null,
    reviewRequired: plan.reviewRequired ?? false,
    needsChanges: plan.needsChanges ?? null,
    returned: plan.returned && plan.status === 'draft' ? plan.returned : null,
    goals: goalRows(goals, t, programmeBase),
    interventions,
    refusals: interventions.filter((i) => i.refused),
    agreement: plan.prisonerAgreement
      ? {
          response: labelOf(t, AGREEMENT, plan.prisonerAgreement.response),
          responseCode: plan.prisonerAgreement.response,
          words: plan.prisonerAgreement.prisonerWords ?? '',
          recordedOn: plan.prisonerAgreement.recordedOn,
          by: plan.prisonerAgreement.recordedBy?.displayName ?? '',
        }
      : null,
    release: plan.release && {
      expectedReleaseDate: plan.release.expectedReleaseDate,
      tasks: plan.release.tasks.map((task) => ({
        ...task,
        statusText: labelOf(t, TASK_STATUS, task.status),
      })),
      handovers: plan.release.handovers,
    },
    editTarget: target,
    pending: pending && {
      revision: pending.revision,
      status: labelOf(t, PENDING_STATUS, pending.status),
      statusCode: pending.status,
      statusClass: STATUS_TAG[pending.status] ?? '',
      author: pending.author.displayName,
      mine: pending.author.id === actorId,
      submittedBy: pending.submittedBy?.displayName ?? '',
      returnedBy: pending.returnedBy?.displayName ?? '',
      returnedAt: pending.returnedAt,
      returnComments: pending.returnComments ?? '',
      changedFields: pending.changedFields,
      canApprove:
        can.approveRevision &&
        pending.status === 'submitted' &&
        pending.author.id !== actorId &&
        pending.submittedBy?.id !== actorId,
    },
    can,
  };
}

export type PlanModel = ReturnType<typeof planModel>;
