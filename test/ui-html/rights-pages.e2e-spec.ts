import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { canonicalSha256 } from '../../src/crypto/canonical-json.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  andWait,
  expectAccessible,
  startBrowserHarness,
  type BrowserHarness,
} from '../ui/harness.js';
import { signIn } from '../ui/prisoner-journey.js';
import { CLINICAL, plantClinicalText } from './support/planted.js';
import { textOf, UiClient } from './support/ui-client.js';

const today = () => new Date().toISOString().slice(0, 10);
const WORDS = 'They wrote that I threatened the officer. I did not. Ask the wing camera.';

/**
 * Prisoners' rights pages: challenges recorded and answered, the disclosure log and its form,
 * and a subject-access request prepared, redacted and released, through forms without scripts.
 */
describe('prisoners’ rights pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let reviewer: TestUser;
  let assessor: TestUser;
  let countersigner: TestUser;
  let officer: TestUser;
  let pve: TestUser;
  let prisoner: TestPrisoner;
  let assessmentId: string;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    b = await f.facility({ name: 'South facility' });
    supervisor = await f.user(['supervisor'], [a]);
    reviewer = await f.user(['psychologist'], [a]);
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
    officer = await f.user(['security_officer'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    prisoner = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
    assessmentId = await f.approvedAssessment(prisoner, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
    });
    await plantClinicalText(t, assessmentId);
  });
  afterAll(() => t.close());

  it('a security officer records a challenge; the routed psychologist reads the words and upholds it, making an amendment due', async () => {
    const wing = await as(officer);
    const tab = await wing.get(`/prisoners/${prisoner.id}/challenges`);
    expect(tab.statusCode).toBe(200);
    expect(tab.body).toContain(`href="/prisoners/${prisoner.id}/challenges/new"`);
    const form = await wing.get(`/prisoners/${prisoner.id}/challenges/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="assessment:${assessmentId}"`);
    const empty = await wing.post(`/prisoners/${prisoner.id}/challenges`, {
      receivedOn: today(),
      words: ' ',
    });
    expect(empty.statusCode).toBe(422);
    expect(textOf(empty.body)).toContain('Choose the assessment or plan the prisoner challenges');
    expect(textOf(empty.body)).toContain('Enter the prisoner’s words');
    const recorded = await wing.post(`/prisoners/${prisoner.id}/challenges`, {
      target: `assessment:${assessmentId}`,
      receivedOn: today(),
      words: WORDS,
      assignedToId: assessor.id, // not a form field: ignored, routing stays impartial
    });
    expect(recorded.statusCode).toBe(303);
    const href = String(recorded.headers.location);
    expect(href).toMatch(/^\/challenges\/[0-9a-f-]{36}$/);
    // The officer's view is the summary: no words.
    const summary = await wing.get(href);
    expect(summary.statusCode).toBe(200);
    expect(textOf(summary.body)).not.toContain('wing camera');
    expect(textOf(summary.body)).toContain('The prisoner’s words and the response are shown');
    expect(summary.body).not.toContain(`action="${href}/answer"`);

    const [{ assigned_to }] = await t.db.query(`SELECT assigned_to FROM challenge WHERE id = $1`, [
      href.split('/').pop(),
    ]);
    expect([assessor.id, countersigner.id]).not.toContain(assigned_to);
    const answerer = assigned_to === reviewer.id ? reviewer : supervisor;
    const client = await as(answerer);
    const queue = await client.get('/challenges');
    expect(queue.body).toContain(`href="${href}"`);
    const page = await client.get(href);
    expect(textOf(page.body)).toContain(WORDS);
    const missing = await client.post(`${href}/answer`, { outcome: '', response: '' });
    expect(missing.statusCode).toBe(422);
    expect(textOf(missing.body)).toContain('Choose the outcome');
    const answered = await client.post(`${href}/answer`, {
      outcome: 'upheld',
      response: 'The camera shows no threat; the rating will be corrected.',
    });
    expect(answered.statusCode).toBe(303);
    const after = textOf((await client.get(href)).body);
    expect(after).toContain('Upheld');
    expect(after).toContain('Amendment due by');
    // The amendment is due in My work / reviews due of the staff who amend.
    const home = textOf((await (await as(reviewer)).get('/')).body);
    expect(home).toContain('Amendment after challenge');
  });

  it('a rejected challenge is escalated and the outside decision recorded through forms without scripts', async () => {
    const p = await f.prisoner(a);
    const target = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
    });
    const created = await t.http
      .post(`/api/v1/prisoners/${p.id}/challenges`)
      .set('authorization', officer.auth)
      .send({ targetType: 'assessment', targetId: target, receivedOn: today(), words: WORDS })
      .expect(201);
    const href = `/challenges/${created.body.id}`;
    const answerer = created.body.assignedTo.id === reviewer.id ? reviewer : supervisor;
    await t.http
      .post(`/api/v1${href}/answer`)
      .set('authorization', answerer.auth)
      .send({ outcome: 'not_upheld', response: 'The wing log supports the entry.' })
      .expect(200);

    const wing = await as(officer);
    const page = await wing.get(href);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('The prisoner has not taken this challenge further.');
    expect(page.body).toContain(`action="${href}/escalations"`);
    // Every field named; the form keeps what was typed.
    const empty = await wing.post(`${href}/escalations`, {
      authority: '',
      authorityName: ' ',
      referredOn: '',
      reference: 'R'.repeat(201),
    });
    expect(empty.statusCode).toBe(422);
    const errors = textOf(empty.body);
    expect(errors).toContain('Choose the kind of authority');
    expect(errors).toContain('Enter the name of the authority');
    expect(errors).toContain('Enter the date referred');
    expect(errors).toContain('The reference can be at most 200 characters');
    expect(empty.body).toContain('href="#authority"');
    expect(empty.body).toContain('href="#referredOn"');
    const future = await wing.post(`${href}/escalations`, {
      authority: 'ombudsman',
      authorityName: 'Human Rights Ombudsman',
      referredOn: '2099-01-01',
    });
    expect(future.statusCode).toBe(422);
    expect(textOf(future.body)).toContain('Enter the date referred: not in the future');
    expect(future.body).toContain('value="Human Rights Ombudsman"');
    const recorded = await wing.post(`${href}/escalations`, {
      authority: 'ombudsman',
      authorityName: 'Human Rights Ombudsman',
      referredOn: today(),
      reference: 'OMB-7',
    });
    expect(recorded.statusCode).toBe(303);
    expect(recorded.headers.location).toBe(`${href}#escalations`);
    const listed = await wing.get(href);
    const listedText = textOf(listed.body);
    expect(listedText).toContain('Ombudsman: Human Rights Ombudsman');
    expect(listedText).toContain('Challenge not upheld');
    expect(listedText).toContain('Awaiting the decision');
    // The wing officer records escalations, not the outside decision.
    expect(listed.body).not.toContain('/decision"');
    const [{ id: escalationId }] = await t.db.query(
      `SELECT id FROM challenge_escalation WHERE challenge_id = $1`,
      [created.body.id],
    );

    const sup = await as(supervisor);
    const open = await sup.get(href);
    expect(open.body).toContain(`action="${href}/escalations/${escalationId}/decision"`);
    const missing = await sup.post(`${href}/escalations/${escalationId}/decision`, {
      decidedOn: today(),
      outcome: '',
      summary: '',
    });
    expect(missing.statusCode).toBe(422);
    expect(textOf(missing.body)).toContain('Choose the outcome');
    expect(textOf(missing.body)).toContain('Enter what the authority decided');
    expect(missing.body).toContain(`href="#decision-${escalationId}-outcome"`);
    const decided = await sup.post(`${href}/escalations/${escalationId}/decision`, {
      decidedOn: today(),
      outcome: 'partly_upheld',
      summary: 'The ombudsman asks for a new assessment.',
    });
    expect(decided.statusCode).toBe(303);
    const after = textOf((await sup.get(href)).body);
    expect(after).toContain('Partly upheld');
    expect(after).toContain('The ombudsman asks for a new assessment.');
    expect(after).toContain('Amendment due by');
    expect(sup.lastHtml).not.toContain(`/escalations/${escalationId}/decision"`);
    // A second decision (a form left open in another tab) is refused, the first one kept.
    const again = await sup.post(`${href}/escalations/${escalationId}/decision`, {
      decidedOn: today(),
      outcome: 'upheld',
      summary: 'Another decision.',
    });
    expect(again.statusCode).toBe(409);
    expect(textOf((await sup.get(href)).body)).not.toContain('Another decision.');

    // The officer's view leaves the decision's text out, as the API's summary view does.
    const summary = textOf((await wing.get(href)).body);
    expect(summary).toContain('Partly upheld');
    expect(summary).not.toContain('asks for a new assessment');
    expect(summary).toContain('What the authority decided is shown to the staff');

    // A further escalation: the author of the assessment is offered no decision form.
    await wing.get(href);
    expect(
      (
        await wing.post(`${href}/escalations`, {
          authority: 'judicial',
          authorityName: 'Regional court',
          referredOn: today(),
        })
      ).statusCode,
    ).toBe(303);
    // The prisoner's challenges list says it was taken further.
    expect(textOf((await wing.get(`/prisoners/${p.id}/challenges`)).body)).toContain(
      'Taken to an outside authority',
    );
    const byAuthor = await (await as(assessor)).get(href);
    expect(byAuthor.statusCode).toBe(200);
    expect(byAuthor.body).not.toContain('/decision"');
    expect((await sup.get(href)).body).toContain('/decision"');
  });

  it('offers no escalation form for an upheld challenge or one not yet due', async () => {
    const p = await f.prisoner(a);
    const target = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
    });
    const record = async () =>
      (
        await t.http
          .post(`/api/v1/prisoners/${p.id}/challenges`)
          .set('authorization', officer.auth)
          .send({ targetType: 'assessment', targetId: target, receivedOn: today(), words: WORDS })
          .expect(201)
      ).body;
    const open = await record();
    const wing = await as(officer);
    expect((await wing.get(`/challenges/${open.id}`)).body).not.toContain('/escalations"');
    const upheld = await record();
    const answerer = upheld.assignedTo.id === reviewer.id ? reviewer : supervisor;
    await t.http
      .post(`/api/v1/challenges/${upheld.id}/answer`)
      .set('authorization', answerer.auth)
      .send({ outcome: 'upheld', response: 'Corrected.' })
      .expect(200);
    expect((await wing.get(`/challenges/${upheld.id}`)).body).not.toContain('/escalations"');
    // Posted anyway: the service refuses it (409), nothing is written.
    await wing.get(`/challenges/${upheld.id}`);
    const refused = await wing.post(`/challenges/${upheld.id}/escalations`, {
      authority: 'judicial',
      authorityName: 'Regional court',
      referredOn: today(),
    });
    expect(refused.statusCode).toBe(409);
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM challenge_escalation WHERE challenge_id = $1`,
      [upheld.id],
    );
    expect(count).toBe(0);
  });

  it('the supervisor records a disclosure and reads the log; others cannot open it', async () => {
    const client = await as(supervisor);
    const tab = await client.get(`/prisoners/${prisoner.id}/disclosures`);
    expect(tab.statusCode).toBe(200);
    await client.get(`/prisoners/${prisoner.id}/disclosures/new`);
    const bad = await client.post(`/prisoners/${prisoner.id}/disclosures`, {
      recipientType: 'court',
      recipient: '',
      lawfulBasis: 'Court order 7/2026',
      purpose: 'Parole hearing',
      disclosedOn: today(),
    });
    expect(bad.statusCode).toBe(422);
    const text = textOf(bad.body);
    expect(text).toContain('Enter who received them');
    expect(text).toContain('Name at least one record that was disclosed');
    const ok = await client.post(`/prisoners/${prisoner.id}/disclosures`, {
      recipientType: 'court',
      recipient: 'Regional court',
      lawfulBasis: 'Court order 7/2026',
      purpose: 'Parole hearing',
      disclosedOn: today(),
      'records-0-recordType': 'assessment',
      'records-0-recordId': assessmentId,
      'records-0-fields': 'finalRiskLevel, nextReviewDue',
    });
    expect(ok.statusCode).toBe(303);
    const log = textOf((await client.get('/disclosures')).body);
    expect(log).toContain('Regional court (Court)');
    expect(log).toContain('Assessment: finalRiskLevel, nextReviewDue');
    expect(log).toContain(`Test ${supervisor.username}`);
    for (const other of [pve, officer, reviewer]) {
      expect((await (await as(other)).get('/disclosures')).statusCode).toBe(403);
    }
  });

  it('the supervisor prepares, redacts and releases a subject-access copy; clinical content never shows on their pages', async () => {
    const client = await as(supervisor);
    const tab = await client.get(`/prisoners/${prisoner.id}/subject-access`);
    expect(tab.statusCode).toBe(200);
    const created = await client.post(`/prisoners/${prisoner.id}/subject-access`, {
      kind: 'request',
      receivedOn: today(),
      note: 'Handed to the wing officer',
    });
    expect(created.statusCode).toBe(303);
    const href = String(created.headers.location);
    const page = await client.get(href);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(CLINICAL);
    const text = textOf(page.body);
    expect(text).toContain('Nothing is withheld or redacted.');
    expect(text).toContain('Clinical content: in the copy, not shown here');
    expect(text).toContain('Particulars');

    const noGround = await client.post(`${href}/redactions`, {
      element: `assessment/${assessmentId}/formulation`,
      ground: '',
    });
    expect(noGround.statusCode).toBe(422);
    expect(textOf(noGround.body)).toContain('Choose the legal ground');
    const redacted = await client.post(`${href}/redactions`, {
      element: `assessment/${assessmentId}/formulation`,
      ground: 'informant_identity',
      note: 'Names a cell-mate',
    });
    expect(redacted.statusCode).toBe(303);
    const register = textOf((await client.get(href)).body);
    expect(register).toContain('Assessment');
    expect(register).toContain('Formulation');
    expect(register).toContain('Identity of an informant');
    expect(register).toContain(`Test ${supervisor.username}`);

    // Nothing leaves before release.
    expect((await client.get(`${href}/copy.json`)).statusCode).toBe(409);
    await client.get(href);
    const version = /name="version" value="(\d+)"/.exec(client.lastHtml)![1];
    const released = await client.post(`${href}/release`, { version });
    expect(released.statusCode).toBe(303);
    const done = await client.get(href);
    expect(done.body).toContain(`href="${href}/copy.pdf"`);
    expect(done.body).not.toContain(CLINICAL);
    const copy = await client.get(`${href}/copy`);
    expect(copy.statusCode).toBe(200);
    const copyText = textOf(copy.body);
    expect(copyText).toContain('Copy of your records');
    expect(copyText).toContain('Identity of an informant');
    // The prisoner's copy holds their clinical record, except what was redacted.
    expect(copy.body).toContain(`${CLINICAL} evidence for`);
    // The planted text is both the formulation (redacted) and the rationale (not): once.
    expect(copy.body.split(`${CLINICAL} formulation`)).toHaveLength(2);
    expect(copyText).toMatch(/Formulation Redacted Identity of an informant/);
    const json = await client.get(`${href}/copy.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-disposition']).toMatch(/attachment; filename="subject-access-/);
    const [{ bundle_sha256 }] = await t.db.query(
      `SELECT bundle_sha256 FROM subject_access_request WHERE id = $1`,
      [href.split('/').pop()],
    );
    expect(canonicalSha256(JSON.parse(json.body))).toBe(bundle_sha256);
    expect(textOf(done.body)).toContain(bundle_sha256);
  });

  it('shows the rights tabs only to the roles that may open them, and hides other facilities', async () => {
    const tabsOf = async (user: TestUser) =>
      (await (await as(user)).get(`/prisoners/${prisoner.id}`)).body;
    const sup = await tabsOf(supervisor);
    for (const tab of ['Challenges', 'Disclosures', 'Subject access'])
      expect(sup).toContain(`>${tab}</a>`);
    const wing = await tabsOf(officer);
    expect(wing).toContain('>Challenges</a>');
    expect(wing).not.toContain('>Disclosures</a>');
    expect(wing).not.toContain('>Subject access</a>');
    expect((await (await as(officer)).get('/subject-access')).statusCode).toBe(403);
    const outsider = await as(await f.user(['supervisor'], [b]));
    expect((await outsider.get(`/prisoners/${prisoner.id}/challenges`)).statusCode).toBe(404);
    expect((await outsider.get(`/prisoners/${prisoner.id}/subject-access`)).statusCode).toBe(404);
  });
});

/**
 * The escalation forms in Chromium without JavaScript, axe on every state: the challenge page
 * with the form, its errors, an escalation listed, the decision form, its errors, and the
 * decision recorded.
 */
describe('escalation pages without JavaScript: axe', () => {
  let h: BrowserHarness;
  let officer: TestUser;
  let supervisor: TestUser;
  let challengeId: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const east = await h.f.facility({ name: 'East facility' });
    const assessor = await h.f.user(['psychologist'], [east]);
    const countersigner = await h.f.user(['psychologist'], [east]);
    officer = await h.f.user(['security_officer'], [east]);
    supervisor = await h.f.user(['supervisor'], [east]);
    const p = await h.f.prisoner(east, { givenName: 'Arman', familyName: 'Sadykov' });
    const target = await h.f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
    });
    challengeId = (
      await h.t.http
        .post(`/api/v1/prisoners/${p.id}/challenges`)
        .set('authorization', officer.auth)
        .send({ targetType: 'assessment', targetId: target, receivedOn: today(), words: WORDS })
        .expect(201)
    ).body.id;
    await h.t.http
      .post(`/api/v1/challenges/${challengeId}/answer`)
      .set('authorization', supervisor.auth)
      .send({ outcome: 'not_upheld', response: 'The wing log supports the entry.' })
      .expect(200);
  }, 120_000);
  afterAll(() => h.close());

  const click = (page: Page, name: string) =>
    andWait(page, () => page.getByRole('button', { name }).first().click());

  it('records an escalation and its decision; every page and error state passes axe', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, officer);
    await page.goto(`/challenges/${challengeId}`);
    await expectAccessible(page);
    await click(page, 'Record the escalation');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'Choose the kind of authority',
    );
    await expectAccessible(page);
    await page.getByLabel('Ombudsman', { exact: true }).check();
    await page.getByLabel('Name of the authority').fill('Human Rights Ombudsman');
    await click(page, 'Record the escalation');
    expect(await page.locator('main').textContent()).toContain('Awaiting the decision');
    await expectAccessible(page);

    const { page: sup } = await h.newPage({ javaScriptEnabled: false });
    await signIn(sup, supervisor);
    await sup.goto(`/challenges/${challengeId}`);
    await expectAccessible(sup);
    await click(sup, 'Record the decision');
    expect(await sup.locator('.govuk-error-summary').textContent()).toContain('Choose the outcome');
    await expectAccessible(sup);
    await sup.getByLabel('Partly upheld', { exact: true }).check();
    await sup.getByLabel('What the authority decided').fill('A new assessment is to be made.');
    await click(sup, 'Record the decision');
    const text = (await sup.locator('main').textContent()) ?? '';
    expect(text).toContain('A new assessment is to be made.');
    expect(text).toContain('Amendment due by');
    await expectAccessible(sup);
    await page.reload();
    expect(await page.locator('main').textContent()).not.toContain('A new assessment');
    await expectAccessible(page);
  }, 240_000);
});
