import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupEmbedded } from '../src/database/backup.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { Factories } from './factories/index.js';
import { createTestApp } from './support/test-app.js';

const embedded = (dataDir: string) =>
  startEmbeddedPostgres({
    clusterDir: join(dataDir, 'postgres'),
    passwordFile: join(dataDir, 'keys', 'embedded-postgres.password'),
    database: 'vep',
  });

describe('backup and restore of the embedded database', () => {
  let work: string;
  const servers: EmbeddedDatabase[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'vep-backup-'));
    chmodSync(work, 0o755);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('backs up while the service writes; the restored database has every earlier write and its audit trail verifies', async () => {
    const dataDir = join(work, 'data');
    const source = await embedded(dataDir);
    servers.push(source);
    const t = await createTestApp({
      database: { name: 'vep', url: source.url },
      env: { DATA_DIR: dataDir },
    });
    const f = new Factories(t);
    const facility = await f.facility();
    const officer = await f.user(['security_officer'], [facility]);
    const create = () =>
      t.http
        .post('/api/v1/prisoners')
        .set('authorization', officer.auth)
        .send({
          prisonNumber: `B-${randomUUID().slice(0, 8)}`,
          givenName: 'Backed',
          familyName: 'Up',
          dateOfBirth: '1990-01-01',
          sex: 'male',
          legalStatus: 'sentenced',
          facilityId: facility.id,
        });
    const before: string[] = [];
    for (let i = 0; i < 5; i++) before.push((await create().expect(201)).body.id);

    // Writes go on during the backup.
    let writing = true;
    const during = (async () => {
      let n = 0;
      while (writing) {
        await create().expect(201);
        n++;
      }
      return n;
    })();
    const target = join(work, 'restored');
    const report = await backupEmbedded({ url: source.url, dataDir, target });
    writing = false;
    expect(await during).toBeGreaterThan(0);
    expect(report.files).toBeGreaterThan(100);
    expect(existsSync(join(target, 'keys', 'audit-signing.pem'))).toBe(true);
    expect(existsSync(join(target, 'postgres', 'postmaster.pid'))).toBe(false);
    await t.app.close();
    await source.stop();

    const restored = await embedded(target);
    servers.push(restored);
    const r = await createTestApp({
      database: { name: 'vep', url: restored.url },
      env: { DATA_DIR: target },
    });
    try {
      const rf = new Factories(r);
      const supervisor = await rf.user(['supervisor'], [facility]);
      const [{ n }] = await r.db.query(
        `SELECT count(*)::int AS n FROM prisoner WHERE id = ANY($1::uuid[])`,
        [before],
      );
      expect(n).toBe(before.length);
      const verify = await r.http
        .get('/api/v1/audit/verify')
        .set('authorization', supervisor.auth)
        .expect(200);
      expect(verify.body).toMatchObject({ ok: true });
      expect(verify.body.checkpoints).toBeGreaterThanOrEqual(1);
      const [{ events }] = await r.db.query(
        `SELECT count(*)::int AS events FROM audit_event
         WHERE action = 'prisoner.create' AND entity_id = ANY($1::text[])`,
        [before],
      );
      expect(events).toBe(before.length);
    } finally {
      await r.app.close();
    }
  }, 180_000);
});
