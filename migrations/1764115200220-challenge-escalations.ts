import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalations of a challenge to an outside authority (Mandela Rule 57(1)): a prisoner whose
 * challenge was rejected, or not answered in time, takes it to the central administration, an
 * inspectorate, an ombudsman or a court; the outside body's decision is recorded when it comes.
 * Like the challenge itself, an escalation is never deleted.
 */
export class ChallengeEscalations1764115200220 implements MigrationInterface {
  name = 'ChallengeEscalations1764115200220';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE challenge_escalation (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        challenge_id uuid NOT NULL,
        authority text NOT NULL,
        authority_name text NOT NULL,
        referred_on date NOT NULL,
        reference text,
        grounds text NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        decided_on date,
        outcome text,
        summary text,
        decided_recorded_by uuid,
        decided_recorded_at timestamptz,
        amendment_due date,
        CONSTRAINT challenge_escalation_pkey PRIMARY KEY (id),
        CONSTRAINT challenge_escalation_challenge_id_fkey
          FOREIGN KEY (challenge_id) REFERENCES challenge (id),
        CONSTRAINT challenge_escalation_recorded_by_fkey
          FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        CONSTRAINT challenge_escalation_decided_recorded_by_fkey
          FOREIGN KEY (decided_recorded_by) REFERENCES app_user (id),
        CONSTRAINT challenge_escalation_authority_check CHECK (authority IN
          ('central_administration', 'inspectorate', 'ombudsman', 'judicial', 'other')),
        CONSTRAINT challenge_escalation_grounds_check
          CHECK (grounds IN ('rejected', 'partly_rejected', 'delayed')),
        CONSTRAINT challenge_escalation_outcome_check CHECK (outcome IS NULL OR outcome IN
          ('upheld', 'partly_upheld', 'not_upheld', 'withdrawn', 'declined')),
        CONSTRAINT challenge_escalation_authority_name_check
          CHECK (length(authority_name) BETWEEN 1 AND 200),
        CONSTRAINT challenge_escalation_reference_check
          CHECK (reference IS NULL OR length(reference) <= 200),
        -- The outside decision is recorded whole, or not at all.
        CONSTRAINT challenge_escalation_decision_check CHECK (
          (decided_on IS NULL AND outcome IS NULL AND summary IS NULL
            AND decided_recorded_by IS NULL AND decided_recorded_at IS NULL)
          OR (decided_on IS NOT NULL AND outcome IS NOT NULL AND summary IS NOT NULL
            AND decided_recorded_by IS NOT NULL AND decided_recorded_at IS NOT NULL)),
        CONSTRAINT challenge_escalation_decided_on_check
          CHECK (decided_on IS NULL OR decided_on >= referred_on),
        CONSTRAINT challenge_escalation_amendment_check
          CHECK ((amendment_due IS NOT NULL) = (outcome IS NOT NULL AND outcome IN ('upheld', 'partly_upheld')))
      );
      CREATE INDEX challenge_escalation_challenge_idx
        ON challenge_escalation (challenge_id, referred_on, recorded_at, id);
      CREATE INDEX challenge_escalation_amendment_idx
        ON challenge_escalation (amendment_due) WHERE amendment_due IS NOT NULL;
      CREATE TRIGGER challenge_escalation_no_delete BEFORE DELETE ON challenge_escalation
        FOR EACH ROW EXECUTE FUNCTION prisoner_rights_refuse_delete();
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE challenge_escalation`);
  }
}
