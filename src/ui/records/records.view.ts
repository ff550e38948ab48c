import type { AppAbility } from '../../access/ability.factory.js';
import { asSubject } from '../../access/ability.factory.js';
import { LEGAL_STATUSES, SEXES, type PrisonerResponse } from '../../prisoners/dto/prisoner.dto.js';
import { TRIGGER_EVENTS } from '../../instruments/rule-sets/rule-set.types.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

/** The prisoner record's fields as a form edits them (every value text). */
export interface RecordValues {
  prisonNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  legalStatus: string;
  facilityId: string;
  expectedReleaseDate: string;
}

export const RECORD_FIELDS = [
  'prisonNumber',
  'givenName',
  'familyName',
  'dateOfBirth',
  'sex',
  'legalStatus',
  'expectedReleaseDate',
] as const;

const SEX: Record<string, MessageKey> = {
  female: 'prisoner.sex.female',
  male: 'prisoner.sex.male',
  other: 'prisoner.sex.other',
};
const LEGAL: Record<string, MessageKey> = {
  remand: 'prisoner.legalStatus.remand',
  sentenced: 'prisoner.legalStatus.sentenced',
};
export const DISCHARGE_REASON: Record<string, MessageKey> = {
  released: 'records.discharge.reason.released',
  transferred_to_another_service: 'records.discharge.reason.transferred_to_another_service',
  deceased: 'records.discharge.reason.deceased',
  other: 'records.discharge.reason.other',
};

export const EVENT_TYPE: Record<string, MessageKey> = {
  transfer: 'event.type.transfer',
  serious_incident: 'event.type.serious_incident',
  new_information: 'event.type.new_information',
  programme_milestone: 'event.type.programme_milestone',
  legal_status_change: 'event.type.legal_status_change',
  pre_release: 'event.type.pre_release',
  parole_review: 'event.type.parole_review',
  assessment_challenged: 'event.type.assessment_challenged',
  intelligence_received: 'event.type.intelligence_received',
  intervention_refused: 'event.type.intervention_refused',
  disciplinary_finding: 'event.type.disciplinary_finding',
  self_harm: 'event.type.self_harm',
  hunger_strike: 'event.type.hunger_strike',
  separation_order: 'event.type.separation_order',
  release_date_change: 'event.type.release_date_change',
};
const EVENT_HINT: Record<string, MessageKey> = {
  serious_incident: 'records.event.hint.serious_incident',
  new_information: 'records.event.hint.new_information',
  legal_status_change: 'records.event.hint.legal_status_change',
  assessment_challenged: 'records.event.hint.assessment_challenged',
  intelligence_received: 'records.event.hint.intelligence_received',
  intervention_refused: 'records.event.hint.intervention_refused',
  disciplinary_finding: 'records.event.hint.disciplinary_finding',
  self_harm: 'records.event.hint.self_harm',
  hunger_strike: 'records.event.hint.hunger_strike',
  separation_order: 'records.event.hint.separation_order',
  release_date_change: 'records.event.hint.release_date_change',
};

export const recordValues = (p: PrisonerResponse): RecordValues => ({
  prisonNumber: p.prisonNumber,
  givenName: p.givenName,
  familyName: p.familyName,
  dateOfBirth: p.dateOfBirth,
  sex: p.sex,
  legalStatus: p.legalStatus,
  facilityId: p.facility.id,
  expectedReleaseDate: p.expectedReleaseDate ?? '',
});

/** Radios and selects of the record form, with the current choice marked. */
export function recordOptions(values: RecordValues, t: Translate) {
  return {
    sexes: SEXES.map((s) => ({ value: s, text: t(SEX[s]), checked: s === values.sex })),
    legalStatuses: LEGAL_STATUSES.map((s) => ({
      value: s,
      text: t(LEGAL[s]),
      checked: s === values.legalStatus,
    })),
  };
}

/** A field's value as the record shows it (labels for codes, dates for the template). */
export function shownValue(field: (typeof RECORD_FIELDS)[number], value: string, t: Translate) {
  if (field === 'sex') return { text: SEX[value] ? t(SEX[value]) : value };
  if (field === 'legalStatus') return { text: LEGAL[value] ? t(LEGAL[value]) : value };
  if (field === 'dateOfBirth' || field === 'expectedReleaseDate') return { date: value };
  return { text: value };
}

export function eventTypeOptions(selected: string, t: Translate) {
  return TRIGGER_EVENTS.filter((type) => type !== 'transfer').map((type) => ({
    value: type,
    text: t(EVENT_TYPE[type]),
    checked: type === selected,
    ...(EVENT_HINT[type] ? { hint: { text: t(EVENT_HINT[type]) } } : {}),
  }));
}

/** What the caller may do with a prisoner record, for the links on its pages. */
export function recordActions(prisoner: PrisonerResponse, ability: AppAbility, t: Translate) {
  const fields = { id: prisoner.id, prisonerId: prisoner.id, facilityId: prisoner.facility.id };
  const base = `/prisoners/${prisoner.id}`;
  const actions: { href: string; text: string }[] = [];
  if (ability.can('update', asSubject('Prisoner', fields)))
    actions.push({ href: `${base}/edit`, text: t('records.actions.edit') });
  const held = prisoner.dischargedOn === null;
  if (held && ability.can('transfer', asSubject('Prisoner', fields)))
    actions.push({ href: `${base}/transfer`, text: t('records.actions.transfer') });
  if (ability.can('discharge', asSubject('Prisoner', fields)))
    actions.push(
      held
        ? { href: `${base}/discharge`, text: t('records.actions.discharge') }
        : { href: `${base}/readmit`, text: t('records.actions.readmit') },
    );
  if (ability.can('create', asSubject('PrisonerEvent', fields)))
    actions.push({ href: `${base}/events/new`, text: t('records.actions.event') });
  if (ability.can('read', asSubject('Assessment', fields)))
    actions.push({ href: `${base}/risk-summary`, text: t('records.actions.summary') });
  return actions;
}
