import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `seq, chain_id, chain_seq, occurred_at, actor_id, actor_username, actor_roles, action,
  entity_type, entity_id, prisoner_id, facility_id, outcome, purpose, request_id, ip, user_agent,
  changed_fields, details, prev_hash, hash`;

const TABLE_BODY = `(
  seq bigint NOT NULL,
  chain_id integer NOT NULL,
  chain_seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_id uuid,
  actor_username text,
  actor_roles text[] NOT NULL DEFAULT '{}',
  action text NOT NULL,
  entity_type text,
  entity_id text,
  prisoner_id uuid,
  facility_id uuid,
  outcome text NOT NULL,
  purpose text,
  request_id text,
  ip text,
  user_agent text,
  changed_fields text[],
  details jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL`;

/**
 * The audit trail at national scale: `audit_event` partitioned by month of `occurred_at`
 * (existing rows are moved into their months), partitions created ahead by
 * `audit_ensure_partitions`, indexes that let every filter of /audit/events walk newest first,
 * signed verification marks (what incremental verification trusts) and signed archive records
 * (partitions written to a file and detached).
 */
export class AuditPartitions1764115200100 implements MigrationInterface {
  name = 'AuditPartitions1764115200100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE audit_event RENAME TO audit_event_unpartitioned;
      DROP TRIGGER audit_event_append_only ON audit_event_unpartitioned;
      DROP TRIGGER audit_event_no_truncate ON audit_event_unpartitioned;
      ALTER TABLE audit_event_unpartitioned RENAME CONSTRAINT audit_event_pkey TO audit_event_unpartitioned_pkey;
      ALTER TABLE audit_event_unpartitioned RENAME CONSTRAINT audit_event_chain_key TO audit_event_unpartitioned_chain_key;
      ALTER TABLE audit_event_unpartitioned RENAME CONSTRAINT audit_event_outcome_check TO audit_event_unpartitioned_outcome_check;
      ALTER INDEX audit_event_actor_idx RENAME TO audit_event_unpartitioned_actor_idx;
      ALTER INDEX audit_event_prisoner_idx RENAME TO audit_event_unpartitioned_prisoner_idx;
      ALTER INDEX audit_event_facility_idx RENAME TO audit_event_unpartitioned_facility_idx;
      ALTER INDEX audit_event_occurred_at_idx RENAME TO audit_event_unpartitioned_occurred_at_idx;

      CREATE TABLE audit_event ${TABLE_BODY},
        CONSTRAINT audit_event_pkey PRIMARY KEY (seq, occurred_at),
        CONSTRAINT audit_event_chain_key UNIQUE (chain_id, chain_seq, occurred_at),
        CONSTRAINT audit_event_outcome_check CHECK (outcome IN ('success', 'denied', 'error'))
      ) PARTITION BY RANGE (occurred_at);
      CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, seq DESC);
      CREATE INDEX audit_event_prisoner_idx ON audit_event (prisoner_id, seq DESC);
      CREATE INDEX audit_event_facility_idx ON audit_event (facility_id, seq DESC);
      CREATE INDEX audit_event_action_idx ON audit_event (action, seq DESC);
      CREATE INDEX audit_event_outcome_idx ON audit_event (outcome, seq DESC) WHERE outcome <> 'success';
      CREATE INDEX audit_event_occurred_at_idx ON audit_event (occurred_at);

      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

      -- One partition per calendar month (UTC), created with its own TRUNCATE guard (statement
      -- triggers are not inherited); row triggers are cloned by PostgreSQL.
      CREATE FUNCTION audit_ensure_partitions(from_month date, to_month date) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        month date := date_trunc('month', from_month)::date;
        name text;
        created integer := 0;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('audit_ensure_partitions'));
        WHILE month <= to_month LOOP
          name := 'audit_event_p' || to_char(month, 'YYYYMM');
          IF to_regclass(name) IS NULL THEN
            EXECUTE format(
              'CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
              name, to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
              to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
            EXECUTE format(
              'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %I
               FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', name);
            created := created + 1;
          END IF;
          month := (month + interval '1 month')::date;
        END LOOP;
        RETURN created;
      END $$;
    `);
    await db.query(`
      SELECT audit_ensure_partitions(
        LEAST(COALESCE((SELECT min(occurred_at) FROM audit_event_unpartitioned), now()), now())::date,
        GREATEST(COALESCE((SELECT max(occurred_at) FROM audit_event_unpartitioned), now()),
          now() + interval '3 months')::date)`);
    await db.query(`
      INSERT INTO audit_event (${COLUMNS}) SELECT ${COLUMNS} FROM audit_event_unpartitioned ORDER BY seq;
      DROP TABLE audit_event_unpartitioned;

      -- A verification that found the trail intact up to a signed checkpoint, signed in turn:
      -- incremental verification starts from the newest one whose signature holds.
      CREATE TABLE audit_verification (
        id bigint GENERATED ALWAYS AS IDENTITY,
        created_at timestamptz NOT NULL,
        checkpoint_id bigint NOT NULL REFERENCES audit_checkpoint (id),
        mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
        checked bigint NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        CONSTRAINT audit_verification_pkey PRIMARY KEY (id)
      );

      -- A month of events written to a file and detached: where each chain's archived runs
      -- start and end (so the live chains are checked from there) and the file's SHA-256.
      CREATE TABLE audit_archive (
        id bigint GENERATED ALWAYS AS IDENTITY,
        created_at timestamptz NOT NULL,
        partition_name text NOT NULL,
        range_from timestamptz NOT NULL,
        range_to timestamptz NOT NULL,
        events bigint NOT NULL,
        runs jsonb NOT NULL,
        file_name text NOT NULL,
        file_sha256 text NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        CONSTRAINT audit_archive_pkey PRIMARY KEY (id),
        CONSTRAINT audit_archive_partition_key UNIQUE (partition_name)
      );

      CREATE TRIGGER audit_verification_append_only BEFORE UPDATE OR DELETE ON audit_verification
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_verification_no_truncate BEFORE TRUNCATE ON audit_verification
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON audit_archive
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_archive_no_truncate BEFORE TRUNCATE ON audit_archive
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE audit_archive;
      DROP TABLE audit_verification;
      ALTER TABLE audit_event RENAME TO audit_event_partitioned;
      ALTER TABLE audit_event_partitioned RENAME CONSTRAINT audit_event_pkey TO audit_event_partitioned_pkey;
      ALTER TABLE audit_event_partitioned RENAME CONSTRAINT audit_event_chain_key TO audit_event_partitioned_chain_key;
      ALTER TABLE audit_event_partitioned RENAME CONSTRAINT audit_event_outcome_check TO audit_event_partitioned_outcome_check;
      DROP INDEX audit_event_actor_idx, audit_event_prisoner_idx, audit_event_facility_idx,
        audit_event_action_idx, audit_event_outcome_idx, audit_event_occurred_at_idx;

      CREATE TABLE audit_event ${TABLE_BODY},
        CONSTRAINT audit_event_pkey PRIMARY KEY (seq),
        CONSTRAINT audit_event_chain_key UNIQUE (chain_id, chain_seq),
        CONSTRAINT audit_event_outcome_check CHECK (outcome IN ('success', 'denied', 'error'))
      );
      INSERT INTO audit_event (${COLUMNS}) SELECT ${COLUMNS} FROM audit_event_partitioned ORDER BY seq;
      CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, seq DESC);
      CREATE INDEX audit_event_prisoner_idx ON audit_event (prisoner_id, seq DESC);
      CREATE INDEX audit_event_facility_idx ON audit_event (facility_id, seq DESC);
      CREATE INDEX audit_event_occurred_at_idx ON audit_event (occurred_at);
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
    `);
    // The partitioned table and its partitions go together; their triggers refuse DROP of rows,
    // not of tables.
    await db.query(`
      DROP TABLE audit_event_partitioned;
      DROP FUNCTION audit_ensure_partitions(date, date);
    `);
  }
}
