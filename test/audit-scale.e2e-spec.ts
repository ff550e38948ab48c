import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import pg from 'pg';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { seedAudit } from '../bench/scale-seed.js';
import { AuditArchiver } from '../src/audit/audit-archive.service.js';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints.service.js';
import { BINARY_SCAN_COLUMNS, BinaryRunFollower } from '../src/audit/audit-binary-scan.js';
import {
  copyOut,
  copyOutRaw,
  type ScannedRun,
  type ScanSuspect,
} from '../src/audit/audit-copy-scan.js';
import { scanConnection, scanInThreads } from '../src/audit/audit-scan-threads.js';
import { auditHash, type AuditRecord } from '../src/audit/audit-event.js';
import {
  SQL_CANONICAL_ROW,
  verifyAuditTrail,
  type VerifyResult,
} from '../src/audit/audit-verifier.js';
import { auditVerifyCli } from '../src/cli/audit-verify.js';
import { AppConfig } from '../src/config/app-config.js';
import { keyIdOf, TrustedKeys } from '../src/crypto/trusted-keys.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { Factories, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

/** Runs SQL with the audit triggers off: what an attacker with database access can do. */
const tamper = (t: TestApp, sql: string, params: unknown[] = []) =>
  t.db.transaction(async (m) => {
    await m.query(`SET LOCAL session_replication_role = replica`);
    await m.query(sql, params);
  });

const verify = async (t: TestApp, user: TestUser, full = false): Promise<VerifyResult> =>
  (
    await t.http
      .get('/api/v1/audit/verify')
      .query(full ? { full: 'true' } : {})
      .set('authorization', user.auth)
      .expect(200)
  ).body;

/** The CLI, in-process: exit code, the JSON it printed and what it said on stderr. */
async function cli(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await auditVerifyCli(argv, env, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, result: out ? JSON.parse(out) : undefined, err };
}

async function readsBy(t: TestApp, user: TestUser, prisonerId: string, n: number) {
  for (let i = 0; i < n; i++) {
    await t.http.get(`/api/v1/prisoners/${prisonerId}`).set('authorization', user.auth).expect(200);
  }
}

/**
 * Rows the service would never write in this shape, but a trail may hold, into `table` (with
 * the audit_event columns), each with its correct hash: every escape COPY and JSON know,
 * quoted array elements, nested details, non-ASCII, odd timestamps.
 */
async function insertAwkwardRows(db: pg.Client, table: string): Promise<void> {
  const awkward = [
    ['a b', 'x"y', 'back\\slash', 'NULL', '{braces}', ''],
    ['security_officer'],
    [],
  ].map((roles, i) => ({
    seq: String(9_000_000_000 + i),
    chainId: 9_999,
    chainSeq: String(i + 1),
    occurredAt: new Date(Math.floor(Date.now() / 1000) * 1000 + [0, 120, 999][i]).toISOString(),
    actorId: i === 2 ? null : '6d0f8f1e-1c1a-4c3e-9d51-5c3b0e2f7a10',
    actorUsername: i === 0 ? 'tab\there\nnew "quoted" \\ back\u0001 ünï Привет 🎉' : 'plain',
    actorRoles: roles,
    action: 'prisoner.read',
    entityType: i === 1 ? null : 'prisoner',
    entityId: i === 1 ? null : 'x\ty',
    prisonerId: null,
    facilityId: i === 0 ? '0b6c1a52-3f0e-4b7e-8d9a-1f2e3d4c5b6a' : null,
    outcome: 'success',
    purpose: i === 2 ? 'line one\r\nline two' : null,
    requestId: null,
    ip: i === 0 ? '::1' : null,
    userAgent: i === 1 ? 'Mozilla/5.0 (X11; \u2028) "q" \\' : null,
    changedFields: i === 0 ? [] : i === 1 ? ['a,b', 'NULL'] : null,
    details:
      i === 0
        ? {
            zeta: 1.5,
            alpha: ['x', 'y z'],
            big: 1e21,
            neg: -0.25,
            t: true,
            n: null,
            ключ: 'значение',
            '😀': 'e',
          }
        : i === 1
          ? { s: 'tab\there "q" \\ \u0001' }
          : null,
    prevHash: '0'.repeat(64),
  })) as AuditRecord[];
  for (const record of awkward) {
    await db.query(
      `INSERT INTO ${table} (seq, chain_id, chain_seq, occurred_at, actor_id, actor_username,
           actor_roles, action, entity_type, entity_id, prisoner_id, facility_id, outcome, purpose,
           request_id, ip, user_agent, changed_fields, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        record.seq,
        record.chainId,
        record.chainSeq,
        record.occurredAt,
        record.actorId,
        record.actorUsername,
        record.actorRoles,
        record.action,
        record.entityType,
        record.entityId,
        record.prisonerId,
        record.facilityId,
        record.outcome,
        record.purpose,
        record.requestId,
        record.ip,
        record.userAgent,
        record.changedFields,
        record.details === null ? null : JSON.stringify(record.details),
        record.prevHash,
        auditHash(record),
      ],
    );
  }
}

const pem = () => generateKeyPairSync('ed25519');

describe('incremental verification', () => {
  let t: TestApp;
  let supervisor: TestUser;
  let officer: TestUser;
  let prisonerId: string;
  beforeAll(async () => {
    t = await createTestApp();
    const f = new Factories(t);
    const facility = await f.facility();
    officer = await f.user(['security_officer'], [facility]);
    supervisor = await f.user(['supervisor'], [facility]);
    prisonerId = (await f.prisoner(facility)).id;
  });
  afterAll(() => t.close());

  it('trusts the newest signed verification mark: a row changed before it is found only by full=true, one after it by default', async () => {
    await readsBy(t, officer, prisonerId, 10);
    const checkpoint = await t.app.get(AuditCheckpoints).checkpoint();
    expect(checkpoint).toBeDefined();
    // No mark yet: the default check is a full one, and it leaves a mark.
    const first = await verify(t, supervisor);
    expect(first).toMatchObject({ ok: true, status: 'intact', mode: 'full', fromCheckpoint: null });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);

    const incremental = await verify(t, supervisor);
    expect(incremental).toMatchObject({
      ok: true,
      mode: 'incremental',
      fromCheckpoint: checkpoint!.id,
      problems: [],
    });
    expect(incremental.checked).toBeLessThan(n);

    const [before] = await t.db.query(
      `SELECT seq::int AS seq FROM audit_event WHERE action = 'prisoner.read' AND seq <= $1
       AND NOT seq = ANY($2::bigint[]) ORDER BY seq LIMIT 1 OFFSET 3`,
      [checkpoint!.payload.headSeq, checkpoint!.payload.heads.map((h) => h.seq)],
    );
    await tamper(t, `UPDATE audit_event SET outcome = 'denied' WHERE seq = $1`, [before.seq]);
    expect(await verify(t, supervisor)).toMatchObject({ ok: true, mode: 'incremental' });
    const full = await verify(t, supervisor, true);
    expect(full).toMatchObject({
      ok: false,
      status: 'tampered',
      mode: 'full',
      firstInvalidSeq: before.seq,
    });
    expect(full.problems).toEqual([expect.objectContaining({ seq: before.seq, kind: 'altered' })]);

    // A row after the trusted checkpoint: the routine (incremental) check finds it.
    await readsBy(t, officer, prisonerId, 5);
    const [after] = await t.db.query(
      `SELECT seq::int AS seq FROM audit_event WHERE action = 'prisoner.read' AND seq > $1
       ORDER BY seq DESC LIMIT 1 OFFSET 1`,
      [checkpoint!.payload.headSeq],
    );
    await tamper(t, `UPDATE audit_event SET ip = '10.9.9.9' WHERE seq = $1`, [after.seq]);
    const routine = await verify(t, supervisor);
    expect(routine).toMatchObject({
      ok: false,
      mode: 'incremental',
      fromCheckpoint: checkpoint!.id,
      firstInvalidSeq: after.seq,
    });
    expect(routine.problems).toEqual([
      expect.objectContaining({ seq: after.seq, kind: 'altered' }),
    ]);
  });

  it('refuses a verification mark that was not signed by a trusted key', async () => {
    const checkpoint = await t.app.get(AuditCheckpoints).checkpoint();
    const [{ id }] = await t.db.query(`SELECT max(id)::int AS id FROM audit_checkpoint`);
    await t.db.query(
      `INSERT INTO audit_verification (created_at, checkpoint_id, mode, checked, key_id, signature)
       VALUES (now(), $1, 'full', 1, 'forged', 'AAAA')`,
      [checkpoint?.id ?? id],
    );
    const result = await verify(t, supervisor);
    // Still tampered (both rows above), and not from the forged mark's checkpoint.
    expect(result.ok).toBe(false);
    expect(result.fromCheckpoint).not.toBe(checkpoint?.id ?? id);
  });

  it('answers 400 for full=maybe', async () => {
    const res = await t.http
      .get('/api/v1/audit/verify')
      .query({ full: 'maybe' })
      .set('authorization', supervisor.auth)
      .expect(400);
    expect(JSON.stringify(res.body)).toContain('full');
  });
});

describe('signing keys: rotation, trusted public keys, unknown keys', () => {
  const first = pem();
  const second = pem();
  const firstPem = first.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const secondPem = second.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keys = mkdtempSync(join(tmpdir(), 'vep-keys-'));
  const firstPublic = join(keys, 'first.pem');
  const secondPublic = join(keys, 'second.pem');
  writeFileSync(firstPublic, first.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(secondPublic, second.publicKey.export({ type: 'spki', format: 'pem' }));
  const firstId = keyIdOf(first.publicKey);
  const secondId = keyIdOf(second.publicKey);
  let database: { name: string; url: string };
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    // The apps' environment overrides reach the process environment: leave none behind.
    delete process.env.AUDIT_SIGNING_KEY;
    delete process.env.AUDIT_TRUSTED_KEYS;
    await dropTestDatabase(database.name);
    rmSync(keys, { recursive: true, force: true });
  });

  async function appWith(env: Record<string, string>) {
    const t = await createTestApp({ database, env });
    apps.push(t);
    const f = new Factories(t);
    const facility = await f.facility();
    return {
      t,
      officer: await f.user(['security_officer'], [facility]),
      supervisor: await f.user(['supervisor'], [facility]),
      prisoner: await f.prisoner(facility),
    };
  }

  it('signs new checkpoints with the new key and still verifies the old ones with the old public key', async () => {
    const a = await appWith({ AUDIT_SIGNING_KEY: firstPem });
    await readsBy(a.t, a.officer, a.prisoner.id, 4);
    await a.t.app.get(AuditCheckpoints).checkpoint();

    const b = await appWith({ AUDIT_SIGNING_KEY: secondPem, AUDIT_TRUSTED_KEYS: firstPublic });
    await readsBy(b.t, b.officer, b.prisoner.id, 4);
    await b.t.app.get(AuditCheckpoints).checkpoint();
    // Start-ups sign checkpoints of their own: every one before the rotation by the first key,
    // every one after it by the second.
    const signers: string[] = (
      await b.t.db.query(`SELECT key_id FROM audit_checkpoint ORDER BY id`)
    ).map((r: { key_id: string }) => r.key_id);
    const rotation = signers.indexOf(secondId);
    expect(rotation).toBeGreaterThan(0);
    expect(signers.slice(0, rotation).every((k) => k === firstId)).toBe(true);
    expect(signers.slice(rotation).every((k) => k === secondId)).toBe(true);

    const result = await verify(b.t, b.supervisor, true);
    expect(result).toMatchObject({
      ok: true,
      status: 'intact',
      checkpoints: signers.length,
      untrustedKeys: [],
      problems: [],
    });
  });

  it('reports a checkpoint signed by a key that is not trusted as exactly that, never as tampering', async () => {
    const c = await appWith({ AUDIT_SIGNING_KEY: secondPem, AUDIT_TRUSTED_KEYS: secondPublic });
    const [{ byFirst }] = await c.t.db.query(
      `SELECT count(*)::int AS "byFirst" FROM audit_checkpoint WHERE key_id = $1`,
      [firstId],
    );
    expect(byFirst).toBeGreaterThan(0);
    const result = await verify(c.t, c.supervisor, true);
    expect(result).toMatchObject({
      ok: false,
      status: 'unverifiable',
      problems: [],
      problemCount: 0,
      untrustedKeys: [
        {
          keyId: firstId,
          signatures: byFirst,
          detail: `cannot check signature: key ${firstId} not trusted`,
        },
      ],
      reason: `cannot check signature: key ${firstId} not trusted`,
    });
    expect(result.firstInvalidSeq).toBeUndefined();
  });

  it('CLI: public keys only; exit 3 saying it could not check signatures without them, 0 with them, 2 on tampering', async () => {
    const noKeys = mkdtempSync(join(tmpdir(), 'vep-nokeys-'));
    try {
      const env = { DATABASE_URL: database.url, DATA_DIR: noKeys };
      const without = await cli([], env);
      expect(without.code).toBe(3);
      expect(without.result).toMatchObject({ status: 'unverifiable', problemCount: 0 });
      expect(without.result.untrustedKeys.map((k: { keyId: string }) => k.keyId).sort()).toEqual(
        [firstId, secondId].sort(),
      );
      expect(without.err).toContain('could not check some signatures');
      expect(without.err).not.toContain('tampered');
      expect(without.err).toMatch(/events\/s/);

      const trusted = { ...env, AUDIT_TRUSTED_KEYS: `${firstPublic},${secondPublic}` };
      const withKeys = await cli([], trusted);
      expect(withKeys).toMatchObject({ code: 0, result: { ok: true, status: 'intact' } });

      const t = apps[0];
      const [victim] = await t.db.query(
        `SELECT seq::int AS seq FROM audit_event ORDER BY seq LIMIT 1 OFFSET 2`,
      );
      await tamper(t, `UPDATE audit_event SET action = 'auth.logout' WHERE seq = $1`, [victim.seq]);
      const tampered = await cli([], trusted);
      expect(tampered).toMatchObject({
        code: 2,
        result: { ok: false, status: 'tampered', firstInvalidSeq: victim.seq },
      });
    } finally {
      rmSync(noKeys, { recursive: true, force: true });
    }
  });
});

describe('partitioned audit storage', () => {
  let t: TestApp;
  let supervisor: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    const f = new Factories(t);
    const facility = await f.facility();
    const officer = await f.user(['security_officer'], [facility]);
    supervisor = await f.user(['supervisor'], [facility]);
    const prisoner = await f.prisoner(facility);
    // Three months of history written in bulk, then the service appends on the same chains now.
    await seedAuditWith(t, 1200, 3);
    await readsBy(t, officer, prisoner.id, 6);
    await t.app.get(AuditCheckpoints).checkpoint();
  });
  afterAll(() => t.close());

  it('keeps each month in its own partition, with partitions ready months ahead', async () => {
    const partitions = await t.db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'audit_event'::regclass ORDER BY 1`,
    );
    expect(partitions.length).toBeGreaterThanOrEqual(6);
    const used = await t.db.query(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM audit_event GROUP BY 1 ORDER BY 1`,
    );
    expect(used.length).toBeGreaterThanOrEqual(3);
    const now = new Date();
    const ahead = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1));
    const name = `audit_event_p${ahead.getUTCFullYear()}${String(ahead.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(partitions.map((p: { name: string }) => p.name)).toContain(name);
  });

  it.each([
    ['UPDATE audit_event SET outcome = $1', ['denied']],
    ['DELETE FROM audit_event', []],
    ['TRUNCATE audit_event', []],
  ])('refuses `%s` on the parent and on a partition', async (sql, params) => {
    await expect(t.db.query(sql, params)).rejects.toThrow(/append-only/);
    const [{ part }] = await t.db.query(
      `SELECT tableoid::regclass::text AS part FROM audit_event ORDER BY seq LIMIT 1`,
    );
    await expect(t.db.query(sql.replace('audit_event', part), params)).rejects.toThrow(
      /append-only/,
    );
  });

  it('hashes every row of ordinary traffic in PostgreSQL exactly as the reference does (no fallback)', async () => {
    const [{ total, differ }] = await t.db.query(
      `SELECT count(*)::int AS total,
         count(*) FILTER (WHERE sha256(convert_to(${SQL_CANONICAL_ROW}, 'UTF8')) <> decode(hash, 'hex'))::int AS differ
       FROM audit_event`,
    );
    expect(total).toBeGreaterThan(1000);
    expect(differ).toBe(0);
  });

  it('reads binary COPY (through pg and straight from the socket) and hashes every row as the reference does, awkward content included, and flags a changed row', async () => {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await insertAwkwardRows(db, 'audit_event');
      await db.query(
        `INSERT INTO audit_event (seq, chain_id, chain_seq, occurred_at, action, outcome, prev_hash, hash)
         VALUES (9000000100, 9999, 100, now(), 'prisoner.read', 'success', $1, $1)`,
        ['1'.repeat(64)],
      );
      const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM audit_event`)).rows;
      expect(n).toBeGreaterThan(1000);
      const sql = `COPY (SELECT ${BINARY_SCAN_COLUMNS} FROM audit_event) TO STDOUT (FORMAT binary)`;
      for (const reader of ['pg', 'socket'] as const) {
        const suspects: ScanSuspect[] = [];
        const runs: ScannedRun[] = [];
        const follower = new BinaryRunFollower(
          (run) => runs.push(run),
          (s) => suspects.push(s),
        );
        const messages =
          reader === 'pg'
            ? await copyOut(db, sql, (message) => follower.message(message))
            : await copyOutRaw(db, sql, (b, start, end) => follower.message(b, start, end));
        follower.finish();
        expect({ reader, rows: follower.rows }).toEqual({ reader, rows: n });
        expect({ reader, messages }).toEqual({ reader, messages: n });
        expect({ reader, suspects }).toEqual({
          reader,
          suspects: [{ chainId: 9999, chainSeq: '100', seq: '9000000100' }],
        });
        // Every row is in exactly one run, and the awkward rows link up as one run.
        expect(runs.reduce((sum, r) => sum + r.end - r.start + 1, 0)).toBe(n);
        expect(runs.filter((r) => r.chainId === 9999)).toEqual(
          expect.arrayContaining([expect.objectContaining({ start: 1, end: 1 })]),
        );
      }
      // A COPY the server refuses rejects (it does not hang), and the connection goes on.
      await expect(
        copyOut(db, `COPY (SELECT 1 FROM no_such_table) TO STDOUT`, () => undefined),
      ).rejects.toThrow(/no_such_table/);
      await db.query('ROLLBACK');
      await db.query('BEGIN');
      await expect(
        copyOutRaw(db, `COPY (SELECT 1 FROM no_such_table) TO STDOUT`, () => undefined),
      ).rejects.toThrow(/no_such_table/);
      await db.query('ROLLBACK');
      expect((await db.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.end();
    }
  });

  it('scans in threads, each with its own connection in the exported snapshot, finding what one thread finds', async () => {
    // The thread's modules, built from these sources beside the project (so that pg resolves).
    const build = mkdtempSync(join(process.cwd(), '.scan-thread-'));
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      writeFileSync(join(build, 'package.json'), '{"type":"module"}');
      for (const file of [
        'src/audit/audit-scan-worker.ts',
        'src/audit/audit-binary-scan.ts',
        'src/audit/audit-binary-json.ts',
        'src/audit/audit-copy-scan.ts',
        'src/crypto/canonical-json.ts',
      ]) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        const out = join(build, file.replace(/\.ts$/, '.js'));
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, outputText);
      }
      // A table of their own (committed: the threads read it in another session).
      await db.query(`CREATE TABLE scan_thread_rows AS SELECT * FROM audit_event`);
      await insertAwkwardRows(db, 'scan_thread_rows');
      await db.query(
        `INSERT INTO scan_thread_rows (seq, chain_id, chain_seq, occurred_at, action, outcome, prev_hash, hash)
         VALUES (9000000100, 9999, 100, now(), 'prisoner.read', 'success', $1, $1)`,
        ['1'.repeat(64)],
      );
      // A row changed after it was hashed, as tampering would.
      const [victim] = (
        await db.query(
          `UPDATE scan_thread_rows SET outcome = 'denied'
           WHERE seq = (SELECT seq FROM scan_thread_rows WHERE chain_id <> 9999 ORDER BY seq LIMIT 1 OFFSET 7)
           RETURNING chain_id AS "chainId", chain_seq::text AS "chainSeq", seq::text AS seq`,
        )
      ).rows;
      const [{ n, pages }] = (
        await db.query(
          `SELECT count(*)::int AS n,
             (SELECT (pg_relation_size('scan_thread_rows') / current_setting('block_size')::int)::int) AS pages
           FROM scan_thread_rows`,
        )
      ).rows;
      expect(pages).toBeGreaterThan(2);
      await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ snapshot }] = (await db.query(`SELECT pg_export_snapshot() AS snapshot`)).rows;
      // Rows added after the snapshot are not seen by the threads.
      const late = new pg.Client({ connectionString: t.databaseUrl });
      await late.connect();
      await late.query(
        `INSERT INTO scan_thread_rows SELECT * FROM scan_thread_rows WHERE chain_id <> 9999 LIMIT 5`,
      );
      await late.end();
      const half = Math.floor(pages / 2);
      const sqls = [`ctid < '(${half},0)'::tid`, `ctid >= '(${half},0)'::tid`].map(
        (range) =>
          `COPY (SELECT ${BINARY_SCAN_COLUMNS} FROM scan_thread_rows WHERE ${range}) TO STDOUT (FORMAT binary)`,
      );
      const connection = scanConnection(db);
      expect(connection).toBeDefined();
      const scanned: number[] = [];
      const suspects: ScanSuspect[] = [];
      let covered = 0;
      await scanInThreads(
        sqls,
        { connection: connection!, snapshot },
        2,
        (index, runs, found, rows) => {
          scanned.push(index);
          covered += runs.reduce((sum, r) => sum + r.end - r.start + 1, 0);
          expect(runs.reduce((sum, r) => sum + r.end - r.start + 1, 0)).toBe(rows);
          suspects.push(...found);
        },
        pathToFileURL(join(build, 'src/audit/audit-scan-worker.js')),
      );
      expect(scanned.sort()).toEqual([0, 1]);
      expect(covered).toBe(n);
      expect(suspects.sort((a, b) => Number(a.seq) - Number(b.seq))).toEqual(
        [victim, { chainId: 9999, chainSeq: '100', seq: '9000000100' }].sort(
          (a, b) => Number(a.seq) - Number(b.seq),
        ),
      );
      // A thread whose COPY fails fails the scan (it does not hang).
      await expect(
        scanInThreads(
          [`COPY (SELECT 1 FROM no_such_table) TO STDOUT (FORMAT binary)`],
          { connection: connection!, snapshot },
          1,
          () => undefined,
          pathToFileURL(join(build, 'src/audit/audit-scan-worker.js')),
        ),
      ).rejects.toThrow(/no_such_table/);
      await db.query('ROLLBACK');
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.query('DROP TABLE IF EXISTS scan_thread_rows').catch(() => undefined);
      await db.end();
      rmSync(build, { recursive: true, force: true });
    }
  });

  it('verifies chains that cross a month, and finds a row removed at the end of a month', async () => {
    const ok = await verify(t, supervisor, true);
    expect(ok).toMatchObject({ ok: true, status: 'intact' });
    // A chain's last row of an older month, and the row after it in the next month.
    const [edge] = await t.db.query(`
      WITH e AS (SELECT chain_id, chain_seq, seq, tableoid::regclass::text AS part,
                   lead(seq) OVER (PARTITION BY chain_id ORDER BY chain_seq) AS next_seq,
                   lead(tableoid::regclass::text) OVER (PARTITION BY chain_id ORDER BY chain_seq) AS next_part
                 FROM audit_event)
      SELECT seq::int AS seq, next_seq::int AS "nextSeq", chain_id AS chain FROM e
      WHERE next_part IS NOT NULL AND next_part <> part ORDER BY seq LIMIT 1`);
    expect(edge).toBeDefined();
    await tamper(t, `DELETE FROM audit_event WHERE seq = $1`, [edge.seq]);
    const result = await verify(t, supervisor, true);
    expect(result.ok).toBe(false);
    expect(result.firstInvalidSeq).toBeLessThanOrEqual(edge.nextSeq);
    expect(result.problems).toContainEqual(
      expect.objectContaining({ seq: edge.nextSeq, chain: edge.chain, kind: 'missing_before' }),
    );
  });

  it('serves each filter of /audit/events newest first from an index, not by sorting the table', async () => {
    for (const filter of ['actor_id', 'prisoner_id', 'facility_id', 'action', 'outcome']) {
      const [{ v }] = await t.db.query(
        `SELECT ${filter}::text AS v FROM audit_event WHERE ${filter} IS NOT NULL LIMIT 1`,
      );
      // With sorting priced out, a plan that still sorts has no index to walk.
      const plan = await t.db.transaction(async (m) => {
        await m.query(`SET LOCAL enable_sort = off`);
        await m.query(`SET LOCAL enable_seqscan = off`);
        const rows: { 'QUERY PLAN': string }[] = await m.query(
          `EXPLAIN SELECT seq FROM audit_event WHERE ${filter} = $1 ORDER BY seq DESC LIMIT 51`,
          [v],
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect({ filter, sorted: /(^|->)\s*Sort\s+\(/m.test(plan) }).toEqual({
        filter,
        sorted: false,
      });
    }
  });
});

/** Bulk history (as the scale seed writes it) signed with the app's own key. */
async function seedAuditWith(t: TestApp, events: number, months: number) {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await seedAudit(client, events, {
      months,
      chains: 4,
      checkpointEvery: 100,
      signing: t.app.get(AppConfig).auditSigningKey,
    });
  } finally {
    await client.end();
  }
}

describe('archive a month, then verify it offline', () => {
  let t: TestApp;
  let supervisor: TestUser;
  const out = mkdtempSync(join(tmpdir(), 'vep-archive-'));
  beforeAll(async () => {
    t = await createTestApp();
    const f = new Factories(t);
    const facility = await f.facility();
    await f.user(['security_officer'], [facility]);
    supervisor = await f.user(['supervisor'], [facility]);
    await f.prisoner(facility);
    await seedAuditWith(t, 1500, 3);
  });
  afterAll(async () => {
    await t.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes the month with its checkpoints, detaches it, records the file hash, and both the trail and the file verify', async () => {
    const archiver = t.app.get(AuditArchiver);
    const [oldest] = await archiver.partitions();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${oldest.name}`);
    expect(n).toBeGreaterThan(0);
    const summary = await archiver.archive({ requestId: 'test', ip: 'local' }, oldest.month, out);
    expect(summary).toMatchObject({ partition: oldest.name, events: n });
    expect((await archiver.partitions()).map((p) => p.name)).not.toContain(oldest.name);

    const [event] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'audit.archive' ORDER BY seq DESC LIMIT 1`,
    );
    expect(event.details).toMatchObject({ fileSha256: summary.fileSha256, events: n });

    const live = await verify(t, supervisor, true);
    expect(live).toMatchObject({ ok: true, status: 'intact', archives: 1 });
    expect(live.checked).toBeGreaterThan(0);

    const offline = await cli(['--archive', summary.file], { DATA_DIR: t.dataDir });
    expect(offline.code).toBe(0);
    expect(offline.result).toMatchObject({
      ok: true,
      status: 'intact',
      mode: 'archive',
      checked: n,
      files: [{ sha256: summary.fileSha256, events: n, partition: oldest.name }],
    });
    expect(offline.result.checkpoints).toBeGreaterThan(0);

    // Without the public keys the file still checks, but its signatures cannot be.
    const noKeys = mkdtempSync(join(tmpdir(), 'vep-nokeys-'));
    const unchecked = await cli(['--archive', summary.file], { DATA_DIR: noKeys });
    rmSync(noKeys, { recursive: true, force: true });
    expect(unchecked).toMatchObject({
      code: 3,
      result: { status: 'unverifiable', problemCount: 0 },
    });

    // An event changed in the file.
    const lines = readFileSync(summary.file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"event"'));
    const changed = JSON.parse(lines[i]);
    lines[i] = JSON.stringify({
      ...changed,
      outcome: changed.outcome === 'success' ? 'denied' : 'success',
    });
    const forged = join(out, 'forged.ndjson');
    writeFileSync(forged, lines.join('\n'));
    const bad = await cli(['--archive', forged], { DATA_DIR: t.dataDir });
    expect(bad).toMatchObject({
      code: 2,
      result: { status: 'tampered', firstInvalidSeq: Number(changed.seq) },
    });
  });
});

describe('the partitioning migration converts existing events', () => {
  it('moves events into months and back (down) and forward again, and the trail verifies', async () => {
    const t = await createTestApp();
    try {
      const f = new Factories(t);
      const facility = await f.facility();
      await f.user(['security_officer'], [facility]);
      await f.prisoner(facility);
      await seedAuditWith(t, 600, 2);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
      const keys = new TrustedKeys([t.app.get(AppConfig).auditSigningKey.publicKey]);
      const check = async (url: string) => {
        const pool = new pg.Pool({ connectionString: url, max: 3 });
        try {
          return await verifyAuditTrail(
            async () => {
              const c = await pool.connect();
              return {
                query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
                release: async () => c.release(),
              };
            },
            { mode: 'full', trustedKeys: keys, workers: 2 },
          );
        } finally {
          await pool.end();
        }
      };
      const migrations = new DataSource(dataSourceOptions(t.databaseUrl, 1));
      await migrations.initialize();
      try {
        // Undo down to (and including) the partitioning migration, whatever came after it.
        for (;;) {
          const [applied] = await migrations.query(
            `SELECT name FROM schema_migration WHERE name = 'AuditPartitions1764115200100'`,
          );
          if (!applied) break;
          await migrations.undoLastMigration();
        }
        const [{ kind }] = await migrations.query(
          `SELECT relkind AS kind FROM pg_class WHERE relname = 'audit_event'`,
        );
        expect(kind).toBe('r');
        const [{ m }] = await migrations.query(`SELECT count(*)::int AS m FROM audit_event`);
        expect(m).toBe(n);
        await migrations.runMigrations();
      } finally {
        await migrations.destroy();
      }
      const [{ kind }] = await t.db.query(
        `SELECT relkind AS kind FROM pg_class WHERE relname = 'audit_event'`,
      );
      expect(kind).toBe('p');
      expect(await check(t.databaseUrl)).toMatchObject({ ok: true, checked: n });
    } finally {
      await t.close();
    }
  });
});
