import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administration and case roles on one account are refused from now on. Accounts that already
 * combine them are left as they are (start-up names them; the next change to such an account
 * must separate them), so this checks new rows and role changes only, not existing rows.
 */
export class RoleSeparation1764115200010 implements MigrationInterface {
  name = 'RoleSeparation1764115200010';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION app_user_role_separation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF 'administrator' = ANY (NEW.roles)
           AND NEW.roles && ARRAY['psychologist', 'pve_inspector', 'security_officer', 'supervisor']::text[]
        THEN
          RAISE EXCEPTION 'app_user_role_separation: an administrator account cannot hold case roles'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'app_user_role_separation';
        END IF;
        RETURN NEW;
      END $$;

      CREATE TRIGGER app_user_role_separation BEFORE INSERT OR UPDATE OF roles ON app_user
        FOR EACH ROW EXECUTE FUNCTION app_user_role_separation();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TRIGGER app_user_role_separation ON app_user;
      DROP FUNCTION app_user_role_separation();
    `);
  }
}
