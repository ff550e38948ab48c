import { describe, expect, it } from '@jest/globals';
import { NEEDS_FILE, RISK_FILE, shippedCatalogue, shippedInstrument } from './fixtures/shipped.js';
import { INTERVENTION_TYPES, TRIGGER_EVENTS } from './rule-set.types.js';

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
