import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What `GET /reviews/due` reads for every prisoner of a facility, from indexes alone: each
 * prisoner's approvals (instrument, version, next review date) and whether an assessment of the
 * intake instrument exists. At national scale (a facility of 2,000 prisoners with ten
 * assessments each) reading those rows from the table cost most of the request.
 */
export class DueIndexes1764115200210 implements MigrationInterface {
  name = 'DueIndexes1764115200210';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX assessment_approved_idx;
      CREATE INDEX assessment_approved_idx ON assessment (prisoner_id, approved_at DESC)
        INCLUDE (instrument_key, instrument_version_id, next_review_due, id)
        WHERE status = 'approved';
      CREATE INDEX assessment_prisoner_version_idx ON assessment (prisoner_id, instrument_version_id)
        WHERE status <> 'cancelled';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX assessment_prisoner_version_idx;
      DROP INDEX assessment_approved_idx;
      CREATE INDEX assessment_approved_idx ON assessment (prisoner_id, approved_at DESC)
        WHERE status = 'approved';
    `);
  }
}
