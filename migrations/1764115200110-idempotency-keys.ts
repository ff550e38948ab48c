import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of creates: the row is written in the create's own transaction (so it exists
 * exactly when the create committed), then completed with the answer that is replayed to a
 * retry with the same key. Per user, method and path; rows expire.
 */
export class IdempotencyKeys1764115200110 implements MigrationInterface {
  name = 'IdempotencyKeys1764115200110';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_key (
        user_id uuid NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        status smallint,
        headers jsonb,
        body text,
        CONSTRAINT idempotency_key_pkey PRIMARY KEY (user_id, method, path, key),
        CONSTRAINT idempotency_key_status_check CHECK (status IS NULL OR status BETWEEN 100 AND 599)
      );
      CREATE INDEX idempotency_key_expires_at_idx ON idempotency_key (expires_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_key`);
  }
}
