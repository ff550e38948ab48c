import { describe, expect, it } from '@jest/globals';
import { compareItems, GOAL_FIELDS } from './plan-diff.js';

const goal = (id: string, description: string, priority = 'high') => ({
  id,
  needCode: 'ideology',
  description,
  priority,
  targetDate: null,
  status: 'not_started',
});

describe('compareItems', () => {
  it('pairs items by id and names the fields that differ', () => {
    const rows = compareItems(
      [goal('a', 'Old words'), goal('b', 'Same')],
      [goal('a', 'New words', 'low'), goal('b', 'Same')],
      GOAL_FIELDS,
    );
    expect(rows.map((r) => [r.id, r.change, r.fields])).toEqual([
      ['a', 'changed', ['description', 'priority']],
      ['b', 'unchanged', []],
    ]);
  });

  it('shows added items where they now are and removed ones where they were', () => {
    const rows = compareItems(
      [goal('a', 'A'), goal('b', 'B'), goal('c', 'C')],
      [goal('a', 'A'), goal('d', 'D'), goal('c', 'C')],
      GOAL_FIELDS,
    );
    expect(rows.map((r) => [r.id, r.change])).toEqual([
      ['a', 'unchanged'],
      ['d', 'added'],
      ['b', 'removed'],
      ['c', 'unchanged'],
    ]);
    expect(rows[2].before?.description).toBe('B');
    expect(rows[2].after).toBeUndefined();
  });

  it('marks a reordered item as moved, without any field changed', () => {
    const rows = compareItems(
      [goal('a', 'A'), goal('b', 'B')],
      [goal('b', 'B'), goal('a', 'A')],
      GOAL_FIELDS,
    );
    expect(rows.map((r) => [r.id, r.change, r.moved, r.fields])).toEqual([
      ['b', 'changed', true, []],
      ['a', 'changed', true, []],
    ]);
  });

  it('lists removed items at the end when nothing follows them', () => {
    const rows = compareItems([goal('a', 'A'), goal('b', 'B')], [goal('a', 'A')], GOAL_FIELDS);
    expect(rows.map((r) => [r.id, r.change])).toEqual([
      ['a', 'unchanged'],
      ['b', 'removed'],
    ]);
  });
});
