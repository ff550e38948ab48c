import {
  APPRAISAL_FIELDS,
  SCENARIO_FIELDS,
  type StoredRating,
} from '../../assessments/assessment-rules.js';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { parseIsoDuration } from '../../instruments/rule-sets/iso-duration.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import {
  optionLabel,
  PARTICIPATION_LABEL,
  PRIORITY_LABEL,
  RELIABILITY_LABEL,
  SOURCE_LABEL,
  TAG_LABEL,
} from './assessment-forms.js';

const STATUS: Record<string, MessageKey> = {
  draft: 'assessment.status.draft',
  submitted: 'assessment.status.submitted',
  returned: 'assessment.status.returned',
  approved: 'assessment.status.approved',
  cancelled: 'assessment.status.cancelled',
  superseded: 'assessment.status.superseded',
};
const STATUS_TAG: Record<string, string> = {
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  returned: 'govuk-tag--orange',
  approved: 'govuk-tag--green',
  cancelled: 'govuk-tag--red',
  superseded: 'govuk-tag--grey',
};
const REASON: Record<string, MessageKey> = {
  intake: 'assessment.reason.intake',
  periodic: 'assessment.reason.periodic',
  event: 'assessment.reason.event',
};
const TRANSITION: Record<string, MessageKey> = {
  draft: 'assessment.history.draft',
  submitted: 'assessment.history.submitted',
  returned: 'assessment.history.returned',
  approved: 'assessment.history.approved',
  cancelled: 'assessment.history.cancelled',
  superseded: 'assessment.history.superseded',
};
const VIEW: Record<string, MessageKey> = {
  full: 'assessment.view.full',
  programme: 'assessment.view.programme',
  security: 'assessment.view.security',
};
const SEVERITY: Record<string, { key: MessageKey; classes: string }> = {
  critical: { key: 'assessment.severity.critical', classes: 'govuk-tag--red' },
  warning: { key: 'assessment.severity.warning', classes: 'govuk-tag--orange' },
  info: { key: 'assessment.severity.info', classes: 'govuk-tag--grey' },
};
const KIND: Record<string, MessageKey> = {
  risk: 'assessment.item.kind.risk',
  protective: 'assessment.item.kind.protective',
  motivation: 'assessment.item.kind.motivation',
};

const labelOf = (
  t: Translate,
  keys: Record<string, MessageKey>,
  value: string | undefined | null,
) => (value ? (keys[value] ? t(keys[value]) : value) : '');

export const statusLabel = (status: string, t: Translate) => labelOf(t, STATUS, status);
export const statusClass = (status: string) => STATUS_TAG[status] ?? '';
export const kindLabel = (kind: string, t: Translate) => labelOf(t, KIND, kind);

/** An ISO-8601 duration from a rule-set in words ("3 months"). */
export function durationText(iso: string, t: Translate): string {
  const d = parseIsoDuration(iso);
  if (!d) return iso;
  const parts: string[] = [];
  if (d.years) parts.push(t('assessment.duration.years', { count: d.years }));
  if (d.months) parts.push(t('assessment.duration.months', { count: d.months }));
  if (d.weeks) parts.push(t('assessment.duration.weeks', { count: d.weeks }));
  if (d.days) parts.push(t('assessment.duration.days', { count: d.days }));
  return parts.join(' ') || iso;
}

/** A level's label in the instrument's scale; the code when the scale lacks it. */
export const levelText = (definition: InstrumentDefinition, code: string | null | undefined) =>
  code ? (definition.levels?.find((l) => l.code === code)?.label ?? code) : '';

/** One item's rating as the read-only pages show it (only what the response holds). */
export function ratingView(
  rating: StoredRating | undefined,
  definition: InstrumentDefinition,
  scaleCode: string,
  t: Translate,
) {
  if (!rating) return { answer: t('assessment.summary.notAnswered'), details: [] };
  const scale = definition.scales.find((s) => s.code === scaleCode);
  const answer = rating.notRated
    ? t('assessment.item.notRated')
    : rating.value
      ? (scale?.options.find((o) => o.code === rating.value)?.label ?? rating.label ?? rating.value)
      : t('assessment.summary.noRating');
  const details: { label: string; text: string }[] = [];
  if (rating.notRated && rating.reason)
    details.push({ label: t('assessment.item.reason'), text: rating.reason });
  if (rating.evidenceFor)
    details.push({ label: t('assessment.item.evidenceFor'), text: rating.evidenceFor });
  if (rating.evidenceAgainst)
    details.push({ label: t('assessment.item.evidenceAgainst'), text: rating.evidenceAgainst });
  if (rating.sources?.length)
    details.push({
      label: t('assessment.item.sources'),
      text: rating.sources.map((s) => labelOf(t, SOURCE_LABEL, s)).join(', '),
    });
  if (rating.reliability)
    details.push({
      label: t('assessment.item.reliability'),
      text: labelOf(t, RELIABILITY_LABEL, rating.reliability),
    });
  if (rating.relevance)
    details.push({
      label: t('assessment.item.relevance'),
      text: optionLabel(t, 'relevance', rating.relevance),
    });
  return { answer, details };
}

interface Indicative {
  indicativeLevel?: string | null;
  flags?: { code: string; label: string; severity?: string; rule?: string }[];
  domains?: {
    code: string;
    total?: number;
    rated: number;
    notRated: number;
    missing?: number;
  }[];
  contributions?: { item: string; value: number }[];
  needs?: { code: string; indicatedPriority: string | null }[];
}

/**
 * What the engine computed, as the response carries it (the programme view carries only the
 * band and some domain summaries; the security view none of it): labelled by the rule-set.
 */
export function indicativeView(
  a: AssessmentResponse,
  definition: InstrumentDefinition,
  t: Translate,
) {
  const indicative = a.indicative as Indicative | null | undefined;
  if (!indicative) return undefined;
  const items = new Map(definition.domains.flatMap((d) => d.items.map((i) => [i.code, i])));
  const ratings = (a.ratings as Record<string, StoredRating> | undefined) ?? {};
  const hasLevels = (definition.levels?.length ?? 0) > 0;
  return {
    hasLevels,
    withheld: a.indicative?.withheld === true,
    band: hasLevels ? levelText(definition, indicative.indicativeLevel) : '',
    flags: indicative.flags?.map((flag) => {
      const rule = definition.flags?.find((f) => f.code === flag.code);
      const severity = SEVERITY[flag.severity ?? rule?.severity ?? 'info'] ?? SEVERITY.info;
      return {
        label: flag.label,
        description: rule?.description ?? '',
        // The rule that fired it, so the reader can see why (full view only carries flags).
        rule: flag.rule ?? rule?.when.replace(/\s+/g, ' ').trim() ?? '',
        severity: { text: t(severity.key), classes: severity.classes },
      };
    }),
    domains: indicative.domains?.map((d) => ({
      title: definition.domains.find((x) => x.code === d.code)?.title ?? d.code,
      rated: d.rated,
      notRated: d.notRated,
      missing: d.missing,
    })),
    contributions: indicative.contributions
      ?.filter((c) => items.has(c.item))
      .map((c) => {
        const item = items.get(c.item)!;
        return {
          code: c.item,
          prompt: item.prompt,
          kind: kindLabel(item.kind, t),
          rating: ratingView(ratings[c.item], definition, item.scale, t).answer,
          value: c.value,
        };
      })
      .sort((x, y) => y.value - x.value || (x.code < y.code ? -1 : 1)),
    needs: indicative.needs?.map((n) => ({
      code: n.code,
      priority: n.indicatedPriority,
    })),
    notice: definition.notice ?? '',
  };
}

/** The need codes an instrument rates, once each, in the order their items come. */
export function instrumentNeeds(definition: InstrumentDefinition): string[] {
  return [
    ...new Set(definition.domains.flatMap((d) => d.items.map((i) => i.need).filter(Boolean))),
  ] as string[];
}

const SCENARIO_DETAIL = {
  type: 'assessment.scenarios.type',
  likelyTargets: 'assessment.scenarios.likelyTargets',
  severity: 'assessment.scenarios.severity',
  imminence: 'assessment.scenarios.imminence',
  warningSigns: 'assessment.scenarios.warningSigns',
  triggers: 'assessment.scenarios.triggers',
  managementActions: 'assessment.scenarios.managementActions',
} as const satisfies Record<(typeof SCENARIO_FIELDS)[number], MessageKey>;
const APPRAISAL_DETAIL = {
  confidence: 'assessment.appraisal.confidence',
  informationQuality: 'assessment.appraisal.informationQuality',
  limitations: 'assessment.appraisal.limitations',
  indexFacts: 'assessment.appraisal.indexFacts',
} as const satisfies Record<(typeof APPRAISAL_FIELDS)[number], MessageKey>;

/**
 * The read-only assessment (the assessment page for readers, countersigning, print): every
 * part the caller's view returned, and nothing it did not. A part absent from the response is
 * absent here; the template shows what it is given.
 */
export function summaryModel(
  a: AssessmentResponse,
  definition: InstrumentDefinition,
  t: Translate,
  needLabels: Map<string, string>,
) {
  const ratings = a.ratings as Record<string, StoredRating> | undefined;
  const priorityName = (p: string | null | undefined) =>
    p
      ? (definition.needPriorities?.priorities.find((x) => x.code === p)?.label ??
        labelOf(t, PRIORITY_LABEL, p))
      : '';
  return {
    id: a.id,
    view: a.view,
    viewName: labelOf(t, VIEW, a.view),
    status: { text: statusLabel(a.status, t), classes: statusClass(a.status) },
    facts: {
      instrument: `${a.instrument.title}, ${t('assessment.frame.version', { version: a.instrument.version })}`,
      revision: a.revision,
      reason: labelOf(t, REASON, a.reason),
      trigger: a.trigger ?? undefined,
      assessor: a.assessor?.displayName,
      countersigner: a.countersigner?.displayName,
      createdAt: a.createdAt,
      submittedAt: a.submittedAt,
      approvedAt: a.approvedAt,
      cancelledAt: a.cancelledAt,
      cancelReason: a.cancelReason ?? undefined,
      finalRiskLevel: levelText(definition, a.finalRiskLevel),
      hasLevels: (definition.levels?.length ?? 0) > 0,
      nextReviewDue: a.nextReviewDue,
    },
    previousRevision: a.supersedesId ? `/assessments/${a.supersedesId}` : undefined,
    domains: ratings
      ? definition.domains.map((domain) => ({
          code: domain.code,
          title: domain.title,
          items: domain.items.map((item) => ({
            code: item.code,
            prompt: item.prompt,
            ...ratingView(ratings[item.code], definition, item.scale, t),
          })),
        }))
      : undefined,
    indicative: indicativeView(a, definition, t),
    formulation: a.formulation === undefined ? undefined : (a.formulation ?? ''),
    scenarios: a.scenarios?.map((scenario) => ({
      title: scenario.title,
      description: scenario.description,
      details: SCENARIO_FIELDS.filter((field) => scenario[field]).map((field) => ({
        label: t(SCENARIO_DETAIL[field]),
        text: optionLabel(t, field, scenario[field]),
      })),
    })),
    warnings: a.warnings?.map((w) => ({ label: w.label, firedAt: w.firedAt })),
    caseFactors: a.caseFactors?.map((c) => ({
      title: c.title,
      rating: t(`assessment.caseFactors.rating.${c.rating}` as MessageKey),
      description: c.description,
      evidence: c.evidence,
    })),
    judgements: (definition.judgements ?? []).map((j) => {
      const level = a.judgementLevels?.find((x) => x.code === j.code)?.level;
      const rationale = a.judgements?.find((x) => x.code === j.code)?.rationale;
      return {
        label: j.label,
        level: level ? (j.levels.find((l) => l.code === level)?.label ?? level) : '',
        ...(a.judgements ? { rationale: rationale ?? '' } : {}),
      };
    }),
    provisional:
      a.provisional === undefined || a.provisional === null
        ? undefined
        : [
            ...((definition.levels?.length ?? 0) > 0
              ? [
                  {
                    label: t('assessment.judgement.provisionalLevel'),
                    text: levelText(definition, a.provisional.level ?? null) ?? '',
                  },
                ]
              : []),
            ...(definition.judgements ?? []).map((j) => {
              const code = a.provisional?.judgements?.[j.code];
              return {
                label: j.label,
                text: code ? (j.levels.find((l) => l.code === code)?.label ?? code) : '',
              };
            }),
          ],
    appraisal:
      a.appraisal === undefined
        ? undefined
        : APPRAISAL_FIELDS.map((field) => ({
            label: t(APPRAISAL_DETAIL[field]),
            text: optionLabel(t, field, a.appraisal?.[field] ?? ''),
          })),
    needs: a.needs?.map((n) => ({
      label: needLabels.get(n.code) ?? n.code,
      priority: priorityName(n.priority),
    })),
    recommendations: a.recommendations.map((r) => ({
      text: r.text,
      tag: labelOf(t, TAG_LABEL, r.tag),
    })),
    participation:
      a.prisonerParticipation === undefined
        ? undefined
        : a.prisonerParticipation && {
            informedOn: a.prisonerParticipation.informedOn,
            participated: labelOf(t, PARTICIPATION_LABEL, a.prisonerParticipation.participated),
            comments: a.prisonerParticipation.prisonerComments ?? '',
          },
    finalRationale: a.finalRationale === undefined ? undefined : (a.finalRationale ?? ''),
    history: a.history?.map((h) => ({
      text: t(TRANSITION[h.to] ?? 'assessment.history.draft', { name: h.actor.displayName }),
      at: h.at,
      comments: h.comments,
    })),
  };
}
