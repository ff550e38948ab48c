import { describe, expect, it } from '@jest/globals';
import { RISK_FILE, NEEDS_FILE, shippedInstrument } from './fixtures/shipped.js';
import { findProtectedReference, lintNonDiscrimination } from './non-discrimination-lint.js';

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

  it('names the code and the prompt separately, and does not lint guidance', async () => {
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
