import { describe, expect, it } from '@jest/globals';
import { RISK_1_1_FILE, mutatedFile, shippedFiles } from './fixtures/shipped.js';
import type { RuleSetFile } from './rule-set.types.js';
import { validateRuleSets } from './validate-rule-sets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function withChanged(file: string, mutate: (doc: any) => void): Promise<RuleSetFile[]> {
  const changed = await mutatedFile(file, mutate);
  return (await shippedFiles()).map((entry) => (entry.file === file ? changed : entry));
}

/** Issue 12 point 10: events instruments may name as triggers. */
describe('trigger events', () => {
  it.each([
    'intelligence_received',
    'intervention_refused',
    'disciplinary_finding',
    'self_harm',
    'hunger_strike',
    'separation_order',
    'release_date_change',
  ])('accepts a trigger on %s', async (event) => {
    const files = await withChanged(RISK_1_1_FILE, (doc) => {
      doc.review.triggers.push({
        event,
        action: 'review',
        within: 'P7D',
        description: 'Review the assessment after this event.',
      });
    });
    expect(validateRuleSets(files).errors).toEqual([]);
  });

  it('refuses a trigger naming an event the service does not record', async () => {
    const files = await withChanged(RISK_1_1_FILE, (doc) => {
      doc.review.triggers.push({
        event: 'hungerstrike',
        action: 'review',
        within: 'P7D',
        description: 'Misspelt.',
      });
    });
    const errors = validateRuleSets(files).errors;
    expect(errors.map(({ file, code }) => ({ file, code }))).toEqual([
      { file: RISK_1_1_FILE, code: 'schema' },
    ]);
    expect(errors[0].path).toMatch(/^review\.triggers\[\d+\]\.event$/);
  });
});
