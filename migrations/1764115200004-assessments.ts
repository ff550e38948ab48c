import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assessments pinned to an instrument version, their transitions (with the return comments
 * that belong to them), and the prisoner events that make a reassessment due. Rows are never
 * deleted: a mistaken assessment is cancelled, an approved one superseded by its amendment.
 */
export class Assessments1764115200004 implements MigrationInterface {
  name = 'Assessments1764115200004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE prisoner_event (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        note text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT prisoner_event_pkey PRIMARY KEY (id),
        CONSTRAINT prisoner_event_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT prisoner_event_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT prisoner_event_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT prisoner_event_type_check CHECK (type IN ('transfer', 'serious_incident',
          'new_information', 'programme_milestone', 'legal_status_change', 'pre_release',
          'parole_review', 'assessment_challenged'))
      );
      CREATE INDEX prisoner_event_prisoner_idx ON prisoner_event (prisoner_id, occurred_at DESC);

      CREATE TABLE assessment (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        instrument_version_id uuid NOT NULL,
        revision integer NOT NULL DEFAULT 1,
        supersedes_id uuid,
        status text NOT NULL DEFAULT 'draft',
        reason text NOT NULL,
        trigger text,
        trigger_event_id uuid,
        assessor_id uuid NOT NULL,
        countersigner_id uuid,
        ratings jsonb NOT NULL DEFAULT '{}',
        formulation text,
        scenarios jsonb NOT NULL DEFAULT '[]',
        needs jsonb NOT NULL DEFAULT '[]',
        final_risk_level text,
        final_rationale text,
        recommendations jsonb NOT NULL DEFAULT '[]',
        prisoner_participation jsonb,
        indicative jsonb,
        engine_version text,
        next_review_due date,
        submitted_at timestamptz,
        approved_at timestamptz,
        cancelled_at timestamptz,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT assessment_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT assessment_instrument_version_id_fkey
          FOREIGN KEY (instrument_version_id) REFERENCES instrument_version (id),
        CONSTRAINT assessment_supersedes_id_fkey FOREIGN KEY (supersedes_id) REFERENCES assessment (id),
        CONSTRAINT assessment_trigger_event_id_fkey
          FOREIGN KEY (trigger_event_id) REFERENCES prisoner_event (id),
        CONSTRAINT assessment_assessor_id_fkey FOREIGN KEY (assessor_id) REFERENCES app_user (id),
        CONSTRAINT assessment_countersigner_id_fkey
          FOREIGN KEY (countersigner_id) REFERENCES app_user (id),
        CONSTRAINT assessment_status_check CHECK (status IN ('draft', 'submitted', 'returned',
          'approved', 'cancelled', 'superseded')),
        CONSTRAINT assessment_reason_check CHECK (reason IN ('intake', 'periodic', 'event')),
        CONSTRAINT assessment_revision_check CHECK (revision >= 1 AND (revision = 1) = (supersedes_id IS NULL)),
        CONSTRAINT assessment_four_eyes_check CHECK (countersigner_id IS NULL OR countersigner_id <> assessor_id),
        CONSTRAINT assessment_approved_check CHECK (
          (status IN ('approved', 'superseded')) = (approved_at IS NOT NULL AND countersigner_id IS NOT NULL)),
        CONSTRAINT assessment_cancelled_check CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
      );
      CREATE INDEX assessment_prisoner_idx ON assessment (prisoner_id, created_at DESC, id DESC);
      CREATE INDEX assessment_approved_idx ON assessment (prisoner_id, approved_at DESC)
        WHERE status = 'approved';
      -- One amendment at a time of an approved assessment.
      CREATE UNIQUE INDEX assessment_open_amendment_key ON assessment (supersedes_id)
        WHERE status IN ('draft', 'submitted', 'returned');

      CREATE TABLE assessment_transition (
        id bigint GENERATED ALWAYS AS IDENTITY,
        assessment_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        comments text,
        CONSTRAINT assessment_transition_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_transition_assessment_id_fkey
          FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT assessment_transition_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES app_user (id)
      );
      CREATE INDEX assessment_transition_assessment_idx ON assessment_transition (assessment_id, id);

      -- Nothing about an assessment is ever deleted.
      CREATE FUNCTION assessment_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER assessment_no_delete BEFORE DELETE ON assessment
        FOR EACH ROW EXECUTE FUNCTION assessment_refuse_delete();
      CREATE TRIGGER assessment_transition_no_delete BEFORE DELETE ON assessment_transition
        FOR EACH ROW EXECUTE FUNCTION assessment_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE assessment_transition;
      DROP TABLE assessment;
      DROP FUNCTION assessment_refuse_delete();
      DROP TABLE prisoner_event;
    `);
  }
}
