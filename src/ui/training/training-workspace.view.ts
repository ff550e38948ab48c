import type { StoredRating } from '../../assessments/assessment-rules.js';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import { evaluate } from '../../instruments/engine/evaluate.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { judgementProblems } from '../../training/training-scoring.js';
import type { AttemptChanges, AttemptView } from '../../training/training.service.js';
import type { UpdateAssessmentDto } from '../../assessments/dto/assessment.dto.js';
import type { Translate } from '../i18n/catalogue.js';
import type { Section, SubmitReason } from '../assessments/workspace.view.js';

/** Where a practice attempt's workspace pages live. */
export const attemptRoot = (id: string) => `/training/attempts/${id}`;

/**
 * The sections after the ratings a practice attempt records: the needs and their priorities on
 * a needs instrument, and the final judgement (level where the instrument has levels, and the
 * rationale). Formulation, recommendations and participation belong to real cases only.
 */
export function trainingSections(definition: InstrumentDefinition): Section[] {
  return definition.purpose === 'needs' ? ['needs', 'judgement'] : ['judgement'];
}

/** The refusals submit would give, as the workspace's check page and task list show them. */
export function trainingReasons(
  attempt: AttemptView,
  definition: InstrumentDefinition,
  engineReasons: SubmitReason[],
  indicativeLevel: string | null,
): SubmitReason[] {
  const judgement = {
    level: attempt.finalLevel,
    needs: attempt.finalNeeds,
    rationale: attempt.finalRationale,
  };
  return [
    ...engineReasons,
    ...judgementProblems(definition, indicativeLevel, judgement).map((p) => ({
      code: p.code,
      message: p.message,
      field: p.path,
    })),
  ];
}

/**
 * A practice attempt in the shape the assessment workspace reads (the task list, item pages,
 * check page and forms take an assessment): the trainee's ratings and judgement, what the
 * instrument's engine computes from them, and nothing of a real case (no prisoner, no
 * revision, no history). The engine runs here as it does in the training service, over the
 * same ratings, so the pages show the figures the submit check will use.
 */
export function workspaceRecord(
  attempt: AttemptView,
  definition: InstrumentDefinition,
): AssessmentResponse {
  const ratings: Record<string, StoredRating> = Object.fromEntries(
    attempt.ratings.map(({ item, ...rating }) => [item, rating]),
  );
  const evaluation = evaluate(definition, ratings);
  const reasons = trainingReasons(
    attempt,
    definition,
    evaluation.reasons,
    evaluation.indicativeLevel,
  );
  return {
    id: attempt.id,
    prisonerId: '',
    status: attempt.status === 'draft' ? 'draft' : 'submitted',
    revision: 0,
    version: attempt.version,
    view: 'full',
    instrument: {
      key: definition.key,
      version: definition.version,
      title: definition.title,
      purpose: definition.purpose,
    },
    finalRiskLevel: attempt.finalLevel,
    judgementLevels: [],
    nextReviewDue: null,
    approvedAt: null,
    recommendations: [],
    needs: definition.purpose === 'needs' ? attempt.finalNeeds : undefined,
    createdAt: attempt.createdAt,
    submittedAt: attempt.submittedAt,
    indicative: {
      indicativeLevel: evaluation.indicativeLevel,
      domains: evaluation.domains,
      flags: evaluation.flags,
      contributions: evaluation.contributions,
      needs: evaluation.needs,
      missing: evaluation.missing,
      canSubmit: reasons.length === 0,
      reasons,
    },
    ratings,
    finalRationale: attempt.finalRationale,
  } as AssessmentResponse;
}

/** A workspace form's change, as the training service takes it. */
export function attemptChanges(patch: UpdateAssessmentDto): AttemptChanges {
  const changes: AttemptChanges = {};
  if (patch.ratings !== undefined) changes.ratings = patch.ratings as Record<string, unknown>;
  if (patch.finalRiskLevel !== undefined) changes.finalLevel = patch.finalRiskLevel;
  if (patch.finalRationale !== undefined) changes.finalRationale = patch.finalRationale;
  if (patch.needs !== undefined) changes.finalNeeds = patch.needs ?? [];
  return changes;
}

/** The frame of every workspace page in training mode: the banner, the case file panel. */
export function trainingFrame(
  attempt: AttemptView,
  definition: InstrumentDefinition,
  t: Translate,
) {
  const caseHref = `/training/cases/${attempt.practiceCase.id}`;
  return {
    workspace: {
      root: attemptRoot(attempt.id),
      subject: attempt.practiceCase.title,
      title: t('training.workspace.title'),
      back: { href: caseHref, text: t('training.workspace.backToCase') },
      training: {
        caseTitle: attempt.practiceCase.title,
        caseHref,
        notice: attempt.practiceCase.notice,
      },
    },
    assessment: {
      id: attempt.id,
      revision: null,
      status: attempt.status,
      version: attempt.version,
      instrument: { key: definition.key, version: definition.version, title: definition.title },
      view: 'full',
    },
  };
}
