import { DISCHARGE_REASON } from '../records/records.view.js';
import type { AppAbility } from '../../access/ability.factory.js';
import type { PrisonerResponse } from '../../prisoners/dto/prisoner.dto.js';
import type { ActiveGrant } from '../common/page-state.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

export type PrisonerTab =
  | 'overview'
  | 'assessments'
  | 'risk'
  | 'plan'
  | 'events'
  | 'challenges'
  | 'complaints'
  | 'disclosures'
  | 'subject-access'
  | 'measures';

const TABS: {
  tab: PrisonerTab;
  path: string;
  text: MessageKey;
  visible: (a: AppAbility) => boolean;
}[] = [
  { tab: 'overview', path: '', text: 'prisoner.tabs.overview', visible: () => true },
  {
    tab: 'assessments',
    path: '/assessments',
    text: 'prisoner.tabs.assessments',
    visible: (a) => a.can('read', 'Assessment'),
  },
  {
    tab: 'risk',
    path: '/risk',
    text: 'prisoner.tabs.risk',
    visible: (a) => a.can('read', 'Assessment'),
  },
  { tab: 'plan', path: '/plan', text: 'prisoner.tabs.plan', visible: (a) => a.can('read', 'Plan') },
  { tab: 'events', path: '/events', text: 'prisoner.tabs.events', visible: () => true },
  {
    tab: 'challenges',
    path: '/challenges',
    text: 'prisoner.tabs.challenges',
    visible: (a) => a.can('read', 'Challenge'),
  },
  {
    tab: 'complaints',
    path: '/complaints',
    text: 'prisoner.tabs.complaints',
    visible: (a) => a.can('read', 'Complaint'),
  },
  {
    tab: 'disclosures',
    path: '/disclosures',
    text: 'prisoner.tabs.disclosures',
    visible: (a) => a.can('read', 'Disclosure'),
  },
  {
    tab: 'subject-access',
    path: '/subject-access',
    text: 'prisoner.tabs.subjectAccess',
    visible: (a) => a.can('read', 'SubjectAccess'),
  },
  {
    tab: 'measures',
    path: '/restrictive-measures',
    text: 'prisoner.tabs.measures',
    visible: (a) => a.can('read', 'RestrictiveMeasure'),
  },
];

/**
 * The identity bar and tabs on every page of a prisoner: number, name, facility and the remand
 * and under-18 flags always in view; only the tabs the caller's roles may open; the emergency
 * access banner while a grant is in use.
 */
export function prisonerFrame(
  prisoner: PrisonerResponse,
  current: PrisonerTab,
  ability: AppAbility,
  grants: ActiveGrant[],
  t: Translate,
) {
  const base = `/prisoners/${prisoner.id}`;
  const grant = grants.find((g) => g.prisonerId === prisoner.id);
  return {
    prisoner: {
      id: prisoner.id,
      prisonNumber: prisoner.prisonNumber,
      name: `${prisoner.givenName} ${prisoner.familyName}`,
      facility: prisoner.facility,
      remand: prisoner.flags.remand,
      under18: prisoner.flags.under18,
    },
    tabs: TABS.filter((tab) => tab.visible(ability)).map((tab) => ({
      text: t(tab.text),
      href: `${base}${tab.path}`,
      active: tab.tab === current,
    })),
    currentTab: t(TABS.find((tab) => tab.tab === current)!.text),
    emergency: grant ? { expiresAt: grant.expiresAt } : undefined,
    discharged: prisoner.dischargedOn
      ? {
          on: prisoner.dischargedOn,
          reason: t(
            DISCHARGE_REASON[prisoner.dischargeReason!] ?? 'records.discharge.reason.other',
          ),
        }
      : undefined,
  };
}

const SEX: Record<string, MessageKey> = {
  female: 'prisoner.sex.female',
  male: 'prisoner.sex.male',
  other: 'prisoner.sex.other',
};
const LEGAL_STATUS: Record<string, MessageKey> = {
  remand: 'prisoner.legalStatus.remand',
  sentenced: 'prisoner.legalStatus.sentenced',
};

/** Particulars and facility history, as summary-list rows and table rows. */
export function overviewModel(prisoner: PrisonerResponse, t: Translate) {
  return {
    particulars: {
      prisonNumber: prisoner.prisonNumber,
      givenName: prisoner.givenName,
      familyName: prisoner.familyName,
      dateOfBirth: prisoner.dateOfBirth,
      sex: SEX[prisoner.sex] ? t(SEX[prisoner.sex]) : prisoner.sex,
      legalStatus: LEGAL_STATUS[prisoner.legalStatus]
        ? t(LEGAL_STATUS[prisoner.legalStatus])
        : prisoner.legalStatus,
      facility: `${prisoner.facility.name} (${prisoner.facility.code})`,
      expectedReleaseDate: prisoner.expectedReleaseDate,
    },
    history: [...(prisoner.facilityHistory ?? [])].reverse().map((stay) => ({
      facility: `${stay.facility.name} (${stay.facility.code})`,
      from: stay.from,
      to: stay.to,
      reason: stay.reason === 'admission' ? t('prisoner.history.admission') : stay.reason,
    })),
  };
}
