import {
  APPRAISAL_FIELDS,
  RELIABILITIES,
  SCENARIO_FIELDS,
  SOURCES,
  type StoredRating,
} from '../../assessments/assessment-rules.js';
import {
  PARTICIPATION,
  PRIORITIES,
  RECOMMENDATION_TAGS,
  UpdateAssessmentDto,
  type AppraisalDto,
  type AssessmentResponse,
  type CaseFactorDto,
  type ScenarioDto,
} from '../../assessments/dto/assessment.dto.js';
import type { FieldError } from '../../errors/problem.exception.js';
import type {
  InstrumentDefinition,
  InstrumentItem,
} from '../../instruments/rule-sets/rule-set.types.js';
import { validateForm, type FieldMessages } from '../common/forms.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { listOf, textOf, type FormBody } from './form-body.js';

/**
 * One editing page's form: the fields it posts, what is saved now in the same shape, and the
 * change a post asks for (checked with the API's own DTO, so a page refuses what the API
 * refuses). Every form of the workspace is one of these, which is what lets autosave, the
 * save buttons and the conflict page work the same way on each.
 */
export interface AssessmentForm {
  /** The fields the form posts, given the bodies in play (repeated rows vary in number). */
  fields(...bodies: FormBody[]): string[];
  /** What is saved now, as the form would post it. */
  values(a: AssessmentResponse): FormBody;
  /** The change a post asks for, or the fields refused (paths as the DTO names them). */
  patch(body: FormBody): Promise<{ patch: UpdateAssessmentDto; errors: FieldError[] }>;
  /** How each failing path is shown: the element to link to and the message. */
  messages(body: FormBody): FieldMessages;
  /** A field's name and a value as the conflict page shows them. */
  label(field: string): string;
  display(field: string, value: string | string[]): string;
}

export const SOURCE_LABEL: Record<(typeof SOURCES)[number], MessageKey> = {
  interview: 'assessment.source.interview',
  file_review: 'assessment.source.file_review',
  observation: 'assessment.source.observation',
  intelligence: 'assessment.source.intelligence',
  third_party: 'assessment.source.third_party',
  self_report: 'assessment.source.self_report',
};
export const RELIABILITY_LABEL: Record<(typeof RELIABILITIES)[number], MessageKey> = {
  high: 'assessment.reliability.high',
  medium: 'assessment.reliability.medium',
  low: 'assessment.reliability.low',
};
export const PRIORITY_LABEL: Record<(typeof PRIORITIES)[number], MessageKey> = {
  high: 'assessment.priority.high',
  medium: 'assessment.priority.medium',
  low: 'assessment.priority.low',
};
export const TAG_LABEL: Record<(typeof RECOMMENDATION_TAGS)[number], MessageKey> = {
  security: 'assessment.recommendations.tag.security',
  programme: 'assessment.recommendations.tag.programme',
  clinical: 'assessment.recommendations.tag.clinical',
};
export const PARTICIPATION_LABEL: Record<(typeof PARTICIPATION)[number], MessageKey> = {
  yes: 'assessment.participation.yes',
  no: 'assessment.participation.no',
  declined: 'assessment.participation.declined',
};

const labelIn = <K extends string>(t: Translate, labels: Record<K, MessageKey>, value: string) =>
  value in labels ? t(labels[value as K]) : value;

const blank = (text: string) => text.trim() === '';

/** Posted text as saved: blank is nothing (null clears the field). */
const textOrNull = (text: string) => (blank(text) ? null : text);

/** The value of `not rated` in the rating radios: not an option code of any scale. */
export const NOT_RATED = 'not_rated';

// ------------------------------------------------------------------ item

export const ITEM_FIELDS = [
  'rating',
  'reason',
  'evidenceFor',
  'evidenceAgainst',
  'sources',
  'reliability',
  'relevance',
];

/** An item's rating as its page shows it. */
export function itemValues(rating: StoredRating | undefined): FormBody {
  return {
    rating: rating?.notRated ? NOT_RATED : (rating?.value ?? ''),
    reason: rating?.reason ?? '',
    evidenceFor: rating?.evidenceFor ?? '',
    evidenceAgainst: rating?.evidenceAgainst ?? '',
    sources: rating?.sources ?? [],
    reliability: rating?.reliability ?? '',
    relevance: rating?.relevance ?? '',
  };
}

/**
 * One item's page. A rating replaces the item's stored rating whole; an emptied page clears
 * it. The reason belongs to "not rated" and is dropped when an option is chosen.
 */
export function itemForm(
  item: InstrumentItem,
  definition: InstrumentDefinition,
  t: Translate,
): AssessmentForm {
  const scale = definition.scales.find((s) => s.code === item.scale);
  const path = (field: string) => `ratings.${item.code}.${field}`;
  return {
    fields: () => ITEM_FIELDS,
    values: (a) => itemValues((a.ratings as Record<string, StoredRating>)?.[item.code]),
    async patch(body) {
      const choice = textOf(body, 'rating');
      const rating: Record<string, unknown> = {};
      if (choice === NOT_RATED) {
        rating.notRated = true;
        if (!blank(textOf(body, 'reason'))) rating.reason = textOf(body, 'reason');
      } else if (choice) {
        rating.value = choice;
      }
      for (const field of ['evidenceFor', 'evidenceAgainst', 'reliability', 'relevance']) {
        if (!blank(textOf(body, field))) rating[field] = textOf(body, field);
      }
      const sources = listOf(body, 'sources');
      if (sources.length > 0) rating.sources = sources;
      const patch = new UpdateAssessmentDto();
      patch.ratings = { [item.code]: Object.keys(rating).length > 0 ? rating : null };
      return { patch, errors: [] };
    },
    messages: () => ({
      [path('value')]: { id: 'rating', message: 'assessment.item.errors.value' },
      [path('notRated')]: { id: 'rating', message: 'assessment.item.errors.value' },
      [path('reason')]: { id: 'reason', message: 'assessment.item.errors.reason' },
      [path('evidenceFor')]: { id: 'evidenceFor', message: 'assessment.item.errors.evidenceFor' },
      [path('evidenceAgainst')]: {
        id: 'evidenceAgainst',
        message: 'assessment.item.errors.evidenceAgainst',
      },
      [path('sources')]: { id: 'sources', message: 'assessment.item.errors.sources' },
      [path('reliability')]: { id: 'reliability', message: 'assessment.item.errors.reliability' },
      [path('relevance')]: { id: 'relevance', message: 'assessment.item.errors.relevance' },
      [`ratings.${item.code}`]: { id: 'rating', message: 'assessment.item.errors.value' },
    }),
    label: (field) =>
      ({
        rating: t('assessment.item.rating'),
        reason: t('assessment.item.reason'),
        evidenceFor: t('assessment.item.evidenceFor'),
        evidenceAgainst: t('assessment.item.evidenceAgainst'),
        sources: t('assessment.item.sources'),
        reliability: t('assessment.item.reliability'),
        relevance: t('assessment.item.relevance'),
      })[field] ?? field,
    display(field, value) {
      if (field === 'rating') {
        if (value === NOT_RATED) return t('assessment.item.notRated');
        return scale?.options.find((o) => o.code === value)?.label ?? String(value);
      }
      if (field === 'sources') {
        return (Array.isArray(value) ? value : [value])
          .filter(Boolean)
          .map((s) => labelIn(t, SOURCE_LABEL, s))
          .join(', ');
      }
      if (field === 'reliability') return value ? labelIn(t, RELIABILITY_LABEL, String(value)) : '';
      if (field === 'relevance') return optionLabel(t, 'relevance', String(value));
      return String(value);
    },
  };
}

// ------------------------------------------------------------------ repeated rows

/** The number of rows a body holds for `prefix` (fields named `prefix-N-name`, N from 1). */
export function rowsIn(body: FormBody, prefix: string): number {
  let rows = 0;
  const pattern = new RegExp(`^${prefix}-(\\d+)-`);
  for (const key of Object.keys(body)) {
    const match = pattern.exec(key);
    if (match) rows = Math.max(rows, Number(match[1]));
  }
  return rows;
}

const rowFields = (prefix: string, names: string[], rows: number) =>
  Array.from({ length: rows }, (_, i) => names.map((n) => `${prefix}-${i + 1}-${n}`)).flat();

/** The rows filled in (at least one field), with their row numbers. */
function filledRows(body: FormBody, prefix: string, names: string[]) {
  const rows: { row: number; values: Record<string, string> }[] = [];
  for (let row = 1; row <= rowsIn(body, prefix); row++) {
    const values = Object.fromEntries(names.map((n) => [n, textOf(body, `${prefix}-${row}-${n}`)]));
    if (names.some((n) => !blank(values[n]))) rows.push({ row, values });
  }
  return rows;
}

/** `scenarios[2].title` of the saved list -> the page's `scenario-4-title` (rows may be empty). */
function rowPath(path: string, list: string, prefix: string, rowOf: number[]): string | undefined {
  const match = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(\\w+))?$`).exec(path);
  if (!match || rowOf[Number(match[1])] === undefined) return undefined;
  return `${prefix}-${rowOf[Number(match[1])]}${match[2] ? `-${match[2]}` : ''}`;
}

// ------------------------------------------------------------------ formulation and scenarios

export const MAX_SCENARIOS = 20;

/** The fields of one scenario row, as the page names them (`scenario-N-<name>`). */
export const SCENARIO_ROW = ['title', 'description', ...SCENARIO_FIELDS] as const;
/** The appraisal fields, as the page names them (`appraisal-<name>`). */
export const APPRAISAL_INPUTS = APPRAISAL_FIELDS.map((f) => `appraisal-${f}`);

const SCENARIO_LABEL: Record<(typeof SCENARIO_ROW)[number], MessageKey> = {
  title: 'assessment.scenarios.titleOf',
  description: 'assessment.scenarios.descriptionOf',
  type: 'assessment.scenarios.typeOf',
  likelyTargets: 'assessment.scenarios.likelyTargetsOf',
  severity: 'assessment.scenarios.severityOf',
  imminence: 'assessment.scenarios.imminenceOf',
  warningSigns: 'assessment.scenarios.warningSignsOf',
  triggers: 'assessment.scenarios.triggersOf',
  managementActions: 'assessment.scenarios.managementActionsOf',
};
const APPRAISAL_LABEL: Record<(typeof APPRAISAL_FIELDS)[number], MessageKey> = {
  confidence: 'assessment.appraisal.confidence',
  informationQuality: 'assessment.appraisal.informationQuality',
  limitations: 'assessment.appraisal.limitations',
  indexFacts: 'assessment.appraisal.indexFacts',
};
export const OPTION_LABEL: Record<string, MessageKey> = {
  'type:repeat': 'assessment.scenarios.type.repeat',
  'type:twist': 'assessment.scenarios.type.twist',
  'type:escalation': 'assessment.scenarios.type.escalation',
  'type:improvement': 'assessment.scenarios.type.improvement',
  'severity:limited': 'assessment.scenarios.severity.limited',
  'severity:serious': 'assessment.scenarios.severity.serious',
  'severity:grave': 'assessment.scenarios.severity.grave',
  'imminence:not_imminent': 'assessment.scenarios.imminence.not_imminent',
  'imminence:months': 'assessment.scenarios.imminence.months',
  'imminence:weeks': 'assessment.scenarios.imminence.weeks',
  'confidence:low': 'assessment.appraisal.confidence.low',
  'confidence:medium': 'assessment.appraisal.confidence.medium',
  'confidence:high': 'assessment.appraisal.confidence.high',
  'indexFacts:admits': 'assessment.appraisal.indexFacts.admits',
  'indexFacts:partly_admits': 'assessment.appraisal.indexFacts.partly_admits',
  'indexFacts:denies': 'assessment.appraisal.indexFacts.denies',
  'indexFacts:not_applicable': 'assessment.appraisal.indexFacts.not_applicable',
  'relevance:low': 'assessment.item.relevance.low',
  'relevance:moderate': 'assessment.item.relevance.moderate',
  'relevance:high': 'assessment.item.relevance.high',
};
/** A coded value in the reader's language (`field` as in OPTION_LABEL), else the code. */
export const optionLabel = (t: Translate, field: string, value: string | undefined | null) =>
  value ? (OPTION_LABEL[`${field}:${value}`] ? t(OPTION_LABEL[`${field}:${value}`]) : value) : '';

/** The fields of one case-specific factor row (`factor-N-<name>`). */
export const FACTOR_ROW = ['title', 'description', 'evidence', 'rating'] as const;

export function formulationForm(t: Translate): AssessmentForm {
  const names = [...SCENARIO_ROW];
  const factorNames = [...FACTOR_ROW];
  let rowOf: number[] = [];
  let factorRowOf: number[] = [];
  return {
    fields: (...bodies) => [
      'formulation',
      ...rowFields('scenario', names, Math.max(0, ...bodies.map((b) => rowsIn(b, 'scenario')))),
      ...APPRAISAL_INPUTS,
      ...rowFields('factor', factorNames, Math.max(0, ...bodies.map((b) => rowsIn(b, 'factor')))),
    ],
    values: (a) => ({
      formulation: a.formulation ?? '',
      ...Object.fromEntries(
        (a.scenarios ?? []).flatMap((s, i) =>
          names.map((n) => [
            `scenario-${i + 1}-${n}`,
            (s as unknown as Record<string, string>)[n] ?? '',
          ]),
        ),
      ),
      ...Object.fromEntries(
        APPRAISAL_FIELDS.map((f) => [`appraisal-${f}`, a.appraisal?.[f] ?? '']),
      ),
      ...Object.fromEntries(
        (a.caseFactors ?? []).flatMap((c, i) =>
          factorNames.map((n) => [`factor-${i + 1}-${n}`, c[n] ?? '']),
        ),
      ),
    }),
    async patch(body) {
      const rows = filledRows(body, 'scenario', names).slice(0, MAX_SCENARIOS);
      rowOf = rows.map((r) => r.row);
      const patch = new UpdateAssessmentDto();
      patch.formulation = textOrNull(textOf(body, 'formulation'));
      patch.scenarios = rows.map((r) => {
        const scenario: Record<string, string> = {
          title: r.values.title.trim(),
          description: r.values.description.trim(),
        };
        for (const field of SCENARIO_FIELDS)
          if (!blank(r.values[field])) scenario[field] = r.values[field].trim();
        return scenario as unknown as ScenarioDto;
      });
      const appraisal: Record<string, string> = {};
      for (const field of APPRAISAL_FIELDS)
        if (!blank(textOf(body, `appraisal-${field}`)))
          appraisal[field] = textOf(body, `appraisal-${field}`).trim();
      patch.appraisal = Object.keys(appraisal).length ? (appraisal as AppraisalDto) : null;
      const factors = filledRows(body, 'factor', factorNames).slice(0, MAX_SCENARIOS);
      factorRowOf = factors.map((r) => r.row);
      patch.caseFactors = factors.map((r) => ({
        title: r.values.title.trim(),
        description: r.values.description.trim(),
        evidence: r.values.evidence.trim(),
        rating: r.values.rating as CaseFactorDto['rating'],
      }));
      const { errors } = await validateForm(UpdateAssessmentDto, patch);
      return {
        patch,
        errors: errors.map((e) => ({
          ...e,
          path:
            rowPath(e.path, 'scenarios', 'scenario', rowOf) ??
            rowPath(e.path, 'caseFactors', 'factor', factorRowOf) ??
            (e.path.startsWith('appraisal.') ? `appraisal-${e.path.slice(10)}` : e.path),
        })),
      };
    },
    messages: (body) => ({
      formulation: { id: 'formulation', message: 'assessment.formulation.errors.formulation' },
      ...Object.fromEntries(
        Array.from({ length: rowsIn(body, 'scenario') }, (_, i) =>
          names.map((n) => [
            `scenario-${i + 1}-${n}`,
            {
              id: `scenario-${i + 1}-${n}`,
              message:
                n === 'title'
                  ? 'assessment.scenarios.errors.title'
                  : n === 'description'
                    ? 'assessment.scenarios.errors.description'
                    : 'assessment.scenarios.errors.field',
            },
          ]),
        ).flat(),
      ),
      ...Object.fromEntries(
        APPRAISAL_FIELDS.map((f) => [
          `appraisal-${f}`,
          { id: `appraisal-${f}`, message: 'assessment.appraisal.errors.field' },
        ]),
      ),
      ...Object.fromEntries(
        Array.from({ length: rowsIn(body, 'factor') }, (_, i) =>
          factorNames.map((n) => [
            `factor-${i + 1}-${n}`,
            { id: `factor-${i + 1}-${n}`, message: 'assessment.caseFactors.errors.field' },
          ]),
        ).flat(),
      ),
    }),
    label(field) {
      if (field === 'formulation') return t('assessment.formulation.label');
      const appraisal = /^appraisal-(\w+)$/.exec(field);
      if (appraisal)
        return t(APPRAISAL_LABEL[appraisal[1] as (typeof APPRAISAL_FIELDS)[number]] ?? field);
      const factor = /^factor-(\d+)-(\w+)$/.exec(field);
      if (factor)
        return t('assessment.caseFactors.fieldOf', { number: factor[1], field: factor[2] });
      const match = /^scenario-(\d+)-(\w+)$/.exec(field);
      if (!match || !(match[2] in SCENARIO_LABEL)) return field;
      return t(SCENARIO_LABEL[match[2] as (typeof SCENARIO_ROW)[number]], { number: match[1] });
    },
    display: (field, value) => {
      const name = /^(?:scenario-\d+|appraisal)-(\w+)$/.exec(field)?.[1] ?? '';
      return optionLabel(t, name, String(value)) || String(value);
    },
  };
}

// ------------------------------------------------------------------ needs

export function needsForm(needs: { code: string; label: string }[], t: Translate): AssessmentForm {
  const field = (code: string) => `need-${code}`;
  return {
    fields: () => needs.map((n) => field(n.code)),
    values: (a) =>
      Object.fromEntries(
        needs.map((n) => [field(n.code), a.needs?.find((s) => s.code === n.code)?.priority ?? '']),
      ),
    async patch(body) {
      const patch = new UpdateAssessmentDto();
      patch.needs = needs
        .map((n) => ({ code: n.code, priority: textOf(body, field(n.code)) }))
        .filter((n) => n.priority !== '') as UpdateAssessmentDto['needs'];
      const { errors } = await validateForm(UpdateAssessmentDto, patch);
      return {
        patch,
        errors: errors.map((e) => {
          const index = /^needs\[(\d+)\]/.exec(e.path)?.[1];
          const code = index === undefined ? undefined : patch.needs![Number(index)]?.code;
          return code ? { ...e, path: field(code) } : e;
        }),
      };
    },
    messages: () =>
      Object.fromEntries(
        needs.map((n) => [
          field(n.code),
          { id: field(n.code), message: 'assessment.needs.errors.priority' as MessageKey },
        ]),
      ),
    label: (f) => needs.find((n) => field(n.code) === f)?.label ?? f,
    display: (_, value) =>
      value ? labelIn(t, PRIORITY_LABEL, String(value)) : t('assessment.priority.none'),
  };
}

// ------------------------------------------------------------------ recommendations

export const MAX_RECOMMENDATIONS = 50;

export function recommendationsForm(t: Translate): AssessmentForm {
  const names = ['text', 'tag'];
  let rowOf: number[] = [];
  return {
    fields: (...bodies) =>
      rowFields(
        'recommendation',
        names,
        Math.max(0, ...bodies.map((b) => rowsIn(b, 'recommendation'))),
      ),
    values: (a) =>
      Object.fromEntries(
        (a.recommendations ?? []).flatMap((r, i) => [
          [`recommendation-${i + 1}-text`, r.text],
          [`recommendation-${i + 1}-tag`, r.tag],
        ]),
      ),
    async patch(body) {
      const rows = filledRows(body, 'recommendation', names).slice(0, MAX_RECOMMENDATIONS);
      rowOf = rows.map((r) => r.row);
      const patch = new UpdateAssessmentDto();
      patch.recommendations = rows.map((r) => ({
        text: r.values.text.trim(),
        tag: r.values.tag as 'security',
      }));
      const { errors } = await validateForm(UpdateAssessmentDto, patch);
      return {
        patch,
        errors: errors.map((e) => ({
          ...e,
          path: rowPath(e.path, 'recommendations', 'recommendation', rowOf) ?? e.path,
        })),
      };
    },
    messages: (body) =>
      Object.fromEntries(
        Array.from({ length: rowsIn(body, 'recommendation') }, (_, i) => [
          [
            `recommendation-${i + 1}-text`,
            {
              id: `recommendation-${i + 1}-text`,
              message: 'assessment.recommendations.errors.text' as MessageKey,
            },
          ],
          [
            `recommendation-${i + 1}-tag`,
            {
              id: `recommendation-${i + 1}-tag`,
              message: 'assessment.recommendations.errors.tag' as MessageKey,
            },
          ],
        ]).flat(),
      ),
    label(field) {
      const match = /^recommendation-(\d+)-(text|tag)$/.exec(field);
      if (!match) return field;
      return t(
        match[2] === 'text'
          ? 'assessment.recommendations.textOf'
          : 'assessment.recommendations.tagOf',
        { number: match[1] },
      );
    },
    display: (field, value) =>
      field.endsWith('-tag') && value ? labelIn(t, TAG_LABEL, String(value)) : String(value),
  };
}

// ------------------------------------------------------------------ participation

const DATE_PARTS = ['informedOn-day', 'informedOn-month', 'informedOn-year'];

export function participationForm(t: Translate): AssessmentForm {
  return {
    fields: () => [...DATE_PARTS, 'participated', 'prisonerComments'],
    values(a) {
      const p = a.prisonerParticipation;
      const [year, month, day] = p?.informedOn?.split('-') ?? ['', '', ''];
      return {
        'informedOn-day': day ? String(Number(day)) : '',
        'informedOn-month': month ? String(Number(month)) : '',
        'informedOn-year': year ?? '',
        participated: p?.participated ?? '',
        prisonerComments: p?.prisonerComments ?? '',
      };
    },
    async patch(body) {
      const [day, month, year] = DATE_PARTS.map((f) => textOf(body, f).trim());
      const participated = textOf(body, 'participated');
      const comments = textOf(body, 'prisonerComments');
      const patch = new UpdateAssessmentDto();
      if (!day && !month && !year && !participated && blank(comments)) {
        patch.prisonerParticipation = null;
        return { patch, errors: [] };
      }
      const errors: FieldError[] = [];
      const date =
        /^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && /^\d{4}$/.test(year)
          ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
          : '';
      patch.prisonerParticipation = {
        informedOn: date,
        participated: participated as 'yes',
        ...(blank(comments) ? {} : { prisonerComments: comments }),
      };
      const checked = await validateForm(UpdateAssessmentDto, patch);
      errors.push(...checked.errors);
      return { patch, errors };
    },
    messages: () => ({
      prisonerParticipation: {
        id: 'informedOn-day',
        message: 'assessment.participation.errors.informedOn',
      },
      'prisonerParticipation.informedOn': {
        id: 'informedOn-day',
        message: 'assessment.participation.errors.informedOn',
      },
      'prisonerParticipation.participated': {
        id: 'participated',
        message: 'assessment.participation.errors.participated',
      },
      'prisonerParticipation.prisonerComments': {
        id: 'prisonerComments',
        message: 'assessment.participation.errors.comments',
      },
    }),
    label: (field) =>
      field.startsWith('informedOn')
        ? t('assessment.participation.informedOn')
        : field === 'participated'
          ? t('assessment.participation.participated')
          : t('assessment.participation.comments'),
    display: (field, value) =>
      field === 'participated' && value
        ? labelIn(t, PARTICIPATION_LABEL, String(value))
        : String(value),
  };
}

// ------------------------------------------------------------------ final judgement

/**
 * The judgement page. Where the instrument withholds its bands until a provisional judgement
 * is recorded, the page first posts that (`mode=provisional`: the overall level and one per
 * judgement, once); then the final level, rationale, and a level and rationale per judgement.
 */
export function judgementForm(definition: InstrumentDefinition, t: Translate): AssessmentForm {
  const levels = definition.levels ?? [];
  const judgements = definition.judgements ?? [];
  const provisionalFields = [
    ...(levels.length ? ['provisional-level'] : []),
    ...judgements.map((j) => `provisional-${j.code}`),
  ];
  const finalFields = [
    ...(levels.length ? ['finalRiskLevel'] : []),
    'finalRationale',
    ...judgements.flatMap((j) => [`judgement-${j.code}-level`, `judgement-${j.code}-rationale`]),
  ];
  const levelLabel = (field: string, value: string) => {
    const code = /^(?:provisional|judgement)-(\w+?)(?:-level)?$/.exec(field)?.[1];
    const judgement = judgements.find((j) => j.code === code);
    const list = judgement ? judgement.levels : levels;
    return list.find((l) => l.code === value)?.label ?? value;
  };
  return {
    fields: () => [...provisionalFields, ...finalFields],
    values: (a) => ({
      ...(levels.length ? { 'provisional-level': a.provisional?.level ?? '' } : {}),
      ...Object.fromEntries(
        judgements.map((j) => [`provisional-${j.code}`, a.provisional?.judgements?.[j.code] ?? '']),
      ),
      ...(levels.length ? { finalRiskLevel: a.finalRiskLevel ?? '' } : {}),
      finalRationale: a.finalRationale ?? '',
      ...Object.fromEntries(
        judgements.flatMap((j) => {
          const saved = a.judgements?.find((x) => x.code === j.code);
          return [
            [`judgement-${j.code}-level`, saved?.level ?? ''],
            [`judgement-${j.code}-rationale`, saved?.rationale ?? ''],
          ];
        }),
      ),
    }),
    async patch(body) {
      const patch = new UpdateAssessmentDto();
      if (textOf(body, 'mode') === 'provisional') {
        const chosen = Object.fromEntries(
          judgements
            .map((j) => [j.code, textOf(body, `provisional-${j.code}`)])
            .filter(([, value]) => value),
        );
        patch.provisional = {
          ...(levels.length && textOf(body, 'provisional-level')
            ? { level: textOf(body, 'provisional-level') }
            : {}),
          ...(judgements.length ? { judgements: chosen } : {}),
        };
        return { patch, errors: [] };
      }
      if (levels.length) patch.finalRiskLevel = textOf(body, 'finalRiskLevel') || null;
      patch.finalRationale = textOrNull(textOf(body, 'finalRationale'));
      if (judgements.length)
        patch.judgements = judgements.map((j) => ({
          code: j.code,
          level: textOf(body, `judgement-${j.code}-level`) || null,
          rationale: textOrNull(textOf(body, `judgement-${j.code}-rationale`)),
        }));
      const { errors } = await validateForm(UpdateAssessmentDto, patch);
      return { patch, errors };
    },
    messages: () => ({
      finalRiskLevel: { id: 'finalRiskLevel', message: 'assessment.judgement.errors.level' },
      finalRationale: { id: 'finalRationale', message: 'assessment.judgement.errors.rationale' },
      provisional: {
        id: provisionalFields[0] ?? 'provisional',
        message: 'assessment.judgement.errors.provisional',
      },
      'provisional.level': {
        id: 'provisional-level',
        message: 'assessment.judgement.errors.provisional',
      },
      ...Object.fromEntries(
        judgements.flatMap((j, i) => [
          [
            `provisional.judgements.${j.code}`,
            { id: `provisional-${j.code}`, message: 'assessment.judgement.errors.provisional' },
          ],
          [
            `judgements[${i}].level`,
            { id: `judgement-${j.code}-level`, message: 'assessment.judgement.errors.level' },
          ],
          [
            `judgements[${i}].rationale`,
            {
              id: `judgement-${j.code}-rationale`,
              message: 'assessment.judgement.errors.rationale',
            },
          ],
        ]),
      ),
    }),
    label(field) {
      if (field === 'finalRiskLevel') return t('assessment.judgement.finalLevel');
      if (field === 'finalRationale') return t('assessment.judgement.rationale');
      if (field === 'provisional-level') return t('assessment.judgement.provisionalLevel');
      const match = /^(provisional|judgement)-(\w+?)(?:-(level|rationale))?$/.exec(field);
      const judgement = judgements.find((j) => j.code === match?.[2]);
      if (!match || !judgement) return field;
      if (match[1] === 'provisional')
        return t('assessment.judgement.provisionalOf', { judgement: judgement.label });
      return t(
        match[3] === 'rationale'
          ? 'assessment.judgement.rationaleOf'
          : 'assessment.judgement.levelOf',
        { judgement: judgement.label },
      );
    },
    display: (field, value) =>
      field === 'finalRationale' || field.endsWith('-rationale')
        ? String(value)
        : levelLabel(field === 'finalRiskLevel' ? 'level' : field, String(value)),
  };
}
