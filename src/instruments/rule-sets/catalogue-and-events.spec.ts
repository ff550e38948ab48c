import { describe, expect, it } from '@jest/globals';
import { RISK_1_1_FILE, mutatedFile, shippedFiles } from './fixtures/shipped.js';
import { join } from 'node:path';
import { loadRuleSetFiles } from './load-rule-set-files.js';
import { localizeCatalogue } from './localize-rule-set.js';
import {
  catalogueDisciplines,
  catalogueTypes,
  DISCIPLINES,
  INTERVENTION_TYPES,
  type InterventionCatalogue,
  type RuleSetFile,
} from './rule-set.types.js';
import { validateRuleSets } from './validate-rule-sets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function withChanged(file: string, mutate: (doc: any) => void): Promise<RuleSetFile[]> {
  const changed = await mutatedFile(file, mutate);
  return (await shippedFiles()).map((entry) => (entry.file === file ? changed : entry));
}

/** Issue 12 point 10: events instruments may name as triggers. */
describe('trigger events', () => {
  it.each([
    'intelligence_received',
    'intervention_refused',
    'disciplinary_finding',
    'self_harm',
    'hunger_strike',
    'separation_order',
    'release_date_change',
  ])('accepts a trigger on %s', async (event) => {
    const files = await withChanged(RISK_1_1_FILE, (doc) => {
      doc.review.triggers.push({
        event,
        action: 'review',
        within: 'P7D',
        description: 'Review the assessment after this event.',
      });
    });
    expect(validateRuleSets(files).errors).toEqual([]);
  });

  it('refuses a trigger naming an event the service does not record', async () => {
    const files = await withChanged(RISK_1_1_FILE, (doc) => {
      doc.review.triggers.push({
        event: 'hungerstrike',
        action: 'review',
        within: 'P7D',
        description: 'Misspelt.',
      });
    });
    const errors = validateRuleSets(files).errors;
    expect(errors.map(({ file, code }) => ({ file, code }))).toEqual([
      { file: RISK_1_1_FILE, code: 'schema' },
    ]);
    expect(errors[0].path).toMatch(/^review\.triggers\[\d+\]\.event$/);
  });
});

/** Issue 12 point 10: intervention types and disciplines are catalogue data. */
describe('catalogue-declared types and disciplines', () => {
  it('accepts the fixture catalogue declaring restorative, aftercare, religious education and theologian', async () => {
    const fixtures = await loadRuleSetFiles(join(process.cwd(), 'test', 'fixtures', 'rule-sets'));
    expect(fixtures.errors).toEqual([]);
    const { sets, errors } = validateRuleSets([...(await shippedFiles()), ...fixtures.files]);
    expect(errors).toEqual([]);
    const catalogue = sets.find((s) => s.key === 'reintegration-interventions')!
      .definition as InterventionCatalogue;
    expect(catalogueTypes(catalogue).map((t) => t.code)).toEqual(
      expect.arrayContaining(['restorative', 'aftercare', 'religious_education']),
    );
    const theologian = (locale: 'ru' | 'kk') =>
      catalogueDisciplines(localizeCatalogue(catalogue, locale)).find(
        (d) => d.code === 'theologian',
      )!.title;
    expect([theologian('ru'), theologian('kk')]).toEqual(['Теолог', 'Theologian']);
  });

  it('gives a catalogue that declares none the default types and disciplines', () => {
    expect(catalogueTypes({}).map((t) => t.code)).toEqual([...INTERVENTION_TYPES]);
    expect(catalogueDisciplines({}).map((d) => d.code)).toEqual([...DISCIPLINES]);
    expect(catalogueDisciplines({}).filter((d) => d.role)).toEqual([
      expect.objectContaining({ code: 'psychologist', role: 'psychologist' }),
    ]);
  });
});
