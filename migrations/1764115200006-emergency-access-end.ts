import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An emergency-access grant can end before it expires: a supervisor revokes it, or reviews it as
 * unjustified. `expires_at` is then brought forward to the end, so every check of a live grant
 * (expires_at > now()) stops honouring it at once; `ended_*` record who ended it and why.
 */
export class EmergencyAccessEnd1764115200006 implements MigrationInterface {
  name = 'EmergencyAccessEnd1764115200006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE emergency_access
        ADD COLUMN ended_at timestamptz,
        ADD COLUMN ended_by uuid,
        ADD COLUMN end_reason text,
        ADD CONSTRAINT emergency_access_ended_by_fkey FOREIGN KEY (ended_by) REFERENCES app_user (id),
        ADD CONSTRAINT emergency_access_end_check
          CHECK ((ended_at IS NULL) = (ended_by IS NULL) AND (ended_at IS NULL) = (end_reason IS NULL)
                 AND (ended_at IS NULL OR expires_at <= ended_at));
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE emergency_access
        DROP CONSTRAINT emergency_access_end_check,
        DROP CONSTRAINT emergency_access_ended_by_fkey,
        DROP COLUMN end_reason,
        DROP COLUMN ended_by,
        DROP COLUMN ended_at;
    `);
  }
}
