import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team working (issue 12 point 6). An instrument's `team` (who assesses, who countersigns,
 * double rating) is kept beside its content so a session can load it without reading every
 * instrument's content. A countersign assignment opens one assessment to one psychologist of
 * another facility until it is used or revoked. Contributions are other disciplines'
 * observations on an assessment. Rating sets hold the two blind ratings of a double-rated
 * assessment until the lead assessor records the consensus.
 */
export class TeamWorking1764115200160 implements MigrationInterface {
  name = 'TeamWorking1764115200160';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE instrument_version
        ADD COLUMN team jsonb GENERATED ALWAYS AS (content -> 'team') STORED
    `);
    await db.query(`
      ALTER TABLE assessment
        ADD COLUMN double_rating boolean NOT NULL DEFAULT false,
        ADD COLUMN consensus jsonb
    `);
    await db.query(`
      CREATE TABLE countersign_assignment (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL,
        assignee_id uuid NOT NULL,
        assigned_by uuid NOT NULL,
        reason text NOT NULL,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        revoked_at timestamptz,
        revoked_by uuid,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT countersign_assignment_pkey PRIMARY KEY (id),
        CONSTRAINT countersign_assignment_assessment_id_fkey
          FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT countersign_assignment_assignee_id_fkey
          FOREIGN KEY (assignee_id) REFERENCES app_user (id),
        CONSTRAINT countersign_assignment_assigned_by_fkey
          FOREIGN KEY (assigned_by) REFERENCES app_user (id),
        CONSTRAINT countersign_assignment_revoked_by_fkey
          FOREIGN KEY (revoked_by) REFERENCES app_user (id)
      )
    `);
    // One live assignment per assessment.
    await db.query(`
      CREATE UNIQUE INDEX countersign_assignment_live_key ON countersign_assignment (assessment_id)
        WHERE revoked_at IS NULL AND used_at IS NULL
    `);
    await db.query(`
      CREATE INDEX countersign_assignment_assignee_idx ON countersign_assignment (assignee_id)
        WHERE revoked_at IS NULL AND used_at IS NULL
    `);
    await db.query(`
      CREATE TABLE assessment_contribution (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL,
        author_id uuid NOT NULL,
        discipline text NOT NULL,
        observation text NOT NULL,
        source text NOT NULL,
        observed_on date NOT NULL,
        confidentiality text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assessment_contribution_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_contribution_assessment_id_fkey
          FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT assessment_contribution_author_id_fkey
          FOREIGN KEY (author_id) REFERENCES app_user (id),
        CONSTRAINT assessment_contribution_confidentiality_check
          CHECK (confidentiality IN ('standard', 'security', 'clinical'))
      )
    `);
    await db.query(`
      CREATE INDEX assessment_contribution_assessment_idx
        ON assessment_contribution (assessment_id, created_at)
    `);
    await db.query(`
      CREATE TABLE assessment_rating_set (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL,
        rater_id uuid NOT NULL,
        lead boolean NOT NULL,
        ratings jsonb NOT NULL DEFAULT '{}',
        submitted_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assessment_rating_set_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_rating_set_assessment_id_fkey
          FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT assessment_rating_set_rater_id_fkey
          FOREIGN KEY (rater_id) REFERENCES app_user (id),
        CONSTRAINT assessment_rating_set_rater_key UNIQUE (assessment_id, rater_id)
      )
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE assessment_rating_set`);
    await db.query(`DROP TABLE assessment_contribution`);
    await db.query(`DROP TABLE countersign_assignment`);
    await db.query(`ALTER TABLE assessment DROP COLUMN consensus, DROP COLUMN double_rating`);
    await db.query(`ALTER TABLE instrument_version DROP COLUMN team`);
  }
}
