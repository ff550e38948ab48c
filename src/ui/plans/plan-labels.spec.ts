import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { localizeCatalogue } from '../../instruments/rule-sets/localize-rule-set.js';
import type { InterventionCatalogue } from '../../instruments/rule-sets/rule-set.types.js';
import { translator } from '../i18n/catalogue.js';
import { termLabels } from './plan-labels.js';

/** The fixture catalogue that declares types and disciplines of its own, translated into ru. */
const stored = parse(
  readFileSync(
    join(
      process.cwd(),
      'test/fixtures/rule-sets/catalogues/reintegration-interventions@1.0.0.yaml',
    ),
    'utf8',
  ),
) as InterventionCatalogue;

describe('termLabels', () => {
  it('names declared types and disciplines by the catalogue’s translations in the page’s language', () => {
    const ru = termLabels(translator('ru'), stored, 'ru');
    expect(ru.discipline('theologian')).toBe('Теолог');
    expect(ru.type('restorative')).toBe('Восстановительное правосудие');
    // A code the service's messages know is named in their words, not the catalogue's.
    expect(ru.discipline('pve_inspector')).toBe(translator('ru')('plans.discipline.pve_inspector'));
    expect(ru.type('psychological')).toBe(translator('ru')('plans.type.psychological'));
  });

  it('gives the same names for a catalogue the page already localized', () => {
    const ru = termLabels(translator('ru'), localizeCatalogue(stored, 'ru'), 'ru');
    expect([ru.discipline('aftercare_worker'), ru.type('aftercare')]).toEqual([
      'Специалист по сопровождению',
      'Сопровождение после освобождения',
    ]);
  });

  it('falls back to the catalogue’s own titles, then to the code', () => {
    const en = termLabels(translator('en'), stored, 'en');
    expect(en.discipline('theologian')).toBe('Theologian');
    expect(en.type('religious_education')).toBe('Religious education');
    expect(en.discipline('no_such_discipline')).toBe('no_such_discipline');
    expect(en.type(null)).toBe('');
    // Without a catalogue, the service's own words for the defaults.
    expect(termLabels(translator('ru'), undefined, 'ru').discipline('psychologist')).toBe(
      translator('ru')('plans.discipline.psychologist'),
    );
  });
});
