import { canonicalJson } from '../../crypto/canonical-json.js';
import type { InstrumentDefinition, InstrumentItem, ItemKind } from './rule-set.types.js';

export interface ItemSummary {
  code: string;
  domain: string;
  prompt: string;
  kind: ItemKind;
}

export interface FieldChange {
  /** `prompt` for item fields; `flags[influence].when`, `bands[0].level`, `review.intervals.high` elsewhere. */
  field: string;
  /** undefined when the field was added. */
  from: unknown;
  /** undefined when the field was removed. */
  to: unknown;
}

export interface InstrumentDiff {
  from: { key: string; version: string };
  to: { key: string; version: string };
  added: ItemSummary[];
  removed: ItemSummary[];
  changed: { code: string; changes: FieldChange[] }[];
  domains: {
    added: { code: string; title: string }[];
    removed: { code: string; title: string }[];
    changed: { code: string; changes: FieldChange[] }[];
  };
  /** Bands, flags, contributions, need priorities, evidence and minimum-rated rules. */
  rules: FieldChange[];
  /** Everything else: title, status, notice, certification, catalogue, scales, levels, review... */
  settings: FieldChange[];
}

const RULE_FIELDS = new Set([
  'bands',
  'flags',
  'contributions',
  'needPriorities',
  'evidence',
  'minimumRated',
]);
/** Array entries with one of these fields (unique in the array) are matched by it, not by index. */
const IDENTITY_FIELDS = ['code', 'event'] as const;

const same = (a: unknown, b: unknown): boolean =>
  a === b || (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The identity field shared by the entries of both lists, if any. */
function sharedIdentity(a: unknown[], b: unknown[]): string | undefined {
  const unique = (list: unknown[], field: string) => {
    if (!list.every((entry) => isRecord(entry) && typeof entry[field] === 'string')) return false;
    const values = list.map((entry) => (entry as Record<string, string>)[field]);
    return new Set(values).size === values.length;
  };
  if (a.length + b.length === 0) return undefined;
  return IDENTITY_FIELDS.find((field) => unique(a, field) && unique(b, field));
}

function keysOf(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

function diffValue(field: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (same(a, b)) return;
  if (isRecord(a) && isRecord(b)) {
    for (const key of keysOf(a, b))
      diffValue(field === '' ? key : `${field}.${key}`, a[key], b[key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const identity = sharedIdentity(a, b);
    if (identity) {
      const byKey = (list: unknown[]) =>
        new Map(list.map((entry) => [(entry as Record<string, string>)[identity], entry]));
      const before = byKey(a);
      const after = byKey(b);
      for (const [key, entry] of before)
        if (!after.has(key)) out.push({ field: `${field}[${key}]`, from: entry, to: undefined });
      for (const [key, entry] of after) {
        if (!before.has(key)) out.push({ field: `${field}[${key}]`, from: undefined, to: entry });
        else diffValue(`${field}[${key}]`, before.get(key), entry, out);
      }
      const kept = (list: Map<string, unknown>, other: Map<string, unknown>) =>
        [...list.keys()].filter((key) => other.has(key));
      const orderBefore = kept(before, after);
      const orderAfter = kept(after, before);
      if (!same(orderBefore, orderAfter))
        out.push({ field: `${field}#order`, from: orderBefore, to: orderAfter });
      return;
    }
    for (let index = 0; index < Math.max(a.length, b.length); index++)
      diffValue(`${field}[${index}]`, a[index], b[index], out);
    return;
  }
  out.push({ field, from: a, to: b });
}

function itemsByCode(definition: InstrumentDefinition) {
  const items = new Map<string, { item: InstrumentItem; domain: string }>();
  for (const domain of definition.domains)
    for (const item of domain.items) items.set(item.code, { item, domain: domain.code });
  return items;
}

const summary = (entry: { item: InstrumentItem; domain: string }): ItemSummary => ({
  code: entry.item.code,
  domain: entry.domain,
  prompt: entry.item.prompt,
  kind: entry.item.kind,
});

/**
 * What changed between two versions of an instrument: items added, removed and changed field
 * by field; domains; rules; and other settings. Pure; the inputs are not modified.
 */
export function diffInstrumentDefinitions(
  from: InstrumentDefinition,
  to: InstrumentDefinition,
): InstrumentDiff {
  const before = itemsByCode(from);
  const after = itemsByCode(to);
  const added: ItemSummary[] = [];
  const removed: ItemSummary[] = [];
  const changed: InstrumentDiff['changed'] = [];
  for (const [code, entry] of before) if (!after.has(code)) removed.push(summary(entry));
  for (const [code, entry] of after) {
    const previous = before.get(code);
    if (!previous) {
      added.push(summary(entry));
      continue;
    }
    const changes: FieldChange[] = [];
    if (previous.domain !== entry.domain)
      changes.push({ field: 'domain', from: previous.domain, to: entry.domain });
    const a = previous.item as unknown as Record<string, unknown>;
    const b = entry.item as unknown as Record<string, unknown>;
    for (const key of keysOf(a, b))
      if (!same(a[key], b[key])) changes.push({ field: key, from: a[key], to: b[key] });
    if (changes.length > 0) changed.push({ code, changes });
  }

  const domainsBefore = new Map(from.domains.map((domain) => [domain.code, domain]));
  const domainsAfter = new Map(to.domains.map((domain) => [domain.code, domain]));
  const domains: InstrumentDiff['domains'] = { added: [], removed: [], changed: [] };
  for (const [code, domain] of domainsBefore)
    if (!domainsAfter.has(code)) domains.removed.push({ code, title: domain.title });
  for (const [code, domain] of domainsAfter) {
    const previous = domainsBefore.get(code);
    if (!previous) {
      domains.added.push({ code, title: domain.title });
      continue;
    }
    const changes: FieldChange[] = [];
    const { items: _itemsBefore, ...restBefore } = previous;
    const { items: _itemsAfter, ...restAfter } = domain;
    diffValue('', restBefore, restAfter, changes);
    if (changes.length > 0) domains.changed.push({ code, changes });
  }

  const rules: FieldChange[] = [];
  const settings: FieldChange[] = [];
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  for (const key of keysOf(a, b)) {
    if (key === 'domains' || key === 'version') continue;
    diffValue(key, a[key], b[key], RULE_FIELDS.has(key) ? rules : settings);
  }

  return {
    from: { key: from.key, version: from.version },
    to: { key: to.key, version: to.version },
    added,
    removed,
    changed,
    domains,
    rules,
    settings,
  };
}
