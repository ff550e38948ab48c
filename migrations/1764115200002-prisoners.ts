import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prisoner records and emergency ("break glass") access. No column for religion, ethnicity or
 * political opinion: Mandela Rule 2 and data minimisation.
 */
export class Prisoners1764115200002 implements MigrationInterface {
  name = 'Prisoners1764115200002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE prisoner (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prison_number text NOT NULL,
        given_name text NOT NULL,
        family_name text NOT NULL,
        date_of_birth date NOT NULL,
        sex text NOT NULL,
        legal_status text NOT NULL,
        facility_id uuid NOT NULL,
        expected_release_date date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT prisoner_pkey PRIMARY KEY (id),
        CONSTRAINT prisoner_prison_number_key UNIQUE (prison_number),
        CONSTRAINT prisoner_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT prisoner_sex_check CHECK (sex IN ('female', 'male', 'other')),
        CONSTRAINT prisoner_legal_status_check CHECK (legal_status IN ('remand', 'sentenced'))
      );
      -- Keyset pagination and prefix search, within a facility and across the caller's scope.
      CREATE INDEX prisoner_facility_name_idx
        ON prisoner (facility_id, lower(family_name), lower(given_name), id);
      CREATE INDEX prisoner_name_idx ON prisoner (lower(family_name) text_pattern_ops);
      CREATE INDEX prisoner_given_name_idx ON prisoner (lower(given_name) text_pattern_ops);
      CREATE INDEX prisoner_number_idx ON prisoner (lower(prison_number) text_pattern_ops);

      CREATE TABLE prisoner_facility_history (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        from_at timestamptz NOT NULL DEFAULT now(),
        to_at timestamptz,
        reason text NOT NULL,
        recorded_by uuid NOT NULL,
        CONSTRAINT prisoner_facility_history_pkey PRIMARY KEY (id),
        CONSTRAINT prisoner_facility_history_prisoner_id_fkey
          FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT prisoner_facility_history_facility_id_fkey
          FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT prisoner_facility_history_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id)
      );
      CREATE INDEX prisoner_facility_history_prisoner_idx
        ON prisoner_facility_history (prisoner_id, from_at);

      CREATE TABLE emergency_access (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        reason text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        reviewed_by uuid,
        reviewed_at timestamptz,
        outcome text,
        review_note text,
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT emergency_access_pkey PRIMARY KEY (id),
        CONSTRAINT emergency_access_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT emergency_access_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT emergency_access_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT emergency_access_reviewed_by_fkey FOREIGN KEY (reviewed_by) REFERENCES app_user (id),
        CONSTRAINT emergency_access_outcome_check CHECK (outcome IN ('justified', 'unjustified')),
        CONSTRAINT emergency_access_review_check CHECK ((outcome IS NULL) = (reviewed_at IS NULL))
      );
      CREATE INDEX emergency_access_live_idx ON emergency_access (user_id, expires_at);
      CREATE INDEX emergency_access_pending_idx ON emergency_access (facility_id, granted_at)
        WHERE reviewed_at IS NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE emergency_access;
      DROP TABLE prisoner_facility_history;
      DROP TABLE prisoner;
    `);
  }
}
