/**
 * Two versions of a plan's programme side by side: goals and interventions matched by id, each
 * pair with the names of the fields that differ. Pure; the page lays the pairs out in columns.
 */

/** The fields compared, in the order shown. */
export const GOAL_FIELDS = ['needCode', 'description', 'priority', 'targetDate', 'status'] as const;
export const INTERVENTION_FIELDS = [
  'catalogueCode',
  'goalIds',
  'frequency',
  'plannedStart',
  'plannedEnd',
  'responsibleStaff',
  'provider',
  'location',
  'status',
  'consent',
] as const;

export interface Compared<T> {
  id: string;
  before: T | undefined;
  after: T | undefined;
  /** added | removed | changed | unchanged */
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  /** The fields that differ (for a changed pair). */
  fields: string[];
  /** Whether the item moved to another place in the list. */
  moved: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Pairs of items by id, in the newer order, with the removed ones where they used to be. */
export function compareItems<T extends { id: string }>(
  before: T[],
  after: T[],
  compared: readonly string[],
): Compared<T>[] {
  const old = new Map(before.map((item, index) => [item.id, { item, index }]));
  const kept = new Set(after.map((item) => item.id));
  const rows: Compared<T>[] = [];
  const oldOrder = before.filter((item) => kept.has(item.id)).map((item) => item.id);
  const newOrder = after.filter((item) => old.has(item.id)).map((item) => item.id);
  const pushRemovedBefore = (limit: number) => {
    for (const [id, { item, index }] of old) {
      if (index >= limit || kept.has(id) || rows.some((r) => r.id === id)) continue;
      rows.push({
        id,
        before: item,
        after: undefined,
        change: 'removed',
        fields: [],
        moved: false,
      });
    }
  };
  for (const item of after) {
    const previous = old.get(item.id);
    if (previous) pushRemovedBefore(previous.index);
    if (!previous) {
      rows.push({
        id: item.id,
        before: undefined,
        after: item,
        change: 'added',
        fields: [],
        moved: false,
      });
      continue;
    }
    const fields = compared.filter(
      (field) =>
        !same(
          (previous.item as Record<string, unknown>)[field],
          (item as Record<string, unknown>)[field],
        ),
    );
    const moved = oldOrder.indexOf(item.id) !== newOrder.indexOf(item.id);
    rows.push({
      id: item.id,
      before: previous.item,
      after: item,
      change: fields.length > 0 || moved ? 'changed' : 'unchanged',
      fields,
      moved,
    });
  }
  pushRemovedBefore(Number.POSITIVE_INFINITY);
  return rows;
}
