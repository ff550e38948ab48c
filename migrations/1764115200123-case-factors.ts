import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case-specific factors (issue 12, point 7): factors an assessor adds that the instrument does
 * not list (in the way some formulation tools allow "+" factors), each with its evidence and
 * rating. They appear in the views and the risk timeline and never in an indicative band.
 */
export class CaseFactors1764115200123 implements MigrationInterface {
  name = 'CaseFactors1764115200123';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE assessment
        ADD COLUMN case_factors jsonb NOT NULL DEFAULT '[]',
        ADD CONSTRAINT assessment_case_factors_check CHECK (jsonb_typeof(case_factors) = 'array');
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE assessment DROP CONSTRAINT assessment_case_factors_check, DROP COLUMN case_factors;
    `);
  }
}
