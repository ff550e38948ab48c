import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Health objections to a restrictive measure (Mandela Rule 45(2), 46): a health professional
 * records that separation or solitary confinement would worsen the prisoner's disability or
 * mental illness. Only the fact, the date and who recorded it are kept, never a diagnosis, so
 * the security staff who run the measure can be told without reading health information.
 */
export class MeasureHealthObjections1764115200200 implements MigrationInterface {
  name = 'MeasureHealthObjections1764115200200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE restrictive_measure_health_objection (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        measure_id uuid NOT NULL,
        objected_on date NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT restrictive_measure_health_objection_pkey PRIMARY KEY (id),
        CONSTRAINT restrictive_measure_health_objection_measure_id_fkey
          FOREIGN KEY (measure_id) REFERENCES restrictive_measure (id),
        CONSTRAINT restrictive_measure_health_objection_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id)
      );
      CREATE INDEX restrictive_measure_health_objection_measure_idx
        ON restrictive_measure_health_objection (measure_id, objected_on);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE restrictive_measure_health_objection`);
  }
}
