import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import type { AttemptView } from '../../training/training.service.js';
import type { Translate } from '../i18n/catalogue.js';

/**
 * The results page of a submitted practice attempt: agreement with the reference (exact, within
 * one step, weighted kappa, and the ICC where the instrument's scale is ordinal: every scale's
 * options carry ordered scores), the final judgement against the reference's, and item by item
 * the trainee's rating, the reference's and its reasoning.
 */
export function resultsModel(t: Translate, attempt: AttemptView, definition: InstrumentDefinition) {
  const labels = new Map(
    definition.scales.flatMap((s) => s.options.map((o) => [`${s.code}:${o.code}`, o.label])),
  );
  const scaleOf = new Map(
    definition.domains.flatMap((d) => d.items.map((i) => [i.code, i.scale] as const)),
  );
  const label = (item: string, value: string | null) =>
    value ? (labels.get(`${scaleOf.get(item)}:${value}`) ?? value) : null;
  const levelLabel = (code: string | null) =>
    code ? (definition.levels?.find((l) => l.code === code)?.label ?? code) : null;
  const agreement = attempt.agreement!;
  return {
    attempt,
    agreement,
    ordinal: ordinalScales(definition),
    items: agreement.items.map((i) => ({
      ...i,
      traineeLabel: label(i.item, i.trainee.value),
      referenceLabel: label(i.item, i.reference.value),
      outcomeLabel: t(`training.outcome.${i.outcome}`),
    })),
    final: {
      trainee: levelLabel(agreement.finalJudgement.trainee),
      reference: levelLabel(agreement.finalJudgement.reference),
    },
    percent: (rate: number | null) => (rate === null ? null : Math.round(rate * 100)),
    certification: attempt.certification,
  };
}

/** Every scale has at least three distinct ordered scores: ratings are ordinal, not yes/no. */
export function ordinalScales(definition: InstrumentDefinition): boolean {
  return definition.scales.every((s) => new Set(s.options.map((o) => o.score)).size >= 3);
}
