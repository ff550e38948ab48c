import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { derivableCells } from './support/derivable-cells.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Cell {
  value: number | null;
  suppressed: boolean;
}
interface Table {
  key: string;
  complaintsCounted?: string;
  categories: string[];
  rows: { facilityId: string; period: string; cells: Cell[]; total: Cell }[];
  totals: Cell[];
  grandTotal: Cell;
}

const MONTHS = ['2026-01', '2026-02', '2026-03'];
const TYPES = ['separation', 'solitary_confinement', 'special_regime'];
const OUTCOMES = ['justified', 'unjustified', 'pending'];
const QUERY = '/api/v1/statistics?period=month&from=2026-01-01&to=2026-03-31';
/** Complaint subjects seeded by the property test, one count each per facility and month. */
const SUBJECTS = ['treatment_by_staff', 'conditions', 'other'];
const COMPLAINT_TABLES = [
  'complaints_by_subject',
  'complaints_answered_by_outcome',
  'complaints_answered_on_time',
  'ill_treatment_allegations',
];

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

  /**
   * Writes `counts[facility][month][category]` measures and grants, and complaints made to staff
   * by subject (`SUBJECTS`), straight to the database; with them, six confidential complaints per
   * facility and month, which a supervisor's statistics never count.
   */
  async function seed(
    facilities: TestFacility[],
    measures: number[][][],
    grants: number[][][],
    staffComplaints?: number[][][],
  ): Promise<string[]> {
    const prisonerIds: string[] = [];
    for (const [i, facility] of facilities.entries()) {
      const prisoner = await f.prisoner(facility);
      prisonerIds.push(prisoner.id, prisoner.prisonNumber, prisoner.familyName);
      for (const [m, month] of MONTHS.entries()) {
        if (staffComplaints) {
          const [treatment, conditions, other] = staffComplaints[i][m];
          const receivedOn = `${month}-08`;
          // Ill-treatment alleged, referred the next day, answered in time.
          await complaints(prisoner, facility, {
            n: treatment,
            receivedOn,
            subject: 'treatment_by_staff',
            illTreatment: true,
            referredOn: `${month}-09`,
            answeredOn: `${month}-20`,
            outcome: 'not_upheld',
          });
          // Answered after the day due (the 22nd).
          await complaints(prisoner, facility, {
            n: conditions,
            receivedOn,
            subject: 'conditions',
            answeredOn: `${month}-25`,
          });
          // Ill-treatment alleged, neither referred nor answered.
          await complaints(prisoner, facility, {
            n: other,
            receivedOn,
            subject: 'other',
            illTreatment: true,
          });
          await complaints(prisoner, facility, {
            n: 6,
            receivedOn,
            subject: 'other',
            confidential: true,
            illTreatment: true,
            referredOn: `${month}-12`,
            answeredOn: `${month}-26`,
          });
        }
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

  interface ComplaintSeed {
    n: number;
    receivedOn: string;
    subject?: string;
    confidential?: boolean;
    illTreatment?: boolean;
    /** Answered that day (at noon UTC), `upheld` unless `outcome` says. */
    answeredOn?: string;
    outcome?: string;
    /** Due by (default: 14 days after receipt). */
    respondBy?: string;
    /** Referred to an outside authority that day. */
    referredOn?: string;
  }

  /** Writes `n` complaints about `prisoner`, straight to the database (content is never counted). */
  async function complaints(prisoner: TestPrisoner, facility: TestFacility, c: ComplaintSeed) {
    const channel = c.confidential ? 'inspector' : 'staff';
    await t.db.query(
      `WITH c AS (
         INSERT INTO complaint (prisoner_id, facility_id, received_on, made_by, channel, subject,
           alleges_ill_treatment, confidential, words, assigned_to, respond_by, outcome, response,
           answered_by, answered_at, recorded_by)
         SELECT $1::uuid, $2::uuid, $3::date, 'prisoner', $4::text, $5::text, $6::boolean,
           $4::text = 'inspector', 'Words of the complaint', $7::uuid,
           COALESCE($8::date, $3::date + 14),
           CASE WHEN $9::date IS NULL THEN NULL ELSE $10::text END,
           CASE WHEN $9::date IS NULL THEN NULL ELSE 'The answer' END,
           CASE WHEN $9::date IS NULL THEN NULL ELSE $7::uuid END,
           ($9::date + time '12:00') AT TIME ZONE 'UTC', $7::uuid
         FROM generate_series(1, $11::int)
         RETURNING id)
       INSERT INTO complaint_referral (complaint_id, authority, authority_name, referred_on, recorded_by)
       SELECT c.id, 'prosecutor', 'Regional prosecutor', $12::date, $7 FROM c WHERE $12::date IS NOT NULL`,
      [
        prisoner.id,
        facility.id,
        c.receivedOn,
        channel,
        c.subject ?? 'conditions',
        c.illTreatment ?? false,
        officer.id,
        c.respondBy ?? null,
        c.answeredOn ?? null,
        c.outcome ?? 'upheld',
        c.n,
        c.referredOn ?? null,
      ],
    );
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
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(counts(n), counts(n), counts(n))),
        async ([measures, grants, staffComplaints]) => {
          const facilities = await Promise.all(measures.map(() => f.facility()));
          const supervisor = await f.user(['supervisor'], facilities);
          const identifying = await seed(facilities, measures, grants, staffComplaints);
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
          // Complaints: made to staff only, in the supervisor's statistics.
          const table = (key: string) => (res.body.tables as Table[]).find((x) => x.key === key)!;
          for (const key of COMPLAINT_TABLES)
            expect(table(key).complaintsCounted).toBe('made_to_staff');
          const bySubject = table('complaints_by_subject');
          for (const row of bySubject.rows) {
            const i = facilities.findIndex((x) => x.id === row.facilityId);
            const mth = MONTHS.indexOf(row.period);
            row.cells.forEach((c, k) => {
              const subject = SUBJECTS.indexOf(bySubject.categories[k]);
              if (!c.suppressed)
                expect(c.value).toBe(subject < 0 ? 0 : staffComplaints[i][mth][subject]);
            });
          }
          const sum = (k: number) => staffComplaints.flat().reduce((a, counts) => a + counts[k], 0);
          // A total shown is right (one withheld may be any count: secondary suppression).
          const expectTotal = (cell: Cell, expected: number) => {
            if (!cell.suppressed) expect(cell.value).toBe(expected);
          };
          expectTotal(bySubject.grandTotal, sum(0) + sum(1) + sum(2));
          expectTotal(table('complaints_answered_by_outcome').grandTotal, sum(0) + sum(1));
          expectTotal(table('complaints_answered_on_time').grandTotal, sum(0) + sum(1));
          expectTotal(table('ill_treatment_allegations').grandTotal, sum(0) + sum(2));
          const column = (key: string, category: string) =>
            table(key).totals[table(key).categories.indexOf(category)];
          expectTotal(column('complaints_answered_by_outcome', 'not_upheld'), sum(0));
          expectTotal(column('complaints_answered_by_outcome', 'upheld'), sum(1));
          expectTotal(column('complaints_answered_on_time', 'on_time'), sum(0));
          expectTotal(column('complaints_answered_on_time', 'late'), sum(1));
          expectTotal(column('ill_treatment_allegations', 'referred_within_1_day'), sum(0));
          expectTotal(column('ill_treatment_allegations', 'referred_later'), 0);
          expectTotal(column('ill_treatment_allegations', 'not_referred'), sum(2));
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

  it('counts complaints by subject, outcome, lateness and referral at the facility that held the prisoner then', async () => {
    const before = await f.facility();
    const after = await f.facility();
    const supervisor = await f.user(['supervisor'], [before, after]);
    const prisoner = await f.prisoner(after);
    // Held at `before` from January, transferred to `after` on 2 March.
    await t.db.query(`DELETE FROM prisoner_facility_history WHERE prisoner_id = $1`, [prisoner.id]);
    await t.db.query(
      `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, from_at, to_at, reason, recorded_by)
       VALUES ($1, $2, '2026-01-05T09:00:00Z', '2026-03-02T09:00:00Z', 'admission', $4),
              ($1, $3, '2026-03-02T09:00:00Z', NULL, 'transfer', $4)`,
      [prisoner.id, before.id, after.id, officer.id],
    );
    // Received in February at `before`; answered there (on time or late), or in March at
    // `after`, late. Every answered row has five or more on time and late, so both show.
    const received = { receivedOn: '2026-02-10', respondBy: '2026-02-24' };
    await complaints(prisoner, after, {
      ...received,
      n: 6,
      subject: 'treatment_by_staff',
      answeredOn: '2026-02-20',
      outcome: 'partly_upheld',
    });
    await complaints(prisoner, after, {
      ...received,
      n: 7,
      subject: 'treatment_by_staff',
      answeredOn: '2026-03-05',
      outcome: 'not_upheld',
    });
    await complaints(prisoner, after, {
      ...received,
      n: 5,
      subject: 'health_care',
      answeredOn: '2026-02-27',
      outcome: 'withdrawn',
    });
    // Received and answered in time at `after`, after the transfer.
    await complaints(prisoner, after, {
      n: 5,
      receivedOn: '2026-03-03',
      subject: 'family_contact',
      answeredOn: '2026-03-10',
      outcome: 'upheld',
    });
    // Ill-treatment: referred the day after, a week after, not at all; and two (too few to show).
    await complaints(prisoner, after, {
      ...received,
      n: 5,
      illTreatment: true,
      referredOn: '2026-02-11',
    });
    await complaints(prisoner, after, {
      ...received,
      n: 6,
      illTreatment: true,
      referredOn: '2026-02-17',
    });
    await complaints(prisoner, after, { ...received, n: 8, illTreatment: true });
    await complaints(prisoner, after, { n: 2, receivedOn: '2026-01-20', subject: 'other' });

    const res = await t.http.get(QUERY).set('authorization', supervisor.auth).expect(200);
    const tables = res.body.tables as Table[];
    const cell = (key: string, facilityId: string, period: string, category: string) => {
      const table = tables.find((x) => x.key === key)!;
      const row = table.rows.find((r) => r.facilityId === facilityId && r.period === period)!;
      return category === 'total' ? row.total : row.cells[table.categories.indexOf(category)];
    };
    const shown = (value: number) => ({ value, suppressed: false });

    // Received: by subject, at the facility that held the prisoner on the day.
    expect(tables.find((x) => x.key === 'complaints_by_subject')!.categories).toEqual([
      'treatment_by_staff',
      'conditions',
      'restrictive_measure',
      'assessment_or_plan',
      'programme_access',
      'health_care',
      'family_contact',
      'other',
    ]);
    expect(cell('complaints_by_subject', before.id, '2026-02', 'treatment_by_staff')).toEqual(
      shown(13),
    );
    expect(cell('complaints_by_subject', before.id, '2026-02', 'health_care')).toEqual(shown(5));
    expect(cell('complaints_by_subject', before.id, '2026-02', 'conditions')).toEqual(shown(19));
    expect(cell('complaints_by_subject', before.id, '2026-02', 'total')).toEqual(shown(37));
    expect(cell('complaints_by_subject', after.id, '2026-02', 'total').value ?? 0).toBe(0);
    // Two in January: withheld, and so is what would give them away.
    expect(cell('complaints_by_subject', before.id, '2026-01', 'other').suppressed).toBe(true);
    expect(cell('complaints_by_subject', before.id, '2026-01', 'total').suppressed).toBe(true);

    // Answered: by the day answered, where the prisoner was that day.
    expect(cell('complaints_answered_by_outcome', before.id, '2026-02', 'partly_upheld')).toEqual(
      shown(6),
    );
    expect(cell('complaints_answered_by_outcome', after.id, '2026-03', 'not_upheld')).toEqual(
      shown(7),
    );
    expect(cell('complaints_answered_by_outcome', before.id, '2026-02', 'withdrawn')).toEqual(
      shown(5),
    );
    expect(cell('complaints_answered_by_outcome', after.id, '2026-03', 'upheld')).toEqual(shown(5));
    expect(cell('complaints_answered_on_time', before.id, '2026-02', 'on_time')).toEqual(shown(6));
    expect(cell('complaints_answered_on_time', before.id, '2026-02', 'late')).toEqual(shown(5));
    expect(cell('complaints_answered_on_time', after.id, '2026-03', 'late')).toEqual(shown(7));
    expect(cell('complaints_answered_on_time', after.id, '2026-03', 'on_time')).toEqual(shown(5));
    expect(cell('complaints_answered_on_time', after.id, '2026-02', 'total').value ?? 0).toBe(0);

    // Ill-treatment allegations: received, and how soon they were referred.
    expect(cell('ill_treatment_allegations', before.id, '2026-02', 'total')).toEqual(shown(19));
    expect(
      cell('ill_treatment_allegations', before.id, '2026-02', 'referred_within_1_day'),
    ).toEqual(shown(5));
    expect(cell('ill_treatment_allegations', before.id, '2026-02', 'referred_later')).toEqual(
      shown(6),
    );
    expect(cell('ill_treatment_allegations', before.id, '2026-02', 'not_referred')).toEqual(
      shown(8),
    );

    const csv = await t.http
      .get(`/api/v1/statistics/export?format=csv&period=month&from=2026-01-01&to=2026-03-31`)
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(csv.text).toContain(
      `"complaints_by_subject","${before.code}","2026-02","treatment_by_staff","13"`,
    );
    expect(csv.text).toContain(
      `"ill_treatment_allegations","${before.code}","2026-02","not_referred","8"`,
    );
  });

  it('counts confidential complaints in an inspector’s statistics only, and audits no counts', async () => {
    const facility = await f.facility();
    const supervisor = await f.user(['supervisor'], [facility]);
    const security = await f.user(['security_officer'], [facility]);
    const inspector = await f.inspector([facility]);
    const prisoner = await f.prisoner(facility);
    const day = new Date().toISOString().slice(0, 10);
    const record = (user: TestUser, allegesIllTreatment: boolean) =>
      t.http
        .post(`/api/v1/prisoners/${prisoner.id}/complaints`)
        .set('authorization', user.auth)
        .send({
          receivedOn: day,
          madeBy: 'prisoner',
          subject: 'treatment_by_staff',
          allegesIllTreatment,
          words: 'The words of the complaint',
        })
        .expect(201);
    for (let i = 0; i < 6; i++) await record(security, false);
    const complaintTables = async (user: TestUser) => {
      const res = await t.http
        .get(`/api/v1/statistics?facilityId=${facility.id}`)
        .set('authorization', user.auth)
        .expect(200);
      return (res.body.tables as Table[]).filter((x) => COMPLAINT_TABLES.includes(x.key));
    };
    const csvLines = async (user: TestUser) => {
      const res = await t.http
        .get(`/api/v1/statistics/export?format=csv&facilityId=${facility.id}`)
        .set('authorization', user.auth)
        .expect(200);
      return res.text.split('\r\n').filter((l) => /^"(complaints|ill_treatment)/.test(l));
    };
    const total = (tables: Table[], key: string, category: string) => {
      const table = tables.find((x) => x.key === key)!;
      return table.totals[table.categories.indexOf(category)];
    };

    const supervisorBefore = await complaintTables(supervisor);
    const supervisorCsvBefore = await csvLines(supervisor);
    const inspectorBefore = await complaintTables(inspector);
    expect(total(supervisorBefore, 'complaints_by_subject', 'treatment_by_staff').value).toBe(6);
    expect(total(inspectorBefore, 'complaints_by_subject', 'treatment_by_staff').value).toBe(6);
    for (const x of supervisorBefore) expect(x.complaintsCounted).toBe('made_to_staff');
    for (const x of inspectorBefore)
      expect(x.complaintsCounted).toBe('made_to_staff_and_inspectors');

    // Five confidential complaints made to the inspector, each alleging ill-treatment.
    for (let i = 0; i < 5; i++) await record(inspector, true);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM complaint WHERE prisoner_id = $1 AND confidential`,
      [prisoner.id],
    );
    expect(n).toBe(5);

    expect(await complaintTables(supervisor)).toEqual(supervisorBefore);
    expect(await csvLines(supervisor)).toEqual(supervisorCsvBefore);
    const inspectorAfter = await complaintTables(inspector);
    expect(total(inspectorAfter, 'complaints_by_subject', 'treatment_by_staff').value).toBe(11);
    expect(total(inspectorAfter, 'ill_treatment_allegations', 'not_referred')).toEqual({
      value: 5,
      suppressed: false,
    });
    expect(total(inspectorBefore, 'ill_treatment_allegations', 'not_referred').suppressed).toBe(
      true,
    );

    // The reads' audit events (one per facility) say what was asked, never what was counted.
    const events: { details: Record<string, unknown> }[] = await t.db.query(
      `SELECT details FROM audit_event
       WHERE actor_id = ANY($1::uuid[]) AND action IN ('statistics.read', 'statistics.export')`,
      [[supervisor.id, inspector.id]],
    );
    expect(events.length).toBeGreaterThanOrEqual(6);
    for (const e of events)
      expect(Object.keys(e.details).sort()).toEqual(['facilityCount', 'from', 'period', 'to']);
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
