import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { derivableCells } from './support/derivable-cells.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Cell {
  value: number | null;
  suppressed: boolean;
}
interface Table {
  key: string;
  categories: string[];
  rows: { facilityId: string; period: string; cells: Cell[]; total: Cell }[];
  totals: Cell[];
  grandTotal: Cell;
}

const MONTHS = ['2026-01', '2026-02', '2026-03'];
const TYPES = ['separation', 'solitary_confinement', 'special_regime'];
const OUTCOMES = ['justified', 'unjustified', 'pending'];
const QUERY = '/api/v1/statistics?period=month&from=2026-01-01&to=2026-03-31';

/** A table as the extended matrix the suppression works on (suppressed values read as 0). */
const matrix = (t: Table) => {
  const rows = [...t.rows.map((r) => [...r.cells, r.total]), [...t.totals, t.grandTotal]];
  return {
    values: rows.map((r) => r.map((c) => c.value ?? 0)),
    suppressed: rows.map((r) => r.map((c) => c.suppressed)),
  };
};

/**
 * Statistics (Mandela Rule 10): counts by facility and period in the caller's facilities, no
 * visible count below the threshold and no suppressed count derivable from the totals, over
 * random data; CSV export; no names or prisoner ids anywhere.
 */
describe('statistics', () => {
  let t: TestApp;
  let f: Factories;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    officer = await f.user(['security_officer']);
  });
  afterAll(() => t.close());

  /** Writes `counts[facility][month][category]` measures and grants, straight to the database. */
  async function seed(
    facilities: TestFacility[],
    measures: number[][][],
    grants: number[][][],
  ): Promise<string[]> {
    const prisonerIds: string[] = [];
    for (const [i, facility] of facilities.entries()) {
      const prisoner = await f.prisoner(facility);
      prisonerIds.push(prisoner.id, prisoner.prisonNumber, prisoner.familyName);
      for (const [m, month] of MONTHS.entries()) {
        for (const [k, type] of TYPES.entries()) {
          await t.db.query(
            `INSERT INTO restrictive_measure (prisoner_id, facility_id, type, legal_basis, reason,
               authorised_by_name, authorised_by_position, starts_on, planned_end_on, ended_on,
               end_reason, family_contact, next_review_on, recorded_by)
             SELECT $1, $2, $3, 'Law', 'Reason', 'Name', 'Post', $4::date, $4::date + 3,
               $4::date + 3, 'Ended', 'unrestricted', $4::date + 2, $5
             FROM generate_series(1, $6)`,
            [prisoner.id, facility.id, type, `${month}-10`, officer.id, measures[i][m][k]],
          );
        }
        for (const [k, outcome] of OUTCOMES.entries()) {
          await t.db.query(
            `INSERT INTO emergency_access (user_id, prisoner_id, facility_id, reason, granted_at,
               expires_at, reviewed_by, reviewed_at, outcome, review_note)
             SELECT $1, $2, $3, 'Reason for the grant', $4::timestamptz, $4::timestamptz + interval '4 hours',
               CASE WHEN $5 = 'pending' THEN NULL ELSE $1::uuid END,
               CASE WHEN $5 = 'pending' THEN NULL ELSE $4::timestamptz + interval '1 day' END,
               CASE WHEN $5 = 'pending' THEN NULL ELSE $5 END,
               CASE WHEN $5 = 'pending' THEN NULL ELSE 'Checked' END
             FROM generate_series(1, $6)`,
            [
              officer.id,
              prisoner.id,
              facility.id,
              `${month}-12T10:00:00Z`,
              outcome,
              grants[i][m][k],
            ],
          );
        }
      }
    }
    return prisonerIds;
  }

  const counts = (facilities: number) =>
    fc.array(
      fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }), {
        minLength: 3,
        maxLength: 3,
      }),
      { minLength: facilities, maxLength: facilities },
    );

  it('never shows a count below the threshold nor lets a suppressed one be derived (random data)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(counts(n), counts(n))),
        async ([measures, grants]) => {
          const facilities = await Promise.all(measures.map(() => f.facility()));
          const supervisor = await f.user(['supervisor'], facilities);
          const identifying = await seed(facilities, measures, grants);
          const res = await t.http.get(QUERY).set('authorization', supervisor.auth);
          expect(res.status).toBe(200);
          expect(res.body.threshold).toBe(5);
          const text = JSON.stringify(res.body);
          for (const id of identifying) expect(text).not.toContain(id);
          for (const table of res.body.tables as Table[]) {
            expect(table.rows).toHaveLength(facilities.length * MONTHS.length);
            const m = matrix(table);
            m.suppressed.forEach((row, r) =>
              row.forEach((s, c) => {
                if (!s) expect(m.values[r][c]).toBeGreaterThanOrEqual(5);
              }),
            );
            expect(derivableCells(m)).toEqual([]);
          }
          // What is shown is right.
          const byType = (res.body.tables as Table[]).find(
            (x) => x.key === 'restrictive_measures_by_type',
          )!;
          for (const row of byType.rows) {
            const i = facilities.findIndex((x) => x.id === row.facilityId);
            const mth = MONTHS.indexOf(row.period);
            row.cells.forEach((c, k) => {
              const type = TYPES.indexOf(byType.categories[k]);
              if (!c.suppressed) expect(c.value).toBe(measures[i][mth][type]);
            });
          }
          const grantsTable = (res.body.tables as Table[]).find(
            (x) => x.key === 'emergency_access_by_outcome',
          )!;
          const total = grants.flat(2).reduce((a, b) => a + b, 0);
          if (!grantsTable.grandTotal.suppressed) expect(grantsTable.grandTotal.value).toBe(total);
          else expect(total).toBeLessThan(5);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('is scoped to the caller’s facilities and exports CSV with suppression marked', async () => {
    const mine = await f.facility();
    const theirs = await f.facility();
    const supervisor = await f.user(['supervisor'], [mine]);
    const identifying = await seed(
      [mine, theirs],
      [
        [
          [7, 2, 0],
          [6, 6, 6],
          [0, 0, 0],
        ],
        [
          [9, 9, 9],
          [9, 9, 9],
          [9, 9, 9],
        ],
      ],
      [
        [
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    );
    const res = await t.http.get(QUERY).set('authorization', supervisor.auth);
    const facilities = new Set(
      (res.body.tables as Table[]).flatMap((x) => x.rows.map((r) => r.facilityId)),
    );
    expect([...facilities]).toEqual([mine.id]);
    const other = await t.http
      .get(`${QUERY}&facilityId=${theirs.id}`)
      .set('authorization', supervisor.auth);
    expect(other.status).toBe(404);

    const csv = await t.http
      .get(`/api/v1/statistics/export?format=csv&period=quarter&from=2026-01-01&to=2026-03-31`)
      .set('authorization', supervisor.auth);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('"table","facility","period","category","count"');
    expect(lines).toContain(
      `"restrictive_measures_by_type","${mine.code}","2026-Q1","separation","13"`,
    );
    expect(lines).toContain(
      `"emergency_access_by_outcome","${mine.code}","2026-Q1","justified","suppressed"`,
    );
    for (const id of identifying) expect(csv.text).not.toContain(id);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event
       WHERE actor_id = $1 AND action = 'statistics.export' AND facility_id = $2`,
      [supervisor.id, mine.id],
    );
    expect(n).toBe(1);

    for (const role of ['psychologist', 'pve_inspector', 'security_officer'] as const) {
      const user = await f.user([role], [mine]);
      expect((await t.http.get(QUERY).set('authorization', user.auth)).status).toBe(403);
    }
  });

  it('counts what happened before a transfer at the facility that held the prisoner then', async () => {
    const before = await f.facility();
    const after = await f.facility();
    const supervisor = await f.user(['supervisor'], [before, after]);
    const psychologist = await f.user(['psychologist'], [before]);
    for (let i = 0; i < 6; i++) {
      const prisoner = await f.prisoner(after);
      // Held at `before` from January, assessed there in February, transferred in March.
      await t.db.query(`DELETE FROM prisoner_facility_history WHERE prisoner_id = $1`, [
        prisoner.id,
      ]);
      await t.db.query(
        `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, from_at, to_at, reason, recorded_by)
         VALUES ($1, $2, '2026-01-05T09:00:00Z', '2026-03-02T09:00:00Z', 'admission', $4),
                ($1, $3, '2026-03-02T09:00:00Z', NULL, 'transfer', $4)`,
        [prisoner.id, before.id, after.id, officer.id],
      );
      await t.db.query(`UPDATE assessment SET created_at = '2026-02-10T10:00:00Z' WHERE id = $1`, [
        await f.openAssessment(prisoner, psychologist),
      ]);
    }
    const res = await t.http.get(QUERY).set('authorization', supervisor.auth).expect(200);
    const table = (res.body.tables as Table[]).find((x) => x.key === 'assessments_by_status')!;
    const draft = table.categories.indexOf('draft');
    const cell = (facilityId: string, period: string) =>
      table.rows.find((r) => r.facilityId === facilityId && r.period === period)!.cells[draft];
    expect(cell(before.id, '2026-02')).toEqual({ value: 6, suppressed: false });
    expect(cell(after.id, '2026-02').value ?? 0).toBe(0);
  });

  it('refuses a range the wrong way round or too long', async () => {
    const supervisor = await f.user(['supervisor'], [await f.facility()]);
    const backwards = await t.http
      .get('/api/v1/statistics?from=2026-03-01&to=2026-01-01')
      .set('authorization', supervisor.auth);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('from');
    const long = await t.http
      .get('/api/v1/statistics?from=2000-01-01&to=2026-01-01')
      .set('authorization', supervisor.auth);
    expect(long.status).toBe(400);
  });
});
