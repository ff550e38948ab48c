import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_PASSWORD } from './factories/index.js';
import { Factories } from './factories/index.js';
import { completeRatings } from './support/assessment-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * A client that knows nothing but the served document does a working day. Every call names an
 * operation by its `operationId`; the client builds the URL from the documented path, refuses
 * parameters and bodies the operation does not document (and requires those it does), sends the
 * bearer token only where the operation has a security requirement, and sends `If-Match` where
 * the operation requires it, from the `ETag` the document says the last answer carried. Every
 * exchange is checked against the document as in every e2e file; this file also counts them.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  operationId: string;
  security: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean };
  responses: Record<string, { headers?: Record<string, unknown> }>;
}

class DocumentClient {
  private readonly operations = new Map<string, { method: string; path: string; op: Operation }>();
  /** The last ETag seen per record id (the document's ETag header). */
  private readonly etags = new Map<string, string>();
  calls = 0;

  constructor(
    private readonly t: TestApp,
    doc: Json,
  ) {
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, Operation>>,
    ))
      for (const [method, op] of Object.entries(item))
        this.operations.set(op.operationId, { method, path, op });
  }

  async call(
    operationId: string,
    args: {
      token?: string;
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
    } = {},
  ): Promise<{ status: number; body: Json; headers: Record<string, string> }> {
    const found = this.operations.get(operationId);
    if (!found) throw new Error(`${operationId} is not in the document`);
    const { method, path, op } = found;
    const documented = (where: string) => (op.parameters ?? []).filter((p) => p.in === where);
    for (const [where, given] of [
      ['path', args.params ?? {}],
      ['query', args.query ?? {}],
    ] as const) {
      for (const name of Object.keys(given))
        if (!documented(where).some((p) => p.name === name))
          throw new Error(`${operationId} documents no ${where} parameter ${name}`);
      for (const p of documented(where))
        if (p.required && given[p.name] === undefined)
          throw new Error(`${operationId} requires the ${where} parameter ${p.name}`);
    }
    if (args.body !== undefined && !op.requestBody)
      throw new Error(`${operationId} documents no request body`);
    if (args.body === undefined && op.requestBody?.required)
      throw new Error(`${operationId} requires a request body`);
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(args.params![name]),
    );
    const query = new URLSearchParams(args.query ?? {}).toString();
    let request = this.t.http[method as 'get' | 'post' | 'patch'](query ? `${url}?${query}` : url);
    if (op.security.length > 0) {
      if (!args.token) throw new Error(`${operationId} needs a token`);
      request = request.set('authorization', `Bearer ${args.token}`);
    }
    if (documented('header').some((p) => p.name === 'If-Match' && p.required)) {
      const etag = this.etags.get(args.params?.id ?? '');
      if (!etag) throw new Error(`${operationId} needs the ETag of ${args.params?.id}`);
      request = request.set('if-match', etag);
    }
    const res = await (args.body === undefined ? request : request.send(args.body as object));
    this.calls += 1;
    const response = op.responses[String(res.status)];
    if (!response) throw new Error(`${operationId} answered an undocumented ${res.status}`);
    if (response.headers?.ETag && res.body?.id) this.etags.set(res.body.id, res.headers.etag);
    return { status: res.status, body: res.body, headers: res.headers };
  }
}

let t: TestApp;
let client: DocumentClient;

beforeAll(async () => {
  t = await createTestApp();
  client = new DocumentClient(t, (await t.http.get('/docs-json').expect(200)).body);
});
afterAll(() => t.close());

describe('a client built from the served document alone', () => {
  it('does a working day: accounts, a prisoner, an assessment, a plan, sessions, the audit trail', async () => {
    const f = new Factories(t);
    const bootstrap = await f.user(['administrator'], [], { username: 'journey.admin' });
    const ok = async (
      operationId: string,
      args: Parameters<DocumentClient['call']>[1],
      status = 200,
    ) => {
      const res = await client.call(operationId, args);
      expect({ operationId, status: res.status }).toEqual({ operationId, status });
      return res.body;
    };
    const signIn = async (username: string, password = TEST_PASSWORD) =>
      (await ok('AuthController_login', { body: { username, password } })).accessToken as string;

    const admin = await signIn(bootstrap.username);
    expect((await ok('AuthController_me', { token: admin })).roles).toEqual(['administrator']);
    const facility = await ok(
      'FacilitiesController_create',
      { token: admin, body: { code: 'JRN-1', name: 'Journey facility', region: null } },
      201,
    );
    const password = 'Quiet harbour lanterns 2031';
    const account = async (username: string, roles: string[]) =>
      ok(
        'UsersController_create',
        {
          token: admin,
          body: {
            username,
            displayName: `Journey ${username}`,
            password,
            roles,
            facilityIds: [facility.id],
          },
        },
        201,
      );
    const officer = await account('journey.security', ['security_officer']);
    const psychologists = [
      await account('journey.psy1', ['psychologist']),
      await account('journey.psy2', ['psychologist']),
    ];
    await account('journey.pve', ['pve_inspector']);
    await account('journey.supervisor', ['supervisor']);
    for (const p of psychologists)
      await ok(
        'UsersController_certify',
        {
          token: admin,
          params: { id: p.id },
          body: { instrumentKey: 've-risk-spj', validUntil: '2099-12-31' },
        },
        201,
      );
    // An account read and sent back as it came (read-only fields ignored), with its ETag.
    const read = await ok('UsersController_get', { token: admin, params: { id: officer.id } });
    await ok('UsersController_update', { token: admin, params: { id: officer.id }, body: read });

    const security = await signIn('journey.security', password);
    const [psy1, psy2] = [
      await signIn('journey.psy1', password),
      await signIn('journey.psy2', password),
    ];
    const pve = await signIn('journey.pve', password);
    const supervisor = await signIn('journey.supervisor', password);

    const prisoner = await ok(
      'PrisonersController_create',
      {
        token: security,
        body: {
          prisonNumber: 'JRN-0001',
          givenName: 'Arman',
          familyName: 'Sadykov',
          dateOfBirth: '1994-03-17',
          sex: 'male',
          legalStatus: 'sentenced',
          facilityId: facility.id,
          expectedReleaseDate: null,
        },
      },
      201,
    );
    await ok('PrisonersController_list', { token: security, query: { q: 'JRN', limit: '10' } });
    await ok(
      'ReviewsController_record',
      {
        token: security,
        params: { id: prisoner.id },
        body: { type: 'new_information', occurredAt: '2026-01-05T10:00:00Z', note: null },
      },
      201,
    );

    // The risk assessment, from draft to approved by a second psychologist.
    const instruments = await ok('InstrumentsController_list', { token: psy1 });
    expect(instruments.map((i: Json) => i.key)).toContain('ve-risk-spj');
    const version = await ok('InstrumentsController_version', {
      token: psy1,
      params: { key: 've-risk-spj', version: '1.0.0' },
    });
    const items = (
      version.definition.domains as { items: { code: string; kind: string }[] }[]
    ).flatMap((d) => d.items);
    let assessment = await ok(
      'AssessmentsController_create',
      {
        token: psy1,
        params: { id: prisoner.id },
        body: { instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' },
      },
      201,
    );
    assessment = await ok('AssessmentsController_update', {
      token: psy1,
      params: { id: assessment.id },
      body: {
        ratings: completeRatings(items),
        formulation: 'Grievance-driven engagement with a peer network',
        finalRiskLevel: 'low',
        finalRationale: 'Current indicators are few and moderate at most',
        prisonerParticipation: {
          informedOn: '2026-01-02',
          participated: 'yes',
          prisonerComments: null,
        },
      },
    });
    expect(assessment.indicative.canSubmit).toBe(true);
    // What the GET returns goes back in a PATCH unchanged.
    assessment = await ok('AssessmentsController_update', {
      token: psy1,
      params: { id: assessment.id },
      body: await ok('AssessmentsController_get', { token: psy1, params: { id: assessment.id } }),
    });
    await ok('AssessmentsController_submit', { token: psy1, params: { id: assessment.id } });
    const mine = await ok('AssessmentsController_search', {
      token: psy2,
      query: { awaitingMyCountersignature: 'true' },
    });
    expect(mine.items.map((a: Json) => a.id)).toEqual([assessment.id]);
    assessment = await ok('AssessmentsController_countersign', {
      token: psy2,
      params: { id: assessment.id },
      body: { decision: 'approve' },
    });
    expect(assessment.status).toBe('approved');
    await ok('AssessmentsController_timeline', { token: pve, params: { id: prisoner.id } });

    // The plan, from an approved needs assessment, to delivery.
    const needs = await f.approvedAssessment(
      { id: prisoner.id } as never,
      { id: psychologists[0].id } as never,
      { id: psychologists[1].id } as never,
      { instrumentKey: 've-needs', needs: [{ code: 'education', priority: 'high' }] },
    );
    let plan = await ok(
      'PlansController_create',
      { token: pve, params: { id: prisoner.id }, body: { basedOnAssessmentId: needs } },
      201,
    );
    plan = await ok('PlansController_update', {
      token: pve,
      params: { id: plan.id },
      body: {
        ...plan,
        prisonerAgreement: {
          response: 'agreed',
          prisonerWords: 'I want to finish school',
          recordedOn: '2026-01-03',
        },
        interventions: plan.interventions.map((i: Json) => ({
          ...i,
          status: i.consentRequired ? 'proposed' : 'scheduled',
        })),
      },
    });
    plan = await ok('PlansController_submit', { token: pve, params: { id: plan.id } });
    plan = await ok('PlansController_activate', { token: supervisor, params: { id: plan.id } });
    expect(plan.status).toBe('active');
    const scheduled = plan.interventions.find((i: Json) => i.status === 'scheduled');
    await ok(
      'PlansController_recordSession',
      {
        token: pve,
        params: { id: plan.id },
        body: {
          interventionId: scheduled.id,
          date: '2026-01-10',
          attendance: 'attended',
          engagement: 4,
          notes: 'Good start',
        },
      },
      201,
    );
    await ok('PlansController_sessions', { token: security, params: { id: plan.id } });
    await ok('ReviewsController_due', { token: pve });

    // The supervisor's audit: query, verify, export (streamed NDJSON).
    const events = await ok('AuditController_events', {
      token: supervisor,
      query: { prisonerId: prisoner.id, limit: '100' },
    });
    expect(events.items.length).toBeGreaterThan(5);
    expect((await ok('AuditController_verify', { token: supervisor })).ok).toBe(true);
    await ok('AuditController_export', {
      token: supervisor,
      query: { format: 'ndjson', prisonerId: prisoner.id },
    });
    await client.call('AuthController_logout', { token: pve });

    expect(client.calls).toBeGreaterThan(35);
    expect(t.contractViolations).toEqual([]);
  });
});
