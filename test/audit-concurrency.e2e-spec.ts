import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints.service.js';
import type { VerifyResult } from '../src/audit/audit-verifier.js';
import { Factories, type TestPrisoner, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

const REQUESTS = 2000;
const CONCURRENCY = 64;

// A load test on a shared two-core machine: time for the load, and for closing after it.
jest.setTimeout(180_000);

describe('audit trail under concurrency: two service instances, one database', () => {
  let database: { name: string; url: string };
  let one: TestApp;
  let two: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let prisoners: TestPrisoner[];

  beforeAll(async () => {
    database = await createTestDatabase();
    one = await createTestApp({ database, env: { DATABASE_POOL_SIZE: '10' } });
    // Same key files as the first instance: one deployment, one signing key.
    two = await createTestApp({
      database,
      env: { DATABASE_POOL_SIZE: '10', DATA_DIR: one.dataDir },
    });
    const f = new Factories(one);
    const facility = await f.facility();
    officer = await f.user(['security_officer'], [facility]);
    supervisor = await f.user(['supervisor'], [facility]);
    prisoners = await Promise.all(Array.from({ length: 20 }, () => f.prisoner(facility)));
    await one.app.listen({ port: 0, host: '127.0.0.1' });
    await two.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await dropTestDatabase(database.name);
  });

  it(`serves ${REQUESTS} audited requests concurrently; every one is in the trail, which verifies`, async () => {
    const [before] = await one.db.query(`SELECT count(*)::int AS n FROM audit_event`);
    // Those signed at start-up (the rule-set imports) do not count as made by the load.
    const [{ n: atStart }] = await one.db.query(`SELECT count(*)::int AS n FROM audit_checkpoint`);
    const urls = [await one.app.getUrl(), await two.app.getUrl()];
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const prisoner = prisoners[i % prisoners.length];
        const res = await fetch(`${urls[i % 2]}/api/v1/prisoners/${prisoner.id}`, {
          headers: { authorization: officer.auth },
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const [after] = await one.db.query(`SELECT count(*)::int AS n FROM audit_event`);
    expect(after.n - before.n).toBe(REQUESTS);
    const reads = await one.db.query(
      `SELECT chain_id, count(*)::int AS n FROM audit_event WHERE action = 'prisoner.read' GROUP BY chain_id`,
    );
    expect(reads.length).toBeGreaterThan(1);

    // AUDIT_CHECKPOINT_EVERY (1000) events made at least one instance sign a checkpoint by itself.
    await Promise.all([one, two].map((app) => app.app.get(AuditCheckpoints).idle()));
    const [{ n: automatic }] = await one.db.query(
      `SELECT count(*)::int AS n FROM audit_checkpoint`,
    );
    expect(automatic).toBeGreaterThanOrEqual(atStart + 1);
    await one.app.get(AuditCheckpoints).checkpoint();
    const res = await fetch(`${urls[1]}/api/v1/audit/verify`, {
      headers: { authorization: supervisor.auth },
    });
    const result = (await res.json()) as VerifyResult;
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.checkpoints).toBeGreaterThanOrEqual(automatic);
    // The newest checkpoint vouches for the whole trail as it stood after the load.
    expect(result.lastCheckpoint?.headSeq).toBe(result.headSeq);
    expect(result.checked).toBeGreaterThanOrEqual(after.n);
  });
});
