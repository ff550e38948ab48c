import { defaultLanguageOf } from './localize-rule-set.js';
import type { RuleSetDefinition } from './rule-set.types.js';
import { compareSemVer, parseSemVer } from './semver.js';

/**
 * One translatable text of a rule-set: where its translation sits under
 * `translations.<locale>` (the path localizeRuleSet reads) and the text it translates.
 */
interface Slot {
  path: string[];
  source: string;
}

type Entry = { code: string } & Record<string, unknown>;

function entrySlots(
  slots: Slot[],
  prefix: string[],
  entries: readonly Entry[] | undefined,
  fields: readonly string[],
): void {
  for (const entry of entries ?? [])
    for (const field of fields) {
      const source = entry[field];
      if (typeof source === 'string') slots.push({ path: [...prefix, entry.code, field], source });
    }
}

/** Every text of a definition that a translation may carry, as localizeRuleSet overlays it. */
function slotsOf(definition: RuleSetDefinition): Slot[] {
  const slots: Slot[] = [];
  for (const field of ['title', 'description', 'notice'] as const) {
    const source = definition[field];
    if (typeof source === 'string') slots.push({ path: [field], source });
  }
  const entries = (list: unknown) => list as readonly Entry[] | undefined;
  if (definition.kind === 'instrument') {
    for (const scale of definition.scales) {
      slots.push({ path: ['scales', scale.code, 'label'], source: scale.label });
      entrySlots(slots, ['scales', scale.code, 'options'], entries(scale.options), [
        'label',
        'description',
      ]);
    }
    entrySlots(slots, ['levels'], entries(definition.levels), ['label', 'description']);
    entrySlots(slots, ['judgements'], entries(definition.judgements), ['label', 'description']);
    for (const judgement of definition.judgements ?? [])
      entrySlots(slots, ['judgements', judgement.code, 'levels'], entries(judgement.levels), [
        'label',
        'description',
      ]);
    entrySlots(slots, ['domains'], entries(definition.domains), ['title', 'description']);
    for (const domain of definition.domains)
      entrySlots(slots, ['items'], entries(domain.items), ['prompt', 'guidance']);
    entrySlots(slots, ['flags'], entries(definition.flags), ['label', 'description']);
    entrySlots(slots, ['needPriorities'], entries(definition.needPriorities?.priorities), [
      'label',
      'description',
    ]);
  } else {
    entrySlots(slots, ['needs'], entries(definition.needs), ['label', 'description']);
    entrySlots(slots, ['interventions'], entries(definition.interventions), [
      'title',
      'description',
      'consentNotes',
    ]);
    // Only declared terms are translated (as localizeCatalogue does).
    entrySlots(slots, ['types'], entries(definition.types), ['title']);
    entrySlots(slots, ['disciplines'], entries(definition.disciplines), ['title']);
  }
  return slots;
}

const slotKey = (path: readonly string[]) => JSON.stringify(path);

function readPath(root: unknown, path: readonly string[]): unknown {
  let at = root;
  for (const step of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** An own, plain property whatever the code is (never a prototype's setter). */
const setOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

function writePath(root: Record<string, unknown>, path: readonly string[], value: string): void {
  let at = root;
  for (const step of path.slice(0, -1)) {
    if (!Object.hasOwn(at, step)) setOwn(at, step, {});
    at = at[step] as Record<string, unknown>;
  }
  setOwn(at, path[path.length - 1], value);
}

/**
 * A rule-set version with the translations it lacks borrowed from other versions of the same
 * rule-set, for reading only (the stored definition, and so its hash, is untouched):
 *
 * - a text is borrowed only where the other version has the same text at the same place (same
 *   codes, same field, the same source text in the same language), so a changed item or label
 *   never shows the translation of what it used to say;
 * - the version's own translation always wins; among the others the newest version that
 *   translates the text lends it;
 * - other rule-sets (another key or kind) and draft versions never lend anything.
 *
 * Returns `definition` itself when nothing is borrowed; otherwise a copy whose `translations`
 * carry the borrowed text, ready for servedLocale and localizeRuleSet.
 */
export function withBorrowedTranslations<T extends RuleSetDefinition>(
  definition: T,
  others: readonly RuleSetDefinition[],
): T {
  const own = defaultLanguageOf(definition);
  const lenders = others
    .filter(
      (other) =>
        other !== definition &&
        other.kind === definition.kind &&
        other.key === definition.key &&
        other.version !== definition.version &&
        other.status !== 'draft' &&
        defaultLanguageOf(other) === own &&
        other.translations !== undefined &&
        parseSemVer(other.version) !== null,
    )
    .sort((a, b) => compareSemVer(parseSemVer(b.version)!, parseSemVer(a.version)!))
    .map((other) => ({
      translations: other.translations as Record<string, unknown>,
      sources: new Map(slotsOf(other).map((slot) => [slotKey(slot.path), slot.source])),
    }));
  if (lenders.length === 0) return definition;

  const locales = new Set<string>(lenders.flatMap((l) => Object.keys(l.translations)));
  locales.delete(own);
  const slots = slotsOf(definition);
  const mine = (definition.translations ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  let borrowed = false;
  for (const locale of locales) {
    const translation = structuredClone(mine[locale] ?? {}) as Record<string, unknown>;
    let any = false;
    for (const slot of slots) {
      if (typeof readPath(translation, slot.path) === 'string') continue;
      const key = slotKey(slot.path);
      for (const lender of lenders) {
        if (lender.sources.get(key) !== slot.source) continue;
        const text = readPath(lender.translations[locale], slot.path);
        if (typeof text !== 'string') continue;
        writePath(translation, slot.path, text);
        any = true;
        break;
      }
    }
    if (any) {
      merged[locale] = translation;
      borrowed = true;
    }
  }
  if (!borrowed) return definition;
  return {
    ...definition,
    translations: { ...mine, ...merged } as T['translations'],
  };
}
