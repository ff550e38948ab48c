import { describe, expect, it } from '@jest/globals';
import { formBody, hiddenInputs, mergeEdits, openedFingerprints } from './form-body.js';

const FIELDS = ['rating', 'evidenceFor', 'sources'];

describe('mergeEdits', () => {
  const opened = { rating: '', evidenceFor: 'Seen by staff', sources: ['interview'] };
  const fingerprints = openedFingerprints(FIELDS, opened);

  it('keeps what someone else saved and applies only the fields the user edited', () => {
    const now = { rating: 'high', evidenceFor: 'Seen by staff', sources: ['interview'] };
    const yours = { rating: '', evidenceFor: 'Seen by staff twice', sources: ['interview'] };
    const { merged, changes } = mergeEdits(FIELDS, yours, now, fingerprints);
    expect(merged).toEqual({
      rating: 'high',
      evidenceFor: 'Seen by staff twice',
      sources: ['interview'],
    });
    expect(changes).toEqual([
      { field: 'rating', changedSinceOpened: true, editedByYou: false, now: 'high', yours: '' },
      {
        field: 'evidenceFor',
        changedSinceOpened: false,
        editedByYou: true,
        now: 'Seen by staff',
        yours: 'Seen by staff twice',
      },
    ]);
  });

  it('marks a field both sides changed, where the user’s edit wins when re-applied', () => {
    const now = { rating: 'high', evidenceFor: 'Theirs', sources: ['interview'] };
    const yours = { rating: '', evidenceFor: 'Mine', sources: ['interview'] };
    const { merged, changes } = mergeEdits(FIELDS, yours, now, fingerprints);
    expect(merged.evidenceFor).toBe('Mine');
    expect(changes.find((c) => c.field === 'evidenceFor')).toMatchObject({
      changedSinceOpened: true,
      editedByYou: true,
    });
  });

  it('compares lists as sets and line endings as written anywhere', () => {
    const now = { rating: '', evidenceFor: 'Seen by staff', sources: ['interview'] };
    const yours = { rating: '', evidenceFor: 'Seen by staff', sources: ['interview'] };
    expect(mergeEdits(FIELDS, yours, now, fingerprints).changes).toEqual([]);
    const two = openedFingerprints(['s', 't'], { s: ['a', 'b'], t: 'x\r\ny' });
    expect(two).toBe(openedFingerprints(['s', 't'], { s: ['b', 'a'], t: 'x\ny' }));
  });

  it('without fingerprints counts every differing field as changed by both', () => {
    const { merged, changes } = mergeEdits(FIELDS, { rating: 'low' }, { rating: 'high' }, '');
    expect(merged).toEqual({ rating: 'low', evidenceFor: '', sources: '' });
    expect(changes).toEqual([
      { field: 'rating', changedSinceOpened: true, editedByYou: true, now: 'high', yours: 'low' },
    ]);
  });
});

describe('form bodies', () => {
  it('keep only text fields, and post lists back as one input per value', () => {
    expect(formBody({ a: 'x', b: ['y', 3, 'z'], c: 4, d: { e: 1 } })).toEqual({
      a: 'x',
      b: ['y', 'z'],
    });
    expect(formBody(null)).toEqual({});
    expect(hiddenInputs({ a: 'x', b: ['y', 'z'] })).toEqual([
      { name: 'a', value: 'x' },
      { name: 'b', value: 'y' },
      { name: 'b', value: 'z' },
    ]);
  });
});
