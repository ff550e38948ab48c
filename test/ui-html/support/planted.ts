import type { TestApp } from '../../support/test-app.js';

/** Text that only the psychologists' full view may ever show. */
export const CLINICAL = 'CLINICAL-PLANTED-7f3a';

/**
 * Writes clinical content into every clinical field of an assessment (evidence, notes,
 * formulation, scenarios, rationale, clinical recommendations, the prisoner's own words), so
 * that a page showing any of it to the wrong role is caught by a plain text search.
 */
export async function plantClinicalText(t: TestApp, assessmentId: string): Promise<void> {
  const [{ code }] = await t.db.query(
    `SELECT iv.content #>> '{domains,0,items,0,code}' AS code
     FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id WHERE a.id = $1`,
    [assessmentId],
  );
  await t.db.query(
    `UPDATE assessment SET
       ratings = $2, formulation = $3, scenarios = $4, final_rationale = $3,
       recommendations = $5, prisoner_participation = $6
     WHERE id = $1`,
    [
      assessmentId,
      JSON.stringify({
        [code]: {
          value: 'moderate',
          label: 'Moderate',
          evidenceFor: `${CLINICAL} evidence for`,
          evidenceAgainst: `${CLINICAL} evidence against`,
          sources: ['interview'],
          reliability: 'medium',
        },
      }),
      `${CLINICAL} formulation`,
      JSON.stringify([{ title: `${CLINICAL} scenario`, description: `${CLINICAL} description` }]),
      JSON.stringify([
        { text: `${CLINICAL} clinical recommendation`, tag: 'clinical' },
        { text: 'Escort with two officers', tag: 'security' },
      ]),
      JSON.stringify({
        informedOn: '2026-01-01',
        participated: 'yes',
        prisonerComments: `${CLINICAL} in the prisoner's words`,
      }),
    ],
  );
}

/** Every page of a prisoner that a role may be able to open (the workspace adds its own). */
export const prisonerPages = (prisonerId: string) => [
  `/prisoners/${prisonerId}`,
  `/prisoners/${prisonerId}/assessments`,
  `/prisoners/${prisonerId}/risk`,
  `/prisoners/${prisonerId}/plan`,
  `/prisoners/${prisonerId}/events`,
];
