import { beforeAll, describe, expect, it } from '@jest/globals';
import { shippedCatalogue } from '../instruments/rule-sets/fixtures/shipped.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import {
  consentErrors,
  describeChanges,
  intensityFor,
  interventionFieldsNeeded,
  itemChanges,
  needsDifference,
  proposePlan,
  submissionErrors,
  type Goal,
  type PlanIntervention,
} from './plan-content.js';

describe('plan content', () => {
  let catalogue: InterventionCatalogue;
  let counter = 0;
  const newId = () => `id-${++counter}`;

  beforeAll(async () => {
    catalogue = await shippedCatalogue();
  });

  const item = (overrides: Partial<PlanIntervention> = {}): PlanIntervention => ({
    id: 'i1',
    catalogueCode: 'faith_ideological_dialogue',
    goalIds: ['g1'],
    discipline: 'faith_advisor',
    responsibleStaffId: null,
    provider: null,
    frequency: 'P2W',
    plannedStart: '2025-01-01',
    plannedEnd: null,
    location: null,
    status: 'proposed',
    consentRequired: true,
    consent: null,
    ...overrides,
  });

  describe('proposePlan', () => {
    it('makes one goal per need, highest priority first, and maps interventions to them', () => {
      const { goals, interventions } = proposePlan(
        [
          { code: 'employment', priority: 'low' },
          { code: 'grievance', priority: 'high' },
          { code: 'employment', priority: 'high' },
        ],
        catalogue,
        '2025-01-31',
        newId,
      );
      expect(goals.map((g) => [g.needCode, g.priority])).toEqual([
        ['grievance', 'high'],
        ['employment', 'high'],
      ]);
      expect(goals[0].description).toBe('Grievance and perceived injustice');
      // Every intervention serves a high-priority goal here: catalogue order.
      expect(interventions.map((i) => i.catalogueCode)).toEqual([
        'psychological_support',
        'cognitive_behavioural',
        'education',
        'vocational_training',
        'faith_ideological_dialogue',
        'civic_education',
        'release_preparation',
      ]);
      for (const i of interventions) {
        expect(i.status).toBe('proposed');
        expect(i.consent).toBeNull();
        expect(i.goalIds.length).toBeGreaterThan(0);
      }
      const education = interventions.find((i) => i.catalogueCode === 'education')!;
      expect(education).toMatchObject({
        goalIds: [goals[1].id],
        frequency: 'P3D',
        plannedStart: '2025-01-31',
        plannedEnd: '2025-07-31',
        consentRequired: false,
      });
    });

    it('proposes nothing for no needs', () => {
      expect(proposePlan([], catalogue, '2025-01-01', newId)).toEqual({
        goals: [],
        interventions: [],
      });
    });
  });

  it('takes intensity from the catalogue for the risk level, none without one', () => {
    const entry = catalogue.interventions.find((i) => i.code === 'mentoring');
    expect(intensityFor(entry, 'high')).toBe('Fortnightly, continuing through release.');
    expect(intensityFor(entry, null)).toBeNull();
    expect(
      intensityFor(
        catalogue.interventions.find((i) => i.code === 'sport'),
        'high',
      ),
    ).toBeNull();
  });

  describe('consentErrors', () => {
    it('allows proposing and stopping without consent', () => {
      expect(consentErrors([item(), item({ status: 'stopped' })], catalogue)).toEqual([]);
    });

    it('refuses delivery without consent where the catalogue requires it', () => {
      for (const status of ['scheduled', 'in_progress', 'completed'] as const) {
        const [error] = consentErrors([item(), item({ status })], catalogue);
        expect(error.path).toBe('interventions[1].status');
        expect(error.message).toMatch(/Faith-based or ideological dialogue needs .* consent/);
      }
      expect(
        consentErrors(
          [
            item({
              status: 'scheduled',
              consent: { given: true, recordedOn: '2025-01-01', note: null, recordedBy: 'u' },
            }),
          ],
          catalogue,
        ),
      ).toEqual([]);
    });

    it('respects a refusal even where consent is not required', () => {
      const refusal = { given: false, recordedOn: '2025-01-01', note: null, recordedBy: 'u' };
      const [error] = consentErrors(
        [
          item({
            catalogueCode: 'education',
            consentRequired: false,
            status: 'scheduled',
            consent: refusal,
          }),
        ],
        catalogue,
      );
      expect(error.message).toMatch(/declined/);
    });
  });

  it('lists what blocks submission', () => {
    expect(submissionErrors([], [item({ goalIds: [] })], false).map((e) => e.path)).toEqual([
      'goals',
      'interventions[0].goalIds',
      'prisonerAgreement',
    ]);
  });

  describe('describeChanges', () => {
    const goal: Goal = {
      id: 'g1',
      needCode: 'ideology',
      priority: null,
      description: 'a',
      targetDate: null,
      status: 'not_started',
    };

    it('treats delivery changes as non-material', () => {
      const after = item({
        status: 'scheduled',
        location: 'Chapel',
        consent: { given: true, recordedOn: '2025-01-01', note: null, recordedBy: 'u' },
      });
      const result = describeChanges(
        itemChanges([goal], [{ ...goal, status: 'in_progress' }]),
        itemChanges([item()], [after]),
      );
      expect(result.material).toBe(false);
      expect(result.changedFields.sort()).toEqual([
        'goals.status',
        'interventions.consent',
        'interventions.location',
        'interventions.status',
      ]);
    });

    it('treats content, additions, removals and order as material', () => {
      const none = itemChanges([item()], [item()]);
      expect(
        describeChanges(itemChanges([goal], [{ ...goal, description: 'b' }]), none).material,
      ).toBe(true);
      expect(describeChanges(itemChanges([goal], []), none)).toEqual({
        changedFields: ['goals'],
        material: true,
      });
      const two = [item(), item({ id: 'i2' })];
      expect(
        describeChanges(itemChanges([], []), itemChanges(two, [two[1], two[0]])).material,
      ).toBe(true);
      expect(
        describeChanges(itemChanges([], []), itemChanges([item()], [item({ frequency: 'P1W' })]))
          .material,
      ).toBe(true);
    });
  });

  it('tells psychological intervention changes from the rest', () => {
    const psych = item({
      id: 'p',
      catalogueCode: 'psychological_support',
      discipline: 'psychologist',
    });
    expect([...interventionFieldsNeeded(itemChanges([item()], [item(), psych]))]).toEqual([
      'psychologicalInterventions',
    ]);
    expect([
      ...interventionFieldsNeeded(itemChanges([psych], [{ ...psych, discipline: 'education' }])),
    ]).toEqual(['interventions']);
    expect([...interventionFieldsNeeded(itemChanges([item()], []))]).toEqual(['interventions']);
  });

  it('compares needs assessments', () => {
    expect(
      needsDifference(
        [
          { code: 'ideology', priority: 'high' },
          { code: 'family', priority: 'low' },
        ],
        [
          { code: 'ideology', priority: 'medium' },
          { code: 'employment', priority: 'high' },
        ],
      ),
    ).toEqual({
      added: ['employment'],
      resolved: ['family'],
      changed: [{ code: 'ideology', from: 'high', to: 'medium' }],
    });
  });
});
