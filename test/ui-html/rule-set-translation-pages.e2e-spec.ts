import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { ruleSetsDir } from '../support/rule-sets-dir.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { UiClient } from './support/ui-client.js';

/**
 * Issue 12 point 9: the assessment pages show an instrument's text in the reader's language
 * where the rule-set translates it, and in the rule-set's own language where it does not
 * (test/fixtures/rule-sets: translated-risk has Russian for T1, none for T2).
 */
describe('assessment pages in the reader’s language', () => {
  let t: TestApp;
  let dir: string;
  let north: TestFacility;
  let assessor: TestUser;
  let id: string;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-translated-pages-');
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    const f = new Factories(t);
    north = await f.facility({ name: 'North facility' });
    assessor = await f.user(['psychologist'], [north]);
    const prisoner = await f.prisoner(north);
    const res = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', assessor.auth)
      .send({ instrumentKey: 'translated-risk', reason: 'intake' })
      .expect(201);
    id = res.body.id;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = async (locale: 'en' | 'ru') => {
    const c = new UiClient(t);
    await c.signInAs(assessor);
    await c.get('/');
    await c.post('/language', { locale, returnTo: '/' });
    return c;
  };

  it('shows a Russian session the Russian item text, and English where there is none', async () => {
    const ru = await client('ru');
    const t1 = await ru.get(`/assessments/${id}/items/T1`);
    expect(t1.statusCode).toBe(200);
    expect(t1.body).toContain('<html lang="ru"');
    expect(t1.body).toContain('Считает причинение вреда другим оправданным');
    expect(t1.body).toContain('Оцените высказывания и поведение за последние двенадцать месяцев.');
    expect(t1.body).toContain('Сильно выражено');
    expect(t1.body).not.toContain('Regards harming others as justified');
    const t2 = await ru.get(`/assessments/${id}/items/T2`);
    expect(t2.statusCode).toBe(200);
    expect(t2.body).toContain('Has trusted people outside the group');
    const tasks = await ru.get(`/assessments/${id}`);
    expect(tasks.statusCode).toBe(200);
    expect(tasks.body).toContain('Установки');
    expect(tasks.body).not.toContain('>Attitudes<');
  });

  it('shows the shipped risk instrument (1.1.1, the newest) in Russian to a Russian session', async () => {
    const f = new Factories(t);
    await f.certify(assessor.id, 've-risk-spj');
    const res = await t.http
      .post(`/api/v1/prisoners/${(await f.prisoner(north)).id}/assessments`)
      .set('authorization', assessor.auth)
      .send({ instrumentKey: 've-risk-spj', reason: 'intake' })
      .expect(201);
    expect(res.body.instrument.version).toBe('1.1.1');
    const ru = await client('ru');
    const item = await ru.get(`/assessments/${res.body.id}/items/BA01`);
    expect(item.statusCode).toBe(200);
    expect(item.body).toContain('Одобряет насилие как правомерный способ борьбы за идею');
    expect(item.body).toContain('Не является индикатором: сильные, непопулярные или радикальные');
    expect(item.body).toContain('Умеренная');
    expect(item.body).not.toContain('Endorses violence as a legitimate way to pursue a cause');
    const tasks = await ru.get(`/assessments/${res.body.id}`);
    expect(tasks.statusCode).toBe(200);
    expect(tasks.body).toContain('Убеждения, установки и идеология');
    expect(tasks.body).not.toContain('Beliefs, attitudes and ideology');
    const en = await client('en');
    const english = await en.get(`/assessments/${res.body.id}/items/BA01`);
    expect(english.body).toContain('Endorses violence as a legitimate way to pursue a cause');
  });

  it('shows assessments pinned to ve-risk-spj 1.1.0 and 1.0.0 in Russian where their text is 1.1.1’s, and a changed item in its own English', async () => {
    const f = new Factories(t);
    await f.certify(assessor.id, 've-risk-spj');
    const start = async (version: string) => {
      const res = await t.http
        .post(`/api/v1/prisoners/${(await f.prisoner(north)).id}/assessments`)
        .set('authorization', assessor.auth)
        .send({ instrumentKey: 've-risk-spj', instrumentVersion: version, reason: 'intake' })
        .expect(201);
      expect(res.body.instrument.version).toBe(version);
      return res.body.id as string;
    };
    const [v110, v100] = [await start('1.1.0'), await start('1.0.0')];
    const ru = await client('ru');
    // 1.1.0 carries no Russian: its item and domain text is 1.1.1's word for word, so it reads so.
    const item = await ru.get(`/assessments/${v110}/items/BA01`);
    expect(item.statusCode).toBe(200);
    expect(item.body).toContain('Одобряет насилие как правомерный способ борьбы за идею');
    expect(item.body).toContain('Не является индикатором: сильные, непопулярные или радикальные');
    expect(item.body).toContain('Умеренная');
    expect(item.body).not.toContain('Endorses violence as a legitimate way to pursue a cause');
    const tasks = await ru.get(`/assessments/${v110}`);
    expect(tasks.statusCode).toBe(200);
    expect(tasks.body).toContain('Убеждения, установки и идеология');
    expect(tasks.body).not.toContain('Beliefs, attitudes and ideology');
    // So does its print view (the PDF is made from it).
    const print = await ru.get(`/assessments/${v110}/print`);
    expect(print.statusCode).toBe(200);
    expect(print.body).toContain('Убеждения, установки и идеология');
    expect(print.body).not.toContain('Beliefs, attitudes and ideology');
    // 1.0.0: HC02 is worded as in 1.1.1 and reads in Russian; HC03 says something else there,
    // so it keeps its own English rather than the translation of a different item text.
    const hc02 = await ru.get(`/assessments/${v100}/items/HC02`);
    expect(hc02.statusCode).toBe(200);
    expect(hc02.body).toContain('Иное серьёзное насилие в прошлом');
    const hc03 = await ru.get(`/assessments/${v100}/items/HC03`);
    expect(hc03.statusCode).toBe(200);
    expect(hc03.body).toContain('Has made plans or preparations for cause-linked violence');
    expect(hc03.body).not.toContain('Планы или подготовка к насилию ради идеи');
    // The start page names every version in Russian (its title is the same in each).
    const prisoner = await f.prisoner(north);
    const startPage = await ru.get(`/prisoners/${prisoner.id}/assessments/new`);
    expect(startPage.statusCode).toBe(200);
    expect(startPage.body).not.toContain('Violent extremism risk');
    expect(startPage.body.split('Риск насильственного экстремизма').length - 1).toBe(3);
    // An English session reads 1.1.0 as written.
    const en = await client('en');
    const english = await en.get(`/assessments/${v110}/items/BA01`);
    expect(english.body).toContain('Endorses violence as a legitimate way to pursue a cause');
    expect(english.body).not.toContain('Одобряет насилие');
  });

  it('names risk levels and needs in Russian on the risk summary, the assessments and risk tabs and the plan start page', async () => {
    const f = new Factories(t);
    const prisoner = await f.prisoner(north);
    const countersigner = await f.user(['psychologist'], [north]);
    await f.approvedAssessment(prisoner, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      // 1.1.0 has no Russian of its own: its level names are 1.1.1's, which lends them.
      instrumentVersion: '1.1.0',
      finalRiskLevel: 'moderate',
    });
    await f.approvedAssessment(prisoner, assessor, countersigner, {
      needs: [{ code: 'identity_belonging', priority: 'high' }],
    });
    const ru = await client('ru');
    const summary = await ru.get(`/prisoners/${prisoner.id}/risk-summary`);
    expect(summary.statusCode).toBe(200);
    expect(summary.body).toContain('Умеренный');
    expect(summary.body).toContain('Риск насильственного экстремизма');
    expect(summary.body).not.toMatch(/>\s*Moderate\s*</);
    // So do the prisoner's assessments and risk tabs.
    for (const tab of ['assessments', 'risk']) {
      const page = await ru.get(`/prisoners/${prisoner.id}/${tab}`);
      expect([tab, page.statusCode]).toEqual([tab, 200]);
      expect([tab, page.body.includes('Умеренный')]).toEqual([tab, true]);
      expect([tab, /\bModerate\b/.test(page.body)]).toEqual([tab, false]);
    }
    const pve = await f.user(['pve_inspector'], [north]);
    const planner = new UiClient(t);
    await planner.signInAs(pve);
    await planner.get('/');
    await planner.post('/language', { locale: 'ru', returnTo: '/' });
    const start = await planner.get(`/prisoners/${prisoner.id}/plan/new`);
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('Идентичность, принадлежность и значимость');
    expect(start.body).not.toContain('Identity, belonging and significance');
  });

  it('shows an English session the text as written', async () => {
    const en = await client('en');
    const t1 = await en.get(`/assessments/${id}/items/T1`);
    expect(t1.statusCode).toBe(200);
    expect(t1.body).toContain('Regards harming others as justified');
    expect(t1.body).not.toContain('Считает причинение вреда');
    const tasks = await en.get(`/assessments/${id}`);
    expect(tasks.body).toContain('Attitudes');
    expect(tasks.body).not.toContain('Установки');
  });
});
