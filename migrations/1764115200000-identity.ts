import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1764115200000 implements MigrationInterface {
  name = 'Identity1764115200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE facility (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        code text NOT NULL,
        name text NOT NULL,
        region text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT facility_pkey PRIMARY KEY (id),
        CONSTRAINT facility_code_key UNIQUE (code),
        CONSTRAINT facility_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$')
      );

      CREATE TABLE app_user (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        username text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT app_user_pkey PRIMARY KEY (id),
        CONSTRAINT app_user_username_key UNIQUE (username),
        CONSTRAINT app_user_username_check CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
        CONSTRAINT app_user_roles_check CHECK (
          cardinality(roles) > 0 AND roles <@ ARRAY['psychologist', 'pve_inspector',
            'security_officer', 'supervisor', 'administrator']::text[])
      );

      CREATE TABLE user_facility (
        user_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        CONSTRAINT user_facility_pkey PRIMARY KEY (user_id, facility_id),
        CONSTRAINT user_facility_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT user_facility_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id)
      );
      CREATE INDEX user_facility_facility_id_idx ON user_facility (facility_id);

      CREATE TABLE certification (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        instrument_key text NOT NULL,
        valid_until date NOT NULL,
        granted_by uuid,
        granted_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT certification_pkey PRIMARY KEY (id),
        CONSTRAINT certification_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT certification_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES app_user (id)
      );
      CREATE INDEX certification_user_id_idx ON certification (user_id, instrument_key);

      -- One row per login; a token is honoured only while its session row is live, so logout,
      -- deactivation and role or scope changes take effect on the next request.
      CREATE TABLE user_session (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        CONSTRAINT user_session_pkey PRIMARY KEY (id),
        CONSTRAINT user_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id)
      );
      CREATE INDEX user_session_live_idx ON user_session (user_id) WHERE revoked_at IS NULL;

      CREATE TABLE login_failure (
        id bigint GENERATED ALWAYS AS IDENTITY,
        username text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT login_failure_pkey PRIMARY KEY (id)
      );
      CREATE INDEX login_failure_username_idx ON login_failure (username, occurred_at DESC);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE login_failure;
      DROP TABLE user_session;
      DROP TABLE certification;
      DROP TABLE user_facility;
      DROP TABLE app_user;
      DROP TABLE facility;
    `);
  }
}
