import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web interface: a session's last activity (so an idle browser session ends after
 * UI_IDLE_TIMEOUT, written at most once a minute) and each user's interface language.
 */
export class UiSessions1764115200020 implements MigrationInterface {
  name = 'UiSessions1764115200020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE user_session ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE app_user ADD COLUMN locale text,
        ADD CONSTRAINT app_user_locale_check CHECK (locale ~ '^[a-z]{2}$');
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE app_user DROP COLUMN locale;
      ALTER TABLE user_session DROP COLUMN last_seen_at;
    `);
  }
}
