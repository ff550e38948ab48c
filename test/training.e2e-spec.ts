import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { TrainingService } from '../src/training/training.service.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Reference {
  reference: {
    ratings: Record<string, { value?: string; notRated?: boolean; reason?: string }>;
    finalJudgement: { level?: string };
  };
}

const reference = (key: string): Reference =>
  parse(readFileSync(`rule-sets/practice-cases/${key}@1.0.0.yaml`, 'utf8')) as Reference;

/** Ratings as a trainee sends them: the given values, with the evidence the instrument asks for. */
function ratingsFrom(values: Record<string, { value?: string; notRated?: boolean }>) {
  return Object.fromEntries(
    Object.entries(values).map(([item, r]) => [
      item,
      r.notRated
        ? { notRated: true, reason: 'Not in the case file' }
        : r.value === 'low'
          ? { value: 'low' }
          : {
              value: r.value,
              evidenceFor: 'From the interview extracts',
              evidenceAgainst: 'Nothing recorded against',
              sources: ['interview', 'file_review'],
              reliability: 'medium',
            },
    ]),
  );
}

describe('training and calibration (issue 15)', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let trainee: TestUser;
  let other: TestUser;
  let supervisor: TestUser;
  let cases: { id: string; key: string; instrument: { key: string } }[];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility();
    trainee = await f.user(['psychologist'], [home]);
    other = await f.user(['psychologist'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
  });
  afterAll(() => t.close());

  const api = (user: TestUser) => ({
    get: (path: string) => t.http.get(`/api/v1${path}`).set('authorization', user.auth),
    post: (path: string, body?: object, version?: number) => {
      const req = t.http.post(`/api/v1${path}`).set('authorization', user.auth);
      if (version !== undefined) req.set('if-match', `"${version}"`);
      return body ? req.send(body) : req;
    },
    patch: (path: string, body: object, version: number) =>
      t.http
        .patch(`/api/v1${path}`)
        .set('authorization', user.auth)
        .set('if-match', `"${version}"`)
        .send(body),
  });

  const caseId = (key: string) => cases.find((c) => c.key === key)!.id;

  async function rateAndSubmit(
    key: string,
    values: Record<string, { value?: string; notRated?: boolean }>,
    finalLevel: string,
  ) {
    const started = await api(trainee)
      .post(`/training/cases/${caseId(key)}/attempts`)
      .expect(201);
    const edited = await api(trainee)
      .patch(
        `/training/attempts/${started.body.id}`,
        {
          ratings: ratingsFrom(values),
          finalLevel,
          finalRationale: 'Weighed intent, capability and protective factors',
        },
        started.body.version,
      )
      .expect(200);
    return api(trainee)
      .post(`/training/attempts/${started.body.id}/submit`, undefined, edited.body.version)
      .expect(200);
  }

  it('imports the three fictional practice cases at start-up and lists them without references', async () => {
    const list = await api(trainee).get('/training/cases').expect(200);
    cases = list.body;
    expect(cases.map((c) => c.key)).toEqual([
      've-needs-practice-01',
      've-risk-spj-practice-01',
      've-risk-spj-practice-02',
    ]);
    const detail = await api(trainee).get(`/training/cases/${caseId('ve-risk-spj-practice-01')}`);
    expect(detail.status).toBe(200);
    expect(detail.body.notice).toMatch(/Fictional training case/);
    expect(detail.body.sections.length).toBeGreaterThan(3);
    expect(JSON.stringify(detail.body)).not.toMatch(/reasoning|finalJudgement/);
    const [row] = await t.db.query(
      `SELECT content_sha256 FROM training_rule_set_version WHERE key = 've-risk-spj-practice-01'`,
    );
    expect(detail.body.sha256).toBe(row.content_sha256);
  });

  it('re-imports unchanged files as a no-op and refuses a changed case without a new version', async () => {
    const training = t.app.get(TrainingService);
    const origin = { requestId: 'test', ip: 'local' };
    expect(await training.importDirectory(origin, resolve('rule-sets'))).toEqual({
      imported: [],
      unchanged: 4,
      errors: [],
    });
    const dir = mkdtempSync(join(tmpdir(), 'vep-training-rule-sets-'));
    try {
      cpSync(resolve('rule-sets'), dir, { recursive: true });
      const file = join(dir, 'practice-cases/ve-risk-spj-practice-01@1.0.0.yaml');
      const doc = parse(readFileSync(file, 'utf8'));
      doc.title = 'Practice case 1, retitled';
      writeFileSync(file, stringify(doc));
      const report = await training.importDirectory(origin, dir);
      expect(report.imported).toEqual([]);
      expect(report.errors).toEqual([
        expect.objectContaining({
          file: 'practice-cases/ve-risk-spj-practice-01@1.0.0.yaml',
          code: 'version_conflict',
          message: expect.stringMatching(
            /already imported with sha256 [0-9a-f]{64}.* has [0-9a-f]{64}/,
          ),
        }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'training_rule_set.import'`,
    );
    expect(n).toBe(4);
  });

  it('an uncertified psychologist still cannot start a real ve-risk-spj assessment', async () => {
    const prisoner = await f.prisoner(home);
    const refused = await api(trainee)
      .post(`/prisoners/${prisoner.id}/assessments`, {
        instrumentKey: 've-risk-spj',
        reason: 'intake',
      })
      .expect(403);
    expect(refused.body.code).toBe('certification_required');
  });

  it('refuses ratings that do not fit the instrument, naming each field, and writes nothing', async () => {
    const started = await api(trainee)
      .post(`/training/cases/${caseId('ve-needs-practice-01')}/attempts`)
      .expect(201);
    const bad = await api(trainee)
      .patch(
        `/training/attempts/${started.body.id}`,
        { ratings: { ZZ01: { value: 'low' }, ID01: { value: 'extreme', sources: ['rumour'] } } },
        started.body.version,
      )
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'ratings.ID01.sources',
      'ratings.ID01.value',
      'ratings.ZZ01',
    ]);
    const again = await api(trainee).get(`/training/attempts/${started.body.id}`).expect(200);
    expect(again.body.version).toBe(started.body.version);
    expect(again.body.ratings).toEqual([]);
    await api(trainee)
      .post(`/training/cases/${caseId('ve-needs-practice-01')}/attempts`)
      .expect(409);
    const incomplete = await api(trainee)
      .post(`/training/attempts/${started.body.id}/submit`, undefined, again.body.version)
      .expect(422);
    expect(incomplete.body.code).toBe('not_ready');
    // Someone else's attempt does not exist for them.
    await api(other).get(`/training/attempts/${started.body.id}`).expect(404);
    await api(other)
      .patch(`/training/attempts/${started.body.id}`, { finalRationale: 'x' }, again.body.version)
      .expect(404);
  });

  it('shows item differences and agreement; certifies with evidence on meeting the rule', async () => {
    const first = reference('ve-risk-spj-practice-01').reference;
    const one = await rateAndSubmit('ve-risk-spj-practice-01', first.ratings, 'moderate');
    expect(one.body.status).toBe('submitted');
    expect(one.body.agreement.exactRate).toBe(1);
    expect(one.body.agreement.kappaLinear).toBeCloseTo(1, 10);
    expect(one.body.agreement.finalJudgement).toMatchObject({
      trainee: 'moderate',
      reference: 'moderate',
      distance: 0,
    });
    const cm07 = one.body.agreement.items.find((i: { item: string }) => i.item === 'CM07');
    expect(cm07.outcome).toBe('not_comparable');
    expect(cm07.reference.reasoning).toMatch(/not rated/);
    expect(one.body.certification).toMatchObject({ met: false, earned: false });
    expect(one.body.certification.shortfalls[0]).toMatch(/1 of 2 practice cases/);

    // Second case: three items one step off and one two steps off, final level one below.
    const second = reference('ve-risk-spj-practice-02').reference;
    const values = { ...second.ratings };
    values.BA06 = { value: 'high' };
    values.SC05 = { value: 'low' };
    values.CM04 = { value: 'high' };
    values.HC05 = { value: 'high' };
    const two = await rateAndSubmit('ve-risk-spj-practice-02', values, 'moderate');
    const differing = two.body.agreement.items.filter(
      (i: { outcome: string }) => i.outcome === 'adjacent' || i.outcome === 'differs',
    );
    expect(differing.map((i: { item: string }) => i.item).sort()).toEqual([
      'BA06',
      'CM04',
      'HC05',
      'SC05',
    ]);
    expect(differing.find((i: { item: string }) => i.item === 'HC05')).toMatchObject({
      outcome: 'differs',
      gap: 2,
      trainee: { value: 'high' },
      reference: { value: 'low' },
    });
    expect(two.body.agreement.exactRate).toBeLessThan(1);
    expect(two.body.agreement.finalJudgement.distance).toBe(1);
    expect(two.body.certification).toMatchObject({ met: true, earned: true });
    expect(two.body.certification.value).toBeGreaterThanOrEqual(0.6);

    const [cert] = await t.db.query(
      `SELECT source, rule_version, evidence, to_char(valid_until, 'YYYY-MM-DD') AS valid_until
       FROM certification WHERE user_id = $1 AND instrument_key = 've-risk-spj'`,
      [trainee.id],
    );
    expect(cert.source).toBe('earned');
    expect(cert.rule_version).toBe('1.0.0');
    expect(cert.evidence.attempts.map((a: { caseKey: string }) => a.caseKey)).toEqual([
      've-risk-spj-practice-01',
      've-risk-spj-practice-02',
    ]);
    expect(cert.evidence.value).toBeGreaterThanOrEqual(0.6);
    expect(cert.evidence.earnedOn).toBe(new Date().toISOString().slice(0, 10));
    const expected = new Date();
    expected.setUTCFullYear(expected.getUTCFullYear() + 2);
    expect(cert.valid_until).toBe(expected.toISOString().slice(0, 10));
    const [event] = await t.db.query(
      `SELECT prisoner_id, facility_id FROM audit_event WHERE action = 'certification.earn'`,
    );
    expect(event).toEqual({ prisoner_id: null, facility_id: null });

    const progress = await api(trainee).get('/training/progress').expect(200);
    expect(progress.body[0]).toMatchObject({
      instrumentKey: 've-risk-spj',
      check: { met: true },
      certification: { source: 'earned', current: true, recalibrationDue: false },
    });
  });

  it('the earned certification lets the psychologist start a real assessment', async () => {
    const prisoner = await f.prisoner(home);
    await api(trainee)
      .post(`/prisoners/${prisoner.id}/assessments`, {
        instrumentKey: 've-risk-spj',
        reason: 'intake',
      })
      .expect(201);
  });

  it('nothing of training appears in real-case lists, reviews due or case audit views', async () => {
    const assessments = await api(trainee).get('/assessments?limit=100').expect(200);
    expect(assessments.body.items).toHaveLength(1);
    const due = await api(supervisor).get('/reviews/due?limit=100').expect(200);
    expect(JSON.stringify(due.body)).not.toMatch(/practice|training/i);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event
       WHERE action LIKE 'training%' AND (prisoner_id IS NOT NULL OR facility_id IS NOT NULL)`,
    );
    expect(n).toBe(0);
    const [{ training }] = await t.db.query(
      `SELECT count(*)::int AS training FROM audit_event WHERE action LIKE 'training_attempt.%'`,
    );
    expect(training).toBeGreaterThan(4);
    const [prisoner] = await t.db.query(`SELECT id FROM prisoner LIMIT 1`);
    const caseAudit = await api(supervisor)
      .get(`/audit/events?prisonerId=${prisoner.id}&limit=100`)
      .expect(200);
    expect(
      caseAudit.body.items.filter((e: { action: string }) => /^training|earn/.test(e.action)),
    ).toEqual([]);
  });

  it('supervisors see certification status and agreement per person and item; trainees do not', async () => {
    await api(trainee).get('/training/overview').expect(403);
    await api(supervisor)
      .post(`/training/cases/${caseId('ve-risk-spj-practice-01')}/attempts`)
      .expect(403);
    const overview = await api(supervisor).get('/training/overview').expect(200);
    const person = overview.body.people.find((p: { id: string }) => p.id === trainee.id);
    expect(
      person.instruments.find((i: { instrumentKey: string }) => i.instrumentKey === 've-risk-spj'),
    ).toMatchObject({
      casesRated: 2,
      status: 'certified',
      source: 'earned',
    });
    const uncertified = overview.body.people.find((p: { id: string }) => p.id === other.id);
    expect(uncertified.instruments[0].status).toBe('not_certified');

    // Who is due to recalibrate: within the rule's notice (3 months) of the end, or past it.
    const soon = await f.user(['pve_inspector'], [home]);
    const lapsed = await f.user(['security_officer'], [home]);
    const outside = await f.user(['psychologist'], [await f.facility()]);
    await t.db.query(
      `INSERT INTO certification (user_id, instrument_key, valid_until)
       VALUES ($1, 've-risk-spj', current_date + 30), ($2, 've-risk-spj', current_date - 1),
              ($3, 've-risk-spj', current_date + 30)`,
      [soon.id, lapsed.id, outside.id],
    );
    const later = await api(supervisor).get('/training/overview').expect(200);
    const statusOf = (id: string) =>
      later.body.people
        .find((p: { id: string }) => p.id === id)
        ?.instruments.find((i: { instrumentKey: string }) => i.instrumentKey === 've-risk-spj');
    expect(statusOf(soon.id)).toMatchObject({ status: 'recalibration_due', source: 'external' });
    expect(statusOf(lapsed.id)).toMatchObject({ status: 'expired' });
    // Staff of other facilities are not the supervisor's to see.
    expect(statusOf(outside.id)).toBeUndefined();
    const worst = overview.body.items[0];
    expect(worst.exactRate).toBeLessThan(1);
    expect(['BA06', 'CM04', 'HC05', 'SC05']).toContain(worst.item);
    expect(overview.body.items.length).toBeGreaterThan(25);
  });
});
