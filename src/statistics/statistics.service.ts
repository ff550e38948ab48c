import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import { CaseOperations } from '../access/case-operations.service.js';
import { csvCell } from '../audit/audit-csv.js';
import type { RequestContext } from '../auth/request-context.js';
import { COMPLAINT_OUTCOMES, COMPLAINT_SUBJECTS } from '../complaints/dto/complaint.dto.js';
import { AppConfig } from '../config/app-config.js';
import { notFound, type FieldError } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import type {
  StatisticsCell,
  StatisticsQueryDto,
  StatisticsResponse,
  StatisticsTable,
} from './dto/statistics.dto.js';
import { suppress } from './suppression.js';

/** The most periods one request may ask for. */
const MAX_PERIODS = 60;

interface TableSource {
  key: string;
  /** Categories always shown; others found in the data are added after them. */
  categories: string[];
  /** Rows of (facility_id, d date, category) for facilities $1 between $2 and $3. */
  sql: string;
  /**
   * Complaints: the rows carry `confidential` too, and a confidential complaint (made to an
   * inspector, Rule 56(1)) is counted only for a caller who may read such complaints of the
   * facility it falls to: an inspector's statistics, never a supervisor's.
   */
  complaints?: true;
}

/**
 * The facility that held the prisoner at `at` (a timestamptz expression), from the movement
 * history; the current one for a prisoner whose history starts later (records from before it).
 * A transfer does not move what happened before it to the new facility's statistics.
 */
const heldAt = (at: string) =>
  `COALESCE((SELECT h.facility_id FROM prisoner_facility_history h
     WHERE h.prisoner_id = p.id AND h.from_at <= ${at}
     ORDER BY h.from_at DESC LIMIT 1), p.facility_id)`;
/** The end of a calendar day, for records that keep only the date. */
const endOf = (date: string) => `((${date}) + 1)::timestamptz - interval '1 microsecond'`;

/**
 * Each statistic counts rows by facility, day and category: never a name, a prisoner id or a
 * content field. The facility is the one that held the prisoner when the counted thing happened
 * (or where the measure or grant was made, which the row records); what is overdue today counts
 * at the facility responsible today.
 */
const TABLES: TableSource[] = [
  {
    key: 'assessments_by_status',
    categories: ['draft', 'submitted', 'returned', 'approved', 'superseded', 'cancelled'],
    sql: `SELECT ${heldAt('a.created_at')} AS facility_id, a.created_at::date AS d,
            a.status AS category
          FROM assessment a JOIN prisoner p ON p.id = a.prisoner_id`,
  },
  {
    key: 'assessments_by_final_level',
    categories: ['low', 'moderate', 'high', 'not_recorded'],
    sql: `SELECT ${heldAt('a.approved_at')} AS facility_id, a.approved_at::date AS d,
            COALESCE(a.final_risk_level, 'not_recorded') AS category
          FROM assessment a JOIN prisoner p ON p.id = a.prisoner_id
          WHERE a.approved_at IS NOT NULL`,
  },
  {
    key: 'overdue',
    categories: ['reassessments', 'plan_reviews'],
    sql: `SELECT p.facility_id, a.next_review_due AS d, 'reassessments' AS category
          FROM assessment a JOIN prisoner p ON p.id = a.prisoner_id
          WHERE a.status = 'approved' AND a.next_review_due < current_date
          UNION ALL
          SELECT p.facility_id, due.d, 'plan_reviews'
          FROM programme_plan pl JOIN prisoner p ON p.id = pl.prisoner_id
          CROSS JOIN LATERAL (SELECT COALESCE(
            (SELECT max(r.next_review_date) FROM plan_review r WHERE r.plan_id = pl.id),
            (pl.approved_at + interval '3 months')::date) AS d) due
          WHERE pl.status = 'active' AND due.d < current_date`,
  },
  {
    key: 'plans_by_status',
    categories: ['draft', 'pending_approval', 'active', 'suspended', 'completed', 'closed'],
    sql: `SELECT ${heldAt('pl.created_at')} AS facility_id, pl.created_at::date AS d,
            pl.status AS category
          FROM programme_plan pl JOIN prisoner p ON p.id = pl.prisoner_id`,
  },
  {
    key: 'sessions_by_attendance',
    categories: ['attended', 'absent', 'refused', 'cancelled'],
    sql: `SELECT ${heldAt(endOf('s.date'))} AS facility_id, s.date AS d,
            s.attendance AS category
          FROM plan_session s JOIN programme_plan pl ON pl.id = s.plan_id
          JOIN prisoner p ON p.id = pl.prisoner_id`,
  },
  {
    key: 'consent',
    categories: ['given', 'refused'],
    sql: `SELECT ${heldAt(endOf('i.consent_recorded_on'))} AS facility_id,
            i.consent_recorded_on AS d,
            CASE WHEN i.consent_given THEN 'given' ELSE 'refused' END AS category
          FROM plan_intervention i JOIN programme_plan pl ON pl.id = i.plan_id
          JOIN prisoner p ON p.id = pl.prisoner_id
          WHERE i.consent_given IS NOT NULL`,
  },
  {
    key: 'emergency_access_by_outcome',
    categories: ['justified', 'unjustified', 'pending'],
    sql: `SELECT g.facility_id, g.granted_at::date AS d, COALESCE(g.outcome, 'pending') AS category
          FROM emergency_access g`,
  },
  {
    key: 'restrictive_measures_by_type',
    categories: ['separation', 'solitary_confinement', 'special_regime'],
    sql: `SELECT m.facility_id, m.starts_on AS d, m.type AS category FROM restrictive_measure m`,
  },
  {
    key: 'restrictive_measures_by_duration',
    categories: ['days_1_7', 'days_8_15', 'days_16_plus'],
    sql: `SELECT m.facility_id, m.starts_on AS d,
            CASE WHEN COALESCE(m.ended_on, current_date) - m.starts_on + 1 <= 7 THEN 'days_1_7'
                 WHEN COALESCE(m.ended_on, current_date) - m.starts_on + 1 <= 15 THEN 'days_8_15'
                 ELSE 'days_16_plus' END AS category
          FROM restrictive_measure m`,
  },
  {
    key: 'complaints_by_subject',
    categories: [...COMPLAINT_SUBJECTS],
    complaints: true,
    sql: `SELECT ${heldAt(endOf('c.received_on'))} AS facility_id, c.received_on AS d,
            c.subject AS category, c.confidential
          FROM complaint c JOIN prisoner p ON p.id = c.prisoner_id`,
  },
  {
    key: 'complaints_answered_by_outcome',
    categories: [...COMPLAINT_OUTCOMES],
    complaints: true,
    sql: `SELECT ${heldAt('c.answered_at')} AS facility_id, c.answered_at::date AS d,
            c.outcome AS category, c.confidential
          FROM complaint c JOIN prisoner p ON p.id = c.prisoner_id
          WHERE c.answered_at IS NOT NULL`,
  },
  {
    // Late: answered after the day it was due by (respondBy), as the answer's audit event says.
    key: 'complaints_answered_on_time',
    categories: ['on_time', 'late'],
    complaints: true,
    sql: `SELECT ${heldAt('c.answered_at')} AS facility_id, c.answered_at::date AS d,
            CASE WHEN c.answered_at::date > c.respond_by THEN 'late' ELSE 'on_time' END
              AS category, c.confidential
          FROM complaint c JOIN prisoner p ON p.id = c.prisoner_id
          WHERE c.answered_at IS NOT NULL`,
  },
  {
    // Rule 57(3): allegations of torture or ill-treatment received, by when the first referral
    // to an independent authority was made (the total is those received).
    key: 'ill_treatment_allegations',
    categories: ['referred_within_1_day', 'referred_later', 'not_referred'],
    complaints: true,
    sql: `SELECT ${heldAt(endOf('c.received_on'))} AS facility_id, c.received_on AS d,
            CASE WHEN r.first IS NULL THEN 'not_referred'
                 WHEN r.first - c.received_on <= 1 THEN 'referred_within_1_day'
                 ELSE 'referred_later' END AS category, c.confidential
          FROM complaint c JOIN prisoner p ON p.id = c.prisoner_id
          CROSS JOIN LATERAL (SELECT min(x.referred_on) AS first FROM complaint_referral x
            WHERE x.complaint_id = c.id) r
          WHERE c.alleges_ill_treatment`,
  },
];

interface Facility {
  id: string;
  code: string;
  /** Whether the caller reads the facility's confidential complaints (an inspector of it). */
  confidential: boolean;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The first day of the period `day` falls in. */
function periodStart(day: string, period: 'month' | 'quarter'): string {
  const [y, m] = day.split('-').map(Number);
  const month = period === 'month' ? m : Math.floor((m - 1) / 3) * 3 + 1;
  return `${y}-${String(month).padStart(2, '0')}-01`;
}

function periodLabel(day: string, period: 'month' | 'quarter'): string {
  const [y, m] = day.split('-').map(Number);
  return period === 'month' ? day.slice(0, 7) : `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

function periodLabels(from: string, to: string, period: 'month' | 'quarter'): string[] {
  const labels: string[] = [];
  const step = period === 'month' ? 1 : 3;
  let cursor = new Date(`${periodStart(from, period)}T00:00:00Z`);
  while (iso(cursor) <= to && labels.length <= MAX_PERIODS) {
    labels.push(periodLabel(iso(cursor), period));
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + step, 1));
  }
  return labels;
}

/**
 * Aggregate data for evidence-based management (Mandela Rule 10), for supervisors and
 * inspectors within their facilities: counts by facility and month or quarter, with every
 * count below STATISTICS_MIN_CELL suppressed together with every cell that would reveal one
 * from the totals (suppression.ts). No statistic carries a name, a prisoner id or case content.
 */
@Injectable()
export class StatisticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CaseOperations,
    private readonly config: AppConfig,
  ) {}

  async tables(ctx: RequestContext, query: StatisticsQueryDto): Promise<StatisticsResponse> {
    return this.run(ctx, query, 'statistics.read');
  }

  /** The same tables as CSV: one line per cell, margins included, suppression marked. */
  async csv(ctx: RequestContext, query: StatisticsQueryDto): Promise<string> {
    const answer = await this.run(ctx, query, 'statistics.export');
    const line = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';
    const shown = (c: StatisticsCell) => (c.suppressed ? 'suppressed' : c.value);
    let out = line(['table', 'facility', 'period', 'category', 'count']);
    for (const t of answer.tables) {
      for (const row of t.rows) {
        row.cells.forEach(
          (c, i) => (out += line([t.key, row.facilityCode, row.period, t.categories[i], shown(c)])),
        );
        out += line([t.key, row.facilityCode, row.period, 'total', shown(row.total)]);
      }
      t.totals.forEach((c, i) => (out += line([t.key, 'all', 'all', t.categories[i], shown(c)])));
      out += line([t.key, 'all', 'all', 'total', shown(t.grandTotal)]);
    }
    return out;
  }

  private async run(
    ctx: RequestContext,
    query: StatisticsQueryDto,
    action: 'statistics.read' | 'statistics.export',
  ): Promise<StatisticsResponse> {
    const period = query.period ?? 'month';
    const today = iso(new Date());
    const to = query.to ?? today;
    const back = new Date(`${periodStart(to, period)}T00:00:00Z`);
    back.setUTCMonth(back.getUTCMonth() - (period === 'month' ? 11 : 9));
    const from = query.from ?? iso(back);
    const problems: FieldError[] = [];
    if (from > to) problems.push({ path: 'from', message: 'from must be on or before to' });
    const periods = periodLabels(from, to, period);
    if (periods.length > MAX_PERIODS)
      problems.push({ path: 'from', message: `at most ${MAX_PERIODS} periods at once` });
    if (problems.length > 0) throw validationProblem(problems);
    const facilities = await this.facilities(ctx, action, query.facilityId);
    const threshold = this.config.env.STATISTICS_MIN_CELL;
    return this.cases.list(ctx, {
      action,
      entityType: 'statistics',
      facilityIds: facilities.map((f) => f.id),
      run: async (m) => ({
        period,
        from,
        to,
        threshold,
        periods,
        tables: await Promise.all(
          TABLES.map((t) => this.table(m, t, facilities, periods, period, from, to, threshold)),
        ),
      }),
      details: () => ({ period, from, to, facilityCount: facilities.length }),
    });
  }

  private async facilities(
    ctx: RequestContext,
    action: 'statistics.read' | 'statistics.export',
    facilityId?: string,
  ): Promise<Facility[]> {
    const scope = accessibleWhere(ctx.ability, 'read', 'Statistics', { facilityId: 'f.id' });
    const n = scope.params.length;
    const rows: { id: string; code: string }[] = await this.dataSource.query(
      `SELECT f.id, f.code FROM facility f WHERE ${scope.sql}
         ${facilityId ? `AND f.id = $${n + 1}::uuid` : ''} ORDER BY f.code`,
      [...scope.params, ...(facilityId ? [facilityId] : [])],
    );
    if (facilityId && rows.length === 0)
      return this.cases.deny(ctx, notFound('Facility'), {
        action,
        entityType: 'facility',
        entityId: facilityId,
      });
    // Deny unless a rule allows: of the complaint rules, only an inspector's for the facility
    // lacks `confidential: false`, so only an inspector's statistics count confidential ones.
    return rows.map((f) => ({
      id: f.id,
      code: f.code,
      confidential: ctx.ability.can(
        'read',
        asSubject('Complaint', { facilityId: f.id, confidential: true }),
      ),
    }));
  }

  private async table(
    m: EntityManager,
    source: TableSource,
    facilities: Facility[],
    periods: string[],
    period: 'month' | 'quarter',
    from: string,
    to: string,
    threshold: number,
  ): Promise<StatisticsTable> {
    const label =
      period === 'month'
        ? `to_char(x.d, 'YYYY-MM')`
        : `to_char(x.d, 'YYYY') || '-Q' || to_char(x.d, 'Q')`;
    const confidential = facilities.filter((f) => f.confidential).map((f) => f.id);
    const counts: { facility_id: string; period: string; category: string; n: number }[] =
      await m.query(
        `SELECT x.facility_id, ${label} AS period, x.category, count(*)::int AS n
         FROM (${source.sql}) x
         WHERE x.facility_id = ANY($1::uuid[]) AND x.d BETWEEN $2::date AND $3::date
           ${source.complaints ? 'AND (NOT x.confidential OR x.facility_id = ANY($4::uuid[]))' : ''}
         GROUP BY 1, 2, 3`,
        [facilities.map((f) => f.id), from, to, ...(source.complaints ? [confidential] : [])],
      );
    const categories = [
      ...source.categories,
      ...[...new Set(counts.map((c) => c.category))]
        .filter((c) => !source.categories.includes(c))
        .sort(),
    ];
    const keys = facilities.flatMap((f) => periods.map((p) => ({ facility: f, period: p })));
    const index = new Map(keys.map((k, i) => [`${k.facility.id}|${k.period}`, i]));
    const cells = keys.map(() => categories.map(() => 0));
    for (const c of counts) {
      const r = index.get(`${c.facility_id}|${c.period}`);
      if (r !== undefined) cells[r][categories.indexOf(c.category)] += c.n;
    }
    // Which complaints the counts include, said with every complaint table so that nobody takes
    // a supervisor's counts for all complaints (an inspector's account has no other role, so a
    // caller reads the confidential complaints of all their facilities or of none).
    const counted = source.complaints
      ? {
          complaintsCounted:
            confidential.length > 0
              ? ('made_to_staff_and_inspectors' as const)
              : ('made_to_staff' as const),
        }
      : {};
    if (keys.length === 0) {
      const none = { value: null, suppressed: true };
      return {
        key: source.key,
        ...counted,
        categories,
        rows: [],
        totals: categories.map(() => none),
        grandTotal: none,
      };
    }
    const { values, suppressed } = suppress(cells, threshold);
    const cell = (r: number, c: number): StatisticsCell =>
      suppressed[r][c]
        ? { value: null, suppressed: true }
        : { value: values[r][c], suppressed: false };
    const C = categories.length;
    return {
      key: source.key,
      ...counted,
      categories,
      rows: keys.map((k, r) => ({
        facilityId: k.facility.id,
        facilityCode: k.facility.code,
        period: k.period,
        cells: categories.map((_, c) => cell(r, c)),
        total: cell(r, C),
      })),
      totals: categories.map((_, c) => cell(keys.length, c)),
      grandTotal: cell(keys.length, C),
    };
  }
}
