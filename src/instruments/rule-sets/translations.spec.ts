import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  localeFromAcceptLanguage,
  localizeCatalogue,
  localizeInstrument,
  servedLocale,
} from './localize-rule-set.js';
import type { InstrumentDefinition, InterventionCatalogue, RuleSetFile } from './rule-set.types.js';
import { validateRuleSets } from './validate-rule-sets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const FILE = 'instruments/translated-risk@1.0.0.yaml';
const TEXT = readFileSync(
  join(process.cwd(), 'test/fixtures/rule-sets/instruments/translated-risk@1.0.0.yaml'),
  'utf8',
);
const fixture = (): any => parse(TEXT);
const file = (doc: unknown): RuleSetFile => ({ file: FILE, text: TEXT, doc });
const CATALOGUE_TEXT = readFileSync(
  join(process.cwd(), 'rule-sets/catalogues/handbook-interventions@1.0.0.yaml'),
  'utf8',
);
const catalogueFile = (doc: unknown): RuleSetFile => ({
  file: 'catalogues/handbook-interventions@1.0.0.yaml',
  text: CATALOGUE_TEXT,
  doc,
});

const TERMS_FILE = 'catalogues/reintegration-interventions@1.0.0.yaml';
const TERMS_TEXT = readFileSync(join(process.cwd(), 'test/fixtures/rule-sets', TERMS_FILE), 'utf8');
/** The fixture catalogue that declares types and disciplines of its own, translated into ru. */
const termsCatalogue = (): any => parse(TERMS_TEXT);
const termsFile = (doc: unknown): RuleSetFile => ({ file: TERMS_FILE, text: TERMS_TEXT, doc });

/** Issue 12 point 9: rule-set text per locale (en, ru, kk) with a fallback. */
describe('rule-set translations', () => {
  it('accepts the en + ru + kk fixture', () => {
    const { errors } = validateRuleSets([file(fixture())]);
    expect(errors).toEqual([]);
  });

  it('shows Russian text where translated and English where the translation leaves a gap', () => {
    const { sets } = validateRuleSets([file(fixture())]);
    const ru = localizeInstrument(sets[0].definition as InstrumentDefinition, 'ru');
    expect(ru.title).toBe('Переведённая формулировка (тестовый пример, иллюстративный)');
    expect(ru.domains[0].title).toBe('Установки');
    const [t1, t2] = ru.domains[0].items;
    expect(t1.prompt).toBe('Считает причинение вреда другим оправданным');
    expect(t1.guidance).toBe('Оцените высказывания и поведение за последние двенадцать месяцев.');
    expect(t2.prompt).toBe('Has trusted people outside the group');
    expect(t2.guidance).toBe('Rate contact with family and friends who do not share the cause.');
    expect(ru.scales[0].label).toBe('Насколько выражено');
    expect(ru.scales[0].options.map((o) => o.label)).toEqual([
      'Отсутствует',
      'Частично',
      'Сильно выражено',
    ]);
    expect(ru.judgements![0].label).toBe('Насилие в местах лишения свободы');
    expect(ru.judgements![0].levels.map((l) => l.label)).toEqual(['Низкий', 'Высокий']);
    expect(ru.flags![0].label).toBe('Считает вред оправданным');
    // Codes, scores and rules are untouched.
    expect(ru.domains[0].items.map((i) => i.code)).toEqual(['T1', 'T2']);
    expect(ru.scales[0].options.map((o) => o.score)).toEqual([0, 1, 2]);
    expect(ru.flags![0].when).toBe((sets[0].definition as InstrumentDefinition).flags![0].when);
  });

  it('falls back field by field in a sparse locale, and leaves the default language as written', () => {
    const definition = fixture() as InstrumentDefinition;
    const kk = localizeInstrument(definition, 'kk');
    expect(kk.title).toBe('Аударылған тұжырым (сынақ үлгісі)');
    expect(kk.notice).toBe(definition.notice);
    expect(kk.domains[0].title).toBe('Attitudes');
    expect(kk.domains[0].items[0].prompt).toBe('Басқаларға зиян келтіруді ақтайды');
    expect(kk.domains[0].items[0].guidance).toBe(
      'Rate statements and conduct in the last twelve months.',
    );
    expect(kk.scales[0].label).toBe('How strongly present');
    expect(localizeInstrument(definition, 'en')).toBe(definition);
  });

  it('serves the asked locale only when the rule-set has text in it', () => {
    const definition = fixture() as InstrumentDefinition;
    expect(servedLocale(definition, 'ru')).toBe('ru');
    expect(servedLocale(definition, 'kk')).toBe('kk');
    expect(servedLocale(definition, undefined)).toBe('en');
    const { translations: _, ...untranslated } = definition;
    expect(servedLocale(untranslated as InstrumentDefinition, 'ru')).toBe('en');
    expect(servedLocale({ ...untranslated, language: 'ru' } as InstrumentDefinition, 'kk')).toBe(
      'ru',
    );
  });

  it('reads Accept-Language by quality and ignores languages it has no text for', () => {
    expect(localeFromAcceptLanguage('ru-RU,ru;q=0.9,en;q=0.8')).toBe('ru');
    expect(localeFromAcceptLanguage('de-DE, kk;q=0.5, en;q=0.4')).toBe('kk');
    expect(localeFromAcceptLanguage('en;q=0.2, ru;q=0.7')).toBe('ru');
    expect(localeFromAcceptLanguage('ru;q=0, en')).toBe('en');
    expect(localeFromAcceptLanguage('de, fr')).toBeUndefined();
    expect(localeFromAcceptLanguage(undefined)).toBeUndefined();
  });

  it('refuses translations of codes the rule-set does not have, naming each', () => {
    const doc = fixture();
    doc.translations.ru.items.T9 = { prompt: 'Нет такого пункта' };
    doc.translations.ru.scales.ordinal.options.maybe = { label: 'Может быть' };
    doc.translations.ru.judgements.custody_violence.levels.medium = { label: 'Средний' };
    doc.translations.kk.flags = { no_such_flag: { label: 'Жоқ' } };
    doc.translations.en = { title: 'English in translations' };
    const { sets, errors } = validateRuleSets([file(doc)]);
    expect(sets).toEqual([]);
    expect(errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['translations.ru.items.T9', 'unknown_translation_code'],
        ['translations.ru.scales.ordinal.options.maybe', 'unknown_translation_code'],
        ['translations.ru.judgements.custody_violence.levels.medium', 'unknown_translation_code'],
        ['translations.kk.flags.no_such_flag', 'unknown_translation_code'],
        ['translations.en', 'unknown_translation_code'],
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it('refuses a locale outside en, ru and kk and a field a translation cannot have', () => {
    const doc = fixture();
    doc.translations.de = { title: 'Übersetzt' };
    doc.translations.ru.items.T1.kind = 'protective';
    const { errors } = validateRuleSets([file(doc)]);
    expect(errors.every((e) => e.code === 'schema')).toBe(true);
    expect(errors.map((e) => e.path).join(' ')).toMatch(/translations/);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('lints translated prompts, guidance, domain titles and flag labels in Russian and Kazakh', () => {
    const doc = fixture();
    doc.translations.ru.items.T2 = { prompt: 'Посещает мечеть' };
    doc.translations.kk.items.T1.prompt = 'Намаз оқиды';
    doc.translations.ru.domains.ATT.title = 'Религия';
    doc.translations.ru.flags.justified_harm.label = 'Смена религии';
    doc.translations.kk.items.T2 = { guidance: 'Мешітке барады.' };
    const { errors } = validateRuleSets([file(doc)]);
    const lint = errors.filter((e) => e.code === 'non_discrimination').map((e) => e.path);
    expect(lint).toEqual(
      expect.arrayContaining([
        'translations.ru.items.T2.prompt',
        'translations.kk.items.T1.prompt',
        'translations.ru.domains.ATT.title',
        'translations.ru.flags.justified_harm.label',
        'translations.kk.items.T2.guidance',
      ]),
    );
    expect(lint).toHaveLength(5);
  });

  it('lets a noted item carry translated text that names the ground', () => {
    const doc = fixture();
    doc.domains[0].items[1].nonDiscriminationNote =
      'Attending a mosque is not in itself an indicator; the rating is about trusted contact only.';
    doc.translations.ru.items.T2 = { prompt: 'Посещает мечеть вместе с семьёй' };
    expect(validateRuleSets([file(doc)]).errors).toEqual([]);
  });

  it('requires consent for a catalogue entry whose translated title the lint flags', () => {
    const catalogue = parse(CATALOGUE_TEXT) as InterventionCatalogue;
    const index = catalogue.interventions.findIndex(
      (entry) => !entry.consentRequired && entry.discipline !== 'faith_advisor',
    );
    const entry = catalogue.interventions[index];
    expect(validateRuleSets([catalogueFile(catalogue)]).errors).toEqual([]);
    catalogue.translations = { ru: { interventions: { [entry.code]: { title: 'Уроки ислама' } } } };
    const { errors } = validateRuleSets([catalogueFile(catalogue)]);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      [`interventions[${index}].consentRequired`, 'consent_required'],
    ]);
  });

  it('translates catalogue titles and descriptions with the same fallback', () => {
    const catalogue = parse(CATALOGUE_TEXT) as InterventionCatalogue;
    const [first, second] = catalogue.interventions;
    catalogue.translations = {
      ru: { interventions: { [first.code]: { title: 'Первое' } }, needs: {} },
    };
    expect(validateRuleSets([catalogueFile(catalogue)]).errors).toEqual([]);
    const ru = localizeCatalogue(catalogue, 'ru');
    expect(ru.interventions[0].title).toBe('Первое');
    expect(ru.interventions[0].description).toBe(first.description);
    expect(ru.interventions[1].title).toBe(second.title);
    expect(ru.title).toBe(catalogue.title);
    catalogue.translations.ru!.interventions!.NOPE = { title: 'Нет' };
    expect(validateRuleSets([catalogueFile(catalogue)]).errors.map((e) => e.path)).toEqual([
      'translations.ru.interventions.NOPE',
    ]);
  });
});

/** Declared intervention types and disciplines are translated like the rest of the catalogue. */
describe('translated catalogue types and disciplines', () => {
  it('gives declared types and disciplines their titles in the locale, else their own', () => {
    const { sets, errors } = validateRuleSets([termsFile(termsCatalogue())]);
    expect(errors).toEqual([]);
    const catalogue = sets[0].definition as InterventionCatalogue;
    const ru = localizeCatalogue(catalogue, 'ru');
    expect(ru.types).toEqual([
      { code: 'restorative', title: 'Восстановительное правосудие' },
      { code: 'aftercare', title: 'Сопровождение после освобождения' },
      { code: 'religious_education', title: 'Религиозное просвещение' },
      { code: 'psychological', title: 'Psychological' },
    ]);
    expect(ru.disciplines).toEqual([
      { code: 'restorative_facilitator', title: 'Медиатор восстановительного правосудия' },
      { code: 'aftercare_worker', title: 'Специалист по сопровождению' },
      { code: 'theologian', title: 'Теолог' },
      { code: 'psychologist', title: 'Psychologist', role: 'psychologist' },
      { code: 'pve_inspector', title: 'PVE inspector' },
    ]);
    // No kk text: the catalogue as written.
    expect(localizeCatalogue(catalogue, 'kk').disciplines).toEqual(catalogue.disciplines);
    expect(localizeCatalogue(catalogue, 'en').types).toEqual(catalogue.types);
  });

  it('leaves a catalogue that declares no types or disciplines without them', () => {
    const catalogue = parse(CATALOGUE_TEXT) as InterventionCatalogue;
    catalogue.translations = { ru: { title: 'Каталог' } };
    const ru = localizeCatalogue(catalogue, 'ru');
    expect(ru.title).toBe('Каталог');
    expect('types' in ru).toBe(false);
    expect('disciplines' in ru).toBe(false);
  });

  it('refuses translated types and disciplines the catalogue does not declare, naming each', () => {
    const doc = termsCatalogue();
    doc.translations.ru.types.education = { title: 'Образование' };
    doc.translations.kk = { disciplines: { imam_x: { title: 'Имам' } } };
    const { sets, errors } = validateRuleSets([termsFile(doc)]);
    expect(sets).toEqual([]);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['translations.ru.types.education', 'unknown_translation_code'],
      ['translations.kk.disciplines.imam_x', 'unknown_translation_code'],
    ]);
    expect(errors[0].message).toContain('type "education"');
  });

  it('refuses translated types and disciplines of a catalogue that declares none (the defaults are named by the service)', () => {
    const catalogue = parse(CATALOGUE_TEXT) as InterventionCatalogue;
    const { type, discipline } = catalogue.interventions[0];
    catalogue.translations = {
      ru: {
        types: { [type]: { title: 'Тип' } },
        disciplines: { [discipline]: { title: 'Специалист' } },
      },
    };
    const { errors } = validateRuleSets([catalogueFile(catalogue)]);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      [`translations.ru.types.${type}`, 'unknown_translation_code'],
      [`translations.ru.disciplines.${discipline}`, 'unknown_translation_code'],
    ]);
    expect(errors[0].message).toMatch(/declares none/);
  });

  it('refuses a translated type or discipline with a field other than its title', () => {
    const doc = termsCatalogue();
    doc.translations.ru.types.restorative.description = 'Описание';
    doc.translations.ru.disciplines.theologian = {};
    const { errors } = validateRuleSets([termsFile(doc)]);
    expect(errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['translations.ru.types.restorative.description', 'schema'],
        ['translations.ru.disciplines.theologian', 'schema'],
      ]),
    );
    expect(errors.every((e) => e.code === 'schema')).toBe(true);
  });

  it('refuses per-entry titles, saying to give them in translations', () => {
    const doc = termsCatalogue();
    doc.types[0].titles = { ru: 'Восстановительное правосудие' };
    doc.disciplines[2].titles = { ru: 'Теолог', kk: 'Теолог' };
    const { sets, errors } = validateRuleSets([termsFile(doc)]);
    expect(sets).toEqual([]);
    expect(errors.map(({ path, code, message }) => ({ path, code, message }))).toEqual([
      {
        path: 'types[0].titles',
        code: 'schema',
        message:
          'is no longer a field: give the title in other languages in translations.ru.types.restorative.title (see "Translations" in rule-sets/README.md)',
      },
      {
        path: 'disciplines[2].titles',
        code: 'schema',
        message:
          'is no longer a field: give the title in other languages in translations.<locale>.disciplines.theologian.title (see "Translations" in rule-sets/README.md)',
      },
    ]);
  });

  it('still calls any other unknown field of a type just that', () => {
    const doc = termsCatalogue();
    doc.types[0].label = 'Restorative';
    expect(
      validateRuleSets([termsFile(doc)]).errors.map(({ path, message }) => [path, message]),
    ).toEqual([['types[0].label', 'is not a known field']]);
  });

  it('requires consent for entries whose declared type or discipline a translated title makes the lint flag', () => {
    const doc = termsCatalogue();
    const index = doc.interventions.findIndex((entry: any) => entry.code === 'release_mentoring');
    expect(doc.interventions[index].consentRequired).toBe(false);
    doc.translations.ru.types.aftercare.title = 'Сопровождение в мечети';
    expect(
      validateRuleSets([termsFile(doc)]).errors.map((e) => [e.path, e.code, e.message]),
    ).toEqual([
      [
        `interventions[${index}].consentRequired`,
        'consent_required',
        expect.stringContaining('is of type aftercare, which refers to "мечети" (religion)'),
      ],
    ]);
    const byDiscipline = termsCatalogue();
    byDiscipline.translations.kk = { disciplines: { aftercare_worker: { title: 'Намаз ұстазы' } } };
    expect(validateRuleSets([termsFile(byDiscipline)]).errors.map((e) => [e.path, e.code])).toEqual(
      [[`interventions[${index}].consentRequired`, 'consent_required']],
    );
    // A supporting discipline counts as well, and so does the declared term's own title.
    const bySupport = termsCatalogue();
    bySupport.disciplines.find((d: any) => d.code === 'psychologist').title =
      'Psychologist for religious questions';
    expect(validateRuleSets([termsFile(bySupport)]).errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([[`interventions[${index}].consentRequired`, 'consent_required']]),
    );
  });
});
