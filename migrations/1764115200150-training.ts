import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Training and calibration. Practice cases and certification rules are imported like
 * instruments, as immutable versions, into a table of their own; trainees' attempts live in
 * their own table with their own ratings. Nothing here refers to a prisoner, so no real-case
 * list, statistic, review or case audit view can ever include training.
 *
 * A certification now says where it came from: `earned` by meeting an instrument's
 * certification rule (with its evidence: the attempts, cases, scores and rule version), or
 * `external` as recorded by an administrator (with the issuing body and a document reference).
 */
export class Training1764115200150 implements MigrationInterface {
  name = 'Training1764115200150';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE training_rule_set_version (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        key text NOT NULL,
        version text NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        instrument_key text NOT NULL,
        instrument_version_id uuid,
        content jsonb NOT NULL,
        content_sha256 text NOT NULL,
        source_file text NOT NULL,
        imported_by uuid,
        imported_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT training_rule_set_version_pkey PRIMARY KEY (id),
        CONSTRAINT training_rule_set_version_key_version_key UNIQUE (kind, key, version),
        CONSTRAINT training_rule_set_version_kind_check
          CHECK (kind IN ('practice-case', 'certification-rule')),
        CONSTRAINT training_rule_set_version_status_check
          CHECK (status IN ('active', 'retired', 'draft')),
        CONSTRAINT training_rule_set_version_instrument_check
          CHECK ((kind = 'practice-case') = (instrument_version_id IS NOT NULL)),
        CONSTRAINT training_rule_set_version_instrument_version_id_fkey
          FOREIGN KEY (instrument_version_id) REFERENCES instrument_version (id),
        CONSTRAINT training_rule_set_version_imported_by_fkey
          FOREIGN KEY (imported_by) REFERENCES app_user (id)
      );

      CREATE TABLE training_attempt (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        trainee_id uuid NOT NULL,
        practice_case_id uuid NOT NULL,
        instrument_key text NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        ratings jsonb NOT NULL DEFAULT '{}',
        final_level text,
        final_needs jsonb NOT NULL DEFAULT '[]',
        final_rationale text,
        indicative jsonb,
        agreement jsonb,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        CONSTRAINT training_attempt_pkey PRIMARY KEY (id),
        CONSTRAINT training_attempt_trainee_id_fkey FOREIGN KEY (trainee_id) REFERENCES app_user (id),
        CONSTRAINT training_attempt_practice_case_id_fkey
          FOREIGN KEY (practice_case_id) REFERENCES training_rule_set_version (id),
        CONSTRAINT training_attempt_status_check CHECK (status IN ('draft', 'submitted')),
        CONSTRAINT training_attempt_submitted_check
          CHECK ((status = 'submitted') = (submitted_at IS NOT NULL AND agreement IS NOT NULL))
      );
      CREATE INDEX training_attempt_trainee_idx ON training_attempt (trainee_id, instrument_key);
      CREATE INDEX training_attempt_case_idx ON training_attempt (practice_case_id);
      -- One open attempt per trainee and case.
      CREATE UNIQUE INDEX training_attempt_one_draft_idx
        ON training_attempt (trainee_id, practice_case_id) WHERE status = 'draft';

      ALTER TABLE certification
        ADD COLUMN source text NOT NULL DEFAULT 'external',
        ADD COLUMN issuing_body text,
        ADD COLUMN document_reference text,
        ADD COLUMN rule_version text,
        ADD COLUMN evidence jsonb,
        ADD CONSTRAINT certification_source_check CHECK (source IN ('earned', 'external')),
        ADD CONSTRAINT certification_evidence_check
          CHECK ((source = 'earned') = (evidence IS NOT NULL AND rule_version IS NOT NULL));
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE certification
        DROP CONSTRAINT certification_evidence_check,
        DROP CONSTRAINT certification_source_check,
        DROP COLUMN evidence,
        DROP COLUMN rule_version,
        DROP COLUMN document_reference,
        DROP COLUMN issuing_body,
        DROP COLUMN source;
      DROP TABLE training_attempt;
      DROP TABLE training_rule_set_version;
    `);
  }
}
