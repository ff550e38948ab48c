import { describe, expect, it } from '@jest/globals';
import { RequestEmergencyAccessDto } from '../../emergency-access/dto/emergency-access.dto.js';
import { ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { submitForm } from './submit-form.js';

const reason = 'Threatened staff during escort; the record is needed tonight';

/** Runs one submission and says which way it went. */
async function run(input: unknown, save: () => Promise<string>) {
  const seen: { refused?: FieldError[]; done?: string; saved: number } = { saved: 0 };
  await submitForm(RequestEmergencyAccessDto, {
    input,
    save: async (value) => {
      seen.saved++;
      expect(value).toBeInstanceOf(RequestEmergencyAccessDto);
      return save();
    },
    refuse: async (errors) => {
      seen.refused = errors;
    },
    done: async (saved) => {
      seen.done = saved;
    },
  });
  return seen;
}

describe('submitForm', () => {
  it('shows the DTO’s field errors without calling the service', async () => {
    const seen = await run({ reason: 'short' }, async () => 'id');
    expect(seen.saved).toBe(0);
    expect(seen.done).toBeUndefined();
    expect(seen.refused?.map((e) => e.path)).toEqual(['reason']);
  });

  it('goes on with what the service saved', async () => {
    const seen = await run({ reason }, async () => 'new-id');
    expect(seen).toEqual({ saved: 1, done: 'new-id' });
  });

  it('shows the field errors of a problem the service threw', async () => {
    const problem = new ProblemException(422, 'validation_failed', 'Invalid', undefined, {
      errors: [{ path: 'reason', message: 'too vague' }],
    });
    const seen = await run({ reason }, () => Promise.reject(problem));
    expect(seen.refused).toEqual([{ path: 'reason', message: 'too vague' }]);
    expect(seen.done).toBeUndefined();
  });

  it('leaves any other refusal to the error pages', async () => {
    const conflict = new ProblemException(409, 'version_conflict', 'Changed');
    await expect(run({ reason }, () => Promise.reject(conflict))).rejects.toBe(conflict);
  });

  it('maps refusals with the page’s own rule when it has one', async () => {
    const problem = new ProblemException(422, 'no_reviewer', 'No reviewer');
    let refused: FieldError[] | undefined;
    await submitForm(RequestEmergencyAccessDto, {
      input: { reason },
      save: () => Promise.reject(problem),
      refuse: async (errors) => {
        refused = errors;
      },
      done: async () => undefined,
      refused: (error) => (error === problem ? [{ path: 'reviewer', message: 'x' }] : undefined),
    });
    expect(refused).toEqual([{ path: 'reviewer', message: 'x' }]);
  });
});
