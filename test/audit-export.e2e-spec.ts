import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { defineAbilityFor } from '../src/access/ability.factory.js';
import { csvHeader, csvLine } from '../src/audit/audit-csv.js';
import { inlineParameters } from '../src/audit/audit-export-copy.js';
import type { AuditDetails } from '../src/audit/audit-event.js';
import { AuditQueryService } from '../src/audit/audit-query.service.js';
import { AuditTrail } from '../src/audit/audit-trail.service.js';
import type { RequestContext } from '../src/auth/request-context.js';
import type { AuditEventResponse } from '../src/audit/dto/audit-query.dto.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** GET an export as text, whatever its content type. */
const exportText = (t: TestApp, auth: string, query: Record<string, string>) =>
  t.http
    .get('/api/v1/audit/events/export')
    .query(query)
    .set('authorization', auth)
    .buffer(true)
    .parse((res, cb) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => cb(null, data));
    })
    .expect(200)
    .then((res) => res.body as string);

/** Every item of GET /audit/events for `query`, newest first, page by page. */
async function listAll(
  t: TestApp,
  auth: string,
  query: Record<string, string> = {},
): Promise<AuditEventResponse[]> {
  const items: AuditEventResponse[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await t.http
      .get('/api/v1/audit/events')
      .query({ limit: 100, ...query, ...(cursor ? { cursor } : {}) })
      .set('authorization', auth)
      .expect(200);
    items.push(...(res.body.items as AuditEventResponse[]));
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return items;
  }
  throw new Error('listing did not end');
}

const ndjsonLines = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};

/** Text that JSON and CSV both have to escape or quote: quotes, backslashes, control characters, unicode. */
const AWKWARD = [
  'say "hi" \\ back\\slash \\"',
  'line one\nline two\r\n\ttabbed',
  'Кириллица, 中文, emoji 🙂, combining é, rtl שלום',
  'separators \u2028 \u2029 and \u0001\u001f controls',
  '=HYPERLINK("http://evil.example","x");+1,-2\t@3',
  '\\u0041 is not A, </script>',
];

describe('audit export: NDJSON written from binary COPY is exactly the /audit/events items', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisorA: TestUser;
  let newest: number;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'EXP-A' });
    b = await f.facility({ code: 'EXP-B' });
    supervisorA = await f.user(['supervisor'], [a]);
    const officerA = await f.user(['security_officer'], [a]);
    const officerB = await f.user(['security_officer'], [b]);
    const inA = await f.prisoner(a);
    const inB = await f.prisoner(b);
    await t.http
      .get(`/api/v1/prisoners/${inA.id}`)
      .set('authorization', officerA.auth)
      .set('x-access-purpose', 'review "case" \\ 1')
      .set('user-agent', 'Agent/1.0 (ünïcødé; "quoted")')
      .expect(200);
    await t.http.get(`/api/v1/prisoners/${inB.id}`).set('authorization', officerB.auth).expect(200);
    const trail = t.app.get(AuditTrail);
    for (const [i, text] of AWKWARD.entries()) {
      await trail.appendStandalone(
        { requestId: `awkward-${i}`, ip: '::1', userAgent: text, purpose: text },
        [
          {
            action: 'audit.query',
            facilityId: i % 2 === 0 ? a.id : null,
            prisonerId: i % 2 === 0 ? inA.id : null,
            entityType: 'prisoner',
            entityId: text,
            changedFields: i % 3 === 0 ? [text, 'plain', ''] : undefined,
            details: {
              text,
              list: [text, ''],
              empty: [],
              '10': 'an integer-like key',
              zero: 0,
              negative: -1.5,
              big: 9007199254740991,
              exp: 1e21,
              tiny: 1e-7,
              yes: true,
              no: null,
            },
          },
        ],
      );
    }
    // An event without details, actor or roles (a system event).
    await trail.appendStandalone({ requestId: 'no-details', ip: '::1' }, [
      { action: 'audit.query' },
    ]);
    [{ newest }] = await t.db.query(`SELECT max(seq)::int AS newest FROM audit_event`);
  });
  afterAll(() => t.close());

  it('parses every NDJSON line to the item the listing returns, same keys in the same order', async () => {
    const listed = (await listAll(t, supervisorA.auth)).filter((e) => e.seq <= newest);
    const lines = ndjsonLines(await exportText(t, supervisorA.auth, { format: 'ndjson' }));
    const exported = lines.map((line) => JSON.parse(line) as AuditEventResponse);
    const seen = exported.filter((e) => e.seq <= newest);
    expect(seen.length).toBe(listed.length);
    expect(seen).toStrictEqual(listed);
    // Key order at every level (JSON.stringify follows insertion order).
    expect(seen.map((e) => JSON.stringify(e))).toEqual(listed.map((e) => JSON.stringify(e)));
    // The awkward events are there, in scope only, their text intact.
    const awkward = seen.filter((e) => e.requestId?.startsWith('awkward-'));
    expect(awkward.map((e) => e.userAgent)).toEqual([...AWKWARD].reverse());
    expect(awkward.every((e) => e.facilityId === a.id || e.facilityId === null)).toBe(true);
    expect(seen.some((e) => e.facilityId === b.id)).toBe(false);
    const withDetails = awkward.find((e) => e.requestId === 'awkward-0');
    expect(withDetails?.details).toEqual({
      text: AWKWARD[0],
      list: [AWKWARD[0], ''],
      empty: [],
      '10': 'an integer-like key',
      zero: 0,
      negative: -1.5,
      big: 9007199254740991,
      exp: 1e21,
      tiny: 1e-7,
      yes: true,
      no: null,
    });
    // The writer keeps changed fields sorted.
    expect(withDetails?.changedFields).toEqual(['', 'plain', AWKWARD[0]]);
    const bare = seen.find((e) => e.requestId === 'no-details');
    expect(bare).toMatchObject({
      actor: { id: null, username: null, roles: [] },
      details: null,
      changedFields: null,
      facilityId: null,
    });
    expect(typeof bare?.seq).toBe('number');
    expect(typeof bare?.chainSeq).toBe('number');
  });

  it('writes the CSV of exactly those items, with formulas neutralised', async () => {
    const listed = (await listAll(t, supervisorA.auth)).filter((e) => e.seq <= newest);
    const csv = await exportText(t, supervisorA.auth, { format: 'csv' });
    expect(csv.startsWith(csvHeader())).toBe(true);
    const expected = csvHeader() + listed.map(csvLine).join('');
    // Events the exports themselves appended come first (newest first): skip them.
    const start = csv.indexOf(csvLine(listed[0]));
    expect(start).toBeGreaterThan(0);
    expect(csvHeader() + csv.slice(start)).toBe(expected);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"");'+1,'-2\t'@3"`);
  });

  it('applies the filters as the listing does, and audits the export with them', async () => {
    const filters = { action: 'audit.query', outcome: 'success' };
    const listed = (await listAll(t, supervisorA.auth, filters)).filter((e) => e.seq <= newest);
    const lines = ndjsonLines(
      await exportText(t, supervisorA.auth, { format: 'ndjson', ...filters }),
    );
    const seen = lines
      .map((l) => JSON.parse(l) as AuditEventResponse)
      .filter((e) => e.seq <= newest);
    expect(seen).toStrictEqual(listed);
    expect(seen.every((e) => e.action === 'audit.query')).toBe(true);
    const [event] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'audit.export' AND actor_id = $1
       ORDER BY seq DESC LIMIT 1`,
      [supervisorA.id],
    );
    expect(event.details).toEqual({ format: 'ndjson', ...filters });
    // Nothing matches: an empty body (NDJSON), the header alone (CSV).
    const none = { format: 'ndjson', from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' };
    expect(await exportText(t, supervisorA.auth, none)).toBe('');
    expect(await exportText(t, supervisorA.auth, { ...none, format: 'csv' })).toBe(csvHeader());
  });
});

describe('audit export in batches: every event once, read no faster than it is taken', () => {
  let t: TestApp;
  let ctx: RequestContext;
  let supervisor: TestUser;
  /** A prisoner with exactly 4,000 events (two full batches), one with 4,001. */
  const even = randomUUID();
  const odd = randomUUID();

  beforeAll(async () => {
    t = await createTestApp();
    supervisor = await new Factories(t).user(['supervisor']);
    const trail = t.app.get(AuditTrail);
    for (const [prisonerId, count] of [
      [even, 4000],
      [odd, 4001],
    ] as const) {
      for (let done = 0; done < count; done += 1000) {
        await t.db.transaction((m) =>
          trail.append(
            m,
            { requestId: `bulk-${prisonerId}-${done}`, ip: '::1' },
            Array.from({ length: Math.min(1000, count - done) }, (_, i) => ({
              action: 'audit.query' as const,
              prisonerId,
              details: { i: done + i },
            })),
          ),
        );
      }
    }
    ctx = {
      requestId: 'export-test',
      ip: '::1',
      actor: {
        id: supervisor.id,
        username: 'export.test',
        displayName: 'Export test',
        roles: ['supervisor'],
        facilityIds: [],
        sessionId: randomUUID(),
        emergencyGrants: [],
      },
      ability: defineAbilityFor({
        id: supervisor.id,
        username: 'export.test',
        displayName: 'Export test',
        roles: ['supervisor'],
        facilityIds: [],
        sessionId: randomUUID(),
        emergencyGrants: [],
      }),
    };
  }, 120_000);
  afterAll(() => t.close());

  it.each([
    ['an exact multiple of the batch', even, 4000],
    ['one past it', odd, 4001],
  ])('exports %s: every event once, newest first', async (_name, prisonerId, count) => {
    const expected = (
      await t.db.query(
        `SELECT seq::int AS seq FROM audit_event WHERE prisoner_id = $1 ORDER BY seq DESC`,
        [prisonerId],
      )
    ).map((r: { seq: number }) => r.seq);
    expect(expected).toHaveLength(count);
    const nd = ndjsonLines(
      await exportText(t, supervisor.auth, { format: 'ndjson', prisonerId }),
    ).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(nd).toEqual(expected);
    const csv = (await exportText(t, supervisor.auth, { format: 'csv', prisonerId }))
      .split('\r\n')
      .slice(1, -1)
      .map((row) => Number(row.slice(1, row.indexOf('"', 1))));
    expect(csv).toEqual(expected);
  });

  it('renders details as stored, nested values too, as the listing (the same service) does', async () => {
    // Stored jsonb may hold more than the flat details the writer's type (and the API schema)
    // allow, e.g. written by an older version: the export still renders exactly what is stored.
    const prisonerId = randomUUID();
    await t.app.get(AuditTrail).appendStandalone({ requestId: 'nested', ip: '::1' }, [
      {
        action: 'audit.query',
        prisonerId,
        details: {
          nested: { deeper: { n: -1.5, list: [1, 'two', null, { three: '"3"\\' }] } },
          '2': 'integer-like keys come first in JavaScript',
          aLongerKey: 'jsonb orders keys by length',
        } as unknown as AuditDetails,
      },
    ]);
    const service = t.app.get(AuditQueryService);
    const page = await service.events(ctx, { prisonerId, limit: 10 });
    expect(page.items).toHaveLength(1);
    let text = '';
    for await (const chunk of await service.export(ctx, { format: 'ndjson', prisonerId }))
      text += String(chunk);
    const lines = ndjsonLines(text);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toStrictEqual(page.items[0]);
    expect(JSON.stringify(JSON.parse(lines[0]))).toBe(JSON.stringify(page.items[0]));
    let csv = '';
    for await (const chunk of await service.export(ctx, { format: 'csv', prisonerId }))
      csv += String(chunk);
    expect(csv).toBe(csvHeader() + csvLine(page.items[0]));
  });

  it('reads no more than one batch beyond the one waiting to be taken', async () => {
    const service = t.app.get(AuditQueryService);
    // Each batch is read on a connection of its own (a COPY), taken when the batch is read.
    // Only the export's own count: the service's timers (the checkpoint counter every few
    // seconds) take connections too, which a slow machine lets fall into this test's window.
    let fromExport = 0;
    const original = t.db.createQueryRunner.bind(t.db);
    const runners = jest.spyOn(t.db, 'createQueryRunner').mockImplementation((...args) => {
      if (new Error().stack?.includes('audit-query.service')) fromExport += 1;
      return original(...args);
    });
    const batches = () => fromExport;
    try {
      const stream: Readable = await service.export(ctx, { format: 'ndjson' });
      // Auditing the export and finding the trail's extent are not batches.
      fromExport = 0;
      const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
      const take = () =>
        new Promise<string>((resolve, reject) => {
          const chunk = stream.read() as Buffer | null;
          if (chunk) return resolve(chunk.toString());
          stream.once('readable', () => resolve(String(stream.read() ?? '')));
          stream.once('error', reject);
        });
      const first = await take();
      expect(first.split('\n')).toHaveLength(2001);
      await settle();
      // The one taken, the next waiting to be taken and at most one more being read, of the
      // five batches there are.
      expect(batches()).toBeGreaterThanOrEqual(2);
      expect(batches()).toBeLessThanOrEqual(3);
      await take();
      await settle();
      expect(batches()).toBeLessThanOrEqual(4);
      stream.destroy();
      await settle();
      expect(batches()).toBeLessThanOrEqual(4);
    } finally {
      runners.mockRestore();
    }
  });

  it('writes the parameters COPY cannot take as literals that mean exactly the values', async () => {
    const awkward = [...AWKWARD, "it's", "\\'; DROP TABLE audit_event; --", '$1 $2', ''];
    const sql = inlineParameters(
      'SELECT $1::text[] AS "texts", $2::uuid[] AS "ids", $3::bigint AS "n", $4::text AS "none", $10::text AS "tenth"',
      [awkward, [ctx.actor.id], '12', null, 5, 6, 7, 8, 9, awkward[1]],
    );
    const [row] = await t.db.query(sql);
    expect(row).toEqual({
      texts: awkward,
      ids: [ctx.actor.id],
      n: '12',
      none: null,
      tenth: awkward[1],
    });
    expect(() => inlineParameters('SELECT $2', ['one'])).toThrow(/no value for \$2/);
    expect(() => inlineParameters('SELECT $1', [{ an: 'object' }])).toThrow(/literal/);
  });

  it('stops reading when the client goes away', async () => {
    const service = t.app.get(AuditQueryService);
    const stream = await service.export(ctx, { format: 'csv' });
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
    expect(first.toString()).toContain('"seq"');
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.destroyed).toBe(true);
    // The service still answers (no connection was left behind).
    await t.http
      .get('/api/v1/audit/events')
      .query({ limit: 1 })
      .set('authorization', supervisor.auth)
      .expect(200);
  });

  it('writes a row no service would write (a tampered one) as valid JSON of what is stored', async () => {
    // Quotes and a backslash in the hashes, a null role, no changed fields, microseconds, and a
    // chain position past 2^53: the line must stay one JSON value, its number exact.
    const prisonerId = randomUUID();
    await t.db.query(
      `INSERT INTO audit_event (seq, chain_id, chain_seq, occurred_at, actor_roles, action,
         prisoner_id, outcome, changed_fields, prev_hash, hash)
       SELECT max(seq) + 1000000, 424242, 9007199254740993, now() - interval '1.234567 s',
         ARRAY['supervisor', NULL, 'a "role"'], 'audit.query', $1, 'success', '{}',
         'prev"hash\\', 'hash"},"x":{'
       FROM audit_event`,
      [prisonerId],
    );
    const [stored] = await t.db.query(
      `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at"
       FROM audit_event WHERE prisoner_id = $1`,
      [prisonerId],
    );
    const page = await t.app.get(AuditQueryService).events(ctx, { prisonerId, limit: 10 });
    expect(page.items).toHaveLength(1);
    const [line] = ndjsonLines(
      await exportText(t, supervisor.auth, { format: 'ndjson', prisonerId }),
    );
    expect(line).toContain('"chainSeq":9007199254740993,');
    const parsed = JSON.parse(line) as AuditEventResponse;
    expect(parsed).toStrictEqual(page.items[0]);
    expect(parsed).toMatchObject({
      occurredAt: stored.at,
      actor: { id: null, username: null, roles: ['supervisor', null, 'a "role"'] },
      changedFields: [],
      details: null,
      prevHash: 'prev"hash\\',
      hash: 'hash"},"x":{',
    });
  });
});
