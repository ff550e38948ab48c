import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prisoners' rights over their file (Mandela Rules 9 and 54-57): subject-access requests with
 * their redaction register and released copies, the log of disclosures outside the service,
 * and challenges to assessments and plans. Nothing here is ever deleted: a released copy, a
 * redaction decision, a disclosure or a challenge stays on record.
 */
export class PrisonerRights1764115200130 implements MigrationInterface {
  name = 'PrisonerRights1764115200130';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE subject_access_request (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        kind text NOT NULL,
        received_on date NOT NULL,
        due_on date NOT NULL,
        status text NOT NULL DEFAULT 'received',
        note text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        released_by uuid,
        released_at timestamptz,
        bundle jsonb,
        bundle_sha256 text,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT subject_access_request_pkey PRIMARY KEY (id),
        CONSTRAINT subject_access_request_prisoner_id_fkey
          FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT subject_access_request_facility_id_fkey
          FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT subject_access_request_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT subject_access_request_released_by_fkey
          FOREIGN KEY (released_by) REFERENCES app_user (id),
        CONSTRAINT subject_access_request_kind_check CHECK (kind IN ('request', 'release_copy')),
        CONSTRAINT subject_access_request_status_check
          CHECK (status IN ('received', 'in_preparation', 'released')),
        CONSTRAINT subject_access_request_due_check CHECK (due_on >= received_on),
        CONSTRAINT subject_access_request_released_check CHECK (
          (status = 'released') = (released_at IS NOT NULL AND released_by IS NOT NULL
            AND bundle IS NOT NULL AND bundle_sha256 IS NOT NULL))
      );
      CREATE INDEX subject_access_request_facility_idx
        ON subject_access_request (facility_id, due_on, id);
      CREATE INDEX subject_access_request_prisoner_idx
        ON subject_access_request (prisoner_id, received_on DESC);

      CREATE TABLE subject_access_redaction (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL,
        element text NOT NULL,
        ground text NOT NULL,
        note text,
        decided_by uuid NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_by uuid,
        withdrawn_at timestamptz,
        CONSTRAINT subject_access_redaction_pkey PRIMARY KEY (id),
        CONSTRAINT subject_access_redaction_request_id_fkey
          FOREIGN KEY (request_id) REFERENCES subject_access_request (id),
        CONSTRAINT subject_access_redaction_decided_by_fkey
          FOREIGN KEY (decided_by) REFERENCES app_user (id),
        CONSTRAINT subject_access_redaction_withdrawn_by_fkey
          FOREIGN KEY (withdrawn_by) REFERENCES app_user (id),
        CONSTRAINT subject_access_redaction_withdrawn_check
          CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
      );
      CREATE UNIQUE INDEX subject_access_redaction_element_key
        ON subject_access_redaction (request_id, element) WHERE withdrawn_at IS NULL;

      CREATE TABLE disclosure (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        source text NOT NULL,
        plan_id uuid,
        recipient_type text NOT NULL,
        recipient text NOT NULL,
        lawful_basis text,
        purpose text NOT NULL,
        records jsonb NOT NULL,
        disclosed_on date NOT NULL,
        approved_by uuid,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT disclosure_pkey PRIMARY KEY (id),
        CONSTRAINT disclosure_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT disclosure_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT disclosure_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT disclosure_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES app_user (id),
        CONSTRAINT disclosure_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT disclosure_source_check CHECK (source IN ('recorded', 'plan_handover')),
        CONSTRAINT disclosure_recipient_type_check CHECK (recipient_type IN ('police', 'court',
          'probation', 'prison_service', 'other')),
        CONSTRAINT disclosure_records_check CHECK (jsonb_typeof(records) = 'array'),
        -- A disclosure recorded in the log is approved by the supervisor who records it; one made
        -- by a plan's release hand-over names its plan.
        CONSTRAINT disclosure_source_fields_check CHECK (
          (source = 'recorded' AND approved_by IS NOT NULL AND lawful_basis IS NOT NULL)
          OR (source = 'plan_handover' AND plan_id IS NOT NULL))
      );
      CREATE INDEX disclosure_prisoner_idx ON disclosure (prisoner_id, disclosed_on DESC, id DESC);
      CREATE INDEX disclosure_facility_idx ON disclosure (facility_id, disclosed_on DESC, id DESC);

      CREATE TABLE challenge (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        target_type text NOT NULL,
        assessment_id uuid,
        plan_id uuid,
        target_author_ids uuid[] NOT NULL,
        received_on date NOT NULL,
        words text NOT NULL,
        assigned_to uuid NOT NULL,
        respond_by date NOT NULL,
        status text NOT NULL DEFAULT 'open',
        outcome text,
        response text,
        answered_by uuid,
        answered_at timestamptz,
        amendment_due date,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT challenge_pkey PRIMARY KEY (id),
        CONSTRAINT challenge_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT challenge_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT challenge_assessment_id_fkey FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT challenge_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT challenge_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES app_user (id),
        CONSTRAINT challenge_answered_by_fkey FOREIGN KEY (answered_by) REFERENCES app_user (id),
        CONSTRAINT challenge_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT challenge_target_check CHECK (
          (target_type = 'assessment' AND assessment_id IS NOT NULL AND plan_id IS NULL)
          OR (target_type = 'plan' AND plan_id IS NOT NULL AND assessment_id IS NULL)),
        CONSTRAINT challenge_status_check CHECK (status IN ('open', 'answered')),
        CONSTRAINT challenge_outcome_check
          CHECK (outcome IS NULL OR outcome IN ('upheld', 'partly_upheld', 'not_upheld')),
        CONSTRAINT challenge_answered_check CHECK (
          (status = 'answered') = (outcome IS NOT NULL AND response IS NOT NULL
            AND answered_by IS NOT NULL AND answered_at IS NOT NULL)),
        -- Answered by someone who did not author what is challenged.
        CONSTRAINT challenge_impartial_check CHECK (
          NOT (assigned_to = ANY (target_author_ids))
          AND (answered_by IS NULL OR NOT (answered_by = ANY (target_author_ids)))),
        CONSTRAINT challenge_amendment_check
          CHECK ((amendment_due IS NOT NULL) = (outcome IN ('upheld', 'partly_upheld')))
      );
      CREATE INDEX challenge_prisoner_idx ON challenge (prisoner_id, received_on DESC, id DESC);
      CREATE INDEX challenge_facility_idx ON challenge (facility_id, status, respond_by);

      CREATE FUNCTION prisoner_rights_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER subject_access_request_no_delete BEFORE DELETE ON subject_access_request
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
      CREATE TRIGGER subject_access_redaction_no_delete BEFORE DELETE ON subject_access_redaction
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
      CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON disclosure
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
      CREATE TRIGGER challenge_no_delete BEFORE DELETE ON challenge
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE challenge;
      DROP TABLE disclosure;
      DROP TABLE subject_access_redaction;
      DROP TABLE subject_access_request;
      DROP FUNCTION prisoner_rights_refuse_delete();
    `);
  }
}
