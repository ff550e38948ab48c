import type { Message } from '../catalogue.js';
import type { rightsEn } from '../en/rights.js';

/** Russian: prisoners' rights pages (subject access, disclosure log, challenges). */
export const rightsRu: Record<keyof typeof rightsEn, Message> = {
  'due.kind.challenge_response': 'Ответить на жалобу',
  'due.kind.amendment': 'Исправление после жалобы',
  'due.reason.challenge': 'Жалоба заключённого',
  'due.reason.challenge_upheld': 'Жалоба удовлетворена',
};
