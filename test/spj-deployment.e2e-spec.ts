import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { AppModule } from '../src/app.module.js';
import { createHttpAdapter } from '../src/configure-app.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { ruleSetsDir, SHIPPED_RULE_SETS as SHIPPED } from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { textOf, UiClient } from './ui-html/support/ui-client.js';

/**
 * Issue 12 point 8: several instruments side by side. The deployment names, per purpose, the
 * instrument (and judgement) it uses: plans take their RNR intensity from it and start from its
 * needs assessments, a new prisoner is due an intake assessment by it, and the risk timeline
 * shows it by default. A configuration the imported rule-sets cannot serve stops start-up.
 */
describe('instruments a deployment configures (issue 12 point 8)', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let a: TestFacility;
  let psychologist: TestUser;
  let second: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let versionIds: Map<string, string>;

  const CONFIG = {
    INSTRUMENT_FOR_PLAN_INTENSITY: 've-risk-spj@^1.1.0#influence',
    INSTRUMENT_FOR_PLAN_NEEDS: 've-needs',
    INSTRUMENT_FOR_INTAKE: 've-needs@^1.0.0',
    INSTRUMENT_FOR_TIMELINE: 've-risk-spj@1.1.0#custody_violence',
  };

  beforeAll(async () => {
    // The shipped rule-sets plus three other risk instruments, imported side by side.
    dir = ruleSetsDir('vep-deployment-rule-sets-');
    // Point 10: a fixture instrument whose triggers name the new event types.
    const warnings = join(dir, 'instruments/warning-behaviours@1.0.0.yaml');
    const doc = parse(readFileSync(warnings, 'utf8'));
    for (const event of ['intelligence_received', 'hunger_strike'])
      doc.review.triggers.push({
        event,
        action: event === 'hunger_strike' ? 'review' : 'reassess',
        within: 'P3D',
        description: `Reviewed within three days of ${event}.`,
      });
    writeFileSync(warnings, stringify(doc));
    // Point 10: a catalogue version whose entries declare their programme phase.
    const catalogue = parse(
      readFileSync(join(SHIPPED, 'catalogues/handbook-interventions@1.0.0.yaml'), 'utf8'),
    );
    catalogue.version = '1.1.0';
    const phases: Record<string, string> = {
      psychological_support: 'motivation',
      cognitive_behavioural: 'core_work',
      release_preparation: 'release',
    };
    for (const entry of catalogue.interventions)
      if (phases[entry.code]) entry.phase = phases[entry.code];
    writeFileSync(join(dir, 'catalogues/handbook-interventions@1.1.0.yaml'), stringify(catalogue));
    t = await createTestApp({ env: { RULE_SETS_DIR: dir, ...CONFIG } });
    f = new Factories(t);
    a = await f.facility({ code: 'DEP-A' });
    psychologist = await f.user(['psychologist'], [a]);
    second = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    const rows: { key: string; version: string; id: string }[] = await t.db.query(
      `SELECT key, version, id FROM instrument_version WHERE kind = 'instrument'`,
    );
    versionIds = new Map(rows.map((r) => [`${r.key}@${r.version}`, r.id]));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An approved assessment of exactly `key@version`, approved `daysAgo` days ago. */
  const approved = async (
    prisoner: Awaited<ReturnType<Factories['prisoner']>>,
    keyVersion: string,
    options: {
      level?: string;
      judgements?: Record<string, string>;
      daysAgo: number;
      needs?: { code: string; priority: 'high' | 'medium' | 'low' }[];
    },
  ) => {
    const [key] = keyVersion.split('@');
    const id = await f.approvedAssessment(prisoner, psychologist, second, {
      instrumentKey: key,
      finalRiskLevel: options.level,
      needs: options.needs,
      approvedAt: new Date(Date.now() - options.daysAgo * 86400_000).toISOString(),
    });
    await t.db.query(
      `UPDATE assessment SET instrument_version_id = $2, judgements = $3 WHERE id = $1`,
      [
        id,
        versionIds.get(keyVersion),
        JSON.stringify(
          Object.entries(options.judgements ?? {}).map(([code, level]) => ({
            code,
            level,
            rationale: 'Recorded for the test',
          })),
        ),
      ],
    );
    return id;
  };

  describe('start-up', () => {
    /** Boots the service on this file's database with `env`; the error it stops with. */
    const bootFailure = async (env: Record<string, string>) => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          AppModule.forRoot({
            database: { url: t.databaseUrl, embedded: false },
            env: {
              DATA_DIR: t.dataDir,
              LOG_LEVEL: 'silent',
              SEED_DEMO: 'false',
              DATABASE_POOL_SIZE: '2',
              RULE_SETS_DIR: dir,
              ...env,
            },
          }),
        ],
      })
        .compile()
        .catch((error: Error) => error);
      if (moduleRef instanceof Error) return moduleRef;
      const app = moduleRef.createNestApplication<NestFastifyApplication>(
        createHttpAdapter({ trustProxy: false }),
        { logger: false },
      );
      try {
        return await app.init().then(
          () => undefined,
          (error: Error) => error,
        );
      } finally {
        await app.close();
      }
    };

    it('refuses an instrument no imported version matches, listing what is imported', async () => {
      const failure = await bootFailure({ INSTRUMENT_FOR_INTAKE: 've-risk-spx' });
      expect(failure?.message).toContain(
        'INSTRUMENT_FOR_INTAKE=ve-risk-spx: no imported instrument version matches',
      );
      expect(failure?.message).toContain('ve-risk-spj@1.1.0');
      const range = await bootFailure({ INSTRUMENT_FOR_TIMELINE: 've-risk-spj@^2.0.0' });
      expect(range?.message).toContain(
        'INSTRUMENT_FOR_TIMELINE=ve-risk-spj@^2.0.0: no imported instrument version matches',
      );
    });

    it('refuses a judgement a matching version does not declare', async () => {
      const unknown = await bootFailure({
        INSTRUMENT_FOR_PLAN_INTENSITY: 've-risk-spj@^1.1.0#recidivism',
      });
      expect(unknown?.message).toContain(
        've-risk-spj@1.1.0 declares no judgement "recidivism" (it declares: custody_violence, influence, release_violence',
      );
      // 1.0.0 is in the range ^1.0.0 and has no judgements at all.
      const wide = await bootFailure({ INSTRUMENT_FOR_TIMELINE: 've-risk-spj@^1.0.0#influence' });
      expect(wide?.message).toContain(
        'INSTRUMENT_FOR_TIMELINE=ve-risk-spj@^1.0.0#influence: ve-risk-spj@1.0.0 declares no judgement "influence" (it declares: none)',
      );
      expect(wide?.message).not.toContain('ve-risk-spj@1.1.0 declares no judgement');
    });

    it('refuses an instrument of the wrong purpose, and a malformed value', async () => {
      const purpose = await bootFailure({ INSTRUMENT_FOR_PLAN_NEEDS: 've-risk-spj@1.1.0' });
      expect(purpose?.message).toContain(
        'INSTRUMENT_FOR_PLAN_NEEDS=ve-risk-spj@1.1.0: ve-risk-spj@1.1.0 is a risk instrument; this use needs a needs instrument',
      );
      const intensity = await bootFailure({ INSTRUMENT_FOR_PLAN_INTENSITY: 've-needs' });
      expect(intensity?.message).toContain('ve-needs@1.0.0 is a needs instrument');
      const syntax = await bootFailure({ INSTRUMENT_FOR_INTAKE: 'VE risk SPJ' });
      expect(syntax?.message).toContain('INSTRUMENT_FOR_INTAKE must name an instrument');
    });
  });

  describe('plans', () => {
    it('take their RNR intensity from the configured instrument and judgement, whatever else is newer', async () => {
      const prisoner = await f.prisoner(a);
      const needs = await approved(prisoner, 've-needs@1.0.0', {
        daysAgo: 1,
        needs: [{ code: 'ideology', priority: 'high' }],
      });
      const configured = await approved(prisoner, 've-risk-spj@1.1.0', {
        level: 'low',
        judgements: { custody_violence: 'low', influence: 'high', release_violence: 'low' },
        daysAgo: 30,
      });
      // Newer risk assessments by another instrument, and by a version outside the range.
      await approved(prisoner, 'five-domain-risk@1.0.0', { level: 'low', daysAgo: 5 });
      await approved(prisoner, 've-risk-spj@1.0.0', { level: 'low', daysAgo: 2 });
      const res = await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: needs })
        .expect(201);
      expect(res.body.riskLevel).toBe('high');
      expect(res.body.riskAssessment.id).toBe(configured);
      const cbt = res.body.interventions.find(
        (i: { catalogueCode: string }) => i.catalogueCode === 'cognitive_behavioural',
      );
      expect(cbt.intensity).toBe('Individual delivery, twice weekly where possible.');
    });

    it('have no intensity when the configured instrument was never used, even if another was', async () => {
      const prisoner = await f.prisoner(a);
      const needs = await approved(prisoner, 've-needs@1.0.0', {
        daysAgo: 1,
        needs: [{ code: 'ideology', priority: 'high' }],
      });
      await approved(prisoner, 'five-domain-risk@1.0.0', { level: 'high', daysAgo: 5 });
      const res = await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: needs })
        .expect(201);
      expect(res.body.riskLevel).toBeNull();
    });
  });

  describe('the intake due item (/reviews/due and My work)', () => {
    const intakeOf = async (prisonerId: string) => {
      const res = await t.http
        .get(`/api/v1/reviews/due?facilityId=${a.id}&limit=100`)
        .set('authorization', psychologist.auth)
        .expect(200);
      return (
        res.body.items as {
          prisonerId: string;
          reason: string;
          instrumentKey?: string;
          inProgressAssessmentId?: string;
        }[]
      ).find((i) => i.prisonerId === prisonerId && i.reason === 'intake');
    };

    it('names the configured instrument and stays until an assessment by it exists', async () => {
      const prisoner = await f.prisoner(a);
      expect(await intakeOf(prisoner.id)).toMatchObject({ instrumentKey: 've-needs' });
      // A risk assessment of any instrument does not answer it: the deployment named ve-needs.
      await approved(prisoner, 've-risk-spj@1.1.0', { level: 'low', daysAgo: 1 });
      await approved(prisoner, 'five-domain-risk@1.0.0', { level: 'low', daysAgo: 1 });
      expect(await intakeOf(prisoner.id)).toMatchObject({ instrumentKey: 've-needs' });
      const draft = await f.openAssessment(prisoner, psychologist, 'draft', 've-needs');
      expect(draft).toBeTruthy();
      expect(await intakeOf(prisoner.id)).toBeUndefined();
    });

    it('is shown on My work with the instrument', async () => {
      await f.prisoner(a, { familyName: 'Intakeperson' });
      const client = new UiClient(t);
      await client.signInAs(psychologist);
      const home = await client.get('/');
      expect(home.statusCode).toBe(200);
      const row = home.body
        .split('<tr')
        .find((r: string) => r.includes('Intakeperson') && r.includes('No assessment yet'));
      expect(row).toBeDefined();
      expect(row).toContain('ve-needs');
    });
  });

  describe('the risk timeline', () => {
    it('shows the configured instrument and versions by default; others when asked', async () => {
      const prisoner = await f.prisoner(a);
      await approved(prisoner, 've-risk-spj@1.0.0', { level: 'high', daysAgo: 40 });
      const v11 = await approved(prisoner, 've-risk-spj@1.1.0', {
        level: 'moderate',
        judgements: { custody_violence: 'high', influence: 'low', release_violence: 'low' },
        daysAgo: 20,
      });
      const other = await approved(prisoner, 'five-domain-risk@1.0.0', {
        level: 'low',
        daysAgo: 10,
      });
      const byDefault = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline`)
        .set('authorization', psychologist.auth)
        .expect(200);
      expect(byDefault.body.instrumentKey).toBe('ve-risk-spj');
      expect(byDefault.body.configuredInstrument).toEqual({
        key: 've-risk-spj',
        versionRange: '1.1.0',
        judgement: 'custody_violence',
      });
      expect(byDefault.body.entries.map((e: { assessmentId: string }) => e.assessmentId)).toEqual([
        v11,
      ]);
      const asked = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=five-domain-risk`)
        .set('authorization', psychologist.auth)
        .expect(200);
      expect(asked.body.instrumentKey).toBe('five-domain-risk');
      expect(asked.body.entries.map((e: { assessmentId: string }) => e.assessmentId)).toEqual([
        other,
      ]);
    });

    it('the risk page charts the configured judgement first, then the other instruments', async () => {
      const prisoner = await f.prisoner(a);
      await approved(prisoner, 'five-domain-risk@1.0.0', { level: 'low', daysAgo: 10 });
      await approved(prisoner, 've-risk-spj@1.1.0', {
        level: 'low',
        judgements: { custody_violence: 'high', influence: 'low', release_violence: 'low' },
        daysAgo: 20,
      });
      const client = new UiClient(t);
      await client.signInAs(psychologist);
      const page = await client.get(`/prisoners/${prisoner.id}/risk`);
      expect(page.statusCode).toBe(200);
      const text = textOf(page.body);
      const judgement = text.indexOf('Violence in custody over time');
      const other = text.indexOf('Final risk level over time: Five-domain');
      expect(judgement).toBeGreaterThan(-1);
      expect(other).toBeGreaterThan(judgement);
      // The configured chart plots the judgement (high), not the overall level (low).
      const chart = page.body.slice(page.body.indexOf('id="risk-chart-1"'));
      expect(chart.slice(0, chart.indexOf('</figure>'))).toContain('High ·');
    });
  });

  describe('events (point 10)', () => {
    it('the new event types make due what the instrument’s triggers name', async () => {
      const prisoner = await f.prisoner(a);
      const assessment = await approved(prisoner, 'warning-behaviours@1.0.0', { daysAgo: 3 });
      const recorded = await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({ type: 'intelligence_received', occurredAt: new Date().toISOString() })
        .expect(201);
      expect(recorded.body.type).toBe('intelligence_received');
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({ type: 'hunger_strike', occurredAt: new Date().toISOString() })
        .expect(201);
      // An event no instrument names is recorded but makes nothing due.
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({ type: 'separation_order', occurredAt: new Date().toISOString() })
        .expect(201);
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({ type: 'hungerstrike', occurredAt: new Date().toISOString() })
        .expect(400);
      const due = await t.http
        .get(`/api/v1/reviews/due?facilityId=${a.id}&limit=100`)
        .set('authorization', psychologist.auth)
        .expect(200);
      const items = (
        due.body.items as {
          prisonerId: string;
          reason: string;
          action: string;
          assessmentId?: string;
          event?: { type: string };
        }[]
      ).filter((i) => i.prisonerId === prisoner.id && i.reason === 'event');
      expect(
        items
          .map((i) => ({ type: i.event?.type, action: i.action, on: i.assessmentId }))
          .sort((x, y) => x.type!.localeCompare(y.type!)),
      ).toEqual([
        { type: 'hunger_strike', action: 'review', on: assessment },
        { type: 'intelligence_received', action: 'reassess', on: assessment },
      ]);
    });

    it('the event form offers the new types, labelled in the page’s language', async () => {
      const prisoner = await f.prisoner(a);
      const client = new UiClient(t);
      await client.signInAs(security);
      const en = await client.get(`/prisoners/${prisoner.id}/events/new`);
      expect(en.statusCode).toBe(200);
      expect(en.body).toContain('value="intelligence_received"');
      expect(textOf(en.body)).toContain('Hunger strike');
      expect(textOf(en.body)).toContain('Release date changed');
      const ru = await client.get(`/prisoners/${prisoner.id}/events/new`, {
        'accept-language': 'ru',
      });
      expect(textOf(ru.body)).toContain('Голодовка');
    });
  });

  describe('catalogue phases (point 10)', () => {
    it('a proposed plan is sequenced by phase, not all starting today', async () => {
      const prisoner = await f.prisoner(a);
      const needs = await approved(prisoner, 've-needs@1.0.0', {
        daysAgo: 1,
        needs: [
          { code: 'identity_belonging', priority: 'high' },
          { code: 'ideology', priority: 'high' },
          { code: 'practical_reintegration', priority: 'medium' },
        ],
      });
      const res = await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: needs })
        .expect(201);
      type Item = { catalogueCode: string; phase: string | null; plannedStart: string };
      const items = res.body.interventions as Item[];
      const byCode = Object.fromEntries(items.map((i) => [i.catalogueCode, i]));
      const today = new Date().toISOString().slice(0, 10);
      expect(byCode.psychological_support).toMatchObject({
        phase: 'motivation',
        plannedStart: today,
      });
      expect(byCode.cognitive_behavioural.phase).toBe('core_work');
      expect(byCode.cognitive_behavioural.plannedStart > today).toBe(true);
      expect(byCode.release_preparation.phase).toBe('release');
      expect(
        byCode.release_preparation.plannedStart > byCode.cognitive_behavioural.plannedStart,
      ).toBe(true);
      // Entries without a phase start at once and come first.
      const unphased = items.filter((i) => i.phase === null);
      expect(unphased.length).toBeGreaterThan(0);
      expect(unphased.every((i) => i.plannedStart === today)).toBe(true);
      const order = items.map((i) => i.phase ?? '');
      expect(order.indexOf('motivation')).toBeGreaterThan(order.lastIndexOf(''));
      expect(order.indexOf('release')).toBeGreaterThan(order.lastIndexOf('core_work'));
      // The plan page shows each intervention's phase, in the page's language.
      const client = new UiClient(t);
      await client.signInAs(pve);
      const page = await client.get(`/plans/${res.body.id}`);
      expect(page.statusCode).toBe(200);
      const text = textOf(page.body);
      expect(text).toContain('Programme phase Motivation');
      expect(text).toContain('Programme phase Preparing for release');
      const ru = await client.get(`/plans/${res.body.id}`, { 'accept-language': 'ru' });
      expect(textOf(ru.body)).toContain('Этап программы Мотивация');
    });
  });
});
