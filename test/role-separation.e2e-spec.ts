import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pg from 'pg';
import { hashPassword } from '../src/users/password-hasher.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

class MemoryLog extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

const PASSWORD = 'a long enough passphrase';

/**
 * Accounts made before administration and case roles were separated: the migration leaves them
 * as they are, start-up names them, and the next change to such an account must separate them.
 */
describe('role separation: accounts that predate it, and the stricter setting', () => {
  let database: { name: string; url: string };
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;
  let admin: TestUser;
  let mixedId: string;
  const log = new MemoryLog();

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // As an older release could write it: the database now refuses such a row, so the
      // triggers are bypassed the way a restore of an old dump would.
      await client.query('BEGIN');
      await client.query(`SET LOCAL session_replication_role = replica`);
      const { rows } = await client.query(
        `INSERT INTO app_user (username, display_name, password_hash, roles)
         VALUES ('old.mixed', 'Old Mixed', $1, ARRAY['administrator', 'psychologist']) RETURNING id`,
        [await hashPassword(PASSWORD)],
      );
      await client.query('COMMIT');
      mixedId = rows[0].id;
    } finally {
      await client.end();
    }
    t = await createTestApp({
      database,
      logDestination: log,
      env: { SEPARATE_SUPERVISOR_ROLE: 'true' },
    });
    f = new Factories(t);
    facility = await f.facility();
    admin = await f.user(['administrator']);
  });
  afterAll(async () => {
    await t.close();
    await dropTestDatabase(database.name);
  });

  it('the database refuses a new account that is administrator and a case role', async () => {
    await expect(
      t.db.query(
        `INSERT INTO app_user (username, display_name, password_hash, roles)
         VALUES ('direct.mixed', 'x', 'x', ARRAY['psychologist', 'administrator'])`,
      ),
    ).rejects.toThrow(/app_user_role_separation/);
  });

  it('start-up leaves an existing mixed account unchanged and names it in a warning', async () => {
    const [row] = await t.db.query(`SELECT roles, version FROM app_user WHERE id = $1`, [mixedId]);
    expect(row).toEqual({ roles: ['administrator', 'psychologist'], version: 1 });
    const warning = log.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; usernames?: string[] })
      .find((l) => l.usernames?.includes('old.mixed'));
    expect(warning).toMatchObject({ level: 40, msg: expect.stringMatching(/administrat/) });
  });

  it('a change to a mixed account must separate its roles', async () => {
    const rename = await t.http
      .patch(`/api/v1/users/${mixedId}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ displayName: 'Renamed' })
      .expect(400);
    expect(rename.body.errors).toEqual([{ path: 'roles', message: expect.any(String) }]);
    const resolved = await t.http
      .patch(`/api/v1/users/${mixedId}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ displayName: 'Renamed', roles: ['psychologist'], facilityIds: [facility.id] })
      .expect(200);
    expect(resolved.body).toMatchObject({ roles: ['psychologist'], displayName: 'Renamed' });
  });

  it('a mixed account may be deactivated as it is, but not reactivated so', async () => {
    const [{ id }] = await t.db.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      return m.query(
        `INSERT INTO app_user (username, display_name, password_hash, roles)
         VALUES ('old.mixed2', 'Old Mixed Two', 'x', ARRAY['administrator', 'security_officer'])
         RETURNING id`,
      );
    });
    await t.http
      .patch(`/api/v1/users/${id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ active: false })
      .expect(200);
    const res = await t.http
      .patch(`/api/v1/users/${id}`)
      .set('authorization', admin.auth)
      .set('if-match', '2')
      .send({ active: true })
      .expect(400);
    expect(res.body.errors).toEqual([{ path: 'roles', message: expect.any(String) }]);
  });

  it('SEPARATE_SUPERVISOR_ROLE=true also keeps supervision apart from the other case roles', async () => {
    const create = (roles: string[]) =>
      t.http
        .post('/api/v1/users')
        .set('authorization', admin.auth)
        .send({
          username: `sep.${Math.random().toString(36).slice(2, 10)}`,
          displayName: 'A Person',
          password: PASSWORD,
          roles,
          facilityIds: [facility.id],
        });
    const mixed = await create(['supervisor', 'pve_inspector']).expect(400);
    expect(mixed.body.errors).toEqual([
      { path: 'roles', message: expect.stringMatching(/supervisor/) },
    ]);
    await create(['supervisor']).expect(201);
    await create(['pve_inspector', 'psychologist']).expect(201);
    // The stricter setting never relaxes the administrator rule.
    await create(['administrator', 'supervisor']).expect(400);
    const user = await f.user(['pve_inspector'], [facility]);
    await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ roles: ['pve_inspector', 'supervisor'] })
      .expect(400);
  });
});
