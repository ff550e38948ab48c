import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { completeRatings, instrumentItems } from '../support/assessment-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CLINICAL, plantClinicalText } from './support/planted.js';
import { textOf, UiClient } from './support/ui-client.js';

const RISK = 've-risk-spj';

/** Every page of one assessment a role might open (the workspace's own, beside the prisoner's). */
const assessmentPages = (id: string) => [
  `/assessments/${id}`,
  `/assessments/${id}/domains/BA`,
  `/assessments/${id}/items/BA01`,
  `/assessments/${id}/formulation`,
  `/assessments/${id}/needs`,
  `/assessments/${id}/recommendations`,
  `/assessments/${id}/participation`,
  `/assessments/${id}/judgement`,
  `/assessments/${id}/check`,
  `/assessments/${id}/print`,
];

const scriptNonces = (html: string) =>
  [...html.matchAll(/<script\b[^>]*\bnonce="([^"]+)"/g)].map((m) => m[1]);

/**
 * The assessment workspace's pages through app.inject: status codes, 404 out of scope, 403 for
 * the wrong role, CSRF refusals, no-store, CSP nonces, the form round trips (errors beside the
 * fields, autosave JSON, conflicts), and that no role outside psychology sees clinical text.
 */
describe('assessment pages', () => {
  let t: TestApp;
  let f: Factories;
  let north: TestFacility;
  let south: TestFacility;
  let assessor: TestUser;
  let colleague: TestUser;
  let outsider: TestUser;
  let security: TestUser;
  let pve: TestUser;
  let supervisor: TestUser;
  let admin: TestUser;
  let prisoner: TestPrisoner;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  /** A draft of the risk instrument by `assessor`, started through the API. */
  const draft = async (who = assessor, whom = prisoner) => {
    const res = await t.http
      .post(`/api/v1/prisoners/${whom.id}/assessments`)
      .set('authorization', who.auth)
      .send({ instrumentKey: RISK, instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    return res.body.id as string;
  };

  const patch = (id: string, version: number, body: object, who = assessor) =>
    t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', who.auth)
      .set('if-match', `"${version}"`)
      .send(body)
      .expect(200);

  /** A draft with everything the submit check asks for. */
  const complete = async (whom: TestPrisoner) => {
    const id = await draft(assessor, whom);
    const items = await instrumentItems(t, assessor.auth, RISK);
    await patch(id, 1, {
      ratings: completeRatings(items),
      formulation: 'Formulation',
      finalRiskLevel: 'low',
      // Every final judgement is explained, even one that matches the band.
      finalRationale: 'Rationale',
      prisonerParticipation: { informedOn: '2026-01-10', participated: 'yes' },
    });
    return id;
  };

  const version = async (id: string) =>
    (await t.db.query(`SELECT version FROM assessment WHERE id = $1`, [id]))[0].version as number;

  const exports = async (id: string) =>
    (
      await t.db.query(
        `SELECT details FROM audit_event WHERE action = 'assessment.export' AND entity_id = $1 ORDER BY seq`,
        [id],
      )
    ).map((r: { details: unknown }) => r.details);

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    north = await f.facility({ name: 'North facility' });
    south = await f.facility({ name: 'South facility' });
    assessor = await f.user(['psychologist'], [north]);
    colleague = await f.user(['psychologist'], [north]);
    outsider = await f.user(['psychologist'], [south]);
    security = await f.user(['security_officer'], [north]);
    pve = await f.user(['pve_inspector'], [north]);
    supervisor = await f.user(['supervisor'], [north]);
    admin = await f.user(['administrator']);
    for (const user of [assessor, colleague, outsider]) await f.certify(user.id, RISK);
    prisoner = await f.prisoner(north, { givenName: 'Arman', familyName: 'Sadykov' });
  });
  afterAll(() => t.close());

  describe('My work on the home page', () => {
    it('lists my drafts, my returned assessments and others’ awaiting my countersignature, each linking to the work', async () => {
      const p1 = await f.prisoner(north, { givenName: 'Dana', familyName: 'Draftova' });
      const p2 = await f.prisoner(north, { givenName: 'Rita', familyName: 'Returnova' });
      const p3 = await f.prisoner(north, { givenName: 'Sara', familyName: 'Submitova' });
      const mine = await draft(assessor, p1);
      const returned = await complete(p2);
      await t.http
        .post(`/api/v1/assessments/${returned}/submit`)
        .set('authorization', assessor.auth)
        .expect(200);
      await t.http
        .post(`/api/v1/assessments/${returned}/countersign`)
        .set('authorization', colleague.auth)
        .send({ decision: 'return', comments: 'More evidence please' })
        .expect(200);
      const theirs = await f.openAssessment(p3, colleague, 'submitted', RISK);

      const res = await (await as(assessor)).get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const section = (title: string) => {
        const start = res.body.indexOf(`>${title}</h2>`);
        return res.body.slice(start, res.body.indexOf('</section>', start));
      };
      expect(section('My draft assessments')).toContain(`href="/assessments/${mine}"`);
      expect(textOf(section('My draft assessments'))).toContain('Dana Draftova');
      expect(section('My draft assessments')).not.toContain(returned);
      expect(section('Assessments returned to me')).toContain(`href="/assessments/${returned}"`);
      expect(section('Awaiting my countersignature')).toContain(
        `href="/assessments/${theirs}/countersign"`,
      );
      expect(section('Awaiting my countersignature')).not.toContain(mine);
      // The order: my own work first, then the reviews due.
      const order = [
        'My draft assessments',
        'Assessments returned to me',
        'Awaiting my countersignature',
        'Reassessments and reviews due',
      ].map((h) => res.body.indexOf(h));
      expect([...order].sort((a, b) => a - b)).toEqual(order);

      const colleagues = await (await as(colleague)).get('/');
      expect(colleagues.body).not.toContain(`/assessments/${theirs}/countersign`);
      for (const user of [security, pve, supervisor]) {
        const other = await (await as(user)).get('/');
        expect(other.body).not.toContain('My draft assessments');
        expect(other.body).not.toContain('Awaiting my countersignature');
      }
    });
  });

  describe('starting an assessment', () => {
    it('offers active instruments and reasons, and explains what it refuses beside the fields', async () => {
      const whom = await f.prisoner(north);
      const client = await as(assessor);
      const tab = await client.get(`/prisoners/${whom.id}/assessments`);
      expect(tab.body).toContain(`href="/prisoners/${whom.id}/assessments/new"`);
      const form = await client.get(`/prisoners/${whom.id}/assessments/new`);
      expect(form.statusCode).toBe(200);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.body).toContain(`value="${RISK}@1.0.0"`);
      expect(form.body).toContain('value="ve-needs@1.0.0"');
      expect(textOf(form.body)).toContain(
        'Only assessors with a current certification can use it.',
      );

      const empty = await client.post(`/prisoners/${whom.id}/assessments`, {});
      expect(empty.statusCode).toBe(422);
      expect(empty.body).toContain('<a href="#instrument">Select an instrument</a>');
      expect(empty.body).toContain('<a href="#reason">Select why the assessment is being done</a>');

      const noTrigger = await client.post(`/prisoners/${whom.id}/assessments`, {
        instrument: `${RISK}@1.0.0`,
        reason: 'event',
      });
      expect(noTrigger.statusCode).toBe(422);
      expect(noTrigger.body).toContain(
        '<a href="#trigger">Select the recorded event or describe what prompted the assessment, in 3 to 500 characters</a>',
      );
      expect(noTrigger.body).toContain(`value="${RISK}@1.0.0" checked`);

      const started = await client.post(`/prisoners/${whom.id}/assessments`, {
        instrument: `${RISK}@1.0.0`,
        reason: 'event',
        trigger: 'Fight on the wing',
      });
      expect(started.statusCode).toBe(303);
      const id = /^\/assessments\/([0-9a-f-]{36})\?done=started$/.exec(
        String(started.headers.location),
      )![1];
      const [row] = await t.db.query(`SELECT reason, trigger FROM assessment WHERE id = $1`, [id]);
      expect(row).toEqual({ reason: 'event', trigger: 'Fight on the wing' });

      await client.get(`/prisoners/${whom.id}/assessments/new`);
      const again = await client.post(`/prisoners/${whom.id}/assessments`, {
        instrument: `${RISK}@1.0.0`,
        reason: 'intake',
      });
      expect(again.statusCode).toBe(422);
      expect(again.body).toContain(
        `<a href="/assessments/${id}">An assessment with this instrument is already in progress for this prisoner: open it</a>`,
      );
    });

    it('refuses an uncertified psychologist beside the instrument, and other roles and scopes as the API does', async () => {
      const uncertified = await f.user(['psychologist'], [north]);
      const whom = await f.prisoner(north);
      const client = await as(uncertified);
      await client.get(`/prisoners/${whom.id}/assessments/new`);
      const refused = await client.post(`/prisoners/${whom.id}/assessments`, {
        instrument: `${RISK}@1.0.0`,
        reason: 'intake',
      });
      expect(refused.statusCode).toBe(422);
      expect(textOf(refused.body)).toContain(
        'You need a current certification for this instrument. Ask your administrator.',
      );
      expect(
        await t.db.query(`SELECT 1 FROM assessment WHERE prisoner_id = $1`, [whom.id]),
      ).toEqual([]);

      const pveClient = await as(pve);
      expect((await pveClient.get(`/prisoners/${whom.id}/assessments/new`)).statusCode).toBe(403);
      const tab = await pveClient.get(`/prisoners/${whom.id}/assessments`);
      expect(tab.body).not.toContain('/assessments/new');
      const elsewhere = await (await as(outsider)).get(`/prisoners/${whom.id}/assessments/new`);
      expect(elsewhere.statusCode).toBe(404);
      expect(elsewhere.body).not.toContain(whom.prisonNumber);
    });

    it('starts after a recorded event, named by the prisoner’s own event list', async () => {
      const whom = await f.prisoner(north);
      const [{ id: event }] = await t.db.query(
        `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, recorded_by)
         VALUES ($1, $2, 'serious_incident', now() - interval '1 day', $3) RETURNING id`,
        [whom.id, north.id, security.id],
      );
      const client = await as(assessor);
      const form = await client.get(`/prisoners/${whom.id}/assessments/new`);
      expect(form.body).toMatch(new RegExp(`<option value="${event}"\\s*>Serious incident, `));
      const started = await client.post(`/prisoners/${whom.id}/assessments`, {
        instrument: `${RISK}@1.0.0`,
        reason: 'event',
        triggerEventId: event,
      });
      expect(started.statusCode).toBe(303);
      const [row] = await t.db.query(
        `SELECT reason, trigger_event_id FROM assessment WHERE prisoner_id = $1`,
        [whom.id],
      );
      expect(row).toEqual({ reason: 'event', trigger_event_id: event });
    });

    it('refuses a form without its CSRF token', async () => {
      const client = await as(assessor);
      await client.get(`/prisoners/${prisoner.id}/assessments/new`);
      const res = await client.post(
        `/prisoners/${prisoner.id}/assessments`,
        { instrument: `${RISK}@1.0.0`, reason: 'intake' },
        { csrf: false },
      );
      expect(res.statusCode).toBe(403);
      expect(textOf(res.body)).toContain('Your form could not be sent');
    });
  });

  describe('the task list, domains and items', () => {
    it('shows the assessor a task list with statuses from the ratings, on every page the instrument version', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      await patch(id, 1, { ratings: { BA01: { value: 'low' }, BA02: { value: 'moderate' } } });
      const client = await as(assessor);
      const res = await client.get(`/assessments/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const text = textOf(res.body);
      expect(text).toContain('Complete the assessment');
      expect(text).toMatch(
        /Beliefs, attitudes and ideology 2 of 6 items completed In progress|Beliefs, attitudes and ideology 1 of 6 items completed In progress/,
      );
      expect(text).toContain('Social context and intention 0 of 6 items completed Not started');
      expect(text).toContain('Check and submit Cannot submit yet');
      for (const url of assessmentPages(id).filter((u) => !u.endsWith('/print'))) {
        const page = await client.get(url);
        expect({ url, status: page.statusCode }).toEqual({ url, status: 200 });
        expect(textOf(page.body)).toContain(
          'Violent extremism risk - structured professional judgement (illustrative), version 1.0.0',
        );
        expect(textOf(page.body)).toContain('They are illustrative, not predictive.');
        const csp = String(page.headers['content-security-policy']);
        const nonce = /'nonce-([0-9a-f]{32})'/.exec(csp)![1];
        expect(scriptNonces(page.body).length).toBeGreaterThan(0);
        expect(scriptNonces(page.body).every((n) => n === nonce)).toBe(true);
      }
      const item = await client.get(`/assessments/${id}/items/BA02`);
      const itemText = textOf(item.body);
      // BA02 is rated moderate without the evidence its rule asks for: in progress.
      expect(itemText).toMatch(/BA02 .* In progress/);
      expect(itemText).toContain(
        'A rating of Moderate or High needs evidence for, evidence against, at least 1 source, and the reliability of the information.',
      );
      expect(item.body).toContain('value="moderate" checked');
      expect(item.body).toContain('id="conditional-rating-5"');
      expect((await client.get(`/assessments/${id}/items/ZZ99`)).statusCode).toBe(404);
      expect((await client.get(`/assessments/${id}/domains/ZZ`)).statusCode).toBe(404);
      expect((await client.get('/assessments/not-a-uuid')).statusCode).toBe(404);
    });

    it('answers 404 out of scope, 403 for a role that may not read assessments, and a read-only page to another psychologist', async () => {
      const id = await draft();
      expect((await (await as(outsider)).get(`/assessments/${id}`)).statusCode).toBe(404);
      expect((await (await as(outsider)).get(`/assessments/${id}/items/BA01`)).statusCode).toBe(
        404,
      );
      for (const url of assessmentPages(id)) {
        const res = await (await as(admin)).get(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
      }
      const other = await as(colleague);
      const page = await other.get(`/assessments/${id}`);
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).not.toContain('Complete the assessment');
      expect(textOf(page.body)).toContain('Draft');
      const item = await other.get(`/assessments/${id}/items/BA01`);
      expect(item.statusCode).toBe(303);
      expect(item.headers.location).toBe(`/assessments/${id}`);
    });

    it('saves an item with the Save buttons, going on to the next item or back to the task list', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      const page = await client.get(`/assessments/${id}/items/BA01`);
      const opened = /name="opened" value="([^"]+)"/.exec(page.body)![1];
      const saved = await client.post(`/assessments/${id}/items/BA01`, {
        version: '1',
        opened,
        rating: 'moderate',
        evidenceFor: 'Said so on 3 March',
        evidenceAgainst: 'Nothing found',
        sources: 'interview',
        reliability: 'medium',
        reason: 'dropped: the reason belongs to not rated',
        next: 'continue',
      });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(`/assessments/${id}/items/BA02`);
      const [row] = await t.db.query(`SELECT ratings, version FROM assessment WHERE id = $1`, [id]);
      expect(row.ratings.BA01).toEqual({
        value: 'moderate',
        label: 'Moderate',
        evidenceFor: 'Said so on 3 March',
        evidenceAgainst: 'Nothing found',
        sources: ['interview'],
        reliability: 'medium',
      });
      await client.get(`/assessments/${id}/items/BA06`);
      const last = await client.post(`/assessments/${id}/items/BA06`, {
        version: String(row.version),
        rating: 'not_rated',
        reason: 'No file yet',
        next: 'continue',
      });
      expect(last.headers.location).toBe(`/assessments/${id}/domains/BA`);
      await client.get(`/assessments/${id}/items/BA02`);
      const back = await client.post(`/assessments/${id}/items/BA02`, {
        version: String(row.version + 1),
        rating: 'low',
        next: 'tasklist',
      });
      expect(back.headers.location).toBe(`/assessments/${id}`);
      const domain = textOf((await client.get(`/assessments/${id}/domains/BA`)).body);
      expect(domain).toContain('BA06 ');
      expect(domain).toContain('Not rated Why it is not rated: No file yet');
    });

    it('shows what the service refuses beside the field, keeping what was typed', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      await client.get(`/assessments/${id}/items/BA01`);
      const res = await client.post(`/assessments/${id}/items/BA01`, {
        version: '1',
        rating: 'extreme',
        evidenceFor: 'Kept as typed',
        next: 'continue',
      });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain(
        '<a href="#rating">Select a rating from the list, or not rated</a>',
      );
      expect(res.body).toContain('>Kept as typed</textarea>');
      expect(await version(id)).toBe(1);
      const long = await client.post(`/assessments/${id}/items/BA01`, {
        version: '1',
        rating: 'low',
        evidenceAgainst: 'x'.repeat(10_001),
      });
      expect(long.statusCode).toBe(422);
      expect(long.body).toContain(
        '<a href="#evidenceAgainst">Evidence against must be 10,000 characters or fewer</a>',
      );
    });

    it('autosaves with If-Match and the CSRF header, answering the new version and "Saved at"', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      const page = await client.get(`/assessments/${id}/items/BA01`);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
      const headers = { accept: 'application/json', 'x-csrf-token': token, 'if-match': '"1"' };
      const saved = await client.post(
        `/assessments/${id}/items/BA01`,
        { rating: 'low', version: '99' },
        { csrf: false, headers },
      );
      expect(saved.statusCode).toBe(200);
      const body = saved.json();
      expect(body.version).toBe(2);
      expect(body.message).toMatch(/^Saved at \d\d:\d\d$/);
      expect(body.opened).toMatch(/^rating:[\w-]{16};reason:/);

      const stale = await client.post(
        `/assessments/${id}/items/BA01`,
        { rating: 'high' },
        { csrf: false, headers },
      );
      expect(stale.statusCode).toBe(409);
      expect(stale.json().message).toMatch(
        /^Not saved: You changed it on .+, in another window or tab\. Your changes are still on this page\./,
      );
      expect(
        (await t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [id]))[0].ratings.BA01
          .value,
      ).toBe('low');

      const refused = await client.post(
        `/assessments/${id}/items/BA01`,
        { rating: 'extreme' },
        { csrf: false, headers: { ...headers, 'if-match': '"2"' } },
      );
      expect(refused.statusCode).toBe(422);
      expect(refused.json().message).toBe('Not saved: Select a rating from the list, or not rated');

      const noToken = await client.post(
        `/assessments/${id}/items/BA01`,
        { rating: 'high' },
        { csrf: false, headers: { accept: 'application/json', 'if-match': '"2"' } },
      );
      expect(noToken.statusCode).toBe(403);
      expect(await version(id)).toBe(2);
    });

    it('never overwrites a change made meanwhile: the conflict page shows who, when and what differs', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      const page = await client.get(`/assessments/${id}/items/SC01`);
      const opened = /name="opened" value="([^"]+)"/.exec(page.body)![1];
      // Meanwhile, the same assessor rates the item elsewhere.
      await patch(id, 1, { ratings: { SC01: { value: 'high', evidenceFor: 'Seen by staff' } } });
      const res = await client.post(`/assessments/${id}/items/SC01`, {
        version: '1',
        opened,
        rating: '',
        evidenceAgainst: 'Denies it',
        next: 'continue',
      });
      expect(res.statusCode).toBe(409);
      const text = textOf(res.body);
      expect(text).toContain('This assessment changed since you opened the page');
      expect(text).toMatch(
        /You changed it on \d{1,2} \w+ \d{4}, \d\d:\d\d, in another window or tab\./,
      );
      expect(text).toContain('Rating Changed since you opened it High (empty)');
      expect(text).toContain('Evidence for Changed since you opened it Seen by staff (empty)');
      expect(text).toContain('Evidence against (empty) Denies it');
      // Re-applying keeps the other change and adds only the user's own edit.
      expect(res.body).toContain('<input type="hidden" name="rating" value="high">');
      expect(res.body).toContain('<input type="hidden" name="evidenceAgainst" value="Denies it">');
      expect(res.body).toContain('<input type="hidden" name="version" value="2">');
      const reapplied = await client.post(
        `/assessments/${id}/items/SC01`,
        Object.fromEntries(
          [...res.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
            .filter((m) => m[1] !== '_csrf')
            .map((m) => [m[1], m[2].replace(/&amp;/g, '&')]),
        ),
      );
      expect(reapplied.statusCode).toBe(303);
      const [row] = await t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [id]);
      expect(row.ratings.SC01).toEqual({
        value: 'high',
        label: 'High',
        evidenceFor: 'Seen by staff',
        evidenceAgainst: 'Denies it',
      });
    });

    it('refuses a save by a role that may not edit (403) and a save without the CSRF token', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const pveClient = await as(pve);
      await pveClient.get('/');
      const refused = await pveClient.post(`/assessments/${id}/items/BA01`, {
        version: '1',
        rating: 'high',
      });
      expect(refused.statusCode).toBe(403);
      const client = await as(assessor);
      await client.get(`/assessments/${id}/items/BA01`);
      const noToken = await client.post(
        `/assessments/${id}/items/BA01`,
        { version: '1', rating: 'high' },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      const other = await as(colleague);
      await other.get('/');
      const notMine = await other.post(`/assessments/${id}/items/BA01`, {
        version: '1',
        rating: 'high',
      });
      expect(notMine.statusCode).toBe(403);
      expect(await version(id)).toBe(1);
    });
  });

  describe('sections', () => {
    it('formulation and scenarios: rows added and removed, a half-filled scenario refused beside its field', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      await client.get(`/assessments/${id}/formulation`);
      const half = await client.post(`/assessments/${id}/formulation`, {
        version: '1',
        formulation: 'Driven by grievance',
        'scenario-1-title': '',
        'scenario-1-description': '',
        'scenario-2-title': 'Recruitment',
        'scenario-2-description': '',
        next: 'continue',
      });
      expect(half.statusCode).toBe(422);
      expect(half.body).toContain(
        '<a href="#scenario-2-description">Describe the scenario, in 4,000 characters or fewer</a>',
      );
      const added = await client.post(`/assessments/${id}/formulation`, {
        version: '1',
        formulation: 'Driven by grievance',
        'scenario-1-title': 'Recruitment',
        'scenario-1-description': 'On the wing',
        next: 'add',
      });
      expect(added.statusCode).toBe(303);
      expect(added.headers.location).toBe(`/assessments/${id}/formulation#scenario-2-title`);
      const page = await client.get(`/assessments/${id}/formulation`);
      expect(page.body).toContain('id="scenario-2-title"');
      expect(page.body).not.toContain('id="scenario-3-title"');
      const next = await client.post(`/assessments/${id}/formulation`, {
        version: '2',
        formulation: 'Driven by grievance',
        'scenario-1-title': '',
        'scenario-1-description': '',
        next: 'continue',
      });
      expect(next.headers.location).toBe(`/assessments/${id}/needs`);
      const [row] = await t.db.query(
        `SELECT formulation, scenarios FROM assessment WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({ formulation: 'Driven by grievance', scenarios: [] });
    });

    it('needs, recommendations, participation and the final judgement save what the pages show', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      const client = await as(assessor);
      const needs = await client.get(`/assessments/${id}/needs`);
      expect(textOf(needs.body)).toContain('No priority indicated by the ratings yet');
      expect(
        (
          await client.post(`/assessments/${id}/needs`, {
            version: '1',
            'need-ideology': 'high',
            next: 'continue',
          })
        ).headers.location,
      ).toBe(`/assessments/${id}/recommendations`);
      await client.get(`/assessments/${id}/recommendations`);
      const noTag = await client.post(`/assessments/${id}/recommendations`, {
        version: '2',
        'recommendation-1-text': 'Escort with two officers',
      });
      expect(noTag.statusCode).toBe(422);
      expect(noTag.body).toContain(
        '<a href="#recommendation-1-tag">Select who the recommendation is for</a>',
      );
      await client.post(`/assessments/${id}/recommendations`, {
        version: '2',
        'recommendation-1-text': 'Escort with two officers',
        'recommendation-1-tag': 'security',
      });
      await client.get(`/assessments/${id}/participation`);
      const badDate = await client.post(`/assessments/${id}/participation`, {
        version: '3',
        'informedOn-day': '30',
        'informedOn-month': '2',
        'informedOn-year': '2026',
        participated: 'declined',
      });
      expect(badDate.statusCode).toBe(422);
      expect(badDate.body).toContain(
        '<a href="#informedOn-day">Enter the date the prisoner was told, as a real day, month and year</a>',
      );
      await client.post(`/assessments/${id}/participation`, {
        version: '3',
        'informedOn-day': '3',
        'informedOn-month': '2',
        'informedOn-year': '2026',
        participated: 'declined',
        prisonerComments: 'I do not agree with any of this',
      });
      const judgement = await client.get(`/assessments/${id}/judgement`);
      const text = textOf(judgement.body);
      expect(text).toContain('Illustrative, not predictive.');
      expect(text).toContain('If approved at this level, the next review is due 3 months later.');
      await client.post(`/assessments/${id}/judgement`, {
        version: '4',
        finalRiskLevel: 'high',
        finalRationale: 'Recent events',
      });
      const [row] = await t.db.query(
        `SELECT needs, recommendations, prisoner_participation, final_risk_level, final_rationale FROM assessment WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({
        needs: [{ code: 'ideology', priority: 'high' }],
        recommendations: [{ text: 'Escort with two officers', tag: 'security' }],
        prisoner_participation: {
          informedOn: '2026-02-03',
          participated: 'declined',
          prisonerComments: 'I do not agree with any of this',
        },
        final_risk_level: 'high',
        final_rationale: 'Recent events',
      });
    });
  });

  describe('check and submit', () => {
    it('lists what is missing, and a refused submit links each reason to the exact field', async () => {
      const id = await draft(assessor, await f.prisoner(north));
      await patch(id, 1, { ratings: { BA01: { value: 'moderate' }, BA02: { notRated: true } } });
      const client = await as(assessor);
      const check = await client.get(`/assessments/${id}/check`);
      expect(check.statusCode).toBe(200);
      expect(textOf(check.body)).toMatch(/You cannot submit yet: \d+ things to complete\./);
      const res = await client.post(`/assessments/${id}/submit`, {});
      expect(res.statusCode).toBe(422);
      const summary = res.body.slice(
        res.body.indexOf('govuk-error-summary'),
        res.body.indexOf('</ul>', res.body.indexOf('govuk-error-summary')),
      );
      for (const link of [
        `/assessments/${id}/items/BA01#evidenceFor`,
        `/assessments/${id}/items/BA01#evidenceAgainst`,
        `/assessments/${id}/items/BA01#sources`,
        `/assessments/${id}/items/BA01#reliability`,
        `/assessments/${id}/items/BA02#reason`,
        `/assessments/${id}/items/BA03#rating`,
        `/assessments/${id}/domains/SC`,
        `/assessments/${id}/judgement#finalRiskLevel`,
        `/assessments/${id}/formulation#formulation`,
        `/assessments/${id}/participation#informedOn-day`,
      ]) {
        expect(summary).toContain(`href="${link}"`);
      }
      expect(textOf(summary)).toContain(
        'BA01 Endorses violence as a legitimate way to pursue a cause: record the evidence for the rating',
      );
      expect(textOf(summary)).toContain(
        'BA02 Uses personal or collective grievances to justify harming others: say why it is not rated',
      );
      const item = await client.get(`/assessments/${id}/items/BA01`);
      for (const field of ['rating', 'evidenceFor', 'evidenceAgainst', 'sources', 'reliability'])
        expect(item.body).toContain(`id="${field}"`);
      const reasonPage = await client.get(`/assessments/${id}/items/BA02`);
      expect(reasonPage.body).toContain('id="reason"');
    });

    it('submits a complete assessment, which is then read-only for its assessor', async () => {
      const id = await complete(await f.prisoner(north));
      const client = await as(assessor);
      const check = await client.get(`/assessments/${id}/check`);
      expect(textOf(check.body)).toContain('Everything the instrument asks for is recorded.');
      expect(check.body).toContain(`href="/assessments/${id}/items/BA01?from=check"`);
      const res = await client.post(`/assessments/${id}/submit`, {});
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/assessments/${id}?done=submitted`);
      const page = await client.get(res.headers.location as string);
      expect(textOf(page.body)).toContain('The assessment was submitted for countersignature.');
      expect(textOf(page.body)).not.toContain('Countersign or return');
      expect((await client.get(`/assessments/${id}/items/BA01`)).statusCode).toBe(303);
      const again = await client.post(`/assessments/${id}/submit`, {});
      expect(again.statusCode).toBe(409);
    });
  });

  describe('countersign, amend and cancel', () => {
    it('lets another psychologist approve or return, never the assessor, and not other roles', async () => {
      const id = await complete(await f.prisoner(north));
      await t.http
        .post(`/api/v1/assessments/${id}/submit`)
        .set('authorization', assessor.auth)
        .expect(200);
      expect((await (await as(assessor)).get(`/assessments/${id}/countersign`)).statusCode).toBe(
        403,
      );
      expect((await (await as(pve)).get(`/assessments/${id}/countersign`)).statusCode).toBe(403);
      expect((await (await as(outsider)).get(`/assessments/${id}/countersign`)).statusCode).toBe(
        404,
      );
      const client = await as(colleague);
      const page = await client.get(`/assessments/${id}/countersign`);
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain('EVIDENCE-FOR-BA01');
      const noComments = await client.post(`/assessments/${id}/countersign`, {
        decision: 'return',
      });
      expect(noComments.statusCode).toBe(422);
      expect(noComments.body).toContain(
        '<a href="#comments">Say what the assessor must address</a>',
      );
      const noToken = await client.post(
        `/assessments/${id}/countersign`,
        { decision: 'approve' },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      const approved = await client.post(`/assessments/${id}/countersign`, { decision: 'approve' });
      expect(approved.statusCode).toBe(303);
      expect(approved.headers.location).toBe(`/assessments/${id}?done=approved`);
      const [row] = await t.db.query(
        `SELECT status, countersigner_id FROM assessment WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({ status: 'approved', countersigner_id: colleague.id });
    });

    it('amends an approved assessment as a new revision, and cancels a draft, each with a reason', async () => {
      const whom = await f.prisoner(north);
      const id = await f.approvedAssessment(whom, assessor, colleague, { instrumentKey: RISK });
      const client = await as(assessor);
      const view = await client.get(`/assessments/${id}`);
      expect(view.body).toContain(`href="/assessments/${id}/amend"`);
      await client.get(`/assessments/${id}/amend`);
      const short = await client.post(`/assessments/${id}/amend`, { reason: 'short' });
      expect(short.statusCode).toBe(422);
      expect(short.body).toContain(
        '<a href="#reason">Enter the reason, in 10 to 2,000 characters</a>',
      );
      const amended = await client.post(`/assessments/${id}/amend`, {
        reason: 'New information from the intelligence unit',
      });
      expect(amended.statusCode).toBe(303);
      const revision = /^\/assessments\/([0-9a-f-]{36})\?done=amended$/.exec(
        String(amended.headers.location),
      )![1];
      const [row] = await t.db.query(
        `SELECT revision, supersedes_id, status FROM assessment WHERE id = $1`,
        [revision],
      );
      expect(row).toEqual({ revision: 2, supersedes_id: id, status: 'draft' });
      await client.get(`/assessments/${id}/amend`);
      const twice = await client.post(`/assessments/${id}/amend`, {
        reason: 'Another amendment at once',
      });
      expect(twice.statusCode).toBe(422);
      expect(twice.body).toContain(`href="/assessments/${revision}"`);

      const page = await client.get(`/assessments/${revision}`);
      expect(page.body).toContain(`href="/assessments/${revision}/cancel"`);
      await client.get(`/assessments/${revision}/cancel`);
      const cancelled = await client.post(`/assessments/${revision}/cancel`, {
        reason: 'Started in error: nothing new after all',
      });
      expect(cancelled.headers.location).toBe(`/assessments/${revision}?done=cancelled`);
      const after = textOf((await client.get(`/assessments/${revision}`)).body);
      expect(after).toContain('Started in error: nothing new after all');
      expect(after).toMatch(/Cancelled by Test /);
      expect(after).toContain('Open revision 1');
      expect((await (await as(colleague)).get(`/assessments/${id}/cancel`)).statusCode).toBe(303);
    });
  });

  describe('views for other roles, print and PDF', () => {
    let approved: string;
    let open: string;

    beforeAll(async () => {
      const whom = await f.prisoner(north, { givenName: 'Planted', familyName: 'Case' });
      approved = await f.approvedAssessment(whom, assessor, colleague, {
        instrumentKey: RISK,
        finalRiskLevel: 'high',
        needs: [{ code: 'ideology', priority: 'high' }],
      });
      await plantClinicalText(t, approved);
      await t.db.query(
        `UPDATE assessment SET recommendations = recommendations || '[{"text":"Offer the education course","tag":"programme"}]'::jsonb WHERE id = $1`,
        [approved],
      );
      open = await f.openAssessment(whom, assessor, 'draft', 've-needs');
      await plantClinicalText(t, open);
    });

    it('renders exactly the view each role gets, and never clinical text outside psychology', async () => {
      const full = textOf((await (await as(colleague)).get(`/assessments/${approved}`)).body);
      expect(full).toContain(`${CLINICAL} evidence for`);

      const securityPage = textOf(
        (await (await as(security)).get(`/assessments/${approved}`)).body,
      );
      expect(securityPage).toContain('Security view');
      expect(securityPage).toContain('High (indicative)');
      expect(securityPage).toContain('Escort with two officers');
      expect(securityPage).not.toContain('Offer the education course');
      expect(securityPage).not.toContain('Assessor');

      const programme = textOf((await (await as(pve)).get(`/assessments/${approved}`)).body);
      expect(programme).toContain('Programme view');
      expect(programme).toContain('Offer the education course');
      expect(programme).toContain('Escort with two officers');

      for (const user of [security, pve, supervisor, admin]) {
        const client = await as(user);
        for (const id of [approved, open]) {
          for (const url of [
            ...assessmentPages(id),
            `/assessments/${id}/countersign`,
            `/assessments/${id}/amend`,
          ]) {
            const res = await client.get(url);
            const body =
              res.statusCode === 303
                ? (await client.get(String(res.headers.location))).body
                : res.body;
            expect({ role: user.roles[0], url, leaked: body.includes(CLINICAL) }).toEqual({
              role: user.roles[0],
              url,
              leaked: false,
            });
          }
        }
      }
    });

    it('prints in the caller’s view, audited as an export', async () => {
      const client = await as(security);
      const before = (await exports(approved)).length;
      const res = await client.get(`/assessments/${approved}/print`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const text = textOf(res.body);
      expect(text).toContain('Assessment report');
      expect(text).toContain('CONFIDENTIAL: case record of a person in custody.');
      expect(text).toContain('version 1.0.0');
      expect(text).toContain('They are illustrative, not predictive.');
      expect(text).not.toContain(CLINICAL);
      expect(res.body).not.toMatch(/<script/);
      const recorded = await exports(approved);
      expect(recorded.slice(before)).toEqual([{ view: 'security', format: 'print' }]);
    });

    it('renders a tagged, outlined PDF in Chromium, audited as an export', async () => {
      const client = await as(colleague);
      const res = await client.get(`/assessments/${approved}/pdf`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(String(res.headers['content-disposition'])).toMatch(
        /^attachment; filename="assessment-P-[0-9A-F]+-r1\.pdf"$/,
      );
      const pdf = res.rawPayload;
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      const raw = pdf.toString('latin1');
      expect(raw).toContain('/StructTreeRoot');
      expect(raw).toContain('/MarkInfo');
      expect(raw).toContain('/Outlines');
      expect((await exports(approved)).at(-1)).toEqual({ view: 'full', format: 'pdf' });
    });
  });

  describe('without Chromium', () => {
    let bare: TestApp;
    afterAll(() => bare?.close());

    it('answers 503 pointing at the print view, and records no export', async () => {
      bare = await createTestApp({ env: { CHROMIUM_PATH: '/nonexistent/chromium' } });
      const g = new Factories(bare);
      const facility = await g.facility();
      const user = await g.user(['psychologist'], [facility]);
      const other = await g.user(['psychologist'], [facility]);
      const id = await g.approvedAssessment(await g.prisoner(facility), user, other, {
        instrumentKey: RISK,
      });
      const client = new UiClient(bare);
      await client.signInAs(user);
      const res = await client.get(`/assessments/${id}/pdf`);
      expect(res.statusCode).toBe(503);
      expect(textOf(res.body)).toContain('The PDF cannot be made at the moment');
      expect(res.body).toContain(`href="/assessments/${id}/print"`);
      expect(
        await bare.db.query(`SELECT 1 FROM audit_event WHERE action = 'assessment.export'`),
      ).toEqual([]);
    });
  });

  it('speaks Russian with the reader’s language, dates as DD.MM.YYYY', async () => {
    const id = await draft(assessor, await f.prisoner(north));
    const client = await as(assessor);
    await client.get('/');
    await client.post('/language', { locale: 'ru', returnTo: '/' });
    const item = textOf((await client.get(`/assessments/${id}/items/BA01`)).body);
    expect(item).toContain('Сведения в пользу');
    expect(item).toContain('Без оценки');
    expect(item).toContain('Сохранить и продолжить');
    const view = textOf((await (await as(assessor)).get(`/assessments/${id}/print`)).body);
    expect(view).toMatch(/\d\d\.\d\d\.\d{4}/);
  });
});
