import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalSha256 } from '../src/crypto/canonical-json.js';
import { InstrumentsService } from '../src/instruments/instruments.service.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import {
  ruleSetsDir,
  FIXTURE_RULE_SETS as FIXTURES,
  SHIPPED_RULE_SETS as SHIPPED,
} from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { UiClient } from './ui-html/support/ui-client.js';
import { parse, stringify } from 'yaml';

const FIXTURE_FILE = join(FIXTURES, 'instruments', 'translated-risk@1.0.0.yaml');
const TERMS = 'catalogues/reintegration-interventions@1.0.0.yaml';

/**
 * Issue 12 point 9: an instrument read in a language (`?locale=`, else Accept-Language), with
 * the answer's language in Content-Language and whatever is not translated in the rule-set's
 * own language. The stored definition is served unchanged beside it.
 */
describe('GET /instruments/:key/versions/:version by locale', () => {
  let t: TestApp;
  let dir: string;
  let reader: TestUser;
  const url = '/api/v1/instruments/translated-risk/versions/1.0.0';

  beforeAll(async () => {
    dir = ruleSetsDir('vep-locale-rule-sets-');
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    const f = new Factories(t);
    const facility = await f.facility({ code: 'LOC-A' });
    reader = await f.user(['psychologist'], [facility]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers in Russian for ?locale=ru, with English where the translation has a gap', async () => {
    const res = await t.http.get(`${url}?locale=ru`).set('authorization', reader.auth).expect(200);
    expect(res.headers['content-language']).toBe('ru');
    expect(res.body.locale).toBe('ru');
    expect(res.body.title).toBe('Переведённая формулировка (тестовый пример, иллюстративный)');
    const [t1, t2] = res.body.localized.domains[0].items;
    expect(t1.prompt).toBe('Считает причинение вреда другим оправданным');
    expect(t2.prompt).toBe('Has trusted people outside the group');
    expect(res.body.localized.judgements[0].levels[1].label).toBe('Высокий');
    // The stored document is served as imported: its hash still matches.
    expect(res.body.definition.domains[0].items[0].prompt).toBe(
      'Regards harming others as justified',
    );
    expect(canonicalSha256(res.body.definition)).toBe(res.body.sha256);
    expect(res.body.definition).toEqual(parse(readFileSync(FIXTURE_FILE, 'utf8')));
  });

  it('takes the language from Accept-Language without ?locale=, and ?locale= over it', async () => {
    const kk = await t.http
      .get(url)
      .set('authorization', reader.auth)
      .set('accept-language', 'de-DE, kk;q=0.8, ru;q=0.5')
      .expect(200);
    expect(kk.headers['content-language']).toBe('kk');
    expect(kk.body.localized.domains[0].items[0].prompt).toBe('Басқаларға зиян келтіруді ақтайды');
    expect(kk.body.localized.domains[0].title).toBe('Attitudes');
    const ru = await t.http
      .get(`${url}?locale=ru`)
      .set('authorization', reader.auth)
      .set('accept-language', 'kk')
      .expect(200);
    expect(ru.headers['content-language']).toBe('ru');
  });

  it('falls back to the rule-set’s own language when it has no text in the one asked for', async () => {
    const res = await t.http
      .get('/api/v1/instruments/ve-risk-spj/versions/1.0.0?locale=kk')
      .set('authorization', reader.auth)
      .expect(200);
    expect(res.headers['content-language']).toBe('en');
    expect(res.body.locale).toBe('en');
    expect(res.body.localized).toEqual(res.body.definition);
    const plain = await t.http.get(url).set('authorization', reader.auth).expect(200);
    expect(plain.headers['content-language']).toBe('en');
    expect(plain.body.localized.title).toBe('Translated formulation (test fixture, illustrative)');
  });

  it('lists the instruments with each title in the language asked for where the newest version has it', async () => {
    const ru = await t.http
      .get('/api/v1/instruments?locale=ru')
      .set('authorization', reader.auth)
      .expect(200);
    const translated = ru.body.find((i: { key: string }) => i.key === 'translated-risk');
    expect(translated).toMatchObject({
      locale: 'ru',
      title: 'Переведённая формулировка (тестовый пример, иллюстративный)',
    });
    // The shipped risk instrument's newest version (1.1.1) has Russian text.
    const shipped = ru.body.find((i: { key: string }) => i.key === 've-risk-spj');
    expect(shipped).toMatchObject({
      locale: 'ru',
      title:
        'Риск насильственного экстремизма — структурированное профессиональное суждение (иллюстративный пример)',
    });
    // An instrument with no Russian text: its own language, said so.
    const untranslated = ru.body.find((i: { key: string }) => i.key === 'five-domain-risk');
    expect(untranslated.locale).toBe('en');
    const kk = await t.http
      .get('/api/v1/instruments')
      .set('authorization', reader.auth)
      .set('accept-language', 'kk')
      .expect(200);
    expect(kk.body.find((i: { key: string }) => i.key === 'translated-risk').locale).toBe('kk');
    const plain = await t.http.get('/api/v1/instruments').set('authorization', reader.auth);
    expect(plain.body.find((i: { key: string }) => i.key === 'translated-risk')).toMatchObject({
      locale: 'en',
      title: 'Translated formulation (test fixture, illustrative)',
    });
    await t.http.get('/api/v1/instruments?locale=de').set('authorization', reader.auth).expect(400);
  });

  it('answers a catalogue’s declared types and disciplines with their titles in the locale asked for', async () => {
    const catalogueUrl = '/api/v1/instruments/reintegration-interventions/versions/1.0.0';
    const ru = await t.http
      .get(`${catalogueUrl}?locale=ru`)
      .set('authorization', reader.auth)
      .expect(200);
    expect(ru.headers['content-language']).toBe('ru');
    const titles = (terms: { code: string; title: string }[]) =>
      Object.fromEntries(terms.map((term) => [term.code, term.title]));
    expect(titles(ru.body.localized.types)).toEqual({
      restorative: 'Восстановительное правосудие',
      aftercare: 'Сопровождение после освобождения',
      religious_education: 'Религиозное просвещение',
      psychological: 'Psychological',
    });
    expect(titles(ru.body.localized.disciplines)).toMatchObject({
      theologian: 'Теолог',
      aftercare_worker: 'Специалист по сопровождению',
      psychologist: 'Psychologist',
    });
    // The stored document keeps its own titles; the translations stay where they were written.
    expect(titles(ru.body.definition.disciplines).theologian).toBe('Theologian');
    expect(ru.body.definition).toEqual(parse(readFileSync(join(FIXTURES, TERMS), 'utf8')));
    const kk = await t.http
      .get(`${catalogueUrl}?locale=kk`)
      .set('authorization', reader.auth)
      .expect(200);
    expect(kk.headers['content-language']).toBe('en');
    expect(titles(kk.body.localized.disciplines).theologian).toBe('Theologian');
  });

  it('refuses at import a translated type the catalogue does not declare, and per-entry titles, importing nothing', async () => {
    const service = t.app.get(InstrumentsService);
    const source = parse(readFileSync(join(FIXTURES, TERMS), 'utf8'));
    const work = mkdtempSync(join(tmpdir(), 'vep-locale-terms-'));
    try {
      cpSync(dir, work, { recursive: true });
      const unknownType = structuredClone(source);
      unknownType.version = '1.1.0';
      unknownType.translations.ru.types.education = { title: 'Образование' };
      writeFileSync(
        join(work, 'catalogues/reintegration-interventions@1.1.0.yaml'),
        stringify(unknownType),
      );
      const oldTitles = structuredClone(source);
      oldTitles.version = '1.2.0';
      oldTitles.disciplines[2].titles = { ru: 'Теолог' };
      writeFileSync(
        join(work, 'catalogues/reintegration-interventions@1.2.0.yaml'),
        stringify(oldTitles),
      );
      const report = await service.importDirectory({ requestId: 'test-import', ip: 'local' }, work);
      expect(report.imported).toEqual([]);
      expect(report.errors.map(({ file, path, code }) => ({ file, path, code }))).toEqual([
        {
          file: 'catalogues/reintegration-interventions@1.1.0.yaml',
          path: 'translations.ru.types.education',
          code: 'unknown_translation_code',
        },
        {
          file: 'catalogues/reintegration-interventions@1.2.0.yaml',
          path: 'disciplines[2].titles',
          code: 'schema',
        },
      ]);
      expect(report.errors[1].message).toContain('translations.ru.disciplines.theologian.title');
      expect(await service.getVersion('reintegration-interventions', '1.1.0')).toBeUndefined();
      expect(await service.getVersion('reintegration-interventions', '1.2.0')).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('refuses a locale it does not know with a 400 naming the parameter', async () => {
    const res = await t.http.get(`${url}?locale=de`).set('authorization', reader.auth).expect(400);
    expect(JSON.stringify(res.body)).toContain('locale');
  });
});

/**
 * The shipped rule-sets' Russian text comes as patch versions (ve-risk-spj 1.1.1, ve-needs 1.0.1,
 * handbook-interventions 1.0.1). The service starts here with the versions before them, as a
 * deployment did, then imports the shipped folder as its next start-up would.
 */
describe('shipped Russian text: patch versions beside the versions they translate', () => {
  const PATCHES = [
    'instruments/ve-risk-spj@1.1.1.yaml',
    'instruments/ve-needs@1.0.1.yaml',
    'catalogues/handbook-interventions@1.0.1.yaml',
  ];
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let assessor: TestUser;
  let facility: TestFacility;
  let before: { risk: string; needs: string };
  let englishBefore: { language: string; prompt: string };
  let pve: TestUser;
  let planId: string;
  const ENDORSES = 'Endorses violence as a legitimate way to pursue a cause';

  const assessment = async (body: Record<string, unknown>) => {
    const prisoner = await f.prisoner(facility);
    const res = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', assessor.auth)
      .send({ reason: 'intake', ...body })
      .expect(201);
    return res.body as { id: string; instrument: { key: string; version: string } };
  };
  const version = async (key: string, v: string, locale?: string) =>
    (
      await t.http
        .get(`/api/v1/instruments/${key}/versions/${v}${locale ? `?locale=${locale}` : ''}`)
        .set('authorization', assessor.auth)
        .expect(200)
    ).body;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-shipped-ru-', { fixtures: false });
    for (const file of PATCHES) rmSync(join(dir, file));
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    facility = await f.facility({ code: 'RU-TEXT' });
    assessor = await f.user(['psychologist'], [facility]);
    await f.certify(assessor.id, 've-risk-spj');
    // Assessments made before the Russian text was imported, with the newest version then.
    const risk = await assessment({ instrumentKey: 've-risk-spj' });
    const needs = await assessment({ instrumentKey: 've-needs' });
    expect([risk.instrument.version, needs.instrument.version]).toEqual(['1.1.0', '1.0.0']);
    before = { risk: risk.id, needs: needs.id };
    const old = await version('ve-risk-spj', '1.1.0', 'ru');
    // A plan on catalogue 1.0.0, the only one then.
    pve = await f.user(['pve_inspector'], [facility]);
    const supervisor = await f.user(['supervisor'], [facility]);
    const planned = await f.prisoner(facility);
    const basedOnAssessmentId = await f.approvedAssessment(planned, assessor, supervisor, {
      needs: [{ code: 'ideology', priority: 'high' }],
    });
    const plan = await t.http
      .post(`/api/v1/prisoners/${planned.id}/plans`)
      .set('authorization', pve.auth)
      .send({ basedOnAssessmentId })
      .expect(201);
    expect(plan.body.catalogue).toMatchObject({
      key: 'handbook-interventions',
      version: '1.0.0',
    });
    planId = plan.body.id;
    englishBefore = { language: old.locale, prompt: old.localized.domains[0].items[0].prompt };
    const report = await t.app
      .get(InstrumentsService)
      .importDirectory({ requestId: 'test-import', ip: 'local' }, SHIPPED);
    expect(report.errors).toEqual([]);
    expect(report.imported.map((e) => `${e.key}@${e.version}`).sort()).toEqual([
      'handbook-interventions@1.0.1',
      've-needs@1.0.1',
      've-risk-spj@1.1.1',
    ]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves an item of ve-risk-spj 1.1.1 in Russian, the stored document unchanged beside it', async () => {
    const res = await t.http
      .get('/api/v1/instruments/ve-risk-spj/versions/1.1.1?locale=ru')
      .set('authorization', assessor.auth)
      .expect(200);
    expect(res.headers['content-language']).toBe('ru');
    expect(res.body.locale).toBe('ru');
    const file = parse(readFileSync(join(SHIPPED, PATCHES[0]), 'utf8'));
    const ba01 = res.body.localized.domains[0].items[0];
    expect(ba01.code).toBe('BA01');
    expect(ba01.prompt).toBe('Одобряет насилие как правомерный способ борьбы за идею');
    expect(ba01.guidance).toBe(file.translations.ru.items.BA01.guidance);
    expect(ba01.guidance).toMatch(/^Оценивайте высказывания и поведение/);
    const hc03 = res.body.localized.domains[2].items[2];
    expect([hc03.code, hc03.prompt]).toEqual([
      'HC03',
      'Планы или подготовка к насилию ради идеи в период содержания под стражей или за последние 12 месяцев',
    ]);
    expect(res.body.localized.scales[0].options.map((o: { label: string }) => o.label)).toEqual([
      'Низкая',
      'Умеренная',
      'Высокая',
    ]);
    expect(res.body.localized.judgements[0].label).toBe('Насилие в местах лишения свободы');
    // Codes, scores and rules are not text: the same in every language.
    expect(res.body.localized.bands).toEqual(res.body.definition.bands);
    expect(res.body.definition.domains[0].items[0].prompt).toBe(
      'Endorses violence as a legitimate way to pursue a cause',
    );
    expect(canonicalSha256(res.body.definition)).toBe(res.body.sha256);
    expect(res.body.definition).toEqual(file);
  });

  it('serves 1.1.0 and 1.0.0 in Russian where their text is 1.1.1’s, their stored documents unchanged', async () => {
    // Before the import 1.1.0 answered in English (beforeAll): nothing to borrow from then.
    expect(englishBefore).toEqual({ language: 'en', prompt: ENDORSES });
    const newest = await version('ve-risk-spj', '1.1.1', 'ru');
    for (const v of ['1.1.0', '1.0.0']) {
      const res = await t.http
        .get(`/api/v1/instruments/ve-risk-spj/versions/${v}?locale=ru`)
        .set('authorization', assessor.auth)
        .expect(200);
      expect(res.headers['content-language']).toBe('ru');
      expect(res.body.locale).toBe('ru');
      expect(res.body.title).toBe(newest.title);
      const ba01 = res.body.localized.domains[0].items[0];
      expect([ba01.code, ba01.prompt]).toEqual([
        'BA01',
        'Одобряет насилие как правомерный способ борьбы за идею',
      ]);
      expect(res.body.localized.domains[0].title).toBe('Убеждения, установки и идеология');
      // Only the text is borrowed: the version, its rules and its stored document are its own.
      expect(res.body.localized.version).toBe(v);
      expect(res.body.localized.translations).toBeUndefined();
      expect(res.body.definition.translations).toBeUndefined();
      expect(res.body.definition.domains[0].items[0].prompt).toBe(ENDORSES);
      expect(canonicalSha256(res.body.definition)).toBe(res.body.sha256);
      expect(res.body.definition).toEqual(
        parse(readFileSync(join(SHIPPED, `instruments/ve-risk-spj@${v}.yaml`), 'utf8')),
      );
    }
    // HC03 was reworded in 1.1.0: 1.0.0's own English, never the translation of the new text.
    const v100 = await version('ve-risk-spj', '1.0.0', 'ru');
    const hc03 = v100.localized.domains[2].items[2];
    expect([hc03.code, hc03.prompt]).toEqual([
      'HC03',
      'Has made plans or preparations for cause-linked violence',
    ]);
    expect(hc03.guidance).toBe(v100.definition.domains[2].items[2].guidance);
    // The same for the needs instrument and the catalogue, and English still in English.
    const needs = await version('ve-needs', '1.0.0', 'ru');
    expect(needs.locale).toBe('ru');
    expect(needs.localized.domains[0].items[0].prompt).toBe(
      'Не имеет чувства принадлежности, смысла или самоценности вне группы или идеи',
    );
    const catalogue = await version('handbook-interventions', '1.0.0', 'ru');
    expect(catalogue.locale).toBe('ru');
    expect(
      catalogue.localized.interventions.find(
        (i: { code: string }) => i.code === 'faith_ideological_dialogue',
      ).title,
    ).toBe('Религиозный или идеологический диалог');
    const english = await version('ve-risk-spj', '1.1.0');
    expect(english.locale).toBe('en');
    expect(english.localized).toEqual(english.definition);
  });

  it('serves the needs instrument and the catalogue in Russian too', async () => {
    const needs = await version('ve-needs', '1.0.1', 'ru');
    expect(needs.locale).toBe('ru');
    expect(needs.localized.domains[0].items[0].prompt).toBe(
      'Не имеет чувства принадлежности, смысла или самоценности вне группы или идеи',
    );
    const catalogue = await version('handbook-interventions', '1.0.1', 'ru');
    expect(catalogue.locale).toBe('ru');
    const dialogue = catalogue.localized.interventions.find(
      (i: { code: string }) => i.code === 'faith_ideological_dialogue',
    );
    expect(dialogue.title).toBe('Религиозный или идеологический диалог');
    expect(dialogue.consentNotes).toContain('правило 65(3) Правил Манделы');
    expect(dialogue.consentRequired).toBe(true);
  });

  it('shows a plan on catalogue 1.0.0 with the catalogue’s entries in Russian to a Russian session', async () => {
    const client = new UiClient(t);
    await client.signInAs(pve);
    await client.get('/');
    await client.post('/language', { locale: 'ru', returnTo: '/' });
    const page = await client.get(`/plans/${planId}/interventions/add`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Религиозный или идеологический диалог');
    expect(page.body).not.toContain('Faith-based or ideological dialogue');
  });

  it('changes text only: each patch is its predecessor but for its version, description and translations', async () => {
    const rest = (definition: Record<string, unknown>) => {
      const copy = { ...definition };
      delete copy.translations;
      delete copy.version;
      delete copy.description;
      return copy;
    };
    for (const [key, from, to] of [
      ['ve-risk-spj', '1.1.0', '1.1.1'],
      ['ve-needs', '1.0.0', '1.0.1'],
      ['handbook-interventions', '1.0.0', '1.0.1'],
    ]) {
      const [a, b] = [await version(key, from), await version(key, to)];
      expect(a.definition.translations).toBeUndefined();
      expect(Object.keys(b.definition.translations)).toEqual(['ru']);
      expect({ key, ...rest(b.definition) }).toEqual({ key, ...rest(a.definition) });
      expect(b.definition.description).toContain(`Version ${to} adds the Russian text`);
    }
    // The diff agrees: no item, domain or rule changed, only the description and the text.
    for (const [key, from, to] of [
      ['ve-risk-spj', '1.1.0', '1.1.1'],
      ['ve-needs', '1.0.0', '1.0.1'],
    ]) {
      const diff = (
        await t.http
          .get(`/api/v1/instruments/${key}/diff?from=${from}&to=${to}`)
          .set('authorization', assessor.auth)
          .expect(200)
      ).body;
      expect([diff.added, diff.removed, diff.changed, diff.rules]).toEqual([[], [], [], []]);
      expect(diff.domains).toEqual({ added: [], removed: [], changed: [] });
      const fields = diff.settings.map((c: { field: string }) => c.field.split('.')[0]);
      expect([...new Set(fields)].sort()).toEqual(['description', 'translations']);
    }
  });

  it('offers the patches to new assessments; assessments made before keep their version', async () => {
    expect((await assessment({ instrumentKey: 've-risk-spj' })).instrument.version).toBe('1.1.1');
    expect((await assessment({ instrumentKey: 've-needs' })).instrument.version).toBe('1.0.1');
    // The versions before stay active: a team may still choose them.
    expect(
      (await assessment({ instrumentKey: 've-risk-spj', instrumentVersion: '1.1.0' })).instrument
        .version,
    ).toBe('1.1.0');
    for (const [id, pinned] of [
      [before.risk, '1.1.0'],
      [before.needs, '1.0.0'],
    ]) {
      const res = await t.http
        .get(`/api/v1/assessments/${id}`)
        .set('authorization', assessor.auth)
        .expect(200);
      expect(res.body.instrument.version).toBe(pinned);
    }
  });
});
