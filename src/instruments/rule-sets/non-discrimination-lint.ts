import type { InstrumentDefinition } from './rule-set.types.js';

/**
 * Words that refer to grounds protected by Mandela Rule 2 (religion, race and ethnicity,
 * national origin, political opinion) and to the religious practice and dress that are
 * classic proxies for them. Matched as whole words, case-insensitively ("trace" is not
 * "race"); multi-word terms allow any spacing, `_` or `-` between words.
 */
export const PROTECTED_TERMS: Readonly<Record<string, readonly string[]>> = {
  religion: [
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
    'beard',
    'hijab',
    'headscarf',
    'veil',
    'niqab',
    'turban',
    'kippah',
    'dress',
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
  ],
};

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const MATCHERS = Object.entries(PROTECTED_TERMS).map(([ground, terms]) => ({
  ground,
  pattern: new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${[...terms]
      .sort((a, b) => b.length - a.length)
      .map((term) => term.split(' ').map(escape).join('[\\s_-]+'))
      .join('|')})(?![\\p{L}\\p{N}])`,
    'iu',
  ),
}));

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
  for (const { ground, pattern } of MATCHERS) {
    const match = pattern.exec(subject);
    if (match) return { term: match[0], ground };
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
 * Mandela Rule 2 lint: item codes and prompts, and flag codes and labels, that refer to a
 * protected ground need a `nonDiscriminationNote`. Guidance is not linted: it is where
 * authors say what is NOT an indicator.
 */
export function lintNonDiscrimination(definition: InstrumentDefinition): LintFinding[] {
  const findings: LintFinding[] = [];
  definition.domains.forEach((domain, d) => {
    domain.items.forEach((item, i) => {
      if (item.nonDiscriminationNote && item.nonDiscriminationNote.trim() !== '') return;
      const base = `domains[${d}].items[${i}]`;
      const byCode = findProtectedReference(item.code, true);
      if (byCode) findings.push(finding(`${base}.code`, `item ${item.code}: its code`, byCode));
      const byPrompt = findProtectedReference(item.prompt);
      if (byPrompt)
        findings.push(finding(`${base}.prompt`, `item ${item.code}: its prompt`, byPrompt));
    });
  });
  (definition.flags ?? []).forEach((flag, f) => {
    if (flag.nonDiscriminationNote && flag.nonDiscriminationNote.trim() !== '') return;
    const byCode = findProtectedReference(flag.code, true);
    if (byCode) findings.push(finding(`flags[${f}].code`, `flag ${flag.code}: its code`, byCode));
    const byLabel = findProtectedReference(flag.label);
    if (byLabel)
      findings.push(finding(`flags[${f}].label`, `flag ${flag.code}: its label`, byLabel));
  });
  return findings;
}
