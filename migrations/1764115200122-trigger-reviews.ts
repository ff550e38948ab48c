import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews that are not reassessments (issue 12, point 5): an event or a flag whose instrument
 * trigger says `review` is closed by a recorded review of the current approved assessment, by
 * whom, on what day, with its outcome (no change, reassess, amend) and the reasons. An outcome
 * of reassess or amend makes a reassessment due until one is approved. Never changed or deleted.
 */
export class TriggerReviews1764115200122 implements MigrationInterface {
  name = 'TriggerReviews1764115200122';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE trigger_review (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        assessment_id uuid NOT NULL,
        instrument_key text NOT NULL,
        event_id uuid NOT NULL,
        reviewer_id uuid NOT NULL,
        reviewed_on date NOT NULL,
        outcome text NOT NULL,
        rationale text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trigger_review_pkey PRIMARY KEY (id),
        CONSTRAINT trigger_review_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT trigger_review_assessment_id_fkey FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT trigger_review_event_id_fkey FOREIGN KEY (event_id) REFERENCES prisoner_event (id),
        CONSTRAINT trigger_review_reviewer_id_fkey FOREIGN KEY (reviewer_id) REFERENCES app_user (id),
        CONSTRAINT trigger_review_outcome_check CHECK (outcome IN ('no_change', 'reassess', 'amend')),
        CONSTRAINT trigger_review_once_key UNIQUE (event_id, instrument_key)
      );
      CREATE INDEX trigger_review_prisoner_idx ON trigger_review (prisoner_id, recorded_at DESC);
      CREATE TRIGGER trigger_review_no_delete BEFORE DELETE ON trigger_review
        FOR EACH ROW EXECUTE FUNCTION assessment_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE trigger_review;`);
  }
}
