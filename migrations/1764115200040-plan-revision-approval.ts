import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A material change to an active or suspended plan no longer takes effect when it is made: it
 * is a proposal (the pending revision) that its author edits until it is submitted, and that a
 * supervisor who neither wrote nor submitted it approves or returns with comments. Until then
 * the current revision governs delivery. Proposals are never deleted; once approved or
 * withdrawn they are never changed.
 *
 * An intervention's discipline is its catalogue entry's: the service no longer takes it from
 * the client, and the database refuses any other. Interventions stored with another discipline
 * (which let the wrong staff group record their sessions) are corrected to the catalogue's, and
 * their plans' versions moved on so that no client keeps editing the old representation. The
 * correction is not undone by down().
 */
export class PlanRevisionApproval1764115200040 implements MigrationInterface {
  name = 'PlanRevisionApproval1764115200040';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      WITH fixed AS (
        UPDATE plan_intervention i
        SET discipline = e.entry ->> 'discipline', version = i.version + 1, updated_at = now()
        FROM programme_plan pl
        JOIN instrument_version iv ON iv.id = pl.catalogue_version_id
        CROSS JOIN LATERAL jsonb_array_elements(iv.content -> 'interventions') AS e(entry)
        WHERE pl.id = i.plan_id AND e.entry ->> 'code' = i.catalogue_code
          AND i.discipline <> e.entry ->> 'discipline'
        RETURNING i.plan_id
      )
      UPDATE programme_plan SET version = version + 1, updated_at = now()
      WHERE id IN (SELECT plan_id FROM fixed);

      CREATE FUNCTION plan_intervention_discipline_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        expected text;
      BEGIN
        SELECT e.entry ->> 'discipline' INTO expected
        FROM programme_plan pl
        JOIN instrument_version iv ON iv.id = pl.catalogue_version_id
        CROSS JOIN LATERAL jsonb_array_elements(iv.content -> 'interventions') AS e(entry)
        WHERE pl.id = NEW.plan_id AND e.entry ->> 'code' = NEW.catalogue_code;
        IF expected IS DISTINCT FROM NEW.discipline THEN
          RAISE EXCEPTION 'plan_intervention_discipline: % is delivered by %, not %',
            NEW.catalogue_code, coalesce(expected, 'no discipline of the catalogue'), NEW.discipline
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER plan_intervention_discipline
        BEFORE INSERT OR UPDATE OF catalogue_code, discipline ON plan_intervention
        FOR EACH ROW EXECUTE FUNCTION plan_intervention_discipline_check();

      CREATE TABLE plan_revision_proposal (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        revision integer NOT NULL,
        based_on_revision integer NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        based_on_assessment_id uuid NOT NULL,
        risk_assessment_id uuid,
        risk_level text,
        goals jsonb NOT NULL,
        interventions jsonb NOT NULL,
        changed_fields text[] NOT NULL DEFAULT '{}',
        author_id uuid NOT NULL,
        submitted_by uuid,
        submitted_at timestamptz,
        returned_by uuid,
        returned_at timestamptz,
        return_comments text,
        approver_id uuid,
        approved_at timestamptz,
        withdrawn_by uuid,
        withdrawn_at timestamptz,
        withdraw_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_revision_proposal_pkey PRIMARY KEY (id),
        CONSTRAINT plan_revision_proposal_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES programme_plan (id),
        CONSTRAINT plan_revision_proposal_based_on_assessment_id_fkey
          FOREIGN KEY (based_on_assessment_id) REFERENCES assessment (id),
        CONSTRAINT plan_revision_proposal_risk_assessment_id_fkey
          FOREIGN KEY (risk_assessment_id) REFERENCES assessment (id),
        CONSTRAINT plan_revision_proposal_author_id_fkey FOREIGN KEY (author_id) REFERENCES app_user (id),
        CONSTRAINT plan_revision_proposal_submitted_by_fkey
          FOREIGN KEY (submitted_by) REFERENCES app_user (id),
        CONSTRAINT plan_revision_proposal_returned_by_fkey
          FOREIGN KEY (returned_by) REFERENCES app_user (id),
        CONSTRAINT plan_revision_proposal_approver_id_fkey
          FOREIGN KEY (approver_id) REFERENCES app_user (id),
        CONSTRAINT plan_revision_proposal_withdrawn_by_fkey
          FOREIGN KEY (withdrawn_by) REFERENCES app_user (id),
        CONSTRAINT plan_revision_proposal_status_check
          CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'withdrawn')),
        CONSTRAINT plan_revision_proposal_revision_check CHECK (revision = based_on_revision + 1),
        CONSTRAINT plan_revision_proposal_content_check
          CHECK (jsonb_typeof(goals) = 'array' AND jsonb_typeof(interventions) = 'array'),
        CONSTRAINT plan_revision_proposal_submitted_check CHECK (
          status NOT IN ('submitted', 'approved') OR (submitted_by IS NOT NULL AND submitted_at IS NOT NULL)),
        CONSTRAINT plan_revision_proposal_returned_check CHECK (
          (returned_by IS NULL) = (returned_at IS NULL) AND (returned_by IS NULL) = (return_comments IS NULL)
          AND (status <> 'returned' OR returned_by IS NOT NULL)),
        CONSTRAINT plan_revision_proposal_approved_check
          CHECK ((status = 'approved') = (approver_id IS NOT NULL AND approved_at IS NOT NULL)),
        CONSTRAINT plan_revision_proposal_withdrawn_check CHECK ((status = 'withdrawn')
          = (withdrawn_by IS NOT NULL AND withdrawn_at IS NOT NULL AND withdraw_reason IS NOT NULL)),
        -- Four eyes: nobody approves a revision they wrote or submitted.
        CONSTRAINT plan_revision_proposal_four_eyes_check CHECK (approver_id IS NULL
          OR (approver_id <> author_id AND approver_id IS DISTINCT FROM submitted_by))
      );
      -- One pending revision per plan; one approved proposal per revision number.
      CREATE UNIQUE INDEX plan_revision_proposal_open_key ON plan_revision_proposal (plan_id)
        WHERE status IN ('draft', 'submitted', 'returned');
      CREATE UNIQUE INDEX plan_revision_proposal_approved_key
        ON plan_revision_proposal (plan_id, revision) WHERE status = 'approved';
      CREATE TRIGGER plan_revision_proposal_no_delete BEFORE DELETE ON plan_revision_proposal
        FOR EACH ROW EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_revision_proposal_no_truncate BEFORE TRUNCATE ON plan_revision_proposal
        FOR EACH STATEMENT EXECUTE FUNCTION plan_refuse_delete();
      CREATE TRIGGER plan_revision_proposal_decided BEFORE UPDATE ON plan_revision_proposal
        FOR EACH ROW WHEN (OLD.status IN ('approved', 'withdrawn'))
        EXECUTE FUNCTION plan_refuse_change();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE plan_revision_proposal;
      DROP TRIGGER plan_intervention_discipline ON plan_intervention;
      DROP FUNCTION plan_intervention_discipline_check();
    `);
  }
}
