import { RELEVANCE, RELIABILITIES, SOURCES } from '../../assessments/assessment-rules.js';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import {
  timeframeOf,
  type InstrumentDefinition,
  type InstrumentDomain,
  type InstrumentItem,
} from '../../instruments/rule-sets/rule-set.types.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { NOT_RATED, optionLabel, RELIABILITY_LABEL, SOURCE_LABEL } from './assessment-forms.js';
import { durationText, kindLabel } from './summary.view.js';
import { assessmentRoot, domainPath, itemNavigation } from './workspace.view.js';

const RELIABILITY_HINT: Record<(typeof RELIABILITIES)[number], MessageKey> = {
  high: 'assessment.reliability.highHint',
  medium: 'assessment.reliability.mediumHint',
  low: 'assessment.reliability.lowHint',
};

/**
 * One item's page of the workspace (a real assessment's, or a practice attempt's in training
 * mode): the item, its guidance and evidence rules, the scale, and the domain's side
 * navigation. `relevance: false` leaves out the relevance question (a practice attempt does not
 * record it).
 */
export function itemPageModel(
  a: AssessmentResponse,
  definition: InstrumentDefinition,
  domain: InstrumentDomain,
  item: InstrumentItem,
  t: Translate,
  locale: string,
  workspace: { root?: string; relevance?: boolean } = {},
) {
  const root = workspace.root ?? assessmentRoot(a.id);
  const scale = definition.scales.find((s) => s.code === item.scale)!;
  const list = (values: string[], type: 'conjunction' | 'disjunction') =>
    new Intl.ListFormat(locale, { type }).format(values);
  const rules = definition.evidence.rules
    .map((rule) => {
      const options = rule.options
        .map((o) => scale.options.find((x) => x.code === o)?.label)
        .filter((o): o is string => Boolean(o));
      if (options.length === 0) return undefined;
      const fields = rule.require.map((f) =>
        f === 'sources'
          ? t('assessment.item.needs.sources', { count: rule.minSources ?? 1 })
          : t(
              (
                {
                  evidenceFor: 'assessment.item.needs.evidenceFor',
                  evidenceAgainst: 'assessment.item.needs.evidenceAgainst',
                  reliability: 'assessment.item.needs.reliability',
                } as const
              )[f],
            ),
      );
      return t('assessment.item.evidenceRule', {
        options: list(options, 'disjunction'),
        fields: list(fields, 'conjunction'),
      });
    })
    .filter((text): text is string => Boolean(text));
  const nav = itemNavigation(a, domain, item.code, t, root);
  const index = domain.items.findIndex((i) => i.code === item.code);
  return {
    agreed: agreedRating(a, item.code, scale, t),
    title: `${item.code} ${item.prompt}`,
    domain: {
      code: domain.code,
      title: domain.title,
      href: domainPath(a.id, domain.code, root),
    },
    item: {
      code: item.code,
      prompt: item.prompt,
      guidance: item.guidance,
      kind: kindLabel(item.kind, t),
      note: item.nonDiscriminationNote ?? '',
      historical: timeframeOf(domain, item) === 'historical',
      position: t('assessment.item.position', { number: index + 1, count: domain.items.length }),
    },
    scale: {
      label: scale.label,
      options: scale.options.map((o) => ({
        value: o.code,
        text: o.label,
        ...(o.description ? { hint: { text: o.description } } : {}),
      })),
    },
    notRated: NOT_RATED,
    evidenceRules: rules,
    notRatedReasonRequired: definition.evidence.notRatedReasonRequired,
    sources: SOURCES.map((s) => ({ value: s, text: t(SOURCE_LABEL[s]) })),
    relevances:
      workspace.relevance === false
        ? []
        : RELEVANCE.map((r) => ({ value: r, text: optionLabel(t, 'relevance', r) })),
    reliabilities: RELIABILITIES.map((r) => ({
      value: r,
      text: t(RELIABILITY_LABEL[r]),
      hint: { text: t(RELIABILITY_HINT[r]) },
    })),
    nav,
    last: index === domain.items.length - 1,
  };
}

/** The final level's choices, each with its description and the review interval it sets. */
export function levelChoices(definition: InstrumentDefinition, t: Translate) {
  const intervals = definition.review.intervals ?? {};
  return (definition.levels ?? []).map((level) => ({
    value: level.code,
    text: level.label,
    hint: {
      text: [
        level.description ?? '',
        intervals[level.code] || definition.review.interval
          ? t('assessment.judgement.review', {
              interval: durationText(intervals[level.code] ?? definition.review.interval!, t),
            })
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    },
  }));
}

/**
 * A double-rated assessment's rating of an item, which an edit does not change: before the
 * consensus it comes from the blind sets (nothing is edited here), after it as agreed (shown,
 * kept by the form, its evidence editable); an amendment keeps what its revision agreed.
 */
function agreedRating(
  a: AssessmentResponse,
  code: string,
  scale: InstrumentDefinition['scales'][number],
  t: Translate,
) {
  if (a.doubleRating !== true) return undefined;
  const href = a.supersedesId ? undefined : `${assessmentRoot(a.id)}/double-rating`;
  if (!a.consensus) return { pending: true, note: t('assessment.item.agreed.pending'), href };
  const rating = a.ratings?.[code];
  const value = rating?.notRated ? NOT_RATED : (rating?.value ?? '');
  return {
    pending: false,
    value,
    text:
      value === NOT_RATED
        ? t('assessment.item.notRated')
        : (scale.options.find((o) => o.code === value)?.label ?? t('assessment.item.agreed.none')),
    note: t(
      a.supersedesId ? 'assessment.item.agreed.amendment' : 'assessment.item.agreed.consensus',
    ),
    href,
  };
}
