import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalSha256 } from '../src/crypto/canonical-json.js';
import { InstrumentsService } from '../src/instruments/instruments.service.js';
import { Factories, type TestUser } from './factories/index.js';
import { ruleSetsDir, FIXTURE_RULE_SETS as FIXTURES } from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';
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
    // No Russian text in the shipped risk instrument: its own language, said so.
    const shipped = ru.body.find((i: { key: string }) => i.key === 've-risk-spj');
    expect(shipped.locale).toBe('en');
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
