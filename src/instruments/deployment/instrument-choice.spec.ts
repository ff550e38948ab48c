import { describe, expect, it } from '@jest/globals';
import { RISK_FILE, NEEDS_FILE, shippedInstrument } from '../rule-sets/fixtures/shipped.js';
import {
  checkInstrumentChoices,
  formatChoice,
  parseInstrumentChoice,
  type ImportedVersion,
} from './instrument-choice.js';

describe('parseInstrumentChoice', () => {
  it.each([
    ['ve-risk-spj', { key: 've-risk-spj' }],
    ['ve-risk-spj@1.1.0', { key: 've-risk-spj', range: '1.1.0' }],
    [
      've-risk-spj@^1.1.0#influence',
      { key: 've-risk-spj', range: '^1.1.0', judgement: 'influence' },
    ],
    ['ve-risk-spj#custody_violence', { key: 've-risk-spj', judgement: 'custody_violence' }],
  ])('reads %j', (text, choice) => {
    expect(parseInstrumentChoice(text)).toEqual(choice);
    expect(formatChoice(parseInstrumentChoice(text)!)).toBe(text);
  });

  it.each(['', 'VE-RISK', 've-risk@1.1', 've-risk@~1.1.0', 've-risk#', 've risk'])(
    'refuses %j',
    (text) => expect(parseInstrumentChoice(text)).toBeUndefined(),
  );
});

describe('checkInstrumentChoices', () => {
  const imported = async (): Promise<ImportedVersion[]> => {
    const risk = await shippedInstrument(RISK_FILE);
    const needs = await shippedInstrument(NEEDS_FILE);
    return [
      { key: risk.key, version: risk.version, definition: risk },
      { key: needs.key, version: needs.version, definition: needs },
    ];
  };

  it('accepts what is imported and names every problem otherwise', async () => {
    const versions = await imported();
    expect(
      checkInstrumentChoices(
        { intake: { key: 've-risk-spj' }, planNeeds: { key: 've-needs', range: '^1.0.0' } },
        versions,
      ),
    ).toEqual([]);
    const problems = checkInstrumentChoices(
      {
        intake: { key: 'unknown' },
        planNeeds: { key: 've-risk-spj' },
        timeline: { key: 've-risk-spj', judgement: 'nope' },
      },
      versions,
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^INSTRUMENT_FOR_PLAN_NEEDS=ve-risk-spj: .* is a risk instrument/);
    expect(problems[1]).toMatch(/^INSTRUMENT_FOR_INTAKE=unknown: no imported instrument version/);
    expect(problems[2]).toMatch(
      /^INSTRUMENT_FOR_TIMELINE=ve-risk-spj#nope: .* declares no judgement "nope"/,
    );
  });

  it('refuses catalogue intensity keys the intensity judgement has no level for', async () => {
    const versions = await imported();
    const risk = versions[0].definition as Extract<
      ImportedVersion['definition'],
      { kind: 'instrument' }
    >;
    risk.judgements = [
      { code: 'influence', label: 'Influence', levels: [{ code: 'some', label: 'Some' }] },
    ];
    versions.push({
      key: 'cat',
      version: '1.0.0',
      definition: {
        kind: 'intervention-catalogue',
        key: 'cat',
        version: '1.0.0',
        title: 'Catalogue',
        status: 'active',
        illustrative: true,
        needs: [],
        interventions: [
          {
            code: 'one',
            title: 'One',
            description: 'One',
            type: 'education',
            discipline: 'education',
            format: 'group',
            consentRequired: false,
            dosage: { sessions: 1, frequency: 'P1W', duration: 'P1W' },
            intensity: { high: 'Often', some: 'Sometimes' },
            needs: [],
          },
        ],
      },
    });
    expect(
      checkInstrumentChoices(
        { planIntensity: { key: risk.key, judgement: 'influence' } },
        versions,
      ),
    ).toEqual([
      expect.stringMatching(
        /intervention one has intensity for high, which .* judgement influence has no level for/,
      ),
    ]);
  });
});
