import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One assessment in progress (draft, submitted or returned) per prisoner and instrument key,
 * whether it was started new or as an amendment: the instrument key is kept on the row (set by
 * a trigger from the pinned version, so no path can get it wrong) and a partial unique index
 * holds the rule. Indexes for the list across prisoners ("my work"), newest first.
 *
 * Existing data that breaks the rule stops the migration with the rows to resolve: cancelling
 * all but one is a decision for the assessors, not for a migration.
 */
export class OneOpenAssessment1764115200030 implements MigrationInterface {
  name = 'OneOpenAssessment1764115200030';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE assessment ADD COLUMN instrument_key text;
      UPDATE assessment a SET instrument_key = iv.key
        FROM instrument_version iv WHERE iv.id = a.instrument_version_id;
      ALTER TABLE assessment ALTER COLUMN instrument_key SET NOT NULL;

      CREATE FUNCTION assessment_set_instrument_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT key INTO NEW.instrument_key FROM instrument_version WHERE id = NEW.instrument_version_id;
        RETURN NEW;
      END $$;
      CREATE TRIGGER assessment_instrument_key BEFORE INSERT OR UPDATE OF instrument_version_id, instrument_key
        ON assessment FOR EACH ROW EXECUTE FUNCTION assessment_set_instrument_key();

      DO $$
      DECLARE
        clash text;
      BEGIN
        SELECT string_agg(format('prisoner %s, %s: %s', prisoner_id, instrument_key, ids), '; ')
          INTO clash
        FROM (SELECT prisoner_id, instrument_key, string_agg(id::text, ', ' ORDER BY created_at) AS ids
              FROM assessment WHERE status IN ('draft', 'submitted', 'returned')
              GROUP BY prisoner_id, instrument_key HAVING count(*) > 1) open;
        IF clash IS NOT NULL THEN
          RAISE EXCEPTION 'More than one assessment in progress for one prisoner and instrument (%). Cancel all but one of each (POST /assessments/:id/cancel), then run the migrations again.', clash;
        END IF;
      END $$;

      CREATE UNIQUE INDEX assessment_open_instrument_key ON assessment (prisoner_id, instrument_key)
        WHERE status IN ('draft', 'submitted', 'returned');
      CREATE INDEX assessment_created_idx ON assessment (created_at DESC, id DESC);
      CREATE INDEX assessment_assessor_idx ON assessment (assessor_id, created_at DESC, id DESC);
      CREATE INDEX assessment_submitted_idx ON assessment (created_at DESC, id DESC)
        WHERE status = 'submitted';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX assessment_submitted_idx;
      DROP INDEX assessment_assessor_idx;
      DROP INDEX assessment_created_idx;
      DROP INDEX assessment_open_instrument_key;
      DROP TRIGGER assessment_instrument_key ON assessment;
      DROP FUNCTION assessment_set_instrument_key();
      ALTER TABLE assessment DROP COLUMN instrument_key;
    `);
  }
}
