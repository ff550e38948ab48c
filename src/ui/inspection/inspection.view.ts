import type {
  MeasureAlertResponse,
  MeasureResponse,
} from '../../restrictive-measures/dto/restrictive-measure.dto.js';
import type { StatisticsResponse } from '../../statistics/dto/statistics.dto.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

const TYPE: Record<string, MessageKey> = {
  separation: 'measures.type.separation',
  solitary_confinement: 'measures.type.solitary_confinement',
  special_regime: 'measures.type.special_regime',
};
const LEVEL: Record<string, MessageKey> = {
  none: 'measures.level.none',
  alert: 'measures.level.alert',
  breach: 'measures.level.breach',
};
const LEVEL_CLASS: Record<string, string> = {
  none: 'govuk-tag--grey',
  alert: 'govuk-tag--orange',
  breach: 'govuk-tag--red',
};

export const measureType = (type: string, t: Translate) => (TYPE[type] ? t(TYPE[type]) : type);

/** Alerts as table rows: the longest run of solitary confinement first. */
export function alertRows(alerts: MeasureAlertResponse[], t: Translate) {
  return alerts.map((a) => ({
    href: `/restrictive-measures/${a.measureId}`,
    prisonerHref: `/prisoners/${a.prisonerId}/restrictive-measures`,
    prisonNumber: a.prisonNumber,
    type: measureType(a.type, t),
    startsOn: a.startsOn,
    days: t('measures.days', { count: a.solitary.consecutiveDays }),
    level: t(LEVEL[a.solitary.level]),
    levelClass: LEVEL_CLASS[a.solitary.level],
    notes: [
      a.independentReviewMissing ? t('measures.alerts.reviewMissing') : undefined,
      a.reviewOverdue ? t('measures.alerts.reviewOverdue', { date: a.nextReviewOn }) : undefined,
      a.healthObjection ? t('measures.alerts.healthObjection') : undefined,
      a.missedHealthVisits > 0
        ? t('measures.alerts.missedHealthVisits', {
            count: a.missedHealthVisits,
            date: a.lastMissedHealthVisit ?? '',
          })
        : undefined,
    ].filter((n): n is string => n !== undefined),
  }));
}

/** One measure for its page: particulars, the solitary count, days and reviews. */
export function measureModel(m: MeasureResponse, t: Translate) {
  return {
    id: m.id,
    version: m.version,
    type: measureType(m.type, t),
    legalBasis: m.legalBasis,
    reason: m.reason,
    authorisedBy: `${m.authorisedBy.name}, ${m.authorisedBy.position}`,
    startsOn: m.startsOn,
    plannedEndOn: m.plannedEndOn,
    endedOn: m.endedOn,
    endReason: m.endReason,
    familyContact:
      m.familyContact === 'restricted'
        ? t('measures.familyContact.restrictedUntil', {
            date: m.familyContactRestrictedUntil ?? '',
          })
        : t('measures.familyContact.unrestricted'),
    nextReviewOn: m.nextReviewOn,
    reviewOverdue: m.reviewOverdue,
    solitary: {
      days: t('measures.days', { count: m.solitary.consecutiveDays }),
      level: t(LEVEL[m.solitary.level]),
      levelClass: LEVEL_CLASS[m.solitary.level],
      reviewMissing: m.solitary.level !== 'none' && !m.solitary.independentReviewRecorded,
    },
    days: m.days.map((d) => ({
      day: d.day,
      hoursOutOfCell: String(d.hoursOutOfCell),
      contact: String(d.meaningfulContactHours),
      healthVisit: d.healthVisit ? t('measures.yes') : t('measures.no'),
      solitary: d.solitary ? t('measures.yes') : t('measures.no'),
    })),
    healthObjections: m.healthObjections.map((o) => ({
      objectedOn: o.objectedOn,
      recordedBy: o.recordedBy.displayName,
    })),
    reviews: m.reviews.map((r) => ({
      reviewedOn: r.reviewedOn,
      reviewer: `${r.reviewerName}, ${r.reviewerBody}`,
      independent: r.independent ? t('measures.yes') : t('measures.no'),
      decision: t(`measures.decision.${r.decision}` as MessageKey),
    })),
  };
}

/** The statistics as tables: suppressed cells say so in words, not by colour or a blank. */
export function statisticsModel(s: StatisticsResponse, t: Translate) {
  const cell = (c: { value: number | null; suppressed: boolean }) =>
    c.suppressed
      ? { text: t('statistics.suppressed'), suppressed: true }
      : { text: String(c.value) };
  return s.tables.map((table) => ({
    key: table.key,
    title: t(`statistics.table.${table.key}` as MessageKey),
    // Complaint tables say which complaints they count (a supervisor's: made to staff only).
    note: table.complaintsCounted
      ? t(`statistics.complaints.${table.complaintsCounted}`)
      : undefined,
    categories: table.categories.map((c) => {
      const key = `statistics.category.${c}` as MessageKey;
      const text = t(key);
      return text === key ? c : text;
    }),
    rows: table.rows.map((r) => ({
      facility: r.facilityCode,
      period: r.period,
      cells: r.cells.map(cell),
      total: cell(r.total),
    })),
    totals: table.totals.map(cell),
    grandTotal: cell(table.grandTotal),
  }));
}
