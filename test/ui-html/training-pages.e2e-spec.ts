import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

const BANNER = 'Training: fictional case';

interface CaseDoc {
  reference: { ratings: Record<string, { value?: string; notRated?: boolean }> };
}

/** The training pages, without JavaScript: list, case file, rating forms, results, overview. */
describe('training pages', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let trainee: TestUser;
  let supervisor: TestUser;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility({ code: 'TRN-A', name: 'Training facility' });
    trainee = await f.user(['psychologist'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
  });
  afterAll(() => t.close());

  it('a trainee rates a practice case in the browser and sees the item-by-item comparison', async () => {
    const client = await as(trainee);
    const list = await client.get('/training');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain(BANNER);
    expect(list.body).toContain('href="/training"');
    const caseLink =
      /href="\/training\/cases\/([0-9a-f-]{36})">Practice case 1: the quartermaster/.exec(
        list.body,
      );
    expect(caseLink).not.toBeNull();
    const caseId = caseLink![1];

    const file = await client.get(`/training/cases/${caseId}`);
    const fileText = textOf(file.body);
    expect(fileText).toContain(BANNER);
    expect(fileText).toContain('Fictional training case');
    expect(fileText).toContain('Disciplinary report - unauthorised mobile phone');
    // The reference reasoning stays hidden until the attempt is submitted.
    expect(fileText).not.toContain('Supporting counts as well as using');

    const started = await client.post(`/training/cases/${caseId}/attempts`);
    expect(started.statusCode).toBe(303);
    const attemptUrl = started.headers.location as string;
    expect(attemptUrl).toMatch(/^\/training\/attempts\/[0-9a-f-]{36}$/);
    const tasks = await client.get(attemptUrl);
    expect(textOf(tasks.body)).toContain(BANNER);
    expect(textOf(tasks.body)).toContain('BA Beliefs, attitudes and ideology');

    // A value outside the scale is refused on the form, with the field named.
    const domainPage = await client.get(`${attemptUrl}/domains/BA`);
    expect(textOf(domainPage.body)).toContain(BANNER);
    const refused = await client.post(`${attemptUrl}/domains/BA`, {
      version: version(domainPage.body),
      'rating-BA01': 'extreme',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('href="#rating-BA01"');
    expect(textOf(refused.body)).toContain('There is a problem');

    // Every domain rated as the reference, with the evidence the instrument asks for.
    const doc = parse(
      readFileSync('rule-sets/practice-cases/ve-risk-spj-practice-01@1.0.0.yaml', 'utf8'),
    ) as CaseDoc;
    for (const domain of ['BA', 'SC', 'HC', 'CM', 'PF']) {
      const page = await client.get(`${attemptUrl}/domains/${domain}`);
      const form: Record<string, string | string[]> = { version: version(page.body) };
      for (const [code, rating] of Object.entries(doc.reference.ratings)) {
        if (!code.startsWith(domain)) continue;
        if (rating.notRated) {
          form[`rating-${code}`] = 'not_rated';
          form[`reason-${code}`] = 'Not in the case file';
        } else {
          form[`rating-${code}`] = rating.value!;
          if (rating.value !== 'low') {
            form[`evidenceFor-${code}`] = 'Interview extracts';
            form[`evidenceAgainst-${code}`] = 'Nothing recorded against';
            form[`sources-${code}`] = ['interview', 'file_review'];
            form[`reliability-${code}`] = 'medium';
          }
        }
      }
      const saved = await client.post(`${attemptUrl}/domains/${domain}`, form);
      expect({ domain, status: saved.statusCode }).toEqual({ domain, status: 303 });
    }
    // Submitting without a final judgement lists what is missing.
    const early = await client.get(attemptUrl);
    const notReady = await client.post(`${attemptUrl}/submit`, { version: version(early.body) });
    expect(notReady.statusCode).toBe(422);
    expect(notReady.body).toContain(`href="${attemptUrl}/judgement"`);

    const judgement = await client.get(`${attemptUrl}/judgement`);
    expect(textOf(judgement.body)).toContain(BANNER);
    await client.post(`${attemptUrl}/judgement`, {
      version: version(judgement.body),
      finalLevel: 'moderate',
      finalRationale: 'Past support without current intent',
    });
    const ready = await client.get(attemptUrl);
    const submitted = await client.post(`${attemptUrl}/submit`, { version: version(ready.body) });
    expect(submitted.statusCode).toBe(303);

    const results = await client.get(attemptUrl);
    const text = textOf(results.body);
    expect(text).toContain(BANNER);
    expect(text).toContain('Your ratings compared with the reference');
    expect(text).toContain('Exact agreement 100%');
    expect(text).toContain('Supporting counts as well as using');
    expect(text).toMatch(/The certification rule is not met yet: 1 of 2 practice cases rated/);
    expect(results.body).toContain('id="item-HC01"');
  });

  it('supervisors see calibration per person and per item; trainees cannot open it', async () => {
    const trainer = await as(trainee);
    expect((await trainer.get('/training/overview')).statusCode).toBe(403);
    const client = await as(supervisor);
    const home = await client.get('/');
    expect(home.body).toContain('href="/training/overview"');
    const page = await client.get('/training/overview');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain(BANNER);
    expect(text).toContain(`Test ${trainee.username}`);
    expect(text).toContain('Not certified');
    expect(text).toMatch(/ve-risk-spj HC01 .* 1 100% 100%/);
    // Supervisors do not rate practice cases.
    expect((await client.get('/training')).statusCode).toBe(403);
  });

  it('shows the pages in Russian with the same banner', async () => {
    const client = await as(trainee);
    await client.get('/training');
    await client.post('/language', { locale: 'ru', returnTo: '/training' });
    const page = await client.get('/training');
    expect(textOf(page.body)).toContain('Обучение: вымышленный случай');
  });
});
