import type {
  AssessmentResponse,
  RiskTimelineResponse,
} from '../../assessments/dto/assessment.dto.js';
import type { PlanSummaryResponse } from '../../plans/dto/plan.response.js';
import type { PrisonerEventResponse } from '../../reviews/dto/reviews.dto.js';
import { riskTrajectorySvg } from '../charts/risk-trajectory-svg.js';
import type { Locale, MessageKey, Translate } from '../i18n/catalogue.js';
import { formatDate } from '../i18n/format.js';
import { EVENT_TYPE } from '../records/records.view.js';

const ASSESSMENT_STATUS: Record<string, MessageKey> = {
  draft: 'assessment.status.draft',
  submitted: 'assessment.status.submitted',
  returned: 'assessment.status.returned',
  approved: 'assessment.status.approved',
  cancelled: 'assessment.status.cancelled',
  superseded: 'assessment.status.superseded',
};
const ASSESSMENT_REASON: Record<string, MessageKey> = {
  intake: 'assessment.reason.intake',
  periodic: 'assessment.reason.periodic',
  event: 'assessment.reason.event',
};
const PLAN_STATUS: Record<string, MessageKey> = {
  draft: 'plan.status.draft',
  pending_approval: 'plan.status.pending_approval',
  active: 'plan.status.active',
  suspended: 'plan.status.suspended',
  completed: 'plan.status.completed',
  closed: 'plan.status.closed',
};

const label = (t: Translate, keys: Record<string, MessageKey>, value: string | undefined) =>
  value === undefined ? '' : keys[value] ? t(keys[value]) : value;

/** Tag colours: the words carry the meaning, the colour only repeats it. */
const STATUS_TAG: Record<string, string> = {
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  returned: 'govuk-tag--orange',
  approved: 'govuk-tag--green',
  cancelled: 'govuk-tag--red',
  superseded: 'govuk-tag--grey',
  pending_approval: 'govuk-tag--blue',
  active: 'govuk-tag--green',
  suspended: 'govuk-tag--orange',
  completed: 'govuk-tag--grey',
  closed: 'govuk-tag--grey',
};

/** The levels of an instrument version, lowest first, as the rule-set defines them. */
export type LevelScales = Map<string, { code: string; label: string }[]>;
export const scaleKey = (key: string, version: string, judgement?: string) =>
  `${key}@${version}${judgement ? `#${judgement}` : ''}`;

/** A level's label in its instrument version's scale; the code itself if the scale lacks it. */
export function levelLabel(
  scales: LevelScales,
  instrument: { key: string; version: string },
  code: string | null | undefined,
  judgement?: string,
): string {
  if (!code) return '';
  const scale = scales.get(scaleKey(instrument.key, instrument.version, judgement));
  return scale?.find((l) => l.code === code)?.label ?? code;
}

/** Every revision of every assessment, as the caller's view shows it, newest first. */
export function assessmentRows(items: AssessmentResponse[], scales: LevelScales, t: Translate) {
  return items.map((a) => ({
    href: `/assessments/${a.id}`,
    instrument: `${a.instrument.title} ${a.instrument.version}`,
    revision: a.revision,
    status: label(t, ASSESSMENT_STATUS, a.status),
    statusClass: STATUS_TAG[a.status] ?? '',
    reason: label(t, ASSESSMENT_REASON, a.reason),
    assessor: a.assessor?.displayName ?? '',
    startedAt: a.createdAt ?? null,
    approvedAt: a.approvedAt,
    finalRiskLevel: levelLabel(scales, a.instrument, a.finalRiskLevel),
    nextReviewDue: a.nextReviewDue,
  }));
}

export function planRows(items: PlanSummaryResponse[], t: Translate) {
  return items.map((p) => ({
    href: `/plans/${p.id}`,
    status: label(t, PLAN_STATUS, p.status),
    statusClass: STATUS_TAG[p.status] ?? '',
    revision: p.revision,
    createdAt: p.createdAt,
    approvedAt: p.approvedAt,
    endedAt: p.completedAt ?? p.closedAt,
  }));
}

export function eventRows(items: PrisonerEventResponse[], t: Translate) {
  return items.map((e) => ({
    type: label(t, EVENT_TYPE, e.type),
    occurredAt: e.occurredAt,
    note: e.note ?? '',
    recordedBy: e.recordedBy.displayName,
    recordedAt: e.recordedAt,
  }));
}

const judgementLabel = (entry: RiskTimelineResponse['entries'][number], code: string) =>
  entry.judgements.find((j) => j.code === code)?.label ?? code;

/**
 * Risk over time: one chart per instrument that has levels (versions of one instrument share a
 * chart, with the version changes marked), and every approved revision in the table. The
 * instrument the deployment configures for the timeline comes first and, when it names a
 * judgement, its chart plots that judgement's final level.
 */
export function riskModel(
  timeline: RiskTimelineResponse,
  scales: LevelScales,
  t: Translate,
  locale: Locale,
  timeZone?: string,
) {
  const levelOf = (key: string, version: string, code: string | null) =>
    levelLabel(scales, { key, version }, code);
  const configured = timeline.configuredInstrument;
  const judgementOf = (key: string) =>
    configured?.key === key ? (configured.judgement ?? undefined) : undefined;
  const plotted = (e: (typeof timeline.entries)[number]) => {
    const judgement = judgementOf(e.instrument.key);
    return judgement
      ? (e.judgements.find((j) => j.code === judgement)?.level ?? null)
      : e.finalRiskLevel;
  };
  const byKey = new Map<string, typeof timeline.entries>();
  if (configured) byKey.set(configured.key, []);
  for (const entry of timeline.entries) {
    const judgement = judgementOf(entry.instrument.key);
    if (
      !plotted(entry) ||
      !scales.get(scaleKey(entry.instrument.key, entry.instrument.version, judgement))?.length
    )
      continue;
    byKey.set(entry.instrument.key, [...(byKey.get(entry.instrument.key) ?? []), entry]);
  }
  const charted = [...byKey.entries()].filter(([, entries]) => entries.length > 0);
  const charts = charted.map(([key, entries], index) => {
    const judgement = judgementOf(key);
    const newest = entries[entries.length - 1];
    const levels = scales.get(scaleKey(key, newest.instrument.version, judgement))!;
    const plottedLabel = (e: (typeof entries)[number]) =>
      levelLabel(scales, e.instrument, plotted(e), judgement);
    const points = entries.map((e) => ({
      at: e.approvedAt,
      level: plotted(e)!,
      label: `${plottedLabel(e)} · ${formatDate(e.approvedAt, locale, timeZone)}`,
      version: e.instrument.version,
    }));
    return riskTrajectorySvg({
      id: `risk-chart-${index + 1}`,
      caption: judgement
        ? t('risk.chart.captionJudgement', {
            instrument: newest.instrument.title,
            judgement: judgementLabel(newest, judgement),
          })
        : t('risk.chart.caption', { instrument: newest.instrument.title }),
      description: t('risk.chart.description', {
        count: points.length,
        first: formatDate(entries[0].approvedAt, locale, timeZone),
        last: formatDate(newest.approvedAt, locale, timeZone),
        level: plottedLabel(newest),
      }),
      levels,
      points,
      versionLabel: (version) => t('risk.chart.version', { version }),
    });
  });
  const rows = [...timeline.entries].reverse().map((e) => ({
    href: `/assessments/${e.assessmentId}`,
    approvedAt: e.approvedAt,
    instrument: `${e.instrument.title} ${e.instrument.version}`,
    revision: e.revision,
    status: label(t, ASSESSMENT_STATUS, e.status),
    indicativeLevel: levelOf(e.instrument.key, e.instrument.version, e.indicativeLevel),
    finalRiskLevel: levelOf(e.instrument.key, e.instrument.version, e.finalRiskLevel),
  }));
  return { charts, rows, showIndicative: timeline.view !== 'security' };
}
