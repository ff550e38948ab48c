import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A supervisor who does not approve a plan awaiting approval returns it to draft with comments
 * for its author (as a pending revision already could be returned). The newest return is kept on
 * the plan: who, when and what to change. A return is made by someone other than the author.
 */
export class PlanReturn1764115200050 implements MigrationInterface {
  name = 'PlanReturn1764115200050';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE programme_plan
        ADD COLUMN returned_by uuid,
        ADD COLUMN returned_at timestamptz,
        ADD COLUMN return_comments text,
        ADD CONSTRAINT programme_plan_returned_by_fkey
          FOREIGN KEY (returned_by) REFERENCES app_user (id),
        ADD CONSTRAINT programme_plan_returned_check CHECK (
          (returned_by IS NULL) = (returned_at IS NULL)
          AND (returned_by IS NULL) = (return_comments IS NULL)),
        ADD CONSTRAINT programme_plan_return_four_eyes_check
          CHECK (returned_by IS NULL OR returned_by <> author_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE programme_plan
        DROP CONSTRAINT programme_plan_return_four_eyes_check,
        DROP CONSTRAINT programme_plan_returned_check,
        DROP CONSTRAINT programme_plan_returned_by_fkey,
        DROP COLUMN return_comments,
        DROP COLUMN returned_at,
        DROP COLUMN returned_by;
    `);
  }
}
