import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The official copy on release (Mandela Rule 9) is listed in `GET /reviews/due` from its lead
 * time before each prisoner's expected release date: prisoners of a facility in release-date
 * order, read as a keyset index scan, and whether a release-copy request exists for each, from
 * an index of those requests alone.
 */
export class ReleaseCopyDue1764115200240 implements MigrationInterface {
  name = 'ReleaseCopyDue1764115200240';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX prisoner_release_idx ON prisoner (facility_id, expected_release_date, id)
        WHERE expected_release_date IS NOT NULL;
      CREATE INDEX subject_access_request_release_copy_idx ON subject_access_request (prisoner_id)
        WHERE kind = 'release_copy';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX subject_access_request_release_copy_idx;
      DROP INDEX prisoner_release_idx;
    `);
  }
}
