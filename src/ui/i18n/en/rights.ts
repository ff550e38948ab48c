/** English: prisoners' rights pages (subject access, disclosure log, challenges). */
export const rightsEn = {
  'due.kind.challenge_response': 'Challenge to answer',
  'due.kind.amendment': 'Amendment after challenge',
  'due.reason.challenge': 'Prisoner’s challenge',
  'due.reason.challenge_upheld': 'Challenge upheld',
};
