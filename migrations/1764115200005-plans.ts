import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disengagement programme plans (Mandela Rule 94): goals per assessed need, interventions from
 * the intervention catalogue with the prisoner's consent where it is required (Rules 65(3),
 * 32(1)(b)), the prisoner's agreement, release preparation (Rule 107), delivered sessions and
 * progress reviews. Nothing is ever deleted: items dropped from a plan are marked removed, the
 * content of a superseded revision is kept, and sessions and reviews are never changed.
 */
export class Plans1764115200005 implements MigrationInterface {
  name = 'Plans1764115200005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE programme_plan (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        revision integer NOT NULL DEFAULT 1,
        revised_at timestamptz,
        based_on_assessment_id uuid NOT NULL,
        risk_assessment_id uuid,
        risk_level text,
        catalogue_version_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        agreement_response text,
        agreement_words text,
        agreement_recorded_on date,
        agreement_recorded_by uuid,
        expected_release_date date,
        release_tasks jsonb NOT NULL DEFAULT '[]',
        release_handovers jsonb NOT NULL DEFAULT '[]',
        author_id uuid NOT NULL,
        submitted_by uuid,
        submitted_at timestamptz,
        approver_id uuid,
        approved_at timestamptz,
        suspended_at timestamptz,
        suspend_reason text,
        completed_at timestamptz,
        completion_note text,
        closed_at timestamptz,
        close_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT programme_plan_pkey PRIMARY KEY (id),
        CONSTRAINT programme_plan_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT programme_plan_based_on_assessment_id_fkey
          FOREIGN KEY (based_on_assessment_id) REFERENCES assessment (id),
        CONSTRAINT programme_plan_risk_assessment_id_fkey
          FOREIGN KEY (risk_assessment_id) REFERENCES assessment (id),
        CONSTRAINT programme_plan_catalogue_version_id_fkey
          FOREIGN KEY (catalogue_version_id) REFERENCES instrument_version (id),
        CONSTRAINT programme_plan_agreement_recorded_by_fkey
          FOREIGN KEY (agreement_recorded_by) REFERENCES app_user (id),
        CONSTRAINT programme_plan_author_id_fkey FOREIGN KEY (author_id) REFERENCES app_user (id),
        CONSTRAINT programme_plan_submitted_by_fkey FOREIGN KEY (submitted_by) REFERENCES app_user (id),
        CONSTRAINT programme_plan_approver_id_fkey FOREIGN KEY (approver_id) REFERENCES app_user (id),
        CONSTRAINT programme_plan_status_check CHECK (status IN ('draft', 'pending_approval',
          'active', 'suspended', 'completed', 'closed')),
        CONSTRAINT programme_plan_revision_check CHECK (revision >= 1 AND (revision = 1) = (revised_at IS NULL)),
        CONSTRAINT programme_plan_agreement_check CHECK (
          (agreement_response IS NULL AND agreement_words IS NULL AND agreement_recorded_on IS NULL)
          OR (agreement_response IN ('agreed', 'disagreed', 'could_not_answer')
            AND agreement_recorded_on IS NOT NULL AND agreement_recorded_by IS NOT NULL)),
        CONSTRAINT programme_plan_release_check
          CHECK (jsonb_typeof(release_tasks) = 'array' AND jsonb_typeof(release_handovers) = 'array'),
        -- Four eyes: nobody approves a plan they wrote or submitted.
        CONSTRAINT programme_plan_four_eyes_check CHECK (approver_id IS NULL
          OR (approver_id <> author_id AND approver_id IS DISTINCT FROM submitted_by)),
        CONSTRAINT programme_plan_approved_check CHECK (
          status NOT IN ('active', 'suspended', 'completed')
          OR (approved_at IS NOT NULL AND approver_id IS NOT NULL)),
        CONSTRAINT programme_plan_suspended_check
          CHECK ((status = 'suspended') = (suspended_at IS NOT NULL AND suspend_reason IS NOT NULL)),
        CONSTRAINT programme_plan_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
        CONSTRAINT programme_plan_closed_check
          CHECK ((status = 'closed') = (closed_at IS NOT NULL AND close_reason IS NOT NULL))
      );
      CREATE INDEX programme_plan_prisoner_idx ON programme_plan (prisoner_id, created_at DESC, id DESC);
      -- One open plan per prisoner; change goes through revisions of that plan.
      CREATE UNIQUE INDEX programme_plan_open_key ON programme_plan (prisoner_id)
        WHERE status IN ('draft', 'pending_approval', 'active', 'suspended');

      CREATE TABLE plan_goal (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        position integer NOT NULL,
        need_code text NOT NULL,
        priority text,
        description text NOT NULL,
        target_date date,
        status text NOT NULL DEFAULT 'not_started',
        removed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT plan_goal_pkey PRIMARY KEY (id),
        CONSTRAINT plan_goal_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_goal_status_check CHECK (status IN ('not_started', 'in_progress',
          'achieved', 'not_achieved', 'withdrawn')),
        CONSTRAINT plan_goal_priority_check CHECK (priority IN ('high', 'medium', 'low'))
      );
      CREATE INDEX plan_goal_plan_idx ON plan_goal (plan_id, position) WHERE removed_at IS NULL;

      CREATE TABLE plan_intervention (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        position integer NOT NULL,
        catalogue_code text NOT NULL,
        goal_ids uuid[] NOT NULL DEFAULT '{}',
        discipline text NOT NULL,
        responsible_staff_id uuid,
        provider text,
        frequency text NOT NULL,
        planned_start date NOT NULL,
        planned_end date,
        location text,
        status text NOT NULL DEFAULT 'proposed',
        consent_required boolean NOT NULL,
        consent_given boolean,
        consent_recorded_on date,
        consent_note text,
        consent_recorded_by uuid,
        removed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT plan_intervention_pkey PRIMARY KEY (id),
        CONSTRAINT plan_intervention_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_intervention_responsible_staff_id_fkey
          FOREIGN KEY (responsible_staff_id) REFERENCES app_user (id),
        CONSTRAINT plan_intervention_consent_recorded_by_fkey
          FOREIGN KEY (consent_recorded_by) REFERENCES app_user (id),
        CONSTRAINT plan_intervention_status_check CHECK (status IN ('proposed', 'scheduled',
          'in_progress', 'completed', 'stopped')),
        CONSTRAINT plan_intervention_dates_check CHECK (planned_end IS NULL OR planned_end >= planned_start),
        CONSTRAINT plan_intervention_consent_check CHECK (
          (consent_given IS NULL AND consent_recorded_on IS NULL AND consent_note IS NULL)
          OR (consent_given IS NOT NULL AND consent_recorded_on IS NOT NULL
            AND consent_recorded_by IS NOT NULL)),
        -- Mandela Rules 65(3) and 32(1)(b): no delivery without consent where it is required,
        -- and a recorded refusal is respected whatever the catalogue says.
        CONSTRAINT plan_intervention_consent_respected_check CHECK (
          status IN ('proposed', 'stopped')
          OR (consent_given IS DISTINCT FROM false AND (NOT consent_required OR consent_given IS TRUE)))
      );
      CREATE INDEX plan_intervention_plan_idx ON plan_intervention (plan_id, position)
        WHERE removed_at IS NULL;

      -- The content of each superseded revision, as it was (the current one is in the rows above).
      CREATE TABLE plan_revision (
        plan_id uuid NOT NULL,
        revision integer NOT NULL,
        content jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        superseded_at timestamptz NOT NULL DEFAULT now(),
        superseded_by uuid NOT NULL,
        CONSTRAINT plan_revision_pkey PRIMARY KEY (plan_id, revision),
        CONSTRAINT plan_revision_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_revision_superseded_by_fkey FOREIGN KEY (superseded_by) REFERENCES app_user (id)
      );

      CREATE TABLE plan_session (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        intervention_id uuid,
        date date NOT NULL,
        attendance text NOT NULL,
        engagement smallint,
        notes text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_session_pkey PRIMARY KEY (id),
        CONSTRAINT plan_session_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_session_intervention_id_fkey
          FOREIGN KEY (intervention_id) REFERENCES plan_intervention (id),
        CONSTRAINT plan_session_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT plan_session_attendance_check
          CHECK (attendance IN ('attended', 'absent', 'refused', 'cancelled')),
        CONSTRAINT plan_session_engagement_check CHECK (
          (attendance = 'attended') = (engagement IS NOT NULL) AND (engagement IS NULL OR engagement BETWEEN 1 AND 5))
      );
      CREATE INDEX plan_session_plan_idx ON plan_session (plan_id, date DESC, id DESC);

      CREATE TABLE plan_review (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        revision integer NOT NULL,
        date date NOT NULL,
        attendees text[] NOT NULL,
        goal_progress jsonb NOT NULL DEFAULT '[]',
        summary text NOT NULL,
        next_review_date date NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_review_pkey PRIMARY KEY (id),
        CONSTRAINT plan_review_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_review_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT plan_review_dates_check CHECK (next_review_date > date),
        CONSTRAINT plan_review_attendees_check CHECK (cardinality(attendees) >= 1),
        CONSTRAINT plan_review_goal_progress_check CHECK (jsonb_typeof(goal_progress) = 'array')
      );
      CREATE INDEX plan_review_plan_idx ON plan_review (plan_id, date DESC, id DESC);

      CREATE FUNCTION plan_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE FUNCTION plan_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are a record of what happened: never changed or deleted', TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER programme_plan_no_delete BEFORE DELETE ON programme_plan
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_goal_no_delete BEFORE DELETE ON plan_goal
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_intervention_no_delete BEFORE DELETE ON plan_intervention
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_revision_immutable BEFORE UPDATE OR DELETE ON plan_revision
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_change();
      CREATE TRIGGER plan_session_immutable BEFORE UPDATE OR DELETE ON plan_session
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_change();
      CREATE TRIGGER plan_review_immutable BEFORE UPDATE OR DELETE ON plan_review
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_change();
      CREATE TRIGGER programme_plan_no_truncate BEFORE TRUNCATE ON programme_plan
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_goal_no_truncate BEFORE TRUNCATE ON plan_goal
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_intervention_no_truncate BEFORE TRUNCATE ON plan_intervention
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_revision_no_truncate BEFORE TRUNCATE ON plan_revision
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_session_no_truncate BEFORE TRUNCATE ON plan_session
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_review_no_truncate BEFORE TRUNCATE ON plan_review
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE plan_review;
      DROP TABLE plan_session;
      DROP TABLE plan_revision;
      DROP TABLE plan_intervention;
      DROP TABLE plan_goal;
      DROP TABLE programme_plan;
      DROP FUNCTION plan_refuse_change();
      DROP FUNCTION plan_refuse_delete();
    `);
  }
}
