import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Discharge from custody (Mandela Rule 7(c)): the date and reason a prisoner left the roll, on
 * the record (null while held). The facility stay ends with it in the movement history and a
 * readmission opens a new one. Discharged prisoners are few beside those held: their own partial
 * index keeps the `onRoll=false` list a keyset index scan, and the release-copy due list reads
 * released prisoners by discharge date.
 */
export class Discharge1764115200260 implements MigrationInterface {
  name = 'Discharge1764115200260';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE prisoner
        ADD COLUMN discharged_on date,
        ADD COLUMN discharge_reason text,
        ADD COLUMN discharge_note text,
        ADD CONSTRAINT prisoner_discharge_check CHECK (
          (discharged_on IS NULL) = (discharge_reason IS NULL)
          AND discharge_reason IN ('released', 'transferred_to_another_service', 'deceased', 'other'));
      -- A stay a discharge ended says so (a transfer's ends with the next stay's reason).
      ALTER TABLE prisoner_facility_history ADD COLUMN discharge_reason text;
      CREATE INDEX prisoner_discharged_name_idx
        ON prisoner (facility_id, lower(family_name), lower(given_name), id)
        WHERE discharged_on IS NOT NULL;
      CREATE INDEX prisoner_released_idx ON prisoner (facility_id, discharged_on, id)
        WHERE discharge_reason = 'released';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX prisoner_released_idx;
      DROP INDEX prisoner_discharged_name_idx;
      ALTER TABLE prisoner_facility_history DROP COLUMN discharge_reason;
      ALTER TABLE prisoner DROP CONSTRAINT prisoner_discharge_check,
        DROP COLUMN discharge_note, DROP COLUMN discharge_reason, DROP COLUMN discharged_on;
    `);
  }
}
