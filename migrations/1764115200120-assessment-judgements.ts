import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Structured professional judgement in depth (issue 12): the provisional judgement an assessor
 * records before seeing any indicative band (kept as first recorded), a final level and
 * rationale per judgement the instrument declares ("risk of what"), and the appraisal of the
 * report (overall confidence, information quality, limitations, the person's position on the
 * index facts). Existing assessments keep their content: the new fields start empty.
 */
export class AssessmentJudgements1764115200120 implements MigrationInterface {
  name = 'AssessmentJudgements1764115200120';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE assessment
        ADD COLUMN provisional jsonb,
        ADD COLUMN judgements jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN appraisal jsonb,
        ADD CONSTRAINT assessment_judgements_check CHECK (jsonb_typeof(judgements) = 'array');
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE assessment
        DROP CONSTRAINT assessment_judgements_check,
        DROP COLUMN appraisal,
        DROP COLUMN judgements,
        DROP COLUMN provisional;
    `);
  }
}
