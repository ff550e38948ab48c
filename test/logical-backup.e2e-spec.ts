import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { dumpDatabase, restoreDatabase, RestoreRefused } from '../src/database/logical-backup.js';
import { Factories } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

/** Every table's rows, in key order, as one digest per table. */
async function contentDigests(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET TimeZone = 'UTC'`);
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class
       WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
         AND NOT relispartition AND relname <> 'schema_migration' ORDER BY relname`,
    );
    const digests: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of tables) {
      const {
        rows: [row],
      } = await client.query<{ rows: number; md5: string }>(
        `SELECT count(*)::int AS rows,
                md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5
         FROM "${name}" t`,
      );
      digests[name] = row;
    }
    return digests;
  } finally {
    await client.end();
  }
}

async function rowCount(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${table}"`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('logical backup (db:dump and db:restore), for an external database as for the embedded one', () => {
  let work: string;
  let t: TestApp;
  let f: Factories;
  let supervisorAuth: string;
  const targets: string[] = [];

  const newTarget = async () => {
    const target = await createTestDatabase();
    targets.push(target.name);
    return target;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vep-dump-'));
    t = await createTestApp();
    f = new Factories(t);
    const facility = await f.facility();
    const officer = await f.user(['security_officer'], [facility]);
    const psychologist = await f.user(['psychologist'], [facility]);
    const supervisor = await f.user(['supervisor'], [facility]);
    supervisorAuth = supervisor.auth;
    for (let i = 0; i < 4; i++) {
      const prisoner = await f.prisoner(facility);
      await f.approvedAssessment(prisoner, psychologist, supervisor, {
        needs: [{ code: 'N01', priority: 'high' }],
      });
      await t.http
        .get(`/api/v1/prisoners/${prisoner.id}`)
        .set('authorization', officer.auth)
        .expect(200);
    }
    for (let i = 0; i < 3; i++) {
      await t.http
        .post('/api/v1/prisoners')
        .set('authorization', officer.auth)
        .send({
          prisonNumber: `D-${randomUUID().slice(0, 8)}`,
          givenName: 'Dumped',
          familyName: 'Ünïcødé "quoted" \\ back',
          dateOfBirth: '1990-01-01',
          sex: 'male',
          legalStatus: 'sentenced',
          facilityId: facility.id,
        })
        .expect(201);
    }
    // A signed checkpoint in the trail, so that the restored trail has signatures to check.
    await t.http
      .get('/api/v1/audit/verify?full=true')
      .set('authorization', supervisorAuth)
      .expect(200);
  }, 120_000);

  afterAll(async () => {
    await t.close();
    for (const name of targets) await dropTestDatabase(name).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('restores every row of every table exactly, and the restored audit trail verifies', async () => {
    const file = join(work, 'exact.ndjson.gz');
    const dumped = await dumpDatabase(t.databaseUrl, file);
    expect(dumped.rows).toBeGreaterThan(50);
    const target = await newTarget();
    const restored = await restoreDatabase(target.url, file);
    expect(restored).toMatchObject({ tables: dumped.tables, rows: dumped.rows });
    const source = await contentDigests(t.databaseUrl);
    const copy = await contentDigests(target.url);
    // Everything up to the dump is in the copy; the source may have audited reads since.
    for (const [table, digest] of Object.entries(copy)) {
      if (table.startsWith('audit_')) continue;
      expect({ table, ...digest }).toEqual({ table, ...source[table] });
    }
    expect(copy.audit_event.rows).toBeGreaterThan(10);

    // The service runs on the restored database with the same keys, and its trail verifies.
    const r = await createTestApp({
      database: target,
      env: { DATA_DIR: t.dataDir },
    });
    try {
      const verify = await r.http
        .get('/api/v1/audit/verify?full=true')
        .set('authorization', supervisorAuth)
        .expect(200);
      expect(verify.body).toMatchObject({ ok: true });
      expect(verify.body.checkpoints).toBeGreaterThanOrEqual(1);
      // Identity sequences carry on after the restored rows: new audit events append.
      const [{ before }] = await r.db.query(`SELECT max(seq)::text AS before FROM audit_event`);
      await r.http.get('/api/v1/prisoners').set('authorization', supervisorAuth).expect(200);
      const [{ after }] = await r.db.query(`SELECT max(seq)::text AS after FROM audit_event`);
      expect(BigInt(after)).toBeGreaterThan(BigInt(before));
    } finally {
      await r.app.close();
    }
  }, 180_000);

  it('takes one consistent snapshot while the service writes: each restored create has its audit event', async () => {
    const facility = await f.facility();
    const officer = await f.user(['security_officer'], [facility]);
    let writing = true;
    const created: string[] = [];
    const during = (async () => {
      while (writing) {
        const res = await t.http
          .post('/api/v1/prisoners')
          .set('authorization', officer.auth)
          .send({
            prisonNumber: `W-${randomUUID().slice(0, 8)}`,
            givenName: 'Written',
            familyName: 'During',
            dateOfBirth: '1991-02-03',
            sex: 'female',
            legalStatus: 'remand',
            facilityId: facility.id,
          })
          .expect(201);
        created.push(res.body.id);
      }
    })();
    await new Promise((done) => setTimeout(done, 300));
    const acknowledgedBefore = [...created];
    const file = join(work, 'during.ndjson.gz');
    await dumpDatabase(t.databaseUrl, file);
    writing = false;
    await during;
    expect(acknowledgedBefore.length).toBeGreaterThan(0);
    const target = await newTarget();
    await restoreDatabase(target.url, file);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows: prisoners } = await client.query(
        `SELECT id FROM prisoner WHERE facility_id = $1`,
        [facility.id],
      );
      const ids = prisoners.map((p) => p.id as string);
      expect(ids).toEqual(expect.arrayContaining(acknowledgedBefore));
      const { rows: events } = await client.query(
        `SELECT entity_id FROM audit_event WHERE action = 'prisoner.create' AND entity_id = ANY($1::text[])`,
        [created],
      );
      expect(events.map((e) => e.entity_id as string).sort()).toEqual([...ids].sort());
    } finally {
      await client.end();
    }
  }, 120_000);

  it('refuses an altered, a truncated or a foreign file and a non-empty target, writing nothing', async () => {
    const file = join(work, 'refused.ndjson.gz');
    await dumpDatabase(t.databaseUrl, file);
    await expect(dumpDatabase(t.databaseUrl, file)).rejects.toThrow(/exists/);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    const row = lines.findIndex((l) => l.includes('Dumped'));
    expect(row).toBeGreaterThan(0);

    const altered = join(work, 'altered.ndjson.gz');
    const changed = [...lines];
    changed[row] = changed[row].replace('Dumped', 'Dumpex');
    writeFileSync(altered, gzipSync(changed.join('\n')));
    const truncated = join(work, 'truncated.ndjson.gz');
    writeFileSync(truncated, gzipSync(lines.slice(0, row + 1).join('\n')));
    const foreign = join(work, 'foreign.ndjson.gz');
    writeFileSync(foreign, gzipSync('{"vep":"header","format":"something-else"}\n'));

    const target = await newTarget();
    for (const [bad, reason] of [
      [altered, /does not match its own hash/],
      [truncated, /incomplete/],
      [foreign, /not a backup of this format/],
    ] as const) {
      const refused = restoreDatabase(target.url, bad);
      await expect(refused).rejects.toBeInstanceOf(RestoreRefused);
      await expect(restoreDatabase(target.url, bad)).rejects.toThrow(reason);
      expect(await rowCount(target.url, 'prisoner')).toBe(0);
      expect(await rowCount(target.url, 'audit_event')).toBe(0);
    }

    await restoreDatabase(target.url, file);
    await expect(restoreDatabase(target.url, file)).rejects.toThrow(/not empty/);

    const older = await newTarget();
    const client = new pg.Client({ connectionString: older.url });
    await client.connect();
    await client.query(
      `DELETE FROM schema_migration WHERE id = (SELECT max(id) FROM schema_migration)`,
    );
    await client.end();
    await expect(restoreDatabase(older.url, file)).rejects.toThrow(/migrations .* differ/);
  }, 120_000);
});
