import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CLINICAL, plantClinicalText, prisonerPages } from './support/planted.js';
import { textOf, UiClient } from './support/ui-client.js';

/** Home, prisoner search, the prisoner's tabs, emergency access: status codes, scope, content. */
describe('web pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let psychologist: TestUser;
  let psychologist2: TestUser;
  let security: TestUser;
  let admin: TestUser;
  let pve: TestUser;
  let supervisor: TestUser;
  let prisoner: TestPrisoner;
  let elsewhere: TestPrisoner;

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
    psychologist = await f.user(['psychologist'], [a]);
    psychologist2 = await f.user(['psychologist'], [a]);
    security = await f.user(['security_officer'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    admin = await f.user(['administrator']);
    prisoner = await f.prisoner(a, {
      givenName: 'Arman',
      familyName: 'Sadykov',
      legalStatus: 'remand',
      dateOfBirth: '2010-05-01',
    });
    elsewhere = await f.prisoner(b, { givenName: 'Other', familyName: 'Facility' });
    const first = await f.approvedAssessment(prisoner, psychologist, psychologist2, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'high',
      approvedAt: '2025-01-10T10:00:00Z',
    });
    const second = await f.approvedAssessment(prisoner, psychologist, psychologist2, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'moderate',
      approvedAt: '2025-09-10T10:00:00Z',
    });
    await plantClinicalText(t, first);
    await plantClinicalText(t, second);
    const draft = await f.openAssessment(prisoner, psychologist, 'draft', 've-risk-spj');
    await plantClinicalText(t, draft);
    await t.db.query(
      `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, note, recorded_by)
       VALUES ($1, $2, 'serious_incident', '2025-10-01T09:00:00Z', 'Fight on the wing', $3)`,
      [prisoner.id, a.id, security.id],
    );
  });
  afterAll(() => t.close());

  describe('home', () => {
    it('lists reviews due in the caller’s facilities, each linking to the prisoner', async () => {
      const res = await (await as(psychologist)).get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('Reassessments and reviews due');
      expect(res.body).toContain(`href="/prisoners/${prisoner.id}"`);
      expect(res.body).not.toContain(elsewhere.id);
    });

    it('tells the administrator their role has no case access, and offers no prisoner pages', async () => {
      const res = await (await as(admin)).get('/');
      expect(res.statusCode).toBe(200);
      expect(textOf(res.body)).toContain('It gives no access to prisoners’ records.');
      expect(res.body).not.toContain('href="/prisoners"');
      expect(res.body).not.toContain('Reassessments and reviews due');
    });
  });

  describe('prisoner search', () => {
    it('lists the caseload, finds by number or name prefix, and never shows another facility', async () => {
      const client = await as(psychologist);
      const all = await client.get('/prisoners');
      expect(all.statusCode).toBe(200);
      expect(all.body).toContain(prisoner.prisonNumber);
      expect(all.body).not.toContain(elsewhere.prisonNumber);
      const byName = await client.get('/prisoners?q=sady');
      expect(textOf(byName.body)).toContain('Sadykov, Arman');
      const byNumber = await client.get(`/prisoners?q=${prisoner.prisonNumber.slice(0, 5)}`);
      expect(byNumber.body).toContain(`href="/prisoners/${prisoner.id}"`);
      const outside = await client.get(`/prisoners?q=${elsewhere.prisonNumber}`);
      expect(textOf(outside.body)).toContain('No prisoners in your facilities match your search.');
    });

    it('pages forwards with Next and back to the first page', async () => {
      const c = await f.facility();
      const user = await f.user(['security_officer'], [c]);
      for (let i = 0; i < 23; i++)
        await f.prisoner(c, { familyName: `Paged${String(i).padStart(2, '0')}` });
      const client = await as(user);
      const first = await client.get('/prisoners');
      expect(first.body).toContain('Paged19');
      expect(first.body).not.toContain('Paged20');
      const next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(
        first.body,
      )![1];
      expect(next).toMatch(/^\/prisoners\?cursor=/);
      const second = await client.get(next.replace(/&amp;/g, '&'));
      expect(second.body).toContain('Paged22');
      expect(second.body).not.toContain('Paged19');
      expect(second.body).toContain('href="/prisoners" rel="prev"');
      expect(second.body).not.toContain('rel="next"');
    });

    it('explains a bad search in an error summary instead of failing', async () => {
      const client = await as(psychologist);
      const res = await client.get(`/prisoners?q=${'x'.repeat(101)}&facilityId=nope`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('<a href="#q">Enter at most 100 characters</a>');
      expect(res.body).toContain('<a href="#facilityId">Select one of your facilities</a>');
      const cursor = await client.get('/prisoners?cursor=not-ours');
      expect(cursor.statusCode).toBe(400);
      expect(cursor.body).toContain('The page link is not valid');
    });

    it('is refused to the administrator as the API refuses it, and the refusal is audited', async () => {
      const res = await (await as(admin)).get('/prisoners');
      expect(res.statusCode).toBe(403);
      expect(textOf(res.body)).toContain('You cannot open this page');
      const [event] = await t.db.query(
        `SELECT details FROM audit_event WHERE actor_id = $1 AND action = 'access.denied'`,
        [admin.id],
      );
      expect(event.details).toEqual({ route: 'GET /prisoners', rule: 'read Prisoner' });
    });
  });

  describe('the prisoner’s pages', () => {
    it('show the identity bar with flags and the tabs on every tab', async () => {
      const client = await as(psychologist);
      for (const url of prisonerPages(prisoner.id)) {
        const res = await client.get(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
        expect(res.headers['cache-control']).toBe('no-store');
        const text = textOf(res.body);
        expect(text).toContain(
          `Arman Sadykov Prison number: ${prisoner.prisonNumber} Facility: North facility`,
        );
        expect(text).toContain('Remand: presumed innocent');
        expect(text).toContain('Under 18');
        for (const tab of ['Overview', 'Assessments', 'Risk over time', 'Plan', 'Events']) {
          expect(res.body).toContain(`>${tab}</a>`);
        }
        expect(res.body.match(/aria-current="page"/g)?.length).toBe(2);
      }
    });

    it('overview: particulars and facility history', async () => {
      const res = await (await as(pve)).get(`/prisoners/${prisoner.id}`);
      const text = textOf(res.body);
      expect(text).toContain('Date of birth 1 May 2010');
      expect(text).toContain('Legal status Remand (untried, presumed innocent)');
      expect(text).toContain('Facility history');
      expect(text).toContain('North facility');
    });

    it('assessments: every revision the role may see, each linking to the assessment', async () => {
      const res = await (await as(psychologist)).get(`/prisoners/${prisoner.id}/assessments`);
      expect(res.body.match(/href="\/assessments\/[0-9a-f-]{36}"/g)?.length).toBe(3);
      const text = textOf(res.body);
      expect(text).toContain('Draft');
      expect(text).toContain('Approved 10 September 2025');
      // Levels by the instrument's own labels, not their codes.
      expect(text).toContain('Moderate (indicative)');
      expect(text).not.toMatch(/\bmoderate\b/);
    });

    it('risk over time: an SVG chart and the same data as a table', async () => {
      const res = await (await as(psychologist)).get(`/prisoners/${prisoner.id}/risk`);
      expect(res.body).toContain('<figure class="app-chart" id="risk-chart-1">');
      expect(res.body).toContain(
        'role="img" aria-labelledby="risk-chart-1-caption risk-chart-1-desc"',
      );
      expect(res.body).toMatch(
        /<desc id="risk-chart-1-desc">2 approved assessments from 10 January 2025 to 10 September 2025\. Latest level: Moderate \(indicative\)\.<\/desc>/,
      );
      const table = res.body.slice(res.body.indexOf('<table'));
      expect(textOf(table)).toMatch(
        /10 September 2025 .* Moderate \(indicative\) 10 January 2025 .* High \(indicative\)/,
      );
    });

    it('plan and events tabs list what the services return', async () => {
      const client = await as(security);
      expect(textOf((await client.get(`/prisoners/${prisoner.id}/plan`)).body)).toContain(
        'This prisoner has no disengagement plan.',
      );
      const events = textOf((await client.get(`/prisoners/${prisoner.id}/events`)).body);
      expect(events).toContain('Serious incident');
      expect(events).toContain('Fight on the wing');
    });

    it('are refused to the administrator, tab by tab, as the API refuses them', async () => {
      const client = await as(admin);
      for (const url of prisonerPages(prisoner.id)) {
        const res = await client.get(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
        expect(res.body).not.toContain(prisoner.prisonNumber);
      }
    });

    it('never show clinical content to the security officer, PVE inspector, supervisor or administrator', async () => {
      for (const user of [security, pve, supervisor, admin]) {
        const client = await as(user);
        for (const url of ['/', '/prisoners', `/prisoners?q=sady`, ...prisonerPages(prisoner.id)]) {
          const res = await client.get(url);
          expect({ role: user.roles[0], url, leaked: res.body.includes(CLINICAL) }).toEqual({
            role: user.roles[0],
            url,
            leaked: false,
          });
        }
      }
    });
  });

  describe('not found and emergency access', () => {
    it('answers the same page for a prisoner outside the facilities and one that does not exist', async () => {
      const client = await as(psychologist);
      const outside = await client.get(`/prisoners/${elsewhere.id}`);
      const missing = await client.get('/prisoners/00000000-0000-4000-8000-000000000000');
      expect(outside.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      const strip = (html: string) =>
        textOf(html.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID').replace(/value="[^"]+"/g, ''));
      expect(strip(outside.body)).toBe(strip(missing.body));
      expect(outside.body).not.toContain(elsewhere.prisonNumber);
      expect(outside.body).not.toContain('South facility');
      expect(textOf(outside.body)).toContain('A supervisor reviews every emergency access');
      expect(textOf(outside.body)).toContain('you can open it for 4 hours');
      for (const tab of ['/risk', '/events', '/assessments']) {
        expect((await client.get(`/prisoners/${elsewhere.id}${tab}`)).statusCode).toBe(404);
      }
      expect((await client.get('/prisoners/not-a-uuid')).statusCode).toBe(404);
    });

    it('asks for a reason of at least 20 characters, then opens the record with a banner until expiry', async () => {
      const client = await as(pve);
      await client.get(`/prisoners/${elsewhere.id}`);
      const short = await client.post(`/prisoners/${elsewhere.id}/emergency-access`, {
        reason: 'urgent',
      });
      expect(short.statusCode).toBe(422);
      expect(short.body).toContain(
        '<a href="#reason">Enter why you need this record now, in at least 20 characters</a>',
      );
      expect(short.body).toContain('>urgent</textarea>');
      const granted = await client.post(`/prisoners/${elsewhere.id}/emergency-access`, {
        reason: 'Threat to staff reported tonight; need the risk level',
      });
      expect(granted.statusCode).toBe(303);
      expect(granted.headers.location).toBe(`/prisoners/${elsewhere.id}`);
      const [grant] = await t.db.query(
        `SELECT expires_at FROM emergency_access WHERE user_id = $1 AND prisoner_id = $2`,
        [pve.id, elsewhere.id],
      );
      expect(grant).toBeDefined();
      for (const url of prisonerPages(elsewhere.id)) {
        const res = await client.get(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
        expect(textOf(res.body)).toMatch(
          /You are reading this record with emergency access until \d{1,2} \w+ \d{4}, \d\d:\d\d\. A supervisor will review it\./,
        );
      }
      const own = await client.get(`/prisoners/${prisoner.id}`);
      expect(own.body).not.toContain('reading this record with emergency access');
    });

    it('a request for a prisoner that does not exist answers the not-found page', async () => {
      const client = await as(psychologist);
      await client.get('/prisoners');
      const res = await client.post(
        '/prisoners/00000000-0000-4000-8000-000000000000/emergency-access',
        {
          reason: 'Threat to staff reported tonight; need the risk level',
        },
      );
      expect(res.statusCode).toBe(404);
      expect(textOf(res.body)).toContain('Prisoner not found');
    });

    it('is not offered to, and refused for, a role that may not request it', async () => {
      const client = await as(admin);
      await client.get('/');
      const res = await client.post(`/prisoners/${elsewhere.id}/emergency-access`, {
        reason: 'Threat to staff reported tonight; need the risk level',
      });
      expect(res.statusCode).toBe(403);
      expect(
        await t.db.query(`SELECT 1 FROM emergency_access WHERE user_id = $1`, [admin.id]),
      ).toEqual([]);
    });
  });
});
