import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'transfer', 'serious_incident', 'new_information', 'programme_milestone',
  'legal_status_change', 'pre_release', 'parole_review', 'assessment_challenged', 'warning_flag'`;

/**
 * More prisoner events that instruments may name as review triggers (issue 12, point 10):
 * intelligence received, an intervention refused, a disciplinary finding, self-harm, a hunger
 * strike, a separation order and a change of release date.
 */
export class EventTypes1764115200170 implements MigrationInterface {
  name = 'EventTypes1764115200170';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE prisoner_event DROP CONSTRAINT prisoner_event_type_check;
      ALTER TABLE prisoner_event ADD CONSTRAINT prisoner_event_type_check CHECK (type IN (${BEFORE},
        'intelligence_received', 'intervention_refused', 'disciplinary_finding', 'self_harm',
        'hunger_strike', 'separation_order', 'release_date_change'));
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DELETE FROM prisoner_event WHERE type IN ('intelligence_received', 'intervention_refused',
        'disciplinary_finding', 'self_harm', 'hunger_strike', 'separation_order', 'release_date_change');
      ALTER TABLE prisoner_event DROP CONSTRAINT prisoner_event_type_check;
      ALTER TABLE prisoner_event ADD CONSTRAINT prisoner_event_type_check CHECK (type IN (${BEFORE}));
    `);
  }
}
