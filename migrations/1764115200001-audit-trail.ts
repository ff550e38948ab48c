import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: append-only events in hash chains, chain heads, and signed checkpoints.
 * Several chains let concurrent transactions append without queueing on one lock.
 */
export class AuditTrail1764115200001 implements MigrationInterface {
  name = 'AuditTrail1764115200001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE SEQUENCE audit_event_seq AS bigint;

      CREATE TABLE audit_event (
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
        hash text NOT NULL,
        CONSTRAINT audit_event_pkey PRIMARY KEY (seq),
        CONSTRAINT audit_event_chain_key UNIQUE (chain_id, chain_seq),
        CONSTRAINT audit_event_outcome_check CHECK (outcome IN ('success', 'denied', 'error'))
      );
      CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, seq DESC);
      CREATE INDEX audit_event_prisoner_idx ON audit_event (prisoner_id, seq DESC);
      CREATE INDEX audit_event_facility_idx ON audit_event (facility_id, seq DESC);
      CREATE INDEX audit_event_occurred_at_idx ON audit_event (occurred_at);

      CREATE TABLE audit_chain_head (
        chain_id integer NOT NULL,
        chain_seq bigint NOT NULL DEFAULT 0,
        seq bigint,
        hash text NOT NULL DEFAULT repeat('0', 64),
        CONSTRAINT audit_chain_head_pkey PRIMARY KEY (chain_id)
      );

      CREATE TABLE audit_checkpoint (
        id bigint GENERATED ALWAYS AS IDENTITY,
        created_at timestamptz NOT NULL,
        head_seq bigint,
        heads jsonb NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        CONSTRAINT audit_checkpoint_pkey PRIMARY KEY (id)
      );

      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;

      CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.chain_id <> OLD.chain_id OR NEW.chain_seq <= OLD.chain_seq THEN
          RAISE EXCEPTION 'audit chain head % can only move forward', OLD.chain_id
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;

      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
      CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
        FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE audit_checkpoint;
      DROP TABLE audit_chain_head;
      DROP TABLE audit_event;
      DROP FUNCTION audit_chain_head_forward_only();
      DROP FUNCTION audit_refuse_change();
      DROP SEQUENCE audit_event_seq;
    `);
  }
}
