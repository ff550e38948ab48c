import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { csrfToken, textOf, UiClient } from './support/ui-client.js';

const BANNER = 'Training: fictional case';
const NEEDS_CASE = 'Needs practice case 1: before release';

interface CaseDoc {
  reference: { ratings: Record<string, { value?: string; notRated?: boolean }> };
}
const referenceOf = (file: string) =>
  (parse(readFileSync(`rule-sets/practice-cases/${file}`, 'utf8')) as CaseDoc).reference.ratings;

/**
 * Training in the assessment workspace, without JavaScript and through the autosave script's
 * JSON path: the list, the case file, the workspace pages in training mode (task list, domain,
 * item, final judgement, check and submit), the conflict page, the results with kappa and ICC,
 * and the supervisors' calibration page. Every page carries the banner.
 */
describe('training pages', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let trainee: TestUser;
  let other: TestUser;
  let supervisor: TestUser;
  let submittedAttempt: string;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];
  const opened = (html: string) => /name="opened" value="([^"]*)"/.exec(html)![1];
  const caseIdOf = (html: string, title: string) =>
    new RegExp(`href="/training/cases/([0-9a-f-]{36})">${title}`).exec(html)![1];

  /** Starts (or reopens) an attempt of the case with this title; its workspace address. */
  async function start(client: UiClient, title: string): Promise<string> {
    const list = await client.get('/training');
    const caseId = caseIdOf(list.body, title);
    await client.get(`/training/cases/${caseId}`);
    const started = await client.post(`/training/cases/${caseId}/attempts`);
    expect(started.statusCode).toBe(303);
    return started.headers.location as string;
  }

  /** Rates one item on its own page, as the form posts it without JavaScript. */
  async function rate(
    client: UiClient,
    attemptUrl: string,
    code: string,
    rating: { value?: string; notRated?: boolean },
  ) {
    const page = await client.get(`${attemptUrl}/items/${code}`);
    expect(page.statusCode).toBe(200);
    const form: Record<string, string | string[]> = {
      version: version(page.body),
      opened: opened(page.body),
      next: 'continue',
    };
    if (rating.notRated) {
      form.rating = 'not_rated';
      form.reason = 'Not in the case file';
    } else {
      form.rating = rating.value!;
      if (rating.value !== 'low') {
        form.evidenceFor = 'Interview extracts';
        form.evidenceAgainst = 'Nothing recorded against';
        form.sources = ['interview', 'file_review'];
        form.reliability = 'medium';
      }
    }
    const saved = await client.post(`${attemptUrl}/items/${code}`, form);
    expect({ code, status: saved.statusCode }).toEqual({ code, status: 303 });
    return saved;
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility({ code: 'TRN-A', name: 'Training facility' });
    trainee = await f.user(['psychologist'], [home]);
    other = await f.user(['psychologist'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
  });
  afterAll(() => t.close());

  it('a trainee rates a practice case in the assessment workspace and sees the comparison', async () => {
    const client = await as(trainee);
    const list = await client.get('/training');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain(BANNER);
    const caseId = caseIdOf(list.body, 'Practice case 1: the quartermaster');

    const file = await client.get(`/training/cases/${caseId}`);
    const fileText = textOf(file.body);
    expect(fileText).toContain(BANNER);
    expect(fileText).toContain('Disciplinary report - unauthorised mobile phone');
    // The reference reasoning stays hidden until the attempt is submitted.
    expect(fileText).not.toContain('Supporting counts as well as using');

    const attemptUrl = await start(client, 'Practice case 1: the quartermaster');
    expect(attemptUrl).toMatch(/^\/training\/attempts\/[0-9a-f-]{36}$/);

    // The workspace's task list, in training mode: banner, case file panel, no prisoner.
    const tasks = await client.get(attemptUrl);
    expect(tasks.statusCode).toBe(200);
    const taskText = textOf(tasks.body);
    expect(taskText).toContain(BANNER);
    expect(taskText).toContain('Rate the practice case');
    expect(taskText).toContain('Practice case 1: the quartermaster Fictional case');
    expect(tasks.body).toContain(`href="/training/cases/${caseId}"`);
    expect(tasks.body).toContain('class="govuk-task-list');
    expect(tasks.body).toContain(`href="${attemptUrl}/domains/BA"`);
    expect(tasks.body).toContain(`href="${attemptUrl}/judgement"`);
    expect(tasks.body).toContain(`href="${attemptUrl}/check"`);
    expect(taskText).toContain('0 of 6 items completed');
    expect(taskText).not.toContain('Prison number');
    expect(tasks.body).not.toContain('/formulation');
    expect(tasks.body).not.toContain('/print');

    // A domain, then one page per item with the item's guidance and the side navigation.
    const domain = await client.get(`${attemptUrl}/domains/BA`);
    expect(domain.statusCode).toBe(200);
    expect(textOf(domain.body)).toContain(BANNER);
    expect(domain.body).toContain(`href="${attemptUrl}/items/BA01"`);
    const item = await client.get(`${attemptUrl}/items/BA01`);
    expect(item.statusCode).toBe(200);
    expect(textOf(item.body)).toContain(BANNER);
    expect(item.body).toContain('data-module="app-autosave"');
    expect(item.body).toContain('name="evidenceFor"');
    expect(item.body).toContain(`href="${attemptUrl}/items/BA02"`);
    // A practice attempt records no relevance.
    expect(item.body).not.toContain('name="relevance"');

    // A value outside the scale is refused on the page, with the field named.
    const refused = await client.post(`${attemptUrl}/items/BA01`, {
      version: version(item.body),
      opened: opened(item.body),
      rating: 'extreme',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('href="#rating"');
    expect(textOf(refused.body)).toContain('There is a problem');
    expect(textOf(refused.body)).toContain(BANNER);

    // "Save and continue" leads to the next item of the domain.
    const reference = referenceOf('ve-risk-spj-practice-01@1.0.0.yaml');
    const first = await rate(client, attemptUrl, 'BA01', reference.BA01);
    expect(first.headers.location).toBe(`${attemptUrl}/items/BA02`);
    for (const [code, rating] of Object.entries(reference))
      if (code !== 'BA01') await rate(client, attemptUrl, code, rating);

    // The check page says what is missing, with a link to the field.
    const check = await client.get(`${attemptUrl}/check`);
    expect(check.statusCode).toBe(200);
    expect(textOf(check.body)).toContain(BANNER);
    expect(check.body).toContain(`href="${attemptUrl}/judgement#finalRiskLevel"`);
    expect(check.body).toContain(`href="${attemptUrl}/items/BA01?from=check"`);
    const early = await client.post(`${attemptUrl}/submit`, { version: version(check.body) });
    expect(early.statusCode).toBe(422);
    expect(early.body).toContain('govuk-error-summary');
    expect(early.body).toContain(`href="${attemptUrl}/judgement#finalRiskLevel"`);

    const judgement = await client.get(`${attemptUrl}/judgement`);
    expect(judgement.statusCode).toBe(200);
    expect(textOf(judgement.body)).toContain(BANNER);
    const judged = await client.post(`${attemptUrl}/judgement`, {
      version: version(judgement.body),
      opened: opened(judgement.body),
      finalRiskLevel: 'moderate',
      finalRationale: 'Past support without current intent',
      next: 'continue',
    });
    expect(judged.statusCode).toBe(303);
    expect(judged.headers.location).toBe(`${attemptUrl}/check`);

    const ready = await client.get(`${attemptUrl}/check`);
    expect(textOf(ready.body)).toContain('Submit and compare with the reference');
    const submitted = await client.post(`${attemptUrl}/submit`, { version: version(ready.body) });
    expect(submitted.statusCode).toBe(303);
    expect(submitted.headers.location).toBe(attemptUrl);

    const results = await client.get(attemptUrl);
    const text = textOf(results.body);
    expect(text).toContain(BANNER);
    expect(text).toContain('Your ratings compared with the reference');
    expect(text).toContain('Exact agreement 100%');
    expect(text).toContain('Weighted kappa (linear) 1');
    expect(text).toContain('Intraclass correlation (ICC) 1');
    expect(text).toContain('What these figures mean');
    expect(text).toContain('Supporting counts as well as using');
    expect(text).toMatch(/The certification rule is not met yet: 1 of 2 practice cases rated/);
    expect(results.body).toContain('id="item-HC01"');

    // The workspace of a submitted attempt leads to its results.
    const closed = await client.get(`${attemptUrl}/items/BA01`);
    expect(closed.statusCode).toBe(303);
    expect(closed.headers.location).toBe(attemptUrl);
    submittedAttempt = attemptUrl;
  });

  it('autosave answers in JSON and refuses a stale version with 409; the form gets the conflict page', async () => {
    const client = await as(trainee);
    const attemptUrl = await start(client, 'Practice case 2: the night fire');
    const page = await client.get(`${attemptUrl}/items/BA01`);
    const token = csrfToken(page.body)!;
    const at = version(page.body);
    const headers = { accept: 'application/json', 'x-csrf-token': token, 'if-match': `"${at}"` };
    const saved = await client.post(
      `${attemptUrl}/items/BA01`,
      { opened: opened(page.body), rating: 'low' },
      { csrf: false, headers },
    );
    expect(saved.statusCode).toBe(200);
    const answer = JSON.parse(saved.body) as { version: number; message: string };
    expect(answer.version).toBe(Number(at) + 1);
    expect(answer.message).toMatch(/^Saved at \d{1,2}:\d{2}/);

    // The same If-Match again: someone (another tab) saved meanwhile.
    const stale = await client.post(
      `${attemptUrl}/items/BA01`,
      { opened: opened(page.body), rating: 'moderate' },
      { csrf: false, headers },
    );
    expect(stale.statusCode).toBe(409);
    expect(JSON.parse(stale.body)).toMatchObject({ reload: `${attemptUrl}/items/BA01` });

    // Without JavaScript: the conflict page, with the banner and both values.
    const form = await client.post(`${attemptUrl}/items/BA01`, {
      version: at,
      opened: opened(page.body),
      rating: 'moderate',
      next: 'continue',
    });
    expect(form.statusCode).toBe(409);
    const text = textOf(form.body);
    expect(text).toContain(BANNER);
    expect(text).toContain('You changed this practice rating in another window or tab.');
    expect(text).toContain('Rating Changed by both Low Moderate');
    expect(form.body).toContain(`action="${attemptUrl}/items/BA01"`);

    // Nothing of it is a real assessment: the trainee's real work lists stay empty.
    const myWork = await client.get('/');
    expect(myWork.body).not.toContain(attemptUrl);
  });

  it('a needs instrument adds the needs page before the final judgement', async () => {
    const client = await as(trainee);
    const attemptUrl = await start(client, NEEDS_CASE);
    const tasks = await client.get(attemptUrl);
    expect(tasks.body).toContain(`href="${attemptUrl}/needs"`);
    const needs = await client.get(`${attemptUrl}/needs`);
    expect(needs.statusCode).toBe(200);
    expect(textOf(needs.body)).toContain(BANNER);
    const need = /name="(need-[a-z_]+)"/.exec(needs.body)![1];
    const saved = await client.post(`${attemptUrl}/needs`, {
      version: version(needs.body),
      opened: opened(needs.body),
      [need]: 'high',
      next: 'continue',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${attemptUrl}/judgement`);
    const again = await client.get(`${attemptUrl}/needs`);
    expect(again.body).toMatch(new RegExp(`name="${need}"[^>]*value="high"[^>]*checked`));
    const judgement = await client.get(`${attemptUrl}/judgement`);
    expect(judgement.statusCode).toBe(200);
    expect(judgement.body).not.toContain('name="finalRiskLevel"');
  });

  it('another trainee cannot open or change the attempt (404)', async () => {
    const client = await as(other);
    expect((await client.get(submittedAttempt)).statusCode).toBe(404);
    const attemptUrl = await start(await as(trainee), 'Practice case 2: the night fire');
    expect((await client.get(`${attemptUrl}/items/BA01`)).statusCode).toBe(404);
    await client.get('/training');
    const post = await client.post(`${attemptUrl}/items/BA01`, { version: '1', rating: 'low' });
    expect(post.statusCode).toBe(404);
  });

  it('supervisors see calibration per person and per item with kappa and ICC; trainees cannot open it', async () => {
    const trainer = await as(trainee);
    expect((await trainer.get('/training/overview')).statusCode).toBe(403);
    const client = await as(supervisor);
    const page = await client.get('/training/overview');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain(BANNER);
    expect(text).toContain(`Test ${trainee.username}`);
    expect(text).toContain('Not certified');
    expect(text).toContain('1 cases rated, kappa 1 ICC 1');
    expect(text).toContain('0 is no better than chance');
    expect(text).toMatch(/ve-risk-spj HC01 .* 1 100% 100%/);
    // Supervisors do not rate practice cases.
    expect((await client.get('/training')).statusCode).toBe(403);
  });

  it('shows the workspace in Russian with the same banner', async () => {
    const client = await as(trainee);
    const attemptUrl = await start(client, 'Practice case 2: the night fire');
    await client.post('/language', { locale: 'ru', returnTo: attemptUrl });
    for (const path of [attemptUrl, `${attemptUrl}/items/BA01`, `${attemptUrl}/check`]) {
      const page = await client.get(path);
      expect({ path, status: page.statusCode }).toEqual({ path, status: 200 });
      expect(textOf(page.body)).toContain('Обучение: вымышленный случай');
      expect(textOf(page.body)).toContain('Вымышленный случай');
    }
    // The case is rated on ve-risk-spj 1.0.0, which has no Russian of its own: an item worded as
    // in 1.1.1 reads in 1.1.1's Russian, HC03 (reworded since) in its own English.
    const ba01 = textOf((await client.get(`${attemptUrl}/items/BA01`)).body);
    expect(ba01).toContain('Одобряет насилие как правомерный способ борьбы за идею');
    expect(ba01).not.toContain('Endorses violence as a legitimate way to pursue a cause');
    const hc03 = textOf((await client.get(`${attemptUrl}/items/HC03`)).body);
    expect(hc03).toContain('Has made plans or preparations for cause-linked violence');
  });
});
