import { beforeAll, describe, expect, it } from '@jest/globals';
import type { FieldError } from '../errors/problem.exception.js';
import { shippedCatalogue } from '../instruments/rule-sets/fixtures/shipped.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import type { InterventionInputDto } from './dto/update-plan.dto.js';
import { nextInterventions } from './plan-changes.js';
import {
  describeChanges,
  goalsWithDelivery,
  interventionsWithDelivery,
  itemChanges,
  type Goal,
  type PlanIntervention,
} from './plan-content.js';

describe('plan changes', () => {
  let catalogue: InterventionCatalogue;

  beforeAll(async () => {
    catalogue = await shippedCatalogue();
  });

  const goal: Goal = {
    id: 'g1',
    needCode: 'ideology',
    priority: 'high',
    description: 'Question justifications for violence',
    targetDate: null,
    status: 'not_started',
  };
  const item = (overrides: Partial<PlanIntervention> = {}): PlanIntervention => ({
    id: 'i1',
    catalogueCode: 'education',
    goalIds: ['g1'],
    discipline: 'education',
    responsibleStaffId: null,
    provider: null,
    frequency: 'P1W',
    plannedStart: '2025-01-01',
    plannedEnd: null,
    location: null,
    status: 'proposed',
    consentRequired: false,
    consent: null,
    ...overrides,
  });
  const input = (overrides: Partial<InterventionInputDto> = {}): InterventionInputDto => ({
    catalogueCode: 'faith_ideological_dialogue',
    goalIds: ['g1'],
    frequency: 'P2W',
    plannedStart: '2025-01-01',
    status: 'proposed',
    ...overrides,
  });

  describe('nextInterventions', () => {
    const next = (items: InterventionInputDto[], current: PlanIntervention[] = []) => {
      const errors: FieldError[] = [];
      const result = nextInterventions(current, items, [goal], catalogue, 'actor', errors);
      return { result, errors };
    };

    it('takes the discipline from the catalogue entry when the client sends none', () => {
      const { result, errors } = next([input()]);
      expect(errors).toEqual([]);
      expect(result[0]).toMatchObject({ discipline: 'faith_advisor', consentRequired: true });
    });

    it('accepts the catalogue’s discipline sent back, and refuses any other naming the field', () => {
      expect(next([input({ discipline: 'faith_advisor' })]).errors).toEqual([]);
      const { result, errors } = next([
        input({ catalogueCode: 'education', discipline: 'education' }),
        input({ discipline: 'psychologist' }),
      ]);
      expect(errors).toEqual([
        { path: 'interventions[1].discipline', message: expect.stringMatching(/faith_advisor/) },
      ]);
      // Even refused, nothing it returns carries the client's discipline.
      expect(result[1].discipline).toBe('faith_advisor');
    });

    it('gives an existing intervention its catalogue entry’s discipline when its code changes', () => {
      const { result } = next([input({ id: 'i1' })], [item()]);
      expect(result[0]).toMatchObject({ id: 'i1', discipline: 'faith_advisor' });
    });
  });

  describe('delivery and material parts', () => {
    it('applies only the delivery fields of a change to the current items', () => {
      const current = [item(), item({ id: 'i2', catalogueCode: 'sport', discipline: 'sport' })];
      const proposed = [
        item({ frequency: 'P2W', location: 'Library', status: 'scheduled' }),
        item({ id: 'i3', catalogueCode: 'mentoring', discipline: 'mentor' }),
      ];
      const direct = interventionsWithDelivery(current, proposed);
      expect(direct).toEqual([item({ location: 'Library', status: 'scheduled' }), current[1]]);
      const now = describeChanges(itemChanges([goal], [goal]), itemChanges(current, direct));
      expect(now).toEqual({
        changedFields: ['interventions.location', 'interventions.status'],
        material: false,
      });
      const waiting = describeChanges(itemChanges([goal], [goal]), itemChanges(direct, proposed));
      expect(waiting).toEqual({
        changedFields: ['interventions', 'interventions.frequency'],
        material: true,
      });
    });

    it('shows a pending revision with the delivery recorded since on the current revision', () => {
      const proposal = [goal, { ...goal, id: 'g2', needCode: 'education' }];
      const current = [{ ...goal, status: 'in_progress' as const, priority: 'low' as const }];
      expect(goalsWithDelivery(proposal, current)).toEqual([
        { ...goal, status: 'in_progress', priority: 'low' },
        proposal[1],
      ]);
    });
  });
});
