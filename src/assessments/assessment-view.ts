import { permittedFieldsOf } from '@casl/ability/extra';
import { asSubject, type AppAbility } from '../access/ability.factory.js';
import { evaluate } from '../instruments/engine/evaluate.js';
import type { InstrumentDefinition } from '../instruments/rule-sets/rule-set.types.js';
import { bandsWithheld, engineRatings, isEditable, submitReasons } from './assessment-rules.js';
import type { Assessment, Transition } from './assessments.repository.js';
import type {
  AssessmentResponse,
  AssessmentView,
  IndicativeResponse,
  JudgementLevelResponse,
} from './dto/assessment.dto.js';

/** The fields CASL conditions on an assessment refer to. */
export interface AssessmentSubject {
  id: string;
  prisonerId: string;
  facilityId: string;
  assessorId: string;
  /** The pinned instrument version, whose `team` may name who assesses and countersigns. */
  instrumentVersionId?: string;
}

/**
 * The widest view the caller's read rules give on this assessment (README, "Assessment views"), or null
 * when they may not read it. Rules without field lists give the full view.
 */
export function assessmentView(ability: AppAbility, row: AssessmentSubject): AssessmentView | null {
  const subject = asSubject('Assessment', row);
  if (!ability.can('read', subject)) return null;
  const fields = permittedFieldsOf(ability, 'read', subject, {
    fieldsFrom: (rule) => rule.fields ?? ['*'],
  });
  if (fields.includes('*')) return 'full';
  if (fields.includes('programme')) return 'programme';
  return 'security';
}

export const subjectOf = (a: Assessment): AssessmentSubject => ({
  id: a.id,
  prisonerId: a.prisonerId,
  facilityId: a.facilityId,
  assessorId: a.assessor.id,
  instrumentVersionId: a.instrumentVersionId,
});

/** Whether the caller may edit (and so submit) the assessment, as far as their rules go. */
export const mayEdit = (ability: AppAbility, a: Assessment): boolean =>
  ability.can('update', asSubject('Assessment', subjectOf(a)));

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Domains whose summaries may leave the clinical team: none of their items is clinical. */
function nonClinicalDomains(definition: InstrumentDefinition): Set<string> {
  return new Set(
    definition.domains
      .filter((d) => d.items.every((i) => i.confidentiality === 'standard'))
      .map((d) => d.code),
  );
}

/**
 * The engine's result as the full view shows it, with `canSubmit` and `reasons` from the submit
 * check itself. An assessment still being edited is evaluated afresh, as submit will; a
 * submitted, approved or cancelled one shows what was stored when it left the assessor.
 */
function fullIndicative(
  a: Assessment,
  definition: InstrumentDefinition,
  caller: { mayEdit: boolean },
): IndicativeResponse | null {
  const editable = isEditable(a.status);
  if (!editable && !a.indicative) return null;
  const evaluation = editable
    ? evaluate(definition, engineRatings(a.ratings), { cacheKey: a.instrumentVersionId })
    : a.indicative!;
  const reasons = submitReasons(definition, evaluation, a, caller);
  const full = { ...evaluation, canSubmit: reasons.length === 0, reasons };
  if (!bandsWithheld(definition, a.provisional)) return { ...full, withheld: false };
  // Against anchoring: no band before the assessor has recorded a provisional judgement.
  return {
    ...full,
    indicativeLevel: null,
    judgements: (evaluation.judgements ?? []).map((j) => ({ code: j.code, indicativeLevel: null })),
    withheld: true,
  };
}

/** Final levels per declared judgement, labelled, in the instrument's order (no rationale). */
export function judgementLevels(
  a: Pick<Assessment, 'judgements'>,
  definition: InstrumentDefinition,
): JudgementLevelResponse[] {
  return (definition.judgements ?? []).map((judgement) => ({
    code: judgement.code,
    label: judgement.label,
    level: a.judgements.find((j) => j.code === judgement.code)?.level ?? null,
  }));
}

export interface ProjectionOptions {
  /** The transitions, shown in the full view of a single read. */
  history?: Transition[];
  /** Whether the caller may edit the assessment (see `mayEdit`); decides `canSubmit`. */
  mayEdit?: boolean;
}

/**
 * Projects an assessment for a view. Judgements (final level, needs, recommendations) leave the
 * clinical team only once countersigned; evidence, formulation, scenarios, rationale, the
 * prisoner's words and clinical recommendations never do.
 */
export function projectAssessment(
  a: Assessment,
  view: AssessmentView,
  definition: InstrumentDefinition,
  options: ProjectionOptions = {},
): AssessmentResponse {
  const countersigned = a.status === 'approved' || a.status === 'superseded';
  const base: AssessmentResponse = {
    id: a.id,
    prisonerId: a.prisonerId,
    status: a.status,
    revision: a.revision,
    version: a.version,
    view,
    instrument: { ...a.instrument },
    finalRiskLevel: view === 'full' || countersigned ? a.finalRiskLevel : null,
    judgementLevels:
      view === 'full' || countersigned
        ? judgementLevels(a, definition)
        : judgementLevels({ judgements: [] }, definition),
    nextReviewDue: a.nextReviewDue,
    approvedAt: iso(a.approvedAt),
    recommendations: [],
  };
  const shared = (role: string) =>
    a.sharedFlags
      .filter((f) => f.sharedWith.includes(role))
      .map((f) => ({ code: f.code, label: f.label, severity: f.severity, firedAt: f.firedAt }));
  if (view === 'security') {
    return {
      ...base,
      // Shared the moment they fire, even on a draft: the label and date, nothing behind them.
      warnings: shared('security'),
      recommendations: countersigned ? a.recommendations.filter((r) => r.tag === 'security') : [],
    };
  }
  const programme: AssessmentResponse = {
    ...base,
    reason: a.reason,
    supersedesId: a.supersedesId,
    assessor: { ...a.assessor },
    countersigner: a.countersigner ? { ...a.countersigner } : null,
    createdAt: a.createdAt.toISOString(),
    submittedAt: iso(a.submittedAt),
    cancelledAt: iso(a.cancelledAt),
  };
  if (view === 'programme') {
    const shareable = nonClinicalDomains(definition);
    return {
      ...programme,
      needs: countersigned ? a.needs : [],
      recommendations: countersigned ? a.recommendations.filter((r) => r.tag !== 'clinical') : [],
      indicative:
        countersigned && a.indicative
          ? {
              indicativeLevel: a.indicative.indicativeLevel,
              judgements: a.indicative.judgements ?? [],
              domains: a.indicative.domains
                .filter((d) => shareable.has(d.code))
                .map((d) => ({
                  code: d.code,
                  rated: d.rated,
                  notRated: d.notRated,
                  summary: d.summary,
                })),
            }
          : null,
    };
  }
  return {
    ...programme,
    needs: a.needs,
    recommendations: a.recommendations,
    indicative: fullIndicative(a, definition, { mayEdit: options.mayEdit ?? false }),
    trigger: a.trigger,
    ratings: a.ratings,
    formulation: a.formulation,
    scenarios: a.scenarios,
    finalRationale: a.finalRationale,
    warnings: a.sharedFlags.map((f) => ({ ...f })),
    provisional: a.provisional,
    judgements: a.judgements,
    appraisal: a.appraisal,
    caseFactors: a.caseFactors,
    prisonerParticipation: a.prisonerParticipation,
    cancelReason: a.cancelReason,
    doubleRating: a.doubleRating,
    consensus: a.consensus,
    ...(options.history ? { history: options.history } : {}),
  };
}
