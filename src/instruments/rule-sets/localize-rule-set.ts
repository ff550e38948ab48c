import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetDefinition,
  RuleSetLocale,
  TextTranslation,
  TranslationsByCode,
} from './rule-set.types.js';
import { RULE_SET_LOCALES } from './rule-set.types.js';

export const isRuleSetLocale = (value: unknown): value is RuleSetLocale =>
  typeof value === 'string' && (RULE_SET_LOCALES as readonly string[]).includes(value);

/** The language a rule-set's own text is written in. */
export const defaultLanguageOf = (definition: { language?: RuleSetLocale }): RuleSetLocale =>
  definition.language ?? 'en';

/**
 * The first supported locale of an Accept-Language header, by quality (`ru-RU;q=0.9` -> ru);
 * undefined when it names none.
 */
export function localeFromAcceptLanguage(header: string | undefined): RuleSetLocale | undefined {
  if (!header) return undefined;
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
      return { language: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, index };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges.map((range) => range.language).find(isRuleSetLocale);
}

type Texts = Partial<Record<keyof TextTranslation, string>>;

function overlay<T extends { code: string }>(
  entries: T[],
  translated: TranslationsByCode | undefined,
  fields: readonly (keyof TextTranslation & keyof T)[],
  inner?: (entry: T) => T,
): T[] {
  return entries.map((entry) => {
    const own = translated?.[entry.code] as Texts | undefined;
    let result = inner ? inner(entry) : entry;
    if (own) {
      const replaced: Record<string, string> = {};
      for (const field of fields) if (own[field] !== undefined) replaced[field] = own[field];
      result = { ...result, ...replaced };
    }
    return result;
  });
}

function withHeader<T extends { title: string; description?: string; notice?: string }>(
  definition: T,
  header: { title?: string; description?: string; notice?: string } | undefined,
): T {
  return {
    ...definition,
    ...(header?.title !== undefined ? { title: header.title } : {}),
    ...(header?.description !== undefined ? { description: header.description } : {}),
    ...(header?.notice !== undefined ? { notice: header.notice } : {}),
  };
}

/**
 * An instrument with its text in `locale`, entry by entry, falling back to the text in its
 * default language wherever the translation leaves something out. Codes, scores and rules are
 * untouched, so the result stands in for the definition wherever text is shown.
 */
export function localizeInstrument(
  definition: InstrumentDefinition,
  locale: RuleSetLocale,
): InstrumentDefinition {
  const t =
    locale === defaultLanguageOf(definition) ? undefined : definition.translations?.[locale];
  if (!t) return definition;
  const result: InstrumentDefinition = {
    ...withHeader(definition, t),
    scales: definition.scales.map((scale) => ({
      ...scale,
      ...(t.scales?.[scale.code]?.label !== undefined
        ? { label: t.scales[scale.code].label! }
        : {}),
      options: overlay(scale.options, t.scales?.[scale.code]?.options, ['label', 'description']),
    })),
    domains: overlay(definition.domains, t.domains, ['title', 'description'], (domain) => ({
      ...domain,
      items: overlay(domain.items, t.items, ['prompt', 'guidance']),
    })),
  };
  if (definition.levels)
    result.levels = overlay(definition.levels, t.levels, ['label', 'description']);
  if (definition.judgements)
    result.judgements = overlay(
      definition.judgements,
      t.judgements as TranslationsByCode | undefined,
      ['label', 'description'],
      (judgement) => ({
        ...judgement,
        levels: overlay(judgement.levels, t.judgements?.[judgement.code]?.levels, [
          'label',
          'description',
        ]),
      }),
    );
  if (definition.flags) result.flags = overlay(definition.flags, t.flags, ['label', 'description']);
  if (definition.needPriorities)
    result.needPriorities = {
      ...definition.needPriorities,
      priorities: overlay(definition.needPriorities.priorities, t.needPriorities, [
        'label',
        'description',
      ]),
    };
  return result;
}

/** An intervention catalogue with its text in `locale`, falling back entry by entry. */
export function localizeCatalogue(
  catalogue: InterventionCatalogue,
  locale: RuleSetLocale,
): InterventionCatalogue {
  const t = locale === defaultLanguageOf(catalogue) ? undefined : catalogue.translations?.[locale];
  if (!t) return catalogue;
  const result: InterventionCatalogue = {
    ...withHeader(catalogue, t),
    needs: overlay(catalogue.needs, t.needs, ['label', 'description']),
    interventions: overlay(catalogue.interventions, t.interventions, [
      'title',
      'description',
      'consentNotes',
    ]),
  };
  // Only declared terms are translated: the default ones are named by the service's messages.
  if (catalogue.types) result.types = overlay(catalogue.types, t.types, ['title']);
  if (catalogue.disciplines)
    result.disciplines = overlay(catalogue.disciplines, t.disciplines, ['title']);
  return result;
}

/** Either kind of rule-set in `locale` (see localizeInstrument). */
export function localizeRuleSet(
  definition: RuleSetDefinition,
  locale: RuleSetLocale,
): RuleSetDefinition {
  return definition.kind === 'instrument'
    ? localizeInstrument(definition, locale)
    : localizeCatalogue(definition, locale);
}

/**
 * The locale a reader gets: the one asked for when the rule-set has text in it (its own
 * language or a translation), else the rule-set's default language.
 */
export function servedLocale(
  definition: RuleSetDefinition,
  asked: RuleSetLocale | undefined,
): RuleSetLocale {
  const own = defaultLanguageOf(definition);
  if (asked && (asked === own || definition.translations?.[asked])) return asked;
  return own;
}
