import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints.service.js';
import {
  AUDIT_RECORD_COLUMNS,
  auditHash,
  type AuditDetails,
  type AuditRecord,
} from '../src/audit/audit-event.js';
import { AuditTrail } from '../src/audit/audit-trail.service.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** RFC 4180 rows of cells, each with whether it was in double quotes. */
function parseCsvCells(text: string): { value: string; quoted: boolean }[][] {
  const rows: { value: string; quoted: boolean }[][] = [];
  let row: { value: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    const quoted = text[i] === '"';
    if (quoted) {
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('unterminated quoted cell');
        if (text[i] === '"' && text[i + 1] === '"') value += text[i++];
        else if (text[i] === '"') break;
        else value += text[i];
      }
      i++;
    } else {
      while (i < text.length && !',\r\n'.includes(text[i])) value += text[i++];
    }
    row.push({ value, quoted });
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) i += 2;
    else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    rows.push(row);
    row = [];
  }
  return rows;
}

const parseCsv = (text: string) => parseCsvCells(text).map((row) => row.map((c) => c.value));

/** GET an export as text, whatever its content type. */
const exportText = (t: TestApp, auth: string, query: Record<string, string>) =>
  t.http
    .get('/api/v1/audit/events/export')
    .query(query)
    .set('authorization', auth)
    .buffer(true)
    .parse((res, cb) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => cb(null, data));
    })
    .expect(200)
    .then((res) => res.body as string);

/** A fresh database with some audited traffic and a signed checkpoint. */
async function trail(reads = 12) {
  const t = await createTestApp();
  const f = new Factories(t);
  const facility = await f.facility();
  const officer = await f.user(['security_officer'], [facility]);
  const supervisor = await f.user(['supervisor'], [facility]);
  const prisoner = await f.prisoner(facility);
  for (let i = 0; i < reads; i++) {
    await t.http
      .get(`/api/v1/prisoners/${prisoner.id}`)
      .set('authorization', officer.auth)
      .expect(200);
  }
  await t.app.get(AuditCheckpoints).checkpoint();
  const verify = async () =>
    (await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth).expect(200))
      .body;
  /** Runs SQL as the superuser with the audit triggers off: what an attacker with DB access can do. */
  const tamper = async (sql: string, params: unknown[] = []) => {
    await t.db.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(sql, params);
    });
  };
  const seqs = async () =>
    (await t.db.query(
      `SELECT seq::int AS seq, chain_id, chain_seq::int AS chain_seq FROM audit_event ORDER BY seq`,
    )) as { seq: number; chain_id: number; chain_seq: number }[];
  return { t, f, facility, officer, supervisor, prisoner, verify, tamper, seqs };
}

describe('audit trail: append-only, hash-chained, signed', () => {
  let ctx: Awaited<ReturnType<typeof trail>>;
  beforeAll(async () => {
    ctx = await trail();
  });
  afterAll(() => ctx.t.close());

  it('verifies an untouched trail', async () => {
    const result = await ctx.verify();
    // One signed at start-up (the rule-set imports), one by trail().
    expect(result).toMatchObject({ ok: true, checkpoints: 2 });
    const [{ n }] = await ctx.t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
    expect(result.checked).toBeGreaterThanOrEqual(n - 1);
    expect(result.firstInvalidSeq).toBeUndefined();
  });

  it.each([
    ['UPDATE audit_event SET outcome = $1', ['denied']],
    ['DELETE FROM audit_event', []],
    ['TRUNCATE audit_event', []],
    ['UPDATE audit_checkpoint SET signature = $1', ['x']],
    ['DELETE FROM audit_checkpoint', []],
    ['DELETE FROM audit_chain_head', []],
    ['UPDATE audit_chain_head SET chain_seq = 0', []],
  ])('refuses `%s` with a trigger', async (sql, params) => {
    await expect(ctx.t.db.query(sql, params)).rejects.toThrow(/append-only|only move forward/);
  });

  it('writes each row with the fields the issue names and no record content', async () => {
    const [row] = await ctx.t.db.query(
      `SELECT * FROM audit_event WHERE action = 'prisoner.read' AND actor_id = $1 LIMIT 1`,
      [ctx.officer.id],
    );
    expect(row).toMatchObject({
      actor_username: ctx.officer.username,
      actor_roles: ['security_officer'],
      action: 'prisoner.read',
      entity_type: 'prisoner',
      entity_id: ctx.prisoner.id,
      prisoner_id: ctx.prisoner.id,
      facility_id: ctx.facility.id,
      outcome: 'success',
      ip: expect.any(String),
      request_id: expect.any(String),
    });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.prev_hash).toMatch(/^[0-9a-f]{64}$/);
    const all = JSON.stringify(await ctx.t.db.query(`SELECT * FROM audit_event`));
    expect(all).not.toContain(ctx.prisoner.familyName);
    expect(all).not.toContain(ctx.prisoner.prisonNumber);
  });
});

describe('audit trail: tampering is detected', () => {
  it('names an altered row by its seq', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const victim = rows[Math.floor(rows.length / 2)].seq;
      await c.tamper(`UPDATE audit_event SET outcome = 'denied' WHERE seq = $1`, [victim]);
      const result = await c.verify();
      expect(result).toMatchObject({ ok: false, firstInvalidSeq: victim });
      expect(result.reason).toContain('altered');
    } finally {
      await c.t.close();
    }
  });

  it('names the row after a removed middle row', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const chain = rows.filter((r) => r.chain_id === rows[0].chain_id);
      expect(chain.length).toBeGreaterThan(3);
      const [removed, next] = [chain[1], chain[2]];
      await c.tamper(`DELETE FROM audit_event WHERE seq = $1`, [removed.seq]);
      const result = await c.verify();
      expect(result).toMatchObject({ ok: false, firstInvalidSeq: next.seq });
      expect(result.reason).toContain('missing');
    } finally {
      await c.t.close();
    }
  });

  it('detects removal of the newest rows against the chain heads', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const newest = rows[rows.length - 1];
      await c.tamper(`DELETE FROM audit_event WHERE seq >= $1`, [rows[rows.length - 3].seq]);
      const result = await c.verify();
      expect(result.ok).toBe(false);
      expect(result.reason).toContain('newest events');
      expect(result.firstInvalidSeq).toBeLessThanOrEqual(newest.seq);
    } finally {
      await c.t.close();
    }
  });

  it('detects removal of the newest rows with the heads rewound, against the signed checkpoint', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const cut = rows[rows.length - 3].seq;
      await c.tamper(`DELETE FROM audit_event WHERE seq >= $1`, [cut]);
      // Rewind every head to its last remaining row, as a careful attacker would.
      await c.tamper(`
        UPDATE audit_chain_head h SET chain_seq = COALESCE(l.chain_seq, 0), seq = l.seq,
          hash = COALESCE(l.hash, repeat('0', 64))
        FROM audit_chain_head h2 LEFT JOIN LATERAL (
          SELECT chain_seq, seq, hash FROM audit_event e WHERE e.chain_id = h2.chain_id ORDER BY chain_seq DESC LIMIT 1
        ) l ON true
        WHERE h.chain_id = h2.chain_id`);
      const result = await c.verify();
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/checkpoint .* is missing/);
      expect(result.firstInvalidSeq).toBeGreaterThanOrEqual(cut);
    } finally {
      await c.t.close();
    }
  });

  it('detects a forged checkpoint signature', async () => {
    const c = await trail();
    try {
      await c.tamper(`UPDATE audit_checkpoint SET heads = '[]'::jsonb`);
      const result = await c.verify();
      expect(result.ok).toBe(false);
      expect(result.reason).toContain('invalid signature');
    } finally {
      await c.t.close();
    }
  });

  it('reads every chain to its end and reports every problem, not only the first', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const chain = rows.filter((r) => r.chain_id === rows[0].chain_id);
      expect(chain.length).toBeGreaterThan(6);
      const [altered, removed, after] = [chain[1], chain[4], chain[5]];
      const other = rows.find((r) => r.chain_id !== rows[0].chain_id);
      await c.tamper(`UPDATE audit_event SET outcome = 'denied' WHERE seq = ANY($1)`, [
        [altered.seq, ...(other ? [other.seq] : [])],
      ]);
      await c.tamper(`DELETE FROM audit_event WHERE seq = $1`, [removed.seq]);
      const result = await c.verify();
      expect(result).toMatchObject({
        ok: false,
        firstInvalidSeq: Math.min(altered.seq, other?.seq ?? Infinity),
      });
      const expected = [
        { seq: altered.seq, chain: altered.chain_id, kind: 'altered' },
        { seq: after.seq, chain: after.chain_id, kind: 'missing_before' },
        ...(other ? [{ seq: other.seq, chain: other.chain_id, kind: 'altered' }] : []),
      ].sort((x, y) => x.seq - y.seq);
      expect(
        result.problems.map(({ seq, chain, kind }: Record<string, unknown>) => ({
          seq,
          chain,
          kind,
        })),
      ).toEqual(expected);
      expect(result.problemCount).toBe(expected.length);
      expect(result.problems.every((p: { detail: string }) => typeof p.detail === 'string')).toBe(
        true,
      );
    } finally {
      await c.t.close();
    }
  });

  it('exposes a row removed and the chain re-linked, re-hashed and renumbered, by the signed checkpoint', async () => {
    const c = await trail();
    try {
      const rows = await c.seqs();
      const chainId = rows[0].chain_id;
      const chain = rows.filter((r) => r.chain_id === chainId);
      expect(chain.length).toBeGreaterThan(4);
      const victim = chain[2];
      // The attacker knows the algorithm: every later row is renumbered, re-linked and re-hashed,
      // and the chain head moved to the new last row, so the chain itself is consistent again.
      await c.t.db.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`DELETE FROM audit_event WHERE seq = $1`, [victim.seq]);
        const later = (await m.query(
          `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_event WHERE chain_id = $1 AND chain_seq > $2
           ORDER BY audit_event.chain_seq`,
          [chainId, victim.chain_seq],
        )) as (AuditRecord & { hash: string })[];
        const [{ hash: before }] = await m.query(
          `SELECT hash FROM audit_event WHERE chain_id = $1 AND chain_seq = $2`,
          [chainId, victim.chain_seq - 1],
        );
        let prevHash = before as string;
        let last = { chainSeq: '', seq: '', hash: '' };
        for (const row of later) {
          const { hash: _old, ...record } = row;
          const relinked = { ...record, chainSeq: String(Number(row.chainSeq) - 1), prevHash };
          const hash = auditHash(relinked);
          await m.query(
            `UPDATE audit_event SET chain_seq = $2, prev_hash = $3, hash = $4 WHERE seq = $1`,
            [row.seq, relinked.chainSeq, prevHash, hash],
          );
          prevHash = hash;
          last = { chainSeq: relinked.chainSeq, seq: row.seq, hash };
        }
        await m.query(
          `UPDATE audit_chain_head SET chain_seq = $2, seq = $3, hash = $4 WHERE chain_id = $1`,
          [chainId, last.chainSeq, last.seq, last.hash],
        );
      });
      const result = await c.verify();
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
      // The chain alone looks intact: only the checkpoint can tell.
      expect(result.problems.every((p: { kind: string }) => p.kind === 'checkpoint_mismatch')).toBe(
        true,
      );
      expect(result.problems).toContainEqual(
        expect.objectContaining({ chain: chainId, kind: 'checkpoint_mismatch' }),
      );
      expect(result.reason).toMatch(/vouched for by signed checkpoint/);
    } finally {
      await c.t.close();
    }
  });
});

describe('audit events: query, export, verify (supervisors)', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisorA: TestUser;
  let officerA: TestUser;
  let officerB: TestUser;
  let inA: TestPrisoner;
  let inB: TestPrisoner;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'AUD-A' });
    b = await f.facility({ code: 'AUD-B' });
    supervisorA = await f.user(['supervisor'], [a]);
    officerA = await f.user(['security_officer'], [a]);
    officerB = await f.user(['security_officer'], [b]);
    inA = await f.prisoner(a);
    inB = await f.prisoner(b);
    for (let i = 0; i < 3; i++)
      await t.http
        .get(`/api/v1/prisoners/${inA.id}`)
        .set('authorization', officerA.auth)
        .expect(200);
    await t.http.get(`/api/v1/prisoners/${inB.id}`).set('authorization', officerB.auth).expect(200);
    await t.http
      .get(`/api/v1/prisoners/${inB.id}`)
      .set('authorization', officerA.auth)
      .set('x-request-id', 'denied-read-b')
      .expect(404);
  });
  afterAll(() => t.close());

  it('returns events of the supervisor’s facilities and system events, newest first, paginated', async () => {
    const res = await t.http
      .get('/api/v1/audit/events')
      .query({ limit: 100 })
      .set('authorization', supervisorA.auth)
      .expect(200);
    const items = res.body.items as {
      seq: number;
      facilityId: string | null;
      prisonerId: string | null;
    }[];
    expect(items.every((e) => e.facilityId === a.id || e.facilityId === null)).toBe(true);
    expect(items.some((e) => e.prisonerId === inB.id)).toBe(false);
    expect(items.map((e) => e.seq)).toEqual([...items.map((e) => e.seq)].sort((x, y) => y - x));
    const page = await t.http
      .get('/api/v1/audit/events')
      .query({ limit: 2 })
      .set('authorization', supervisorA.auth)
      .expect(200);
    const next = await t.http
      .get('/api/v1/audit/events')
      .query({ limit: 2, cursor: page.body.nextCursor })
      .set('authorization', supervisorA.auth)
      .expect(200);
    expect(next.body.items[0].seq).toBeLessThan(page.body.items[1].seq);
  });

  it('filters by actor, prisoner, action, outcome and time', async () => {
    const get = async (query: Record<string, string>) =>
      (
        await t.http
          .get('/api/v1/audit/events')
          .query({ limit: 100, ...query })
          .set('authorization', supervisorA.auth)
          .expect(200)
      ).body.items as {
        actor: { id: string };
        action: string;
        outcome: string;
        prisonerId: string;
      }[];
    const reads = await get({ actorId: officerA.id, action: 'prisoner.read', outcome: 'success' });
    expect(reads).toHaveLength(3);
    expect(reads.every((e) => e.prisonerId === inA.id)).toBe(true);
    expect(
      await get({ prisonerId: inA.id, from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' }),
    ).toHaveLength(0);
    await t.http
      .get('/api/v1/audit/events')
      .query({ action: 'made.up' })
      .set('authorization', supervisorA.auth)
      .expect(400);
  });

  it('shows the supervisor of B the denied attempt on B’s prisoner by A’s officer', async () => {
    const supervisorB = await f.user(['supervisor'], [b]);
    const res = await t.http
      .get('/api/v1/audit/events')
      .query({ prisonerId: inB.id, outcome: 'denied' })
      .set('authorization', supervisorB.auth)
      .expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        action: 'prisoner.read',
        requestId: 'denied-read-b',
        actor: expect.objectContaining({ id: officerA.id }),
      }),
    ]);
    // One denied event for the one denied request, and no other event of that request.
    const rows = await t.db.query(
      `SELECT outcome, action FROM audit_event WHERE request_id = 'denied-read-b'`,
    );
    expect(rows).toEqual([{ outcome: 'denied', action: 'prisoner.read' }]);
  });

  it('exports NDJSON and CSV, streamed, and audits the export', async () => {
    const nd = await t.http
      .get('/api/v1/audit/events/export')
      .query({ format: 'ndjson', actorId: officerA.id })
      .set('authorization', supervisorA.auth)
      .expect(200);
    expect(nd.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = nd.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.actor.id === officerA.id)).toBe(true);
    const rows = parseCsv(await exportText(t, supervisorA.auth, { format: 'csv' }));
    expect(rows[0].slice(0, 4)).toEqual(['seq', 'occurredAt', 'actorId', 'actorUsername']);
    expect(rows.length).toBeGreaterThan(3);
    await t.http
      .get('/api/v1/audit/events/export')
      .query({ format: 'xml' })
      .set('authorization', supervisorA.auth)
      .expect(400);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.export' AND actor_id = $1`,
      [supervisorA.id],
    );
    expect(n).toBe(2);
  });

  it('audits the supervisors’ own queries and verifications', async () => {
    await t.http.get('/api/v1/audit/verify').set('authorization', supervisorA.auth).expect(200);
    const actions = (
      await t.db.query(`SELECT DISTINCT action FROM audit_event WHERE actor_id = $1`, [
        supervisorA.id,
      ])
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['audit.query', 'audit.verify']));
  });
});

describe('audit hashing is the same in SQL and in the verifier', () => {
  it('for awkward content: quotes, control characters, unicode, nested keys named like chain fields', async () => {
    const t = await createTestApp();
    try {
      const trail = t.app.get(AuditTrail);
      const origin = {
        requestId: 'req-"quoted"',
        ip: '::1',
        userAgent: 'Agent \u0001A\u0001 "quoted" \\ back\nslash ☃ 𝄞',
        purpose: 'Ünïcödé purpose, "with quotes"',
      };
      const awkward: AuditDetails[] = [
        { seq: '999', chainId: 5, chainSeq: 'x', note: '"seq":"0","userAgent":' },
        { nested: ['"chainId":0,"chainSeq":"0"'], n: 1.5, big: 12345678901 },
      ];
      for (const details of awkward) {
        await trail.appendStandalone(origin, [{ action: 'audit.query', details }]);
      }
      await t.db.transaction(async (m) => {
        await trail.append(m, origin, [{ action: 'audit.query', details: { first: 1 } }]);
        await trail.append(m, origin, [
          { action: 'audit.query', details: { second: 2 } },
          { action: 'audit.query', details: { third: '\u2028' } },
        ]);
      });
      const supervisor = await new Factories(t).user(['supervisor']);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
      const [{ mine }] = await t.db.query(
        `SELECT count(*)::int AS mine FROM audit_event WHERE action = 'audit.query'`,
      );
      expect(mine).toBe(5);
      const result = (
        await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth).expect(200)
      ).body;
      expect(result).toMatchObject({ ok: true, checked: n });
    } finally {
      await t.close();
    }
  });
});

describe('audit text is hashed exactly as it is stored', () => {
  it('stores and hashes lone surrogates and NUL that reach the writer as U+FFFD, and cuts by character', async () => {
    const t = await createTestApp();
    try {
      const trail = t.app.get(AuditTrail);
      const origin = {
        requestId: 'odd-text',
        ip: '::1',
        userAgent: 'agent \ud800 \u0000 end',
        purpose: 'p'.repeat(499) + '\u{1F600}' + 'cut here',
        claimedUsername: 'u'.repeat(63) + '\u{1F600}',
      };
      await trail.appendStandalone(origin, [
        {
          action: 'auth.login',
          outcome: 'denied',
          details: { ['k\udc00']: 'v\u0000', list: ['\ud800'] },
        },
      ]);
      await t.db.transaction(async (m) => {
        await trail.append(m, origin, [
          { action: 'audit.query', entityId: 'e\ud800', changedFields: ['f\u0000'] },
        ]);
        await trail.append(m, origin, [
          { action: 'audit.query', details: { a: '\udfff' } },
          { action: 'audit.query', details: { b: 'x\u0000' } },
        ]);
      });
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          trail.appendStandalone({ ...origin, requestId: `odd-group-${i}` }, [
            { action: 'audit.query', details: { i, s: `\ud800${i}` } },
          ]),
        ),
      );
      const [row] = await t.db.query(
        `SELECT user_agent, purpose, actor_username, details FROM audit_event WHERE request_id = 'odd-text' AND action = 'auth.login'`,
      );
      expect(row).toEqual({
        user_agent: 'agent \ufffd \ufffd end',
        purpose: 'p'.repeat(499) + '\u{1F600}',
        actor_username: 'u'.repeat(63) + '\u{1F600}',
        details: { ['k\ufffd']: 'v\ufffd', list: ['\ufffd'] },
      });
      const supervisor = await new Factories(t).user(['supervisor']);
      const result = (
        await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth).expect(200)
      ).body;
      expect(result).toMatchObject({ ok: true, problems: [], problemCount: 0 });
    } finally {
      await t.close();
    }
  });
});

describe('audit events appended on their own are grouped under load', () => {
  it('writes every event of many concurrent callers once, across chains, and the trail verifies', async () => {
    const t = await createTestApp();
    try {
      const trail = t.app.get(AuditTrail);
      const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          trail.appendStandalone({ requestId: `group-${i}`, ip: '::1' }, [
            { action: 'audit.query', details: { i } },
          ]),
        ),
      );
      const rows = await t.db.query(
        `SELECT request_id, chain_id FROM audit_event WHERE request_id LIKE 'group-%'`,
      );
      expect(rows).toHaveLength(60);
      expect(new Set(rows.map((r: { request_id: string }) => r.request_id)).size).toBe(60);
      expect(new Set(rows.map((r: { chain_id: number }) => r.chain_id)).size).toBeGreaterThan(1);
      const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
      expect(after - before).toBe(60);
      const supervisor = await new Factories(t).user(['supervisor']);
      const result = (
        await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth).expect(200)
      ).body;
      expect(result).toMatchObject({ ok: true });
    } finally {
      await t.close();
    }
  });
});

describe('CSV export neutralises formulas wherever a spreadsheet may start a cell', () => {
  it('quotes every cell and prefixes a quote to formula characters at the start and after , ; tab', async () => {
    const t = await createTestApp();
    try {
      const f = new Factories(t);
      const facility = await f.facility();
      const officer = await f.user(['security_officer'], [facility]);
      const supervisor = await f.user(['supervisor'], [facility]);
      const prisoner = await f.prisoner(facility);
      const purpose = 'a;=HYPERLINK("http://evil.example","x")';
      await t.http
        .get(`/api/v1/prisoners/${prisoner.id}`)
        .set('authorization', officer.auth)
        .set('x-access-purpose', purpose)
        .set('user-agent', 'x,+1')
        .set('x-request-id', 'csv-read')
        .expect(200);
      await t.http
        .post('/api/v1/auth/login')
        .set('x-request-id', 'csv-login')
        .send({ username: '-2\t=1;@sum(1)', password: 'not the password' })
        .expect(401);
      await t.app
        .get(AuditTrail)
        .appendStandalone(
          { requestId: 'csv-direct', ip: '::1', userAgent: '\t=1', purpose: '+1\r=2\n@3' },
          [{ action: 'audit.query', details: { q: 'x;-1' } }],
        );
      const rows = parseCsvCells(await exportText(t, supervisor.auth, { format: 'csv' }));
      expect(rows.every((row) => row.every((cell) => cell.quoted))).toBe(true);
      const header = rows[0].map((c) => c.value);
      const byRequest = (id: string) => {
        const row = rows.find((r) => r[header.indexOf('requestId')].value === id);
        if (!row) throw new Error(`no row for ${id}`);
        return Object.fromEntries(header.map((name, i) => [name, row[i].value]));
      };
      expect(byRequest('csv-read')).toMatchObject({
        purpose: `a;'=HYPERLINK("http://evil.example","x")`,
        userAgent: "x,'+1",
      });
      expect(byRequest('csv-login').actorUsername).toBe("'-2\t'=1;'@sum(1)");
      expect(byRequest('csv-direct')).toMatchObject({
        userAgent: "'\t'=1",
        purpose: "'+1\r'=2\n'@3",
        details: `{"q":"x;'-1"}`,
      });
      // No cell anywhere starts a formula at its start or after a separator.
      for (const row of rows) {
        for (const cell of row) expect(cell.value).not.toMatch(/(^|[,;\t\r\n])[=+\-@\t\r]/);
      }
    } finally {
      await t.close();
    }
  });
});

describe('audit listing and export across seq digit boundaries', () => {
  it('pages every event exactly once, newest first, in the list and both export formats', async () => {
    const t = await createTestApp();
    try {
      const trail = t.app.get(AuditTrail);
      for (let batch = 0; batch < 6; batch++) {
        await t.db.transaction((m) =>
          trail.append(
            m,
            { requestId: `bulk-${batch}`, ip: '::1' },
            Array.from({ length: 200 }, (_, i) => ({
              action: 'audit.query' as const,
              details: { batch, i },
            })),
          ),
        );
      }
      const supervisor = await new Factories(t).user(['supervisor']);
      const expected = (
        await t.db.query(
          `SELECT seq::int AS seq FROM audit_event WHERE facility_id IS NULL ORDER BY seq DESC`,
        )
      ).map((r: { seq: number }) => r.seq) as number[];
      expect(expected.length).toBeGreaterThan(1100);
      expect(Math.min(...expected)).toBeLessThan(99);
      expect(Math.max(...expected)).toBeGreaterThan(1000);
      const newest = expected[0];
      // Events appended by the listing itself (audit.query, audit.export) come after `newest`.
      const seen = (seqs: number[]) => seqs.filter((seq) => seq <= newest);

      const listed: number[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const res = await t.http
          .get('/api/v1/audit/events')
          .query({ limit: 100, ...(cursor ? { cursor } : {}) })
          .set('authorization', supervisor.auth)
          .expect(200);
        listed.push(...res.body.items.map((e: { seq: number }) => e.seq));
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(cursor).toBeUndefined();
      expect(seen(listed)).toEqual(expected);

      const ndjson = (await exportText(t, supervisor.auth, { format: 'ndjson' }))
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { seq: number }).seq);
      expect(seen(ndjson)).toEqual(expected);

      const csv = parseCsv(await exportText(t, supervisor.auth, { format: 'csv' }));
      expect(csv[0][0]).toBe('seq');
      expect(seen(csv.slice(1).map((row) => Number(row[0])))).toEqual(expected);
    } finally {
      await t.close();
    }
  });
});
