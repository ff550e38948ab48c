import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Warnings that reach the people who act on them (issue 12, point 4): when a flag an instrument
 * shares (with security) or that makes a review due first fires on an assessment, even a draft,
 * it is kept here with when and by whose save it fired, the prisoner event recorded for it, and
 * what it made due. Only the flag's label and date leave the clinical team, never what lies
 * behind it. Rows are never changed or deleted.
 */
export class SharedFlags1764115200121 implements MigrationInterface {
  name = 'SharedFlags1764115200121';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE prisoner_event DROP CONSTRAINT prisoner_event_type_check;
      ALTER TABLE prisoner_event ADD CONSTRAINT prisoner_event_type_check CHECK (type IN ('transfer',
        'serious_incident', 'new_information', 'programme_milestone', 'legal_status_change',
        'pre_release', 'parole_review', 'assessment_challenged', 'warning_flag'));

      CREATE TABLE assessment_flag (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL,
        prisoner_id uuid NOT NULL,
        flag_code text NOT NULL,
        label text NOT NULL,
        severity text NOT NULL,
        shared_with text[] NOT NULL DEFAULT '{}',
        fired_at timestamptz NOT NULL DEFAULT now(),
        fired_by uuid NOT NULL,
        event_id uuid NOT NULL,
        due_action text,
        due_date date,
        CONSTRAINT assessment_flag_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_flag_assessment_id_fkey FOREIGN KEY (assessment_id) REFERENCES assessment (id),
        CONSTRAINT assessment_flag_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT assessment_flag_fired_by_fkey FOREIGN KEY (fired_by) REFERENCES app_user (id),
        CONSTRAINT assessment_flag_event_id_fkey FOREIGN KEY (event_id) REFERENCES prisoner_event (id),
        CONSTRAINT assessment_flag_once_key UNIQUE (assessment_id, flag_code),
        CONSTRAINT assessment_flag_due_check CHECK (
          (due_action IS NULL) = (due_date IS NULL) AND (due_action IS NULL OR due_action IN ('reassess', 'review')))
      );
      CREATE INDEX assessment_flag_prisoner_idx ON assessment_flag (prisoner_id, fired_at DESC);
      CREATE TRIGGER assessment_flag_no_delete BEFORE DELETE ON assessment_flag
        FOR EACH ROW EXECUTE FUNCTION assessment_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE assessment_flag;
      DELETE FROM prisoner_event WHERE type = 'warning_flag';
      ALTER TABLE prisoner_event DROP CONSTRAINT prisoner_event_type_check;
      ALTER TABLE prisoner_event ADD CONSTRAINT prisoner_event_type_check CHECK (type IN ('transfer',
        'serious_incident', 'new_information', 'programme_milestone', 'legal_status_change',
        'pre_release', 'parole_review', 'assessment_challenged'));
    `);
  }
}
