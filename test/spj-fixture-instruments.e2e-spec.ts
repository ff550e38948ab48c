import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { ruleSetsDir, SHIPPED_RULE_SETS as SHIPPED } from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 12 acceptance: instruments shaped like VERA-2R (five domains plus background indicators
 * kept out of the bands), ERG22+ (engagement, intent, capability; no bands) and TRAP-18
 * (proximal and distal, present or absent, a shared flag on any proximal behaviour) load,
 * evaluate and go through the whole lifecycle with no code change. Their wording is original
 * and they are marked illustrative (test/fixtures/rule-sets). Also the shared-flag path
 * (point 4) and RNR intensity from the judgement a catalogue names (point 2).
 */
describe('fixture instruments through the whole assessment lifecycle', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let a: TestFacility;
  let author: TestUser;
  let second: TestUser;
  let security: TestUser;
  let pve: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-fixture-rule-sets-');
    // A catalogue version that takes its RNR intensity from ve-risk-spj's release judgement.
    const catalogue = parse(
      readFileSync(join(SHIPPED, 'catalogues/handbook-interventions@1.0.0.yaml'), 'utf8'),
    );
    catalogue.version = '1.1.0';
    catalogue.intensityFrom = { instrument: 've-risk-spj', judgement: 'release_violence' };
    writeFileSync(join(dir, 'catalogues/handbook-interventions@1.1.0.yaml'), stringify(catalogue));
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    a = await f.facility({ code: 'FIX-A' });
    author = await f.user(['psychologist'], [a]);
    second = await f.user(['psychologist'], [a]);
    security = await f.user(['security_officer'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    for (const user of [author, second]) await f.certify(user.id, 'five-domain-risk');
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (instrumentKey: string) => {
    const prisoner = await f.prisoner(a);
    const res = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', author.auth)
      .send({ instrumentKey, reason: 'intake' })
      .expect(201);
    return { prisoner, body: res.body };
  };
  const patch = (id: string, version: number, body: object) =>
    t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', author.auth)
      .set('if-match', String(version))
      .send(body)
      .expect(200)
      .then((res) => res.body);
  const get = (id: string, user: TestUser) =>
    t.http
      .get(`/api/v1/assessments/${id}`)
      .set('authorization', user.auth)
      .expect(200)
      .then((res) => res.body);
  const submitAndApprove = async (id: string) => {
    const submitted = await t.http
      .post(`/api/v1/assessments/${id}/submit`)
      .set('authorization', author.auth);
    expect(submitted.body.reasons ?? []).toEqual([]);
    expect(submitted.status).toBe(200);
    return (
      await t.http
        .post(`/api/v1/assessments/${id}/countersign`)
        .set('authorization', second.auth)
        .send({ decision: 'approve' })
        .expect(200)
    ).body;
  };
  const evidence = (code: string) => ({
    evidenceFor: `EVIDENCE-${code}`,
    evidenceAgainst: 'none found',
    sources: ['file_review'],
    reliability: 'medium',
  });
  const participation = { informedOn: '2026-11-01', participated: 'yes' };
  const scenario = {
    title: 'S',
    description: 'D',
    type: 'twist',
    likelyTargets: 'Staff on the wing',
    severity: 'serious',
    imminence: 'months',
    warningSigns: 'W',
    triggers: 'T',
    managementActions: 'M',
  };
  const appraisal = {
    confidence: 'low',
    informationQuality: 'Q',
    limitations: 'L',
    indexFacts: 'denies',
  };

  it('loads the three fixture instruments, marked illustrative, beside the shipped ones', async () => {
    const res = await t.http
      .get('/api/v1/instruments')
      .set('authorization', author.auth)
      .expect(200);
    const keys = res.body.map((i: { key: string }) => i.key);
    for (const key of ['five-domain-risk', 'engagement-intent-capability', 'warning-behaviours'])
      expect(keys).toContain(key);
    for (const key of ['five-domain-risk', 'engagement-intent-capability', 'warning-behaviours']) {
      const version = await t.http
        .get(`/api/v1/instruments/${key}/versions/1.0.0`)
        .set('authorization', author.auth)
        .expect(200);
      expect(version.body.definition).toMatchObject({ illustrative: true });
      expect(version.body.definition.notice).toMatch(/original wording/);
    }
  });

  it('five domains plus background indicators: the background never holds the band up', async () => {
    const { prisoner, body } = await create('five-domain-risk');
    const low = { value: 'low' };
    const high = (code: string) => ({ value: 'high', ...evidence(code) });
    const ratings = {
      BEL1: low,
      BEL2: low,
      CTX1: low,
      CTX2: low,
      ACT1: low,
      ACT2: high('ACT2'),
      COM1: low,
      COM2: low,
      PRO1: high('PRO1'),
      PRO2: high('PRO2'),
      BG1: high('BG1'),
      BG2: high('BG2'),
    };
    let a1 = await patch(body.id, 1, { ratings });
    expect(a1.indicative).toMatchObject({
      withheld: true,
      indicativeLevel: null,
      canSubmit: false,
    });
    a1 = await patch(body.id, a1.version, { provisional: { level: 'moderate' } });
    // Three high background items and no current concern: low, not moderate.
    expect(a1.indicative.indicativeLevel).toBe('low');
    // A case-specific factor rated high: in the views, never in the band (point 7).
    const factor = {
      title: 'Debt to a cell-mate',
      description: 'FACTOR-TEXT: owes money that is called in as favours',
      evidence: 'FACTOR-EVIDENCE: wing report',
      rating: 'high',
    };
    a1 = await patch(body.id, a1.version, { caseFactors: [factor] });
    expect(a1.caseFactors).toEqual([factor]);
    expect(a1.indicative.indicativeLevel).toBe('low');
    const refused = await t.http
      .patch(`/api/v1/assessments/${body.id}`)
      .set('authorization', author.auth)
      .set('if-match', String(a1.version))
      .send({ caseFactors: [{ ...factor, evidence: '', rating: 'extreme' }] })
      .expect(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'caseFactors[0].evidence',
      'caseFactors[0].rating',
    ]);
    await patch(body.id, a1.version, {
      formulation: 'F',
      scenarios: [scenario],
      appraisal,
      finalRiskLevel: 'moderate',
      finalRationale: 'The earlier violence weighs in the formulation',
      prisonerParticipation: participation,
    });
    const approved = await submitAndApprove(body.id);
    expect(approved).toMatchObject({ status: 'approved', finalRiskLevel: 'moderate' });
    const programme = await get(body.id, pve);
    // The background domain holds a clinical item: its summary stays with the clinical team.
    expect(programme.indicative.domains.map((d: { code: string }) => d.code)).not.toContain(
      'BACKGROUND',
    );
    expect(JSON.stringify(programme)).not.toContain('FACTOR');
    expect(JSON.stringify(await get(body.id, security))).not.toContain('FACTOR');
    const timeline = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=five-domain-risk`)
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(timeline.body.entries).toEqual([
      expect.objectContaining({ indicativeLevel: 'low', finalRiskLevel: 'moderate' }),
    ]);
    expect(timeline.body.entries[0].caseFactors).toBeUndefined();
    const full = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=five-domain-risk`)
      .set('authorization', second.auth)
      .expect(200);
    expect(full.body.entries[0].caseFactors).toEqual([
      { title: 'Debt to a cell-mate', rating: 'high' },
    ]);
  });

  it('engagement, intent and capability: no bands, three judgements the assessor makes', async () => {
    const { prisoner, body } = await create('engagement-intent-capability');
    let a1 = await patch(body.id, 1, {
      ratings: {
        E1: { value: 'strongly', evidenceFor: 'EVIDENCE-E1' },
        E2: { value: 'partly', evidenceFor: 'EVIDENCE-E2', relevance: 'high' },
        I1: { value: 'not_present' },
        C1: { notRated: true, reason: 'No information yet' },
      },
    });
    expect(a1.indicative).toMatchObject({ indicativeLevel: null, withheld: false });
    expect(a1.indicative.judgements).toEqual([
      { code: 'engagement', indicativeLevel: null },
      { code: 'intent', indicativeLevel: null },
      { code: 'capability', indicativeLevel: null },
    ]);
    a1 = await patch(body.id, a1.version, {
      formulation: 'Engaged through a search for meaning; no intent seen.',
      judgements: [
        { code: 'engagement', level: 'high', rationale: 'R1' },
        { code: 'intent', level: 'low', rationale: 'R2' },
        { code: 'capability', level: 'medium', rationale: 'R3' },
      ],
      prisonerParticipation: participation,
    });
    expect(a1.indicative.reasons).toEqual([]);
    await submitAndApprove(body.id);
    const view = await get(body.id, security);
    expect(view.judgementLevels.map((j: { level: string }) => j.level)).toEqual([
      'high',
      'low',
      'medium',
    ]);
    expect(JSON.stringify(view)).not.toContain('R1');
    const timeline = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=engagement-intent-capability`)
      .set('authorization', security.auth)
      .expect(200);
    expect(timeline.body.entries[0].judgements.map((j: { code: string }) => j.code)).toEqual([
      'engagement',
      'intent',
      'capability',
    ]);
  });

  it('a proximal warning behaviour on a draft reaches security at once: label and date only, an event, an audit, a review due', async () => {
    const { prisoner, body } = await create('warning-behaviours');
    const before = await get(body.id, security);
    expect(before.warnings).toEqual([]);
    let a1 = await patch(body.id, 1, {
      ratings: {
        P1: { value: 'absent' },
        P2: {
          value: 'present',
          evidenceFor: 'SECRET-EVIDENCE told a visitor',
          sources: ['third_party'],
        },
        P3: { value: 'absent' },
        D1: { value: 'present', evidenceFor: 'SECRET-D1', sources: ['interview'] },
        D2: { value: 'absent' },
      },
    });
    expect(a1.status).toBe('draft');
    const flag = a1.indicative.flags.find(
      (x: { code: string }) => x.code === 'proximal_warning_behaviour',
    );
    expect(flag).toMatchObject({
      rule: 'domains.PROXIMAL.atLeast.present >= 1',
      severity: 'critical',
    });
    expect(a1.warnings).toEqual([
      expect.objectContaining({
        code: 'proximal_warning_behaviour',
        sharedWith: ['security'],
        dueAction: 'review',
      }),
    ]);

    const seen = await get(body.id, security);
    expect(seen.view).toBe('security');
    expect(seen.warnings).toEqual([
      {
        code: 'proximal_warning_behaviour',
        label: 'A proximal warning behaviour is present',
        severity: 'critical',
        firedAt: expect.any(String),
      },
    ]);
    const text = JSON.stringify(seen);
    for (const secret of ['SECRET', 'P2', 'ratings', 'evidence'])
      expect(text).not.toContain(secret);
    expect((await get(body.id, pve)).warnings).toBeUndefined();

    // A second save does not tell anyone again.
    a1 = await patch(body.id, a1.version, { formulation: 'F' });
    const events = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/events`)
      .set('authorization', security.auth)
      .expect(200);
    expect(events.body.items).toEqual([
      expect.objectContaining({
        type: 'warning_flag',
        note: 'A proximal warning behaviour is present',
        recordedBy: expect.objectContaining({ id: author.id }),
      }),
    ]);
    const audits = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'assessment.update' AND entity_id = $1 ORDER BY seq`,
      [body.id],
    );
    expect(
      audits.map(
        (r: { details: { flagsShared?: string[] } | null }) => r.details?.flagsShared ?? null,
      ),
    ).toEqual([['proximal_warning_behaviour: told security; review due'], null]);
    expect(JSON.stringify(audits)).not.toContain('SECRET');

    // The review it made due is listed at once, whatever the horizon asked for.
    const due = await t.http
      .get(`/api/v1/reviews/due?before=2000-01-01`)
      .set('authorization', security.auth)
      .expect(200);
    expect(due.body.items).toEqual([
      expect.objectContaining({
        prisonerId: prisoner.id,
        reason: 'flag',
        action: 'review',
        instrumentKey: 'warning-behaviours',
      }),
    ]);

    await patch(body.id, a1.version, {
      judgements: [{ code: 'management_priority', level: 'active', rationale: 'R' }],
      prisonerParticipation: participation,
    });
    await submitAndApprove(body.id);
    // The approved assessment took the flag into account: the review is no longer due.
    const after = await t.http
      .get(`/api/v1/reviews/due?before=2000-01-01`)
      .set('authorization', security.auth)
      .expect(200);
    expect(after.body.items.filter((i: { reason: string }) => i.reason === 'flag')).toEqual([]);
  });

  it('a plan takes its RNR intensity from the judgement its catalogue names', async () => {
    const prisoner = await f.prisoner(a);
    const needs = await f.approvedAssessment(prisoner, author, second, {
      instrumentKey: 've-needs',
      needs: [{ code: 'ideology', priority: 'high' }],
    });
    const risk = await f.approvedAssessment(prisoner, author, second, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'low',
    });
    await t.db.query(`UPDATE assessment SET judgements = $2 WHERE id = $1`, [
      risk,
      JSON.stringify([{ code: 'release_violence', level: 'high', rationale: 'x' }]),
    ]);
    const res = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/plans`)
      .set('authorization', pve.auth)
      .send({ basedOnAssessmentId: needs })
      .expect(201);
    expect(res.body.riskLevel).toBe('high');
    const cbt = res.body.interventions.find(
      (i: { catalogueCode: string }) => i.catalogueCode === 'cognitive_behavioural',
    );
    expect(cbt.intensity).toBe('Individual delivery, twice weekly where possible.');
  });
});
