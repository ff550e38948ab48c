import { describe, expect, it } from '@jest/globals';
import { applyRegister, displayValue, elementsOf, type CopyRecord } from './copy.js';

const records: CopyRecord[] = [
  {
    type: 'assessment',
    id: 'a1',
    date: '2026-01-01',
    fields: [
      { name: 'finalRiskLevel', value: 'moderate', clinical: false },
      { name: 'formulation', value: 'Informant X reported ...', clinical: true },
    ],
  },
  {
    type: 'disclosure',
    id: 'd1',
    date: '2026-02-01',
    fields: [{ name: 'recipient', value: 'Police', clinical: false }],
  },
];

describe('subject-access copy', () => {
  it('lists every record and field as an element', () => {
    expect([...elementsOf(records)].sort()).toEqual([
      'assessment/a1',
      'assessment/a1/finalRiskLevel',
      'assessment/a1/formulation',
      'disclosure/d1',
      'disclosure/d1/recipient',
    ]);
  });

  it('blanks redacted fields and empties withheld records, naming the ground', () => {
    const out = applyRegister(records, [
      { element: 'assessment/a1/formulation', ground: 'informant_identity' },
      { element: 'disclosure/d1', ground: 'ongoing_investigation' },
    ]);
    expect(out[0].withheld).toBeNull();
    expect(out[0].fields).toEqual([
      {
        name: 'finalRiskLevel',
        element: 'assessment/a1/finalRiskLevel',
        value: 'moderate',
        redacted: null,
      },
      {
        name: 'formulation',
        element: 'assessment/a1/formulation',
        value: null,
        redacted: 'informant_identity',
      },
    ]);
    expect(out[1]).toMatchObject({ withheld: 'ongoing_investigation', fields: [] });
    expect(JSON.stringify(out)).not.toContain('Informant X');
  });

  it('shows structured values as text', () => {
    expect(displayValue([{ code: 'ideology', priority: 'high' }, { code: 'family' }])).toBe(
      'code: ideology; priority: high\ncode: family',
    );
    expect(displayValue(3)).toBe('3');
    expect(displayValue(null)).toBeNull();
  });
});
