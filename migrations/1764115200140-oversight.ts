import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Oversight (Mandela Rules 36-46 and 83-85): the `inspector` role, appointed to facilities for a
 * period by an administrator, on accounts that hold no other role (an inspector is independent
 * of the staff inspected); and restrictive measures (separation, solitary confinement, other
 * special regimes) with their legal basis, authorising officer, dates, family-contact
 * restriction (never a prohibition, Rule 43(3)), daily records of time out of cell, meaningful
 * human contact and health-care visits (Rules 44, 46), and independent reviews (Rule 45(1)).
 */
export class Oversight1764115200140 implements MigrationInterface {
  name = 'Oversight1764115200140';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE app_user DROP CONSTRAINT app_user_roles_check;
      ALTER TABLE app_user ADD CONSTRAINT app_user_roles_check CHECK (
        cardinality(roles) > 0 AND roles <@ ARRAY['psychologist', 'pve_inspector',
          'security_officer', 'supervisor', 'administrator', 'inspector']::text[]);

      CREATE FUNCTION app_user_inspector_alone() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF 'inspector' = ANY (NEW.roles) AND cardinality(NEW.roles) > 1 THEN
          RAISE EXCEPTION 'app_user_inspector_alone: an inspector account cannot hold other roles'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'app_user_inspector_alone';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER app_user_inspector_alone BEFORE INSERT OR UPDATE OF roles ON app_user
        FOR EACH ROW EXECUTE FUNCTION app_user_inspector_alone();

      CREATE TABLE inspector_appointment (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        body text NOT NULL,
        mandate text NOT NULL,
        kind text NOT NULL,
        health_professional boolean NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        ended_at timestamptz,
        ended_by uuid,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT inspector_appointment_pkey PRIMARY KEY (id),
        CONSTRAINT inspector_appointment_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id),
        CONSTRAINT inspector_appointment_created_by_fkey
          FOREIGN KEY (created_by) REFERENCES app_user (id),
        CONSTRAINT inspector_appointment_ended_by_fkey FOREIGN KEY (ended_by) REFERENCES app_user (id),
        CONSTRAINT inspector_appointment_kind_check CHECK (kind IN ('internal', 'external')),
        CONSTRAINT inspector_appointment_dates_check CHECK (ends_on >= starts_on),
        CONSTRAINT inspector_appointment_ended_check CHECK ((ended_at IS NULL) = (ended_by IS NULL))
      );
      CREATE INDEX inspector_appointment_user_idx ON inspector_appointment (user_id, ends_on);

      CREATE TABLE inspector_appointment_facility (
        appointment_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        CONSTRAINT inspector_appointment_facility_pkey PRIMARY KEY (appointment_id, facility_id),
        CONSTRAINT inspector_appointment_facility_appointment_id_fkey
          FOREIGN KEY (appointment_id) REFERENCES inspector_appointment (id),
        CONSTRAINT inspector_appointment_facility_facility_id_fkey
          FOREIGN KEY (facility_id) REFERENCES facility (id)
      );

      CREATE TABLE restrictive_measure (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        type text NOT NULL,
        legal_basis text NOT NULL,
        reason text NOT NULL,
        authorised_by_name text NOT NULL,
        authorised_by_position text NOT NULL,
        starts_on date NOT NULL,
        planned_end_on date,
        ended_on date,
        end_reason text,
        family_contact text NOT NULL,
        family_contact_restricted_until date,
        next_review_on date NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT restrictive_measure_pkey PRIMARY KEY (id),
        CONSTRAINT restrictive_measure_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT restrictive_measure_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT restrictive_measure_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT restrictive_measure_type_check
          CHECK (type IN ('separation', 'solitary_confinement', 'special_regime')),
        CONSTRAINT restrictive_measure_dates_check CHECK (
          (planned_end_on IS NULL OR planned_end_on >= starts_on)
          AND (ended_on IS NULL OR ended_on >= starts_on)),
        CONSTRAINT restrictive_measure_ended_check CHECK ((ended_on IS NULL) = (end_reason IS NULL)),
        -- Rule 43(3): family contact may be restricted for a limited time, never prohibited.
        CONSTRAINT restrictive_measure_family_contact_check CHECK (
          (family_contact = 'unrestricted' AND family_contact_restricted_until IS NULL)
          OR (family_contact = 'restricted' AND family_contact_restricted_until IS NOT NULL))
      );
      CREATE INDEX restrictive_measure_prisoner_idx ON restrictive_measure (prisoner_id, starts_on);
      CREATE INDEX restrictive_measure_open_idx ON restrictive_measure (facility_id)
        WHERE ended_on IS NULL;

      CREATE TABLE restrictive_measure_day (
        measure_id uuid NOT NULL,
        day date NOT NULL,
        hours_out_of_cell numeric(4, 2) NOT NULL,
        meaningful_contact_hours numeric(4, 2) NOT NULL,
        health_visit boolean NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT restrictive_measure_day_pkey PRIMARY KEY (measure_id, day),
        CONSTRAINT restrictive_measure_day_measure_id_fkey
          FOREIGN KEY (measure_id) REFERENCES restrictive_measure (id),
        CONSTRAINT restrictive_measure_day_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT restrictive_measure_day_hours_check CHECK (
          hours_out_of_cell BETWEEN 0 AND 24 AND meaningful_contact_hours BETWEEN 0 AND 24)
      );

      CREATE TABLE restrictive_measure_review (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        measure_id uuid NOT NULL,
        reviewed_on date NOT NULL,
        reviewer_name text NOT NULL,
        reviewer_body text NOT NULL,
        independent boolean NOT NULL,
        decision text NOT NULL,
        next_review_on date,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT restrictive_measure_review_pkey PRIMARY KEY (id),
        CONSTRAINT restrictive_measure_review_measure_id_fkey
          FOREIGN KEY (measure_id) REFERENCES restrictive_measure (id),
        CONSTRAINT restrictive_measure_review_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT restrictive_measure_review_decision_check
          CHECK (decision IN ('continue', 'modify', 'end'))
      );
      CREATE INDEX restrictive_measure_review_measure_idx
        ON restrictive_measure_review (measure_id, reviewed_on);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE restrictive_measure_review;
      DROP TABLE restrictive_measure_day;
      DROP TABLE restrictive_measure;
      DROP TABLE inspector_appointment_facility;
      DROP TABLE inspector_appointment;
      DROP TRIGGER app_user_inspector_alone ON app_user;
      DROP FUNCTION app_user_inspector_alone();
      ALTER TABLE app_user DROP CONSTRAINT app_user_roles_check;
      ALTER TABLE app_user ADD CONSTRAINT app_user_roles_check CHECK (
        cardinality(roles) > 0 AND roles <@ ARRAY['psychologist', 'pve_inspector',
          'security_officer', 'supervisor', 'administrator']::text[]);
    `);
  }
}
