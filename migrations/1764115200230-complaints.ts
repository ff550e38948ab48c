import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prisoners' complaints (Mandela Rules 8(d), 56, 57): made to staff, or confidentially to an
 * inspector; routed to someone the complaint is not about; answered once; referred to an outside
 * authority (an allegation of torture or ill-treatment must be, before it is answered). The staff
 * a complaint concerns are rows of their own, so that the database itself refuses to route a
 * complaint to one of them. Complaints and their referrals are never deleted.
 */
export class Complaints1764115200230 implements MigrationInterface {
  name = 'Complaints1764115200230';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE complaint (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        prisoner_id uuid NOT NULL,
        facility_id uuid NOT NULL,
        received_on date NOT NULL,
        made_by text NOT NULL,
        channel text NOT NULL,
        subject text NOT NULL,
        alleges_ill_treatment boolean NOT NULL,
        confidential boolean NOT NULL,
        words text NOT NULL,
        assigned_to uuid NOT NULL,
        respond_by date NOT NULL,
        outcome text,
        response text,
        answered_by uuid,
        answered_at timestamptz,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT complaint_pkey PRIMARY KEY (id),
        CONSTRAINT complaint_prisoner_id_fkey FOREIGN KEY (prisoner_id) REFERENCES prisoner (id),
        CONSTRAINT complaint_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facility (id),
        CONSTRAINT complaint_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES app_user (id),
        CONSTRAINT complaint_answered_by_fkey FOREIGN KEY (answered_by) REFERENCES app_user (id),
        CONSTRAINT complaint_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT complaint_made_by_check
          CHECK (made_by IN ('prisoner', 'legal_adviser', 'family', 'other_on_behalf')),
        CONSTRAINT complaint_channel_check CHECK (channel IN ('staff', 'inspector')),
        CONSTRAINT complaint_subject_check CHECK (subject IN ('treatment_by_staff', 'conditions',
          'restrictive_measure', 'assessment_or_plan', 'programme_access', 'health_care',
          'family_contact', 'other')),
        CONSTRAINT complaint_outcome_check CHECK (outcome IS NULL
          OR outcome IN ('upheld', 'partly_upheld', 'not_upheld', 'withdrawn')),
        CONSTRAINT complaint_words_check CHECK (length(words) BETWEEN 1 AND 20000),
        CONSTRAINT complaint_response_check
          CHECK (response IS NULL OR length(response) BETWEEN 1 AND 20000),
        CONSTRAINT complaint_respond_by_check CHECK (respond_by >= received_on),
        -- Confidential exactly when made to an inspector (Rule 56(1)(c)).
        CONSTRAINT complaint_confidential_check CHECK (confidential = (channel = 'inspector')),
        -- The answer is recorded whole, or not at all.
        CONSTRAINT complaint_answer_check CHECK (
          (outcome IS NULL AND response IS NULL AND answered_by IS NULL AND answered_at IS NULL)
          OR (outcome IS NOT NULL AND response IS NOT NULL AND answered_by IS NOT NULL
            AND answered_at IS NOT NULL))
      );
      CREATE INDEX complaint_prisoner_idx ON complaint (prisoner_id, received_on DESC, id DESC);
      CREATE INDEX complaint_facility_idx ON complaint (facility_id, received_on DESC, id DESC);
      CREATE INDEX complaint_open_idx ON complaint (assigned_to, respond_by) WHERE answered_at IS NULL;

      CREATE TABLE complaint_staff (
        complaint_id uuid NOT NULL,
        user_id uuid NOT NULL,
        CONSTRAINT complaint_staff_pkey PRIMARY KEY (complaint_id, user_id),
        CONSTRAINT complaint_staff_complaint_id_fkey
          FOREIGN KEY (complaint_id) REFERENCES complaint (id),
        CONSTRAINT complaint_staff_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id)
      );
      CREATE INDEX complaint_staff_user_idx ON complaint_staff (user_id);

      CREATE TABLE complaint_referral (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        complaint_id uuid NOT NULL,
        authority text NOT NULL,
        authority_name text NOT NULL,
        referred_on date NOT NULL,
        reference text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT complaint_referral_pkey PRIMARY KEY (id),
        CONSTRAINT complaint_referral_complaint_id_fkey
          FOREIGN KEY (complaint_id) REFERENCES complaint (id),
        CONSTRAINT complaint_referral_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT complaint_referral_authority_check CHECK (authority IN ('prosecutor',
          'ombudsman', 'inspectorate', 'national_preventive_mechanism', 'judicial', 'other')),
        CONSTRAINT complaint_referral_authority_name_check
          CHECK (length(authority_name) BETWEEN 1 AND 200),
        CONSTRAINT complaint_referral_reference_check
          CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200)
      );
      CREATE INDEX complaint_referral_complaint_idx
        ON complaint_referral (complaint_id, referred_on, recorded_at, id);

      -- Whoever handles or answers a complaint is never one of the staff it concerns (as a
      -- challenge is never answered by an author of what is challenged).
      CREATE FUNCTION complaint_impartial_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'complaint_staff' THEN
          IF EXISTS (SELECT 1 FROM complaint c WHERE c.id = NEW.complaint_id
              AND NEW.user_id IN (c.assigned_to, c.answered_by)) THEN
            RAISE EXCEPTION 'a complaint is not handled by staff it concerns'
              USING ERRCODE = 'check_violation', CONSTRAINT = 'complaint_impartial_check';
          END IF;
        ELSIF EXISTS (SELECT 1 FROM complaint_staff s WHERE s.complaint_id = NEW.id
            AND s.user_id IN (NEW.assigned_to, NEW.answered_by)) THEN
          RAISE EXCEPTION 'a complaint is not handled by staff it concerns'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'complaint_impartial_check';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER complaint_impartial BEFORE UPDATE OF assigned_to, answered_by ON complaint
        FOR EACH ROW EXECUTE FUNCTION complaint_impartial_check();
      CREATE TRIGGER complaint_staff_impartial BEFORE INSERT OR UPDATE ON complaint_staff
        FOR EACH ROW EXECUTE FUNCTION complaint_impartial_check();

      CREATE TRIGGER complaint_no_delete BEFORE DELETE ON complaint
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
      CREATE TRIGGER complaint_staff_no_delete BEFORE DELETE ON complaint_staff
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
      CREATE TRIGGER complaint_referral_no_delete BEFORE DELETE ON complaint_referral
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE complaint_referral;
      DROP TABLE complaint_staff;
      DROP TABLE complaint;
      DROP FUNCTION complaint_impartial_check();
    `);
  }
}
