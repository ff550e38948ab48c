import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { canonicalSha256 } from '../../crypto/canonical-json.js';
import { withBorrowedTranslations } from './borrow-translations.js';
import {
  CATALOGUE_1_0_1_FILE,
  CATALOGUE_FILE,
  RISK_1_1_1_FILE,
  RISK_1_1_FILE,
  RISK_FILE,
  shippedFile,
  shippedInstrument,
} from './fixtures/shipped.js';
import { localizeCatalogue, localizeInstrument, servedLocale } from './localize-rule-set.js';
import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetDefinition,
} from './rule-set.types.js';

const TEXT = readFileSync(
  join(process.cwd(), 'test/fixtures/rule-sets/instruments/translated-risk@1.0.0.yaml'),
  'utf8',
);

/** The translated fixture (ru: T1 but not T2; kk: T1's prompt) as `version`. */
const translated = (version: string): InstrumentDefinition => ({
  ...(parse(TEXT) as InstrumentDefinition),
  version,
});

/** The same instrument as `version` without any translation: what an older version was. */
const untranslated = (version: string): InstrumentDefinition => {
  const definition = translated(version);
  delete definition.translations;
  return definition;
};

const items = (definition: InstrumentDefinition) =>
  Object.fromEntries(definition.domains.flatMap((d) => d.items).map((i) => [i.code, i]));

/** Deeply frozen, as the service keeps imported definitions. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

describe('borrowing translations from other versions of the same rule-set', () => {
  it('borrows a text whose source is identical, and not one whose source changed', () => {
    const older = untranslated('1.0.0');
    items(older).T1.guidance = 'Rate statements and conduct in the last six months.';
    const readable = withBorrowedTranslations(older, [translated('1.1.0')]);
    expect(servedLocale(older, 'ru')).toBe('en');
    expect(servedLocale(readable, 'ru')).toBe('ru');
    const ru = localizeInstrument(readable, 'ru');
    expect(ru.title).toBe('Переведённая формулировка (тестовый пример, иллюстративный)');
    expect(ru.domains[0].title).toBe('Установки');
    expect(items(ru).T1.prompt).toBe('Считает причинение вреда другим оправданным');
    // Changed in this version: its own English, never the translation of the other text.
    expect(items(ru).T1.guidance).toBe('Rate statements and conduct in the last six months.');
    // Not translated anywhere: its own text, as ever.
    expect(items(ru).T2.prompt).toBe('Has trusted people outside the group');
    expect(ru.scales[0].options.map((o) => o.label)).toEqual([
      'Отсутствует',
      'Частично',
      'Сильно выражено',
    ]);
    expect(ru.judgements![0].levels.map((l) => l.label)).toEqual(['Низкий', 'Высокий']);
    expect(ru.flags![0].label).toBe('Считает вред оправданным');
    // Every locale the other version has: kk too, as sparse as it is there.
    const kk = localizeInstrument(readable, 'kk');
    expect(items(kk).T1.prompt).toBe('Басқаларға зиян келтіруді ақтайды');
    expect(kk.domains[0].title).toBe('Attitudes');
    // Codes, scores and rules are the version's own.
    expect(ru.flags![0].when).toBe(older.flags![0].when);
    expect(ru.version).toBe('1.0.0');
  });

  it('does not borrow a label whose entry changed text, even with the same code', () => {
    const older = untranslated('1.0.0');
    older.scales[0].options[1].label = 'Somewhat';
    older.title = 'Translated formulation (older title)';
    const ru = localizeInstrument(withBorrowedTranslations(older, [translated('1.1.0')]), 'ru');
    expect(ru.scales[0].options.map((o) => o.label)).toEqual([
      'Отсутствует',
      'Somewhat',
      'Сильно выражено',
    ]);
    expect(ru.title).toBe('Translated formulation (older title)');
  });

  it('prefers the newest version that has the same text, and the version’s own translation first', () => {
    const lender = (version: string, prompt: string) => {
      const definition = translated(version);
      definition.translations!.ru!.items!.T1.prompt = prompt;
      return definition;
    };
    const changed = translated('3.0.0');
    items(changed).T1.prompt = 'Regards harming others as justified, or says so';
    changed.translations!.ru!.items!.T1.prompt = 'Текст изменённого пункта';
    const others = [lender('1.1.0', 'Старый перевод'), changed, lender('2.0.0', 'Новый перевод')];
    const ru = localizeInstrument(withBorrowedTranslations(untranslated('1.0.0'), others), 'ru');
    // 3.0.0 is newer but its T1 says something else: 2.0.0 is the newest with the same text.
    expect(items(ru).T1.prompt).toBe('Новый перевод');
    // The version's own translation wins; only its gaps are filled.
    const own = translated('1.0.0');
    delete own.translations!.ru!.items!.T1.guidance;
    const mixed = localizeInstrument(withBorrowedTranslations(own, others), 'ru');
    expect(items(mixed).T1.prompt).toBe('Считает причинение вреда другим оправданным');
    expect(items(mixed).T1.guidance).toBe(
      'Оцените высказывания и поведение за последние двенадцать месяцев.',
    );
  });

  it('never borrows from another rule-set, a draft, another language or itself', () => {
    const older = untranslated('1.0.0');
    const otherKey = { ...translated('1.1.0'), key: 'another-risk' };
    const draft = { ...translated('1.2.0'), status: 'draft' as const };
    const ownInRussian = { ...translated('1.3.0'), language: 'ru' as const };
    const sameVersion = translated('1.0.0');
    for (const other of [otherKey, draft, ownInRussian, sameVersion]) {
      const readable = withBorrowedTranslations(older, [other]);
      expect(readable).toBe(older);
      expect(servedLocale(readable, 'ru')).toBe('en');
    }
    const catalogue = { ...translated('1.1.0'), kind: 'intervention-catalogue' };
    expect(withBorrowedTranslations(older, [catalogue as unknown as RuleSetDefinition])).toBe(
      older,
    );
  });

  it('leaves the stored definition as it is: nothing written into it, its hash the same', () => {
    const older = frozen(untranslated('1.0.0'));
    const hash = canonicalSha256(older);
    const readable = withBorrowedTranslations(older, [frozen(translated('1.1.0'))]);
    expect(readable).not.toBe(older);
    expect(older.translations).toBeUndefined();
    expect(canonicalSha256(older)).toBe(hash);
    // A version that lacks nothing lends itself nothing new: the same object back.
    const complete = frozen(translated('1.1.0'));
    const kkOnly = translated('0.9.0');
    kkOnly.translations = { kk: kkOnly.translations!.kk };
    expect(withBorrowedTranslations(complete, [kkOnly])).toBe(complete);
  });

  it('reads the shipped ve-risk-spj 1.1.0 and 1.0.0 in Russian, but 1.0.0’s changed HC03 in English', async () => {
    const [v100, v110, v111] = await Promise.all([
      shippedInstrument(RISK_FILE),
      shippedInstrument(RISK_1_1_FILE),
      shippedInstrument(RISK_1_1_1_FILE),
    ]);
    const all = [v100, v110, v111];
    const newest = localizeInstrument(v111, 'ru');
    const of110 = localizeInstrument(withBorrowedTranslations(v110, all), 'ru');
    // 1.1.1 changed nothing but its text: every translated field of 1.1.0 reads as 1.1.1's.
    expect({ ...of110, version: '', description: '', translations: {} }).toEqual({
      ...newest,
      version: '',
      description: '',
      translations: {},
    });
    expect(of110.title).toBe(newest.title);
    const of100 = localizeInstrument(withBorrowedTranslations(v100, all), 'ru');
    expect(items(of100).BA01.prompt).toBe('Одобряет насилие как правомерный способ борьбы за идею');
    expect(items(v100).HC03.prompt).not.toBe(items(v111).HC03.prompt);
    expect(items(of100).HC03.prompt).toBe(items(v100).HC03.prompt);
    expect(items(of100).HC03.guidance).toBe(items(v100).HC03.guidance);
    const english = Object.values(items(of100)).filter(
      (item) => item.prompt === items(v100)[item.code].prompt,
    );
    expect(english.map((item) => item.code)).toEqual(['HC03']);
  });

  it('reads the shipped catalogue 1.0.0 in Russian from 1.0.1', async () => {
    const [v100, v101] = await Promise.all(
      [CATALOGUE_FILE, CATALOGUE_1_0_1_FILE].map(
        async (file) => structuredClone((await shippedFile(file)).doc) as InterventionCatalogue,
      ),
    );
    const ru = localizeCatalogue(withBorrowedTranslations(v100, [v101]), 'ru');
    const newest = localizeCatalogue(v101, 'ru');
    expect(ru.interventions.map((i) => i.title)).toEqual(newest.interventions.map((i) => i.title));
    expect(ru.needs.map((n) => n.label)).toEqual(newest.needs.map((n) => n.label));
    expect(ru.needs[0].label).not.toBe(v100.needs[0].label);
  });
});
