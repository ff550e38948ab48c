import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access tokens carry their session's generation; refreshing moves the session to the next one,
 * so a replaced token is recognised (and its reuse ends the session).
 */
export class SessionRotation1764115200011 implements MigrationInterface {
  name = 'SessionRotation1764115200011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE user_session ADD COLUMN token_generation integer NOT NULL DEFAULT 1;
      ALTER TABLE user_session ADD CONSTRAINT user_session_token_generation_check
        CHECK (token_generation > 0);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE user_session DROP CONSTRAINT user_session_token_generation_check;
      ALTER TABLE user_session DROP COLUMN token_generation;
    `);
  }
}
