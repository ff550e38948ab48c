import type { ChallengeResponse } from '../../challenges/dto/challenge.dto.js';
import type { ComplaintResponse } from '../../complaints/dto/complaint.dto.js';
import type { DisclosureResponse } from '../../disclosures/dto/disclosure.dto.js';
import type {
  CopyRecordResponse,
  SubjectAccessResponse,
} from '../../subject-access/dto/subject-access.dto.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

/** A label from a map of codes to catalogue keys; an unknown code shows as itself. */
export const label = (t: Translate, map: Record<string, MessageKey>, code: string | null) =>
  code === null ? '' : map[code] ? t(map[code]) : code;

export const OUTCOME: Record<string, MessageKey> = {
  upheld: 'rights.challenge.outcome.upheld',
  partly_upheld: 'rights.challenge.outcome.partly_upheld',
  not_upheld: 'rights.challenge.outcome.not_upheld',
};
export const ESCALATION_AUTHORITY: Record<string, MessageKey> = {
  central_administration: 'rights.escalation.authority.central_administration',
  inspectorate: 'rights.escalation.authority.inspectorate',
  ombudsman: 'rights.escalation.authority.ombudsman',
  judicial: 'rights.escalation.authority.judicial',
  other: 'rights.escalation.authority.other',
};
export const ESCALATION_GROUNDS: Record<string, MessageKey> = {
  rejected: 'rights.escalation.grounds.rejected',
  partly_rejected: 'rights.escalation.grounds.partly_rejected',
  delayed: 'rights.escalation.grounds.delayed',
};
export const ESCALATION_OUTCOME: Record<string, MessageKey> = {
  upheld: 'rights.escalation.outcome.upheld',
  partly_upheld: 'rights.escalation.outcome.partly_upheld',
  not_upheld: 'rights.escalation.outcome.not_upheld',
  withdrawn: 'rights.escalation.outcome.withdrawn',
  declined: 'rights.escalation.outcome.declined',
};
export const CHALLENGE_STATUS: Record<string, MessageKey> = {
  open: 'rights.challenge.status.open',
  answered: 'rights.challenge.status.answered',
};
export const TARGET: Record<string, MessageKey> = {
  assessment: 'rights.challenge.target.assessment',
  plan: 'rights.challenge.target.plan',
};
export const RECIPIENT: Record<string, MessageKey> = {
  police: 'rights.disclosure.recipient.police',
  court: 'rights.disclosure.recipient.court',
  probation: 'rights.disclosure.recipient.probation',
  prison_service: 'rights.disclosure.recipient.prison_service',
  other: 'rights.disclosure.recipient.other',
};
export const RECORD_TYPE: Record<string, MessageKey> = {
  particulars: 'rights.record.particulars',
  assessment: 'rights.record.assessment',
  plan: 'rights.record.plan',
  session: 'rights.record.session',
  review: 'rights.record.review',
  event: 'rights.record.event',
  challenge: 'rights.record.challenge',
  complaint: 'rights.record.complaint',
  disclosure: 'rights.record.disclosure',
  other: 'rights.record.other',
};
export const SAR_STATUS: Record<string, MessageKey> = {
  received: 'rights.sar.status.received',
  in_preparation: 'rights.sar.status.in_preparation',
  released: 'rights.sar.status.released',
};
export const SAR_KIND: Record<string, MessageKey> = {
  request: 'rights.sar.kind.request',
  release_copy: 'rights.sar.kind.release_copy',
};
export const GROUND: Record<string, MessageKey> = {
  third_party_information: 'rights.ground.third_party_information',
  informant_identity: 'rights.ground.informant_identity',
  safety_of_others: 'rights.ground.safety_of_others',
  ongoing_investigation: 'rights.ground.ongoing_investigation',
  serious_harm_to_health: 'rights.ground.serious_harm_to_health',
  legal_professional_privilege: 'rights.ground.legal_professional_privilege',
};
/** Names of the fields a copy holds (src/subject-access/subject-access.repository.ts). */
export const FIELD: Record<string, MessageKey> = {
  prisonNumber: 'rights.field.prisonNumber',
  givenName: 'rights.field.givenName',
  familyName: 'rights.field.familyName',
  dateOfBirth: 'rights.field.dateOfBirth',
  sex: 'rights.field.sex',
  legalStatus: 'rights.field.legalStatus',
  facility: 'rights.field.facility',
  expectedReleaseDate: 'rights.field.expectedReleaseDate',
  instrument: 'rights.field.instrument',
  revision: 'rights.field.revision',
  status: 'rights.field.status',
  reason: 'rights.field.reason',
  assessor: 'rights.field.assessor',
  countersigner: 'rights.field.countersigner',
  approvedAt: 'rights.field.approvedAt',
  finalRiskLevel: 'rights.field.finalRiskLevel',
  needs: 'rights.field.needs',
  recommendations: 'rights.field.recommendations',
  clinicalRecommendations: 'rights.field.clinicalRecommendations',
  nextReviewDue: 'rights.field.nextReviewDue',
  finalRationale: 'rights.field.finalRationale',
  formulation: 'rights.field.formulation',
  scenarios: 'rights.field.scenarios',
  ratings: 'rights.field.ratings',
  indicative: 'rights.field.indicative',
  prisonerParticipation: 'rights.field.prisonerParticipation',
  goals: 'rights.field.goals',
  interventions: 'rights.field.interventions',
  agreement: 'rights.field.agreement',
  releaseTasks: 'rights.field.releaseTasks',
  releaseHandovers: 'rights.field.releaseHandovers',
  suspendReason: 'rights.field.suspendReason',
  completionNote: 'rights.field.completionNote',
  closeReason: 'rights.field.closeReason',
  plan: 'rights.field.plan',
  intervention: 'rights.field.intervention',
  date: 'rights.field.date',
  attendance: 'rights.field.attendance',
  engagement: 'rights.field.engagement',
  notes: 'rights.field.notes',
  attendees: 'rights.field.attendees',
  goalProgress: 'rights.field.goalProgress',
  summary: 'rights.field.summary',
  nextReviewDate: 'rights.field.nextReviewDate',
  type: 'rights.field.type',
  occurredAt: 'rights.field.occurredAt',
  note: 'rights.field.note',
  challenged: 'rights.field.challenged',
  receivedOn: 'rights.field.receivedOn',
  words: 'rights.field.words',
  respondBy: 'rights.field.respondBy',
  outcome: 'rights.field.outcome',
  response: 'rights.field.response',
  answeredBy: 'rights.field.answeredBy',
  answeredAt: 'rights.field.answeredAt',
  amendmentDue: 'rights.field.amendmentDue',
  escalations: 'rights.field.escalations',
  recipientType: 'rights.field.recipientType',
  recipient: 'rights.field.recipient',
  lawfulBasis: 'rights.field.lawfulBasis',
  purpose: 'rights.field.purpose',
  records: 'rights.field.records',
  disclosedOn: 'rights.field.disclosedOn',
  approvedBy: 'rights.field.approvedBy',
  source: 'rights.field.source',
};

export function challengeRows(items: ChallengeResponse[], t: Translate) {
  return items.map((c) => ({
    href: `/challenges/${c.id}`,
    prisonNumber: c.prisonNumber,
    prisonerHref: `/prisoners/${c.prisonerId}`,
    target: label(t, TARGET, c.targetType),
    receivedOn: c.receivedOn,
    assignedTo: c.assignedTo.displayName,
    respondBy: c.respondBy,
    overdue: c.overdue,
    status: c.outcome ? label(t, OUTCOME, c.outcome) : label(t, CHALLENGE_STATUS, c.status),
    amendmentDue: c.amendmentDue,
    amended: c.amended,
    escalated: c.escalations.length > 0,
  }));
}

export function disclosureRows(items: DisclosureResponse[], t: Translate) {
  return items.map((d) => ({
    prisonNumber: d.prisonNumber,
    prisonerHref: `/prisoners/${d.prisonerId}`,
    disclosedOn: d.disclosedOn,
    recipient: `${d.recipient} (${label(t, RECIPIENT, d.recipientType)})`,
    lawfulBasis: d.lawfulBasis ?? t('rights.disclosure.noBasis'),
    purpose: d.source === 'plan_handover' ? t('rights.disclosure.handoverPurpose') : d.purpose,
    records: d.records
      .map(
        (r) =>
          `${label(t, RECORD_TYPE, r.recordType)}${r.fields.length ? `: ${r.fields.join(', ')}` : ''}${r.description ? ` – ${r.description}` : ''}`,
      )
      .join('; '),
    approvedBy: d.approvedBy
      ? d.approvedBy.displayName
      : t('rights.disclosure.recordedInPlan', { name: d.recordedBy.displayName }),
  }));
}

export function requestRows(items: SubjectAccessResponse[], t: Translate) {
  return items.map((r) => ({
    href: `/subject-access/${r.id}`,
    prisonNumber: r.prisonNumber,
    prisonerName: r.prisonerName,
    kind: label(t, SAR_KIND, r.kind),
    receivedOn: r.receivedOn,
    dueOn: r.dueOn,
    overdue: r.overdue,
    status: label(t, SAR_STATUS, r.status),
  }));
}

/** The records of a copy as the page and the printed copy lay them out. */
export function copyRecords(records: CopyRecordResponse[], t: Translate) {
  return records.map((r) => ({
    element: r.element,
    title: label(t, RECORD_TYPE, r.type),
    date: r.date,
    withheld: r.withheld ? label(t, GROUND, r.withheld) : null,
    fields: r.fields.map((f) => ({
      element: f.element,
      name: label(t, FIELD, f.name),
      value: f.value,
      redacted: f.redacted ? label(t, GROUND, f.redacted) : null,
      clinical: f.clinical ?? false,
    })),
  }));
}

export const COMPLAINT_MADE_BY_LABEL: Record<string, MessageKey> = {
  prisoner: 'rights.complaint.madeBy.prisoner',
  legal_adviser: 'rights.complaint.madeBy.legal_adviser',
  family: 'rights.complaint.madeBy.family',
  other_on_behalf: 'rights.complaint.madeBy.other_on_behalf',
};
export const COMPLAINT_SUBJECT_LABEL: Record<string, MessageKey> = {
  treatment_by_staff: 'rights.complaint.subject.treatment_by_staff',
  conditions: 'rights.complaint.subject.conditions',
  restrictive_measure: 'rights.complaint.subject.restrictive_measure',
  assessment_or_plan: 'rights.complaint.subject.assessment_or_plan',
  programme_access: 'rights.complaint.subject.programme_access',
  health_care: 'rights.complaint.subject.health_care',
  family_contact: 'rights.complaint.subject.family_contact',
  other: 'rights.complaint.subject.other',
};
export const COMPLAINT_OUTCOME_LABEL: Record<string, MessageKey> = {
  upheld: 'rights.complaint.outcome.upheld',
  partly_upheld: 'rights.complaint.outcome.partly_upheld',
  not_upheld: 'rights.complaint.outcome.not_upheld',
  withdrawn: 'rights.complaint.outcome.withdrawn',
};
export const COMPLAINT_STATUS_LABEL: Record<string, MessageKey> = {
  open: 'rights.complaint.status.open',
  answered: 'rights.complaint.status.answered',
};
export const COMPLAINT_CHANNEL_LABEL: Record<string, MessageKey> = {
  staff: 'rights.complaint.channel.staff',
  inspector: 'rights.complaint.channel.inspector',
};
export const REFERRAL_AUTHORITY_LABEL: Record<string, MessageKey> = {
  prosecutor: 'rights.referral.authority.prosecutor',
  ombudsman: 'rights.referral.authority.ombudsman',
  inspectorate: 'rights.referral.authority.inspectorate',
  national_preventive_mechanism: 'rights.referral.authority.national_preventive_mechanism',
  judicial: 'rights.referral.authority.judicial',
  other: 'rights.referral.authority.other',
};
export const WATCH_KIND_LABEL: Record<string, MessageKey> = {
  restrictive_measure: 'rights.watch.kind.restrictive_measure',
  prisoner_event: 'rights.watch.kind.prisoner_event',
  approved_assessment: 'rights.watch.kind.approved_assessment',
};

/** Rows of a complaints table: each links to the complaint; flags in text, not colour alone. */
export function complaintRows(items: ComplaintResponse[], t: Translate) {
  return items.map((c) => ({
    href: `/complaints/${c.id}`,
    prisonNumber: c.prisonNumber,
    subject: label(t, COMPLAINT_SUBJECT_LABEL, c.subject),
    receivedOn: c.receivedOn,
    assignedTo: c.assignedTo.displayName,
    respondBy: c.respondBy,
    overdue: c.overdue,
    status: c.outcome
      ? label(t, COMPLAINT_OUTCOME_LABEL, c.outcome)
      : label(t, COMPLAINT_STATUS_LABEL, c.status),
    confidential: c.confidential,
    illTreatment: c.allegesIllTreatment,
    referralRequired: c.referralRequired,
    watchFlags: c.watchFlags ?? 0,
  }));
}
