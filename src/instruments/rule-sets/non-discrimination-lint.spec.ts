import { describe, expect, it } from '@jest/globals';
import { RISK_FILE, NEEDS_FILE, shippedCatalogue, shippedInstrument } from './fixtures/shipped.js';
import {
  consentSensitiveEntries,
  findProtectedReference,
  findProtectedReferenceInProse,
  lintNonDiscrimination,
} from './non-discrimination-lint.js';

describe('findProtectedReference', () => {
  it.each([
    ['Attends Friday prayer', 'prayer', 'religion'],
    ['Spends time at the MOSQUE', 'MOSQUE', 'religion'],
    ['Religious observance has increased', 'Religious', 'religion'],
    ['Changes in dress and appearance', 'dress', 'religion'],
    ['Belongs to a minority ethnic group', 'ethnic', 'race or ethnicity'],
    ['Expresses views about race', 'race', 'race or ethnicity'],
    ['Nationality differs from the host country', 'Nationality', 'nationality or national origin'],
    ['Is a foreign   national', 'foreign   national', 'nationality or national origin'],
    ['Member of a political party', 'political party', 'political opinion or affiliation'],
    [
      'Holds political views opposed to the state',
      'political views',
      'political opinion or affiliation',
    ],
  ])('finds %j', (text, term, ground) => {
    expect(findProtectedReference(text)).toEqual({ term, ground });
  });

  it.each([
    'Keeps a trace of contacts with violent networks',
    'Embraces violence as a solution',
    'Has a racing pulse when provoked',
    'Gives the address of a contact',
    'Endorses politically motivated violence',
    'Is part of an armed group',
    'Shows interest in the embassy',
    'Has braced for confrontation',
  ])('ignores %j (whole words only)', (text) => {
    expect(findProtectedReference(text)).toBeUndefined();
  });

  it('splits codes into words', () => {
    expect(findProtectedReference('PRAYER01', true)?.term).toBe('PRAYER');
    expect(findProtectedReference('BA_RELIGION', true)?.term).toBe('RELIGION');
    expect(findProtectedReference('religiousPractice', true)?.term).toBe('religious');
    expect(findProtectedReference('POLITICAL_PARTY2', true)?.term).toBe('POLITICAL PARTY');
    expect(findProtectedReference('TRACE01', true)).toBeUndefined();
    expect(findProtectedReference('BA01', true)).toBeUndefined();
  });
});

describe('lintNonDiscrimination', () => {
  it('passes the shipped instruments (BA06 refers to religion and carries a note)', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    expect(lintNonDiscrimination(risk)).toEqual([]);
    expect(findProtectedReference(risk.domains[0].items[5].prompt)?.term).toBe('religious');
    delete risk.domains[0].items[5].nonDiscriminationNote;
    expect(lintNonDiscrimination(risk).map((finding) => finding.path)).toEqual([
      'domains[0].items[5].prompt',
    ]);
    expect(lintNonDiscrimination(await shippedInstrument(NEEDS_FILE))).toEqual([]);
  });

  it('names the code and the prompt separately; guidance that says what is not an indicator passes', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    risk.domains[2].items[1].code = 'WORSHIP_ATTENDANCE';
    risk.domains[2].items[1].prompt = 'Attends worship at a temple';
    risk.domains[2].items[2].guidance = 'Religious observance is not an indicator.';
    expect(lintNonDiscrimination(risk).map((finding) => finding.path)).toEqual([
      'domains[2].items[1].code',
      'domains[2].items[1].prompt',
    ]);
  });

  it('accepts a flag that refers to a protected ground when it carries a note', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    risk.flags![0].label = 'Threats against a church';
    expect(lintNonDiscrimination(risk).map((finding) => finding.path)).toEqual(['flags[0].label']);
    risk.flags![0].nonDiscriminationNote =
      'Flags threats against a place, whatever its purpose; it says nothing about faith.';
    expect(lintNonDiscrimination(risk)).toEqual([]);
  });
});

/** Issue 12 point 9: the lint in the languages of use, with fewer false positives. */
describe('findProtectedReference in English, Russian and Kazakh', () => {
  it.each([
    // English: practice, dress, diet, places of worship, conversion, and the other grounds.
    ['Refuses food that is not halal', 'halal', 'religion'],
    ['Recently converted and changed his clothing', 'converted', 'religion'],
    ['Spends time in the prayer room', 'prayer room', 'religion'],
    ['Speaks a minority mother tongue at home', 'mother tongue', 'language'],
    ['Questions about gender roles', 'gender', 'sex or gender'],
    // Russian, with its endings.
    ['Стал чаще посещать мечеть', 'мечеть', 'religion'],
    ['Регулярно совершает намаз', 'намаз', 'religion'],
    ['Носит хиджаб и отрастил бороду', 'хиджаб', 'religion'],
    ['Соблюдает пост и диету', 'диету', 'religion'],
    ['Недавно перешёл в ислам', 'перешёл в', 'religion'],
    ['Изменение религиозных взглядов', 'религиозных', 'religion'],
    ['Этническая принадлежность', 'Этническая', 'race or ethnicity'],
    [
      'Национальность отличается от большинства',
      'Национальность',
      'nationality or national origin',
    ],
    ['Родной язык не русский', 'Родной язык', 'language'],
    [
      'Политические взгляды оппозиционные',
      'Политические взгляды',
      'political opinion or affiliation',
    ],
    ['Учитывать гендерные различия', 'гендерные', 'sex or gender'],
    // Kazakh.
    ['Мешітке жиі барады', 'Мешітке', 'religion'],
    ['Діни киім киеді', 'Діни', 'religion'],
    ['Ораза ұстайды', 'Ораза', 'religion'],
    ['Ұлты бойынша азшылыққа жатады', 'Ұлты', 'nationality or national origin'],
    ['Ана тілі қазақ тілі емес', 'Ана тілі', 'language'],
    ['Саяси көзқарастары үшін', 'Саяси көзқарастары', 'political opinion or affiliation'],
    ['Жынысына байланысты', 'Жынысына', 'sex or gender'],
  ])('finds %j', (text, term, ground) => {
    expect(findProtectedReference(text)).toEqual({ term, ground });
  });

  it.each([
    // Allowed phrases: trust in lawful institutions is not religion.
    'Has lost faith in lawful institutions',
    'Expresses faith in the rule of law',
    'Acts in good faith with staff',
    'Утратил веру в закон и суд',
    'Заңға сенімін жоғалтқан',
    'Азаматтық қоғамға қатысады',
    // Whole words and stems from the start of a word only.
    'Verifies the address of a contact',
    'Руководство колонии сообщило',
    'Проверка версии показаний',
    'Сексуальное насилие в анамнезе',
    'Has a sexual offence on file',
    'Uses violent language towards staff',
  ])('ignores %j', (text) => {
    expect(findProtectedReference(text)).toBeUndefined();
  });

  it('finds a reference outside the allowed phrase in the same text', () => {
    expect(
      findProtectedReference('Has faith in lawful institutions but attends the mosque'),
    ).toEqual({ term: 'mosque', ground: 'religion' });
    expect(
      findProtectedReference('Lost faith in lawful institutions; his faith guides him'),
    ).toEqual({ term: 'faith', ground: 'religion' });
  });
});

describe('findProtectedReferenceInProse', () => {
  it.each([
    'Not an indicator: religious observance, dress or diet.',
    'Religious observance is never in itself a risk indicator.',
    'Религиозная практика сама по себе не является признаком риска.',
    'Діни рәсімдер өз алдына қауіп белгісі емес.',
  ])('passes a sentence that says what is not an indicator: %j', (text) => {
    expect(findProtectedReference(text)).toBeDefined();
    expect(findProtectedReferenceInProse(text)).toBeUndefined();
  });

  it('finds the sentence that names a ground without a negation', () => {
    expect(
      findProtectedReferenceInProse(
        'Religion is not an indicator. Rate how often the person attends the mosque.',
      ),
    ).toEqual({ term: 'mosque', ground: 'religion' });
    expect(
      findProtectedReferenceInProse('Оцените частоту посещения мечети. Другое не важно.'),
    ).toEqual({ term: 'мечети', ground: 'religion' });
  });
});

describe('lint over guidance, domain titles, flag descriptions and catalogue entries', () => {
  it('flags guidance that names a ground without a negation, and a domain title', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    risk.domains[2].items[2].guidance = 'Rate how often the person goes to the mosque.';
    risk.domains[3].title = 'Молитва и вера';
    risk.flags![0].description = 'Fires when a Kazakh-speaking prisoner — ана тілі — is moved.';
    expect(lintNonDiscrimination(risk).map((finding) => finding.path)).toEqual([
      'domains[2].items[2].guidance',
      'domains[3].title',
      'flags[0].description',
    ]);
  });

  it('marks catalogue entries delivered by a faith advisor or that the lint flags', async () => {
    const catalogue = await shippedCatalogue();
    expect(consentSensitiveEntries(catalogue).map((e) => [e.entry.code, e.why])).toEqual([
      ['faith_ideological_dialogue', 'delivered with a faith advisor'],
    ]);
    const education = catalogue.interventions.find((entry) => entry.code === 'education')!;
    education.title = 'Религиозное образование';
    expect(consentSensitiveEntries(catalogue).map((e) => e.entry.code)).toEqual([
      'education',
      'faith_ideological_dialogue',
    ]);
  });
});
