import { describe, expect, it } from '@jest/globals';
import {
  CATALOGUE_FILE,
  CATALOGUE_1_0_1_FILE,
  NEEDS_1_0_1_FILE,
  NEEDS_FILE,
  RISK_1_1_1_FILE,
  RISK_1_1_FILE,
  RISK_FILE,
  shippedCatalogue,
  shippedFile,
  shippedInstrument,
} from './fixtures/shipped.js';
import {
  INTERVENTION_TYPES,
  TRIGGER_EVENTS,
  type InstrumentDefinition,
  type InterventionCatalogue,
} from './rule-set.types.js';

describe('shipped content', () => {
  it('ve-risk-spj: five SPJ domains, at least 25 items with guidance, illustrative notice', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    expect(risk.purpose).toBe('risk');
    expect(risk.illustrative).toBe(true);
    expect(risk.notice).toMatch(/not a validated instrument/);
    expect(risk.notice).toMatch(/not a prediction/);
    expect(risk.notice).toMatch(/VERA-2R or ERG22\+/);
    expect(risk.domains.map((domain) => domain.title)).toEqual([
      'Beliefs, attitudes and ideology',
      'Social context and intention',
      'History, action and capability',
      'Commitment and motivation',
      'Protective and risk-mitigating factors',
    ]);
    const items = risk.domains.flatMap((domain) => domain.items);
    expect(items.length).toBeGreaterThanOrEqual(25);
    for (const item of items) expect(item.guidance.length).toBeGreaterThan(60);
    expect(risk.domains[4].items.every((item) => item.kind === 'protective')).toBe(true);
    expect(risk.scales.flatMap((scale) => scale.options.map((o) => o.code))).toEqual([
      'low',
      'moderate',
      'high',
      'low',
      'moderate',
      'high',
    ]);
    expect(risk.evidence.rules).toEqual([
      {
        options: ['moderate', 'high'],
        require: ['evidenceFor', 'evidenceAgainst', 'sources', 'reliability'],
        minSources: 1,
      },
    ]);
    expect(risk.review.intervals).toEqual({ high: 'P3M', moderate: 'P6M', low: 'P12M' });
    expect(risk.review.triggers.map((trigger) => trigger.event)).toEqual(
      expect.arrayContaining([
        'transfer',
        'serious_incident',
        'new_information',
        'programme_milestone',
        'legal_status_change',
        'pre_release',
      ]),
    );
  });

  it('ve-needs: every need area, each item mapped to a need, mental health clinical', async () => {
    const needs = await shippedInstrument(NEEDS_FILE);
    expect(needs.purpose).toBe('needs');
    const items = needs.domains.flatMap((domain) => domain.items);
    expect([...new Set(items.map((item) => item.need))]).toEqual([
      'identity_belonging',
      'grievance',
      'ideology',
      'social_network',
      'family',
      'education',
      'employment',
      'mental_health',
      'practical_reintegration',
    ]);
    for (const item of items)
      expect(item.confidentiality === 'clinical').toBe(item.need === 'mental_health');
  });

  it('handbook-interventions: every Handbook intervention type, consent where the rules need it', async () => {
    const catalogue = await shippedCatalogue();
    expect(catalogue.interventions.map((i) => i.type).sort()).toEqual(
      [...INTERVENTION_TYPES].sort(),
    );
    const consent = Object.fromEntries(
      catalogue.interventions.map((i) => [i.type, i.consentRequired]),
    );
    expect(consent).toEqual(
      expect.objectContaining({
        faith_dialogue: true,
        psychological: true,
        cognitive_behavioural: true,
      }),
    );
    const dialogue = catalogue.interventions.find((i) => i.type === 'faith_dialogue');
    expect(dialogue?.consentNotes).toMatch(/Opt-in/);
    expect(dialogue?.consentNotes).toMatch(/Rule 65\(3\)/);
    for (const intervention of catalogue.interventions) {
      expect(intervention.dosage.sessions).toBeGreaterThan(0);
      expect(intervention.needs.length).toBeGreaterThan(0);
    }
    expect(TRIGGER_EVENTS).toContain('pre_release');
  });
});

/** Every translatable text of a rule-set, as `path -> text` (the paths `translations.<locale>` uses). */
function translatableTexts(doc: InstrumentDefinition | InterventionCatalogue): Map<string, string> {
  const texts = new Map<string, string>();
  const put = (path: string, entry: object, fields: string[]) => {
    for (const field of fields) {
      const text = (entry as Record<string, unknown>)[field];
      if (typeof text === 'string') texts.set(`${path}${path ? '.' : ''}${field}`, text);
    }
  };
  put('', doc, ['title', 'description', 'notice']);
  if (doc.kind === 'intervention-catalogue') {
    for (const need of doc.needs) put(`needs.${need.code}`, need, ['label', 'description']);
    for (const entry of doc.interventions)
      put(`interventions.${entry.code}`, entry, ['title', 'description', 'consentNotes']);
    for (const type of doc.types ?? []) put(`types.${type.code}`, type, ['title']);
    for (const discipline of doc.disciplines ?? [])
      put(`disciplines.${discipline.code}`, discipline, ['title']);
    return texts;
  }
  const labelled = ['label', 'description'];
  for (const scale of doc.scales) {
    put(`scales.${scale.code}`, scale, ['label']);
    for (const option of scale.options)
      put(`scales.${scale.code}.options.${option.code}`, option, labelled);
  }
  for (const level of doc.levels ?? []) put(`levels.${level.code}`, level, labelled);
  for (const judgement of doc.judgements ?? []) {
    put(`judgements.${judgement.code}`, judgement, labelled);
    for (const level of judgement.levels)
      put(`judgements.${judgement.code}.levels.${level.code}`, level, labelled);
  }
  for (const domain of doc.domains) {
    put(`domains.${domain.code}`, domain, ['title', 'description']);
    for (const item of domain.items) put(`items.${item.code}`, item, ['prompt', 'guidance']);
  }
  for (const flag of doc.flags ?? []) put(`flags.${flag.code}`, flag, labelled);
  for (const priority of doc.needPriorities?.priorities ?? [])
    put(`needPriorities.${priority.code}`, priority, labelled);
  return texts;
}

/** The leaves of a translation block, as `path -> text`. */
function leaves(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (typeof value === 'string') into.set(path, value);
  else if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value))
      leaves(child, path ? `${path}.${key}` : key, into);
  return into;
}

/** A definition without its text's versioning: what must not change in a text-only patch. */
function withoutText(doc: object) {
  const rest: Record<string, unknown> = { ...doc };
  delete rest.translations;
  delete rest.version;
  delete rest.description;
  return rest;
}

describe('shipped Russian text (text-only patch versions)', () => {
  const pairs = [
    [RISK_1_1_FILE, RISK_1_1_1_FILE],
    [NEEDS_FILE, NEEDS_1_0_1_FILE],
    [CATALOGUE_FILE, CATALOGUE_1_0_1_FILE],
  ] as const;

  it.each(pairs)(
    '%s -> %s: a patch version, identical but for its description and text',
    async (from, to) => {
      const before = (await shippedFile(from)).doc as InstrumentDefinition | InterventionCatalogue;
      const after = (await shippedFile(to)).doc as InstrumentDefinition | InterventionCatalogue;
      const [major, minor, patch] = before.version.split('.').map(Number);
      expect(after.version).toBe(`${major}.${minor}.${patch + 1}`);
      expect(before.translations).toBeUndefined();
      // Ratings, scores, rules, codes, review policy, catalogue reference: all as before.
      expect(withoutText(after)).toEqual(withoutText(before));
      // The description says what the patch adds, after the predecessor's own words.
      expect(after.description!.startsWith(`${before.description} Version ${after.version} `)).toBe(
        true,
      );
      expect(after.description).toContain(`${after.version} adds the Russian text`);
      expect(after.description).toContain('changes nothing else');
      expect(Object.keys(after.translations ?? {})).toEqual(['ru']);
    },
  );

  it.each(pairs.map(([, to]) => to))(
    '%s: every translatable text is in Russian, with its numbers and codes',
    async (file) => {
      const doc = (await shippedFile(file)).doc as InstrumentDefinition | InterventionCatalogue;
      const english = translatableTexts(doc);
      const russian = leaves(doc.translations?.ru);
      expect([...russian.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [path, text] of russian) {
        const source = english.get(path)!;
        expect({ path, cyrillic: /[а-яё]/iu.test(text) }).toEqual({ path, cyrillic: true });
        // Rule numbers (32(1)(b)), item codes (HC03), versions and counts stay as written.
        const tokens =
          source.match(/\d+(?:\.\d+)*(?:\(\d+\))*(?:\([a-z]\))?|\b[A-Z]{2}\d{2}\b/g) ?? [];
        for (const token of tokens)
          expect({ path, token, found: text.includes(token) }).toEqual({
            path,
            token,
            found: true,
          });
      }
    },
  );
});
