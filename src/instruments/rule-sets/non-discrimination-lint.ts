import type {
  InstrumentDefinition,
  Intervention,
  InterventionCatalogue,
} from './rule-set.types.js';

/**
 * Words that refer to grounds protected by Mandela Rule 2 (religion, race and ethnicity,
 * national origin, political opinion) and to the religious practice and dress that are
 * classic proxies for them. Matched as whole words, case-insensitively ("trace" is not
 * "race"); multi-word terms allow any spacing, `_` or `-` between words.
 */
export const PROTECTED_TERMS: Readonly<Record<string, readonly string[]>> = {
  religion: [
    // English: faith, practice, places of worship, conversion, dress and diet.
    'religion',
    'religions',
    'religious',
    'religiosity',
    'faith',
    'faiths',
    'prayer',
    'prayers',
    'pray',
    'prays',
    'praying',
    'prayed',
    'worship',
    'worships',
    'worshipping',
    'worshiping',
    'mosque',
    'mosques',
    'church',
    'churches',
    'temple',
    'temples',
    'synagogue',
    'synagogues',
    'gurdwara',
    'gurdwaras',
    'prayer room',
    'islam',
    'islamic',
    'muslim',
    'muslims',
    'christian',
    'christians',
    'christianity',
    'jewish',
    'jew',
    'jews',
    'judaism',
    'hindu',
    'hindus',
    'hinduism',
    'sikh',
    'sikhs',
    'sikhism',
    'buddhist',
    'buddhists',
    'buddhism',
    'salafi',
    'salafist',
    'jihad',
    'jihadi',
    'jihadist',
    'jihadism',
    'conversion',
    'convert',
    'converts',
    'converted',
    'apostasy',
    'apostate',
    'beard',
    'hijab',
    'headscarf',
    'veil',
    'niqab',
    'turban',
    'kippah',
    'dress',
    'clothing',
    'diet',
    'dietary',
    'halal',
    'kosher',
    'fasting',
    'ramadan',
    'pork',
    // Russian (stems end in *: any ending).
    'религи*',
    'вера',
    'веры',
    'вере',
    'веру',
    'верой',
    'вероисповед*',
    'верующ*',
    'набожн*',
    'молит*',
    'молил*',
    'намаз*',
    'мечет*',
    'церк*',
    'храм*',
    'синагог*',
    'молельн*',
    'ислам*',
    'мусульман*',
    'христиан*',
    'православ*',
    'иудаизм*',
    'иудей*',
    'буддиз*',
    'буддист*',
    'салаф*',
    'джихад*',
    'ваххаб*',
    'обращени* в',
    'перешел в',
    'перешёл в',
    'отступничеств*',
    'бород*',
    'хиджаб*',
    'никаб*',
    'паранджа*',
    'платок',
    'платк*',
    'одежд*',
    'диет*',
    'халял*',
    'кошерн*',
    'свинин*',
    'постит*',
    'рамадан*',
    'ураза*',
    // Kazakh.
    'дін*',
    'иман*',
    'намаз*',
    'мешіт*',
    'шіркеу*',
    'ғибадат*',
    'мұсылман*',
    'христиан*',
    'сақал*',
    'орамал*',
    'киім*',
    'ораза*',
    'шошқа*',
  ],
  'race or ethnicity': [
    'race',
    'races',
    'racial',
    'racially',
    'ethnic',
    'ethnicity',
    'ethnicities',
    'skin colour',
    'skin color',
    'tribe',
    'tribal',
    'clan',
    'этнич*',
    'этнос*',
    'раса',
    'расы',
    'расов*',
    'народност*',
    'цвет* кожи',
    'этникалық',
    'нәсіл*',
  ],
  'nationality or national origin': [
    'nationality',
    'nationalities',
    'national origin',
    'citizenship',
    'foreign national',
    'foreign nationals',
    'immigrant',
    'immigrants',
    'migrant',
    'migrants',
    'asylum',
    'refugee',
    'refugees',
    'национальност*',
    'гражданств*',
    'иностран*',
    'мигрант*',
    'беженц*',
    'ұлт*',
    'азаматтығ*',
    'шетелдік*',
    'босқын*',
  ],
  language: [
    'native language',
    'mother tongue',
    'first language',
    'home language',
    'language spoken',
    'linguistic minority',
    'speaks russian',
    'speaks kazakh',
    'родн* язык*',
    'язык* общения',
    'русскоязычн*',
    'казахоязычн*',
    'ана тіл*',
    'қазақ тілді',
    'орыс тілді',
  ],
  'political opinion or affiliation': [
    'political affiliation',
    'political affiliations',
    'political party',
    'political parties',
    'party membership',
    'political opinion',
    'political opinions',
    'political view',
    'political views',
    'political belief',
    'political beliefs',
    'political leaning',
    'political leanings',
    'political orientation',
    'политическ* взгляд*',
    'политическ* убеждени*',
    'политическ* мнени*',
    'политическ* парти*',
    'партийн*',
    'оппозиц*',
    'саяси көзқарас*',
    'саяси сенім*',
    'саяси партия*',
    'оппозиция*',
  ],
  'sex or gender': [
    'sex',
    'gender',
    'sexual orientation',
    'transgender',
    'половая принадлежност*',
    'полов* принадлежност*',
    'гендер*',
    'сексуальн* ориентац*',
    'жыныс*',
  ],
};

/**
 * Phrases in which a protected term does not refer to the ground: "faith in lawful
 * institutions" is about trust, not religion. A term inside one of these is not a finding.
 */
export const ALLOWED_PHRASES: readonly string[] = [
  'faith in lawful*',
  'faith in the law',
  'faith in the rule of law',
  'faith in institutions',
  'faith in democratic*',
  'faith in the courts',
  'faith in non-violent*',
  'faith in peaceful*',
  'good faith',
  'bad faith',
  'dress rehearsal',
  'вера в закон*',
  'веры в закон*',
  'веру в закон*',
  'вера в правов*',
  'веры в правов*',
  'веру в правов*',
  'вера в мирн*',
  'веры в мирн*',
  'заңға сенім*',
  'заңға деген сенім*',
  'азаматтық қоғам*',
  'азаматтық құқ*',
  'ұлттық заң*',
  'ұлттық қауіпсіздік*',
];

/** Words that make a sentence of guidance say what is NOT an indicator. */
const NEGATIONS = [
  'not',
  'never',
  'no',
  'nor',
  'не',
  'нет',
  'никогда',
  'ни',
  'емес',
  'жоқ',
  'болмайды',
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD = '[\\p{L}\\p{N}]';

/** One term as a pattern: words split by spacing, `_` or `-`; `stem*` takes any ending. */
function termPattern(term: string): string {
  return term
    .split(' ')
    .map((word) => (word.endsWith('*') ? `${escape(word.slice(0, -1))}${WORD}*` : escape(word)))
    .join('[\\s_-]+');
}

function alternation(terms: readonly string[]): string {
  return `(?<!${WORD})(?:${[...terms]
    .sort((a, b) => b.length - a.length)
    .map(termPattern)
    .join('|')})(?!${WORD})`;
}

const MATCHERS = Object.entries(PROTECTED_TERMS).map(([ground, terms]) => ({
  ground,
  pattern: new RegExp(alternation(terms), 'giu'),
}));
const ALLOWED = new RegExp(alternation(ALLOWED_PHRASES), 'giu');
const NEGATION = new RegExp(alternation(NEGATIONS), 'iu');

/** Splits a code into words: `RELIGIOUS_PRACTICE01` and `religiousPractice` both give two words. */
function codeToWords(code: string): string {
  return code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[^A-Za-z]+/g, ' ')
    .trim();
}

export interface ProtectedReference {
  term: string;
  ground: string;
}

/** The first protected-ground reference in a text (or a code, with `asCode`). */
export function findProtectedReference(
  text: string,
  asCode = false,
): ProtectedReference | undefined {
  const subject = asCode ? codeToWords(text) : text;
  const allowed = [...subject.matchAll(ALLOWED)].map((m) => [m.index, m.index + m[0].length]);
  for (const { ground, pattern } of MATCHERS) {
    for (const match of subject.matchAll(pattern)) {
      const [from, to] = [match.index, match.index + match[0].length];
      if (allowed.some(([start, end]) => start <= from && to <= end)) continue;
      return { term: match[0], ground };
    }
  }
  return undefined;
}

/**
 * The first reference in explanatory text (guidance, descriptions) outside sentences that
 * say what is NOT an indicator ("Religious observance is not in itself an indicator").
 */
export function findProtectedReferenceInProse(text: string): ProtectedReference | undefined {
  for (const sentence of text.split(/(?<=[.!?])\s+/u)) {
    if (NEGATION.test(sentence)) continue;
    const found = findProtectedReference(sentence);
    if (found) return found;
  }
  return undefined;
}

export interface LintFinding {
  path: string;
  message: string;
}

function finding(path: string, subject: string, reference: ProtectedReference): LintFinding {
  return {
    path,
    message:
      `${subject} refers to "${reference.term}" (${reference.ground}: a protected ground under ` +
      `Mandela Rule 2); it is refused unless it carries a nonDiscriminationNote explaining the ` +
      `behaviour it rates, for example that religious practice is not in itself an indicator`,
  };
}

/**
 * Mandela Rule 2 lint: item codes, prompts and guidance, domain titles, and flag codes, labels
 * and descriptions that refer to a protected ground need a `nonDiscriminationNote` (on the item
 * or flag; a domain title needs one on every item of the domain). Guidance and descriptions are
 * prose: a sentence that says what is NOT an indicator is where authors should name the ground.
 */
export function lintNonDiscrimination(definition: InstrumentDefinition): LintFinding[] {
  const findings: LintFinding[] = [];
  const noted = (entry: { nonDiscriminationNote?: string }) =>
    !!entry.nonDiscriminationNote && entry.nonDiscriminationNote.trim() !== '';
  definition.domains.forEach((domain, d) => {
    const byTitle = findProtectedReference(domain.title);
    if (byTitle && !domain.items.every(noted))
      findings.push(finding(`domains[${d}].title`, `domain ${domain.code}: its title`, byTitle));
    domain.items.forEach((item, i) => {
      if (noted(item)) return;
      const base = `domains[${d}].items[${i}]`;
      const byCode = findProtectedReference(item.code, true);
      if (byCode) findings.push(finding(`${base}.code`, `item ${item.code}: its code`, byCode));
      const byPrompt = findProtectedReference(item.prompt);
      if (byPrompt)
        findings.push(finding(`${base}.prompt`, `item ${item.code}: its prompt`, byPrompt));
      const byGuidance = findProtectedReferenceInProse(item.guidance ?? '');
      if (byGuidance)
        findings.push(finding(`${base}.guidance`, `item ${item.code}: its guidance`, byGuidance));
    });
  });
  lintTranslations(definition, noted, findings);
  (definition.flags ?? []).forEach((flag, f) => {
    if (noted(flag)) return;
    const byCode = findProtectedReference(flag.code, true);
    if (byCode) findings.push(finding(`flags[${f}].code`, `flag ${flag.code}: its code`, byCode));
    const byLabel = findProtectedReference(flag.label);
    if (byLabel)
      findings.push(finding(`flags[${f}].label`, `flag ${flag.code}: its label`, byLabel));
    const byDescription = findProtectedReferenceInProse(flag.description ?? '');
    if (byDescription)
      findings.push(
        finding(`flags[${f}].description`, `flag ${flag.code}: its description`, byDescription),
      );
  });
  return findings;
}

/**
 * Translated text is held to the same lint as the text it translates: a domain title, item
 * prompt or guidance, or flag label or description in any locale, exempt where the entry it
 * translates carries a nonDiscriminationNote.
 */
function lintTranslations(
  definition: InstrumentDefinition,
  noted: (entry: { nonDiscriminationNote?: string }) => boolean,
  findings: LintFinding[],
): void {
  for (const [locale, t] of Object.entries(definition.translations ?? {})) {
    const base = `translations.${locale}`;
    for (const [code, text] of Object.entries(t.domains ?? {})) {
      const domain = definition.domains.find((d) => d.code === code);
      const byTitle = text.title ? findProtectedReference(text.title) : undefined;
      if (domain && byTitle && !domain.items.every(noted))
        findings.push(
          finding(`${base}.domains.${code}.title`, `domain ${code}: its ${locale} title`, byTitle),
        );
    }
    const items = new Map(
      definition.domains.flatMap((d) => d.items).map((item) => [item.code, item]),
    );
    for (const [code, text] of Object.entries(t.items ?? {})) {
      const item = items.get(code);
      if (!item || noted(item)) continue;
      const byPrompt = text.prompt ? findProtectedReference(text.prompt) : undefined;
      if (byPrompt)
        findings.push(
          finding(`${base}.items.${code}.prompt`, `item ${code}: its ${locale} prompt`, byPrompt),
        );
      const byGuidance = text.guidance ? findProtectedReferenceInProse(text.guidance) : undefined;
      if (byGuidance)
        findings.push(
          finding(
            `${base}.items.${code}.guidance`,
            `item ${code}: its ${locale} guidance`,
            byGuidance,
          ),
        );
    }
    for (const [code, text] of Object.entries(t.flags ?? {})) {
      const flag = definition.flags?.find((f) => f.code === code);
      if (!flag || noted(flag)) continue;
      const byLabel = text.label ? findProtectedReference(text.label) : undefined;
      if (byLabel)
        findings.push(
          finding(`${base}.flags.${code}.label`, `flag ${code}: its ${locale} label`, byLabel),
        );
      const byDescription = text.description
        ? findProtectedReferenceInProse(text.description)
        : undefined;
      if (byDescription)
        findings.push(
          finding(
            `${base}.flags.${code}.description`,
            `flag ${code}: its ${locale} description`,
            byDescription,
          ),
        );
    }
  }
}

/**
 * Where a catalogue entry touches a protected ground: its code, title or description, in its
 * own language or any translation the catalogue carries.
 */
export function catalogueEntryReference(
  entry: Intervention,
  catalogue?: InterventionCatalogue,
): ProtectedReference | undefined {
  const translated = Object.values(catalogue?.translations ?? {}).map(
    (t) => t.interventions?.[entry.code],
  );
  return (
    findProtectedReference(entry.code, true) ??
    findProtectedReference(entry.title) ??
    findProtectedReferenceInProse(entry.description) ??
    translated
      .map(
        (text) =>
          (text?.title ? findProtectedReference(text.title) : undefined) ??
          (text?.description ? findProtectedReferenceInProse(text.description) : undefined),
      )
      .find(Boolean)
  );
}

/**
 * Where a type or discipline the catalogue declares touches a protected ground: its code or
 * title, in its own language or any translation the catalogue carries. The default ones are
 * not looked at here: faith_dialogue and faith_advisor have rules of their own.
 */
export function catalogueTermReference(
  catalogue: InterventionCatalogue,
  what: 'types' | 'disciplines',
  code: string,
): ProtectedReference | undefined {
  const term = catalogue[what]?.find((t) => t.code === code);
  if (!term) return undefined;
  const translated = Object.values(catalogue.translations ?? {}).map((t) => t[what]?.[code]?.title);
  return (
    findProtectedReference(term.code, true) ??
    findProtectedReference(term.title) ??
    translated.map((title) => (title ? findProtectedReference(title) : undefined)).find(Boolean)
  );
}

/**
 * Catalogue entries that need the prisoner's consent before they enter a plan: those a faith
 * advisor delivers (or supports), those whose code, title or description the lint flags, and
 * those of a declared type, or delivered (or supported) by a declared discipline, it flags.
 */
export function consentSensitiveEntries(
  catalogue: InterventionCatalogue,
): { index: number; entry: Intervention; why: string }[] {
  const refersTo = (reference: ProtectedReference) =>
    `refers to "${reference.term}" (${reference.ground})`;
  return catalogue.interventions.flatMap((entry, index) => {
    if (
      entry.discipline === 'faith_advisor' ||
      entry.supportingDisciplines?.includes('faith_advisor')
    )
      return [{ index, entry, why: 'delivered with a faith advisor' }];
    const reference = catalogueEntryReference(entry, catalogue);
    if (reference) return [{ index, entry, why: refersTo(reference) }];
    const byType = catalogueTermReference(catalogue, 'types', entry.type);
    if (byType)
      return [{ index, entry, why: `is of type ${entry.type}, which ${refersTo(byType)}` }];
    for (const discipline of [entry.discipline, ...(entry.supportingDisciplines ?? [])]) {
      const byDiscipline = catalogueTermReference(catalogue, 'disciplines', discipline);
      if (byDiscipline)
        return [
          {
            index,
            entry,
            why: `is delivered with discipline ${discipline}, which ${refersTo(byDiscipline)}`,
          },
        ];
    }
    return [];
  });
}
