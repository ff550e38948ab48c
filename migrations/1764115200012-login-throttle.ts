import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins are counted per username, per address and per (username, address), so the
 * throttle can slow an attacker without keeping the rightful user out. Rows from before this
 * have no address; they still count for their username.
 */
export class LoginThrottle1764115200012 implements MigrationInterface {
  name = 'LoginThrottle1764115200012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE login_failure ADD COLUMN ip text;
      CREATE INDEX login_failure_ip_idx ON login_failure (ip, occurred_at DESC);
      CREATE INDEX login_failure_occurred_at_idx ON login_failure (occurred_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX login_failure_occurred_at_idx;
      DROP INDEX login_failure_ip_idx;
      ALTER TABLE login_failure DROP COLUMN ip;
    `);
  }
}
