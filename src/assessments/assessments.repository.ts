import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import { prepared } from '../database/prepared.js';
import type { EvaluationResult } from '../instruments/engine/evaluate.js';
import type { ApprovedAssessmentSummary } from './approved-assessment.js';
import {
  OPEN_STATUSES,
  type AssessmentStatus,
  type SCENARIO_IMMINENCE,
  type SCENARIO_SEVERITIES,
  type SCENARIO_TYPES,
  type StoredRatings,
} from './assessment-rules.js';

export interface UserRef {
  id: string;
  displayName: string;
}

export interface Recommendation {
  text: string;
  tag: 'security' | 'programme' | 'clinical';
}

export interface Participation {
  informedOn: string;
  participated: 'yes' | 'no' | 'declined';
  prisonerComments?: string;
}

/** A structured scenario (formulation): how harm could come about, and what would manage it. */
export interface Scenario {
  title: string;
  description: string;
  type?: (typeof SCENARIO_TYPES)[number];
  likelyTargets?: string;
  severity?: (typeof SCENARIO_SEVERITIES)[number];
  imminence?: (typeof SCENARIO_IMMINENCE)[number];
  warningSigns?: string;
  triggers?: string;
  managementActions?: string;
}

/** The judgement recorded before any indicative band is shown; kept as first recorded. */
export interface Provisional {
  level?: string;
  judgements?: Record<string, string>;
  recordedAt: string;
}

/** The final level and rationale of one judgement the instrument declares. */
export interface FinalJudgement {
  code: string;
  level: string | null;
  rationale: string | null;
}

/** A factor the instrument does not list, added by the assessor with evidence and a rating. */
export interface CaseFactor {
  title: string;
  description: string;
  evidence: string;
  rating: 'low' | 'moderate' | 'high';
}

/** The consensus of a double-rated assessment, as the lead assessor recorded it. */
export interface Consensus {
  rationale: string;
  recordedAt: string;
  recordedBy: UserRef;
  /** Item codes on which the two blind ratings differed. */
  differed: string[];
}

/** How far the report can be relied on. */
export interface Appraisal {
  confidence?: 'low' | 'medium' | 'high';
  informationQuality?: string;
  limitations?: string;
  indexFacts?: 'admits' | 'partly_admits' | 'denies' | 'not_applicable';
}

/** A flag the instrument shares or that makes a review due, as it first fired on the assessment. */
export interface SharedFlag {
  code: string;
  label: string;
  severity: string;
  sharedWith: string[];
  firedAt: string;
  dueAction: 'reassess' | 'review' | null;
  dueDate: string | null;
}

/** A recorded trigger review, as the full view shows it. */
export interface TriggerReviewRow {
  id: string;
  eventId: string;
  eventType: string;
  outcome: 'no_change' | 'reassess' | 'amend';
  rationale: string;
  reviewedOn: string;
  reviewer: UserRef;
  recordedAt: string;
}

/** An assessment as the feature works with it (camelCase; dates as YYYY-MM-DD or Date). */
export interface Assessment {
  id: string;
  prisonerId: string;
  /** The prisoner's current facility, which scopes access to the assessment. */
  facilityId: string;
  instrumentVersionId: string;
  instrument: { key: string; version: string; title: string; purpose: 'risk' | 'needs' };
  revision: number;
  supersedesId: string | null;
  status: AssessmentStatus;
  reason: string;
  trigger: string | null;
  triggerEventId: string | null;
  assessor: UserRef;
  countersigner: UserRef | null;
  ratings: StoredRatings;
  formulation: string | null;
  scenarios: Scenario[];
  needs: { code: string; priority: 'high' | 'medium' | 'low' }[];
  provisional: Provisional | null;
  judgements: FinalJudgement[];
  appraisal: Appraisal | null;
  caseFactors: CaseFactor[];
  /** Two assessors rate blind; the lead records the consensus that becomes `ratings`. */
  doubleRating: boolean;
  consensus: Consensus | null;
  /** Flags that first fired with a `shareWith` or `makesDue`, oldest first. */
  sharedFlags: SharedFlag[];
  finalRiskLevel: string | null;
  finalRationale: string | null;
  recommendations: Recommendation[];
  prisonerParticipation: Participation | null;
  indicative: EvaluationResult | null;
  engineVersion: string | null;
  nextReviewDue: string | null;
  submittedAt: Date | null;
  approvedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** The keyset sort key of lists (creation time to the microsecond, id), newest first. */
  sortKey: [string, string];
}

export interface Transition {
  from: string | null;
  to: string;
  actor: UserRef;
  at: string;
  comments: string | null;
}

export interface AssessmentDetail extends Assessment {
  /** Who moved it from which status to which, when, with their comments; oldest first. */
  history: Transition[];
}

/** An assessment listed across prisoners, with the prisoner it belongs to. */
export interface ListedAssessment extends Assessment {
  prisoner: { prisonNumber: string; givenName: string; familyName: string };
}

/** The columns a PATCH may write, by field. */
export const EDITABLE_COLUMNS = {
  ratings: ['ratings', 'json'],
  formulation: ['formulation', 'text'],
  scenarios: ['scenarios', 'json'],
  needs: ['needs', 'json'],
  provisional: ['provisional', 'json'],
  judgements: ['judgements', 'json'],
  appraisal: ['appraisal', 'json'],
  caseFactors: ['case_factors', 'json'],
  finalRiskLevel: ['final_risk_level', 'text'],
  finalRationale: ['final_rationale', 'text'],
  recommendations: ['recommendations', 'json'],
  prisonerParticipation: ['prisoner_participation', 'json'],
} as const;

export type EditableField = keyof typeof EDITABLE_COLUMNS;

export interface NewAssessment {
  prisonerId: string;
  instrumentVersionId: string;
  reason: string;
  trigger: string | null;
  triggerEventId: string | null;
  assessorId: string;
  indicative: EvaluationResult;
  engineVersion: string;
  doubleRating?: boolean;
}

interface Row {
  id: string;
  prisoner_id: string;
  facility_id: string;
  instrument_version_id: string;
  instrument_key: string;
  instrument_version: string;
  instrument_title: string;
  purpose: 'risk' | 'needs';
  revision: number;
  supersedes_id: string | null;
  status: AssessmentStatus;
  reason: string;
  trigger: string | null;
  trigger_event_id: string | null;
  assessor_id: string;
  assessor_name: string;
  countersigner_id: string | null;
  countersigner_name: string | null;
  ratings: StoredRatings;
  formulation: string | null;
  scenarios: Scenario[];
  needs: Assessment['needs'];
  provisional: Provisional | null;
  judgements: FinalJudgement[];
  appraisal: Appraisal | null;
  case_factors: CaseFactor[];
  double_rating: boolean;
  consensus: Consensus | null;
  shared_flags: SharedFlag[];
  final_risk_level: string | null;
  final_rationale: string | null;
  recommendations: Recommendation[];
  prisoner_participation: Participation | null;
  indicative: EvaluationResult | null;
  engine_version: string | null;
  next_review_due: string | null;
  submitted_at: Date | null;
  approved_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  sort_created: string;
  history?: Transition[] | null;
  prison_number?: string;
  given_name?: string;
  family_name?: string;
}

const SELECT = `
  SELECT a.id, a.prisoner_id, p.facility_id, a.instrument_version_id, iv.key AS instrument_key,
    iv.version AS instrument_version, iv.title AS instrument_title, iv.purpose, a.revision,
    a.supersedes_id, a.status, a.reason, a.trigger, a.trigger_event_id,
    a.assessor_id, au.display_name AS assessor_name, a.countersigner_id, cu.display_name AS countersigner_name,
    a.ratings, a.formulation, a.scenarios, a.needs, a.provisional, a.judgements, a.appraisal,
    a.case_factors, a.double_rating, a.consensus,
    (SELECT coalesce(json_agg(json_build_object('code', f.flag_code, 'label', f.label,
        'severity', f.severity, 'sharedWith', f.shared_with,
        'firedAt', to_char(f.fired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'dueAction', f.due_action, 'dueDate', to_char(f.due_date, 'YYYY-MM-DD')) ORDER BY f.fired_at, f.id), '[]')
      FROM assessment_flag f WHERE f.assessment_id = a.id) AS shared_flags,
    a.final_risk_level, a.final_rationale,
    a.recommendations, a.prisoner_participation, a.indicative, a.engine_version,
    to_char(a.next_review_due, 'YYYY-MM-DD') AS next_review_due, a.submitted_at, a.approved_at,
    a.cancelled_at, a.cancel_reason, a.created_at, a.updated_at, a.version,
    to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_created
  FROM assessment a
  JOIN prisoner p ON p.id = a.prisoner_id
  JOIN instrument_version iv ON iv.id = a.instrument_version_id
  JOIN app_user au ON au.id = a.assessor_id
  LEFT JOIN app_user cu ON cu.id = a.countersigner_id`;

/** One assessment with its transitions, in one statement. */
const DETAIL_SELECT = SELECT.replace(
  'FROM assessment a',
  `, (SELECT json_agg(json_build_object('from', t.from_status, 'to', t.to_status,
        'actor', json_build_object('id', tu.id, 'displayName', tu.display_name),
        'at', to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'comments', t.comments) ORDER BY t.id)
      FROM assessment_transition t JOIN app_user tu ON tu.id = t.actor_id
      WHERE t.assessment_id = a.id) AS history
   FROM assessment a`,
);

/** Listed across prisoners: with the prisoner's number and name. */
const LISTED_SELECT = SELECT.replace(
  'FROM assessment a',
  `, p.prison_number, p.given_name, p.family_name
   FROM assessment a`,
);

const toAssessment = (r: Row): Assessment => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  facilityId: r.facility_id,
  instrumentVersionId: r.instrument_version_id,
  instrument: {
    key: r.instrument_key,
    version: r.instrument_version,
    title: r.instrument_title,
    purpose: r.purpose,
  },
  revision: r.revision,
  supersedesId: r.supersedes_id,
  status: r.status,
  reason: r.reason,
  trigger: r.trigger,
  triggerEventId: r.trigger_event_id,
  assessor: { id: r.assessor_id, displayName: r.assessor_name },
  countersigner: r.countersigner_id
    ? { id: r.countersigner_id, displayName: r.countersigner_name! }
    : null,
  ratings: r.ratings,
  formulation: r.formulation,
  scenarios: r.scenarios,
  needs: r.needs,
  provisional: r.provisional,
  judgements: r.judgements,
  appraisal: r.appraisal,
  caseFactors: r.case_factors,
  doubleRating: r.double_rating,
  consensus: r.consensus,
  sharedFlags: r.shared_flags,
  finalRiskLevel: r.final_risk_level,
  finalRationale: r.final_rationale,
  recommendations: r.recommendations,
  prisonerParticipation: r.prisoner_participation,
  indicative: r.indicative,
  engineVersion: r.engine_version,
  nextReviewDue: r.next_review_due,
  submittedAt: r.submitted_at,
  approvedAt: r.approved_at,
  cancelledAt: r.cancelled_at,
  cancelReason: r.cancel_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
  sortKey: [r.sort_created, r.id],
});

const toDetail = (r: Row): AssessmentDetail => ({ ...toAssessment(r), history: r.history ?? [] });

const toListed = (r: Row): ListedAssessment => ({
  ...toAssessment(r),
  prisoner: {
    prisonNumber: r.prison_number!,
    givenName: r.given_name!,
    familyName: r.family_name!,
  },
});

/** What `search` filters on, besides the caller's read scope. */
export interface AssessmentSearch {
  scope: SqlFilter;
  statuses?: AssessmentStatus[];
  assessorId?: string;
  /**
   * Submitted assessments this user may countersign: in `scope` (their countersign rules),
   * written by someone else, and of an instrument they are certified for when it asks for it.
   */
  countersignableBy?: { userId: string; scope: SqlFilter };
  /** Keyset: rows after this sort key (see Assessment.sortKey). */
  after?: (string | number)[];
  limit: number;
}

/** A reassessment due (see DueItem), as the repository finds it. */
export interface DueRow {
  id: string;
  prisonerId: string;
  instrumentKey: string | null;
  assessmentId: string | null;
  dueDate: string;
  reason: string;
  /** What falls due: a new assessment, or a review of the current one. */
  action: 'reassess' | 'review';
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  inProgressAssessmentId: string | null;
  event: { id: string; type: string; occurredAt: Date } | null;
}

export interface DueSearch {
  scope: SqlFilter;
  facilityId?: string;
  before: string;
  after?: { dueDate: string; id: string };
  limit: number;
  /** The instrument an intake assessment must use (INSTRUMENT_FOR_INTAKE); else any risk one. */
  intake?: { key: string; versions: string[] };
}

const APPROVED_SUMMARY = `
  SELECT a.id, a.status, a.prisoner_id AS "prisonerId", a.instrument_version_id AS "instrumentVersionId",
    iv.key AS "instrumentKey", iv.version AS "instrumentVersion", iv.purpose,
    iv.content->'catalogue' AS catalogue, a.final_risk_level AS "finalRiskLevel", a.needs,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('code', j->>'code', 'level', j->'level')), '[]')
     FROM jsonb_array_elements(a.judgements) j) AS judgements,
    to_char(a.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "approvedAt",
    to_char(a.next_review_due, 'YYYY-MM-DD') AS "nextReviewDue"
  FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id`;

/** The assessments feature's SQL; rows leave here in camelCase. */
@Injectable()
export class AssessmentsRepository {
  /** One assessment with its history (a prepared statement: every read runs it). */
  async detail(m: EntityManager, id: string): Promise<AssessmentDetail | undefined> {
    const [row] = await prepared<Row>(m, 'assessment-detail', `${DETAIL_SELECT} WHERE a.id = $1`, [
      id,
    ]);
    return row && toDetail(row);
  }

  /** The assessment, locked for a change until the transaction ends. */
  async lock(m: EntityManager, id: string): Promise<Assessment | undefined> {
    const [row]: Row[] = await m.query(`${SELECT} WHERE a.id = $1 FOR UPDATE OF a`, [id]);
    return row && toAssessment(row);
  }

  /** A prisoner's assessments within `scope`, newest first: limit + 1 rows. */
  async pageForPrisoner(
    m: EntityManager,
    prisonerId: string,
    scope: SqlFilter,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Assessment[]> {
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const where = [scope.sql, `a.prisoner_id = ${bind(prisonerId)}::uuid`];
    if (after)
      where.push(
        `(a.created_at, a.id) < (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`,
      );
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map(toAssessment);
  }

  /** A prisoner's approved and superseded assessments within `scope`, in approval order. */
  async approvedForPrisoner(
    m: EntityManager,
    prisonerId: string,
    scope: SqlFilter,
  ): Promise<Assessment[]> {
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${scope.sql} AND a.prisoner_id = ${bind(prisonerId)}::uuid
         AND a.status IN ('approved', 'superseded')
       ORDER BY a.approved_at, a.id LIMIT 500`,
      params,
    );
    return rows.map(toAssessment);
  }

  /** Assessments across prisoners within `scope` and the filters, newest first: limit + 1. */
  async search(m: EntityManager, search: AssessmentSearch): Promise<ListedAssessment[]> {
    const params = [...search.scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const renumber = (filter: SqlFilter) => {
      const offset = params.length;
      params.push(...filter.params);
      return filter.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    };
    const where = [search.scope.sql];
    if (search.statuses) where.push(`a.status = ANY(${bind(search.statuses)}::text[])`);
    if (search.assessorId) where.push(`a.assessor_id = ${bind(search.assessorId)}::uuid`);
    const by = search.countersignableBy;
    if (by) {
      const user = bind(by.userId);
      where.push(
        `a.status = 'submitted'`,
        `a.assessor_id <> ${user}::uuid`,
        renumber(by.scope),
        `(NOT coalesce((iv.content ->> 'requiresCertification')::boolean, false)
          OR EXISTS (SELECT 1 FROM certification c WHERE c.user_id = ${user}::uuid
            AND c.instrument_key = iv.key AND c.valid_until >= current_date))`,
      );
    }
    if (search.after)
      where.push(
        `(a.created_at, a.id) < (${bind(search.after[0])}::timestamptz, ${bind(search.after[1])}::uuid)`,
      );
    const rows: Row[] = await m.query(
      `${LISTED_SELECT} WHERE ${where.join(' AND ')}
       ORDER BY a.created_at DESC, a.id DESC LIMIT ${bind(search.limit + 1)}`,
      params,
    );
    return rows.map(toListed);
  }

  /**
   * Serialises every start of an assessment (new or amendment) for one prisoner and instrument
   * until the transaction ends, so the check for an open one and the insert act as one step.
   * The partial unique index `assessment_open_instrument_key` holds the rule underneath.
   */
  async lockOpening(m: EntityManager, prisonerId: string, instrumentKey: string): Promise<void> {
    await m.query(
      `SELECT pg_advisory_xact_lock(hashtext('assessment'), hashtext($1 || ':' || $2))`,
      [prisonerId, instrumentKey],
    );
  }

  /** The prisoner's open assessment of that instrument, if any. */
  async openOf(
    m: EntityManager,
    prisonerId: string,
    instrumentKey: string,
  ): Promise<{ id: string; supersedesId: string | null } | undefined> {
    const [row]: { id: string; supersedes_id: string | null }[] = await m.query(
      `SELECT id, supersedes_id FROM assessment
       WHERE prisoner_id = $1 AND instrument_key = $2 AND status = ANY($3::text[]) LIMIT 1`,
      [prisonerId, instrumentKey, OPEN_STATUSES],
    );
    return row && { id: row.id, supersedesId: row.supersedes_id };
  }

  async eventRecorded(m: EntityManager, eventId: string, prisonerId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM prisoner_event WHERE id = $1 AND prisoner_id = $2`,
      [eventId, prisonerId],
    );
    return rows.length > 0;
  }

  async certified(m: EntityManager, userId: string, instrumentKey: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM certification WHERE user_id = $1 AND instrument_key = $2 AND valid_until >= current_date`,
      [userId, instrumentKey],
    );
    return rows.length > 0;
  }

  /**
   * Records a flag's first firing on an assessment, with the prisoner event that tells the
   * people it is shared with; false when it had already fired on this assessment.
   */
  async recordFlag(
    m: EntityManager,
    flag: {
      assessmentId: string;
      prisonerId: string;
      facilityId: string;
      code: string;
      label: string;
      severity: string;
      sharedWith: string[];
      firedBy: string;
      due: { action: string; within: string } | null;
    },
  ): Promise<boolean> {
    const [fired]: unknown[] = await m.query(
      `SELECT 1 FROM assessment_flag WHERE assessment_id = $1 AND flag_code = $2`,
      [flag.assessmentId, flag.code],
    );
    if (fired) return false;
    const [{ id: eventId }]: { id: string }[] = await m.query(
      `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, note, recorded_by)
       VALUES ($1, $2, 'warning_flag', now(), $3, $4) RETURNING id`,
      [flag.prisonerId, flag.facilityId, flag.label, flag.firedBy],
    );
    await m.query(
      `INSERT INTO assessment_flag (assessment_id, prisoner_id, flag_code, label, severity, shared_with,
         fired_by, event_id, due_action, due_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (now() + $10::interval)::date)`,
      [
        flag.assessmentId,
        flag.prisonerId,
        flag.code,
        flag.label,
        flag.severity,
        flag.sharedWith,
        flag.firedBy,
        eventId,
        flag.due?.action ?? null,
        flag.due?.within ?? null,
      ],
    );
    return true;
  }

  /**
   * Whether `eventId` (a recorded event or a flag's event) makes a review of the prisoner's
   * current approved assessment of `instrumentKey` due: the trigger naming its type says
   * `review`, or the flag it records says so.
   */
  async reviewDueFor(
    m: EntityManager,
    prisonerId: string,
    instrumentKey: string,
    eventId: string,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM prisoner_event e
       WHERE e.id = $1 AND e.prisoner_id = $2 AND (
         EXISTS (SELECT 1 FROM assessment_flag f JOIN assessment fa ON fa.id = f.assessment_id
                 JOIN instrument_version fv ON fv.id = fa.instrument_version_id
                 WHERE f.event_id = e.id AND f.due_action = 'review' AND fv.key = $3)
         OR EXISTS (SELECT 1 FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
                 CROSS JOIN LATERAL jsonb_array_elements(iv.content -> 'review' -> 'triggers') t
                 WHERE a.prisoner_id = e.prisoner_id AND a.status = 'approved' AND iv.key = $3
                   AND t ->> 'event' = e.type AND t ->> 'action' = 'review'))`,
      [eventId, prisonerId, instrumentKey],
    );
    return rows.length > 0;
  }

  /** Records a trigger review; false when that event was already reviewed for the instrument. */
  async insertTriggerReview(
    m: EntityManager,
    review: {
      prisonerId: string;
      assessmentId: string;
      instrumentKey: string;
      eventId: string;
      reviewerId: string;
      reviewedOn: string;
      outcome: string;
      rationale: string;
    },
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO trigger_review (prisoner_id, assessment_id, instrument_key, event_id, reviewer_id, reviewed_on,
         outcome, rationale)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ON CONSTRAINT trigger_review_once_key DO NOTHING RETURNING id`,
      [
        review.prisonerId,
        review.assessmentId,
        review.instrumentKey,
        review.eventId,
        review.reviewerId,
        review.reviewedOn,
        review.outcome,
        review.rationale,
      ],
    );
    return rows[0]?.id;
  }

  /** The trigger reviews of an assessment, oldest first. */
  async triggerReviewsOf(m: EntityManager, assessmentId: string): Promise<TriggerReviewRow[]> {
    return m.query(
      `SELECT r.id, r.event_id AS "eventId", e.type AS "eventType", r.outcome, r.rationale,
         to_char(r.reviewed_on, 'YYYY-MM-DD') AS "reviewedOn",
         json_build_object('id', u.id, 'displayName', u.display_name) AS reviewer,
         to_char(r.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "recordedAt"
       FROM trigger_review r JOIN app_user u ON u.id = r.reviewer_id JOIN prisoner_event e ON e.id = r.event_id
       WHERE r.assessment_id = $1 ORDER BY r.recorded_at, r.id`,
      [assessmentId],
    );
  }

  /** A new draft (revision 1) and its first transition. */
  async insert(m: EntityManager, a: NewAssessment): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO assessment (prisoner_id, instrument_version_id, reason, trigger, trigger_event_id, assessor_id,
         indicative, engine_version, double_rating)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        a.prisonerId,
        a.instrumentVersionId,
        a.reason,
        a.trigger,
        a.triggerEventId,
        a.assessorId,
        a.indicative,
        a.engineVersion,
        a.doubleRating ?? false,
      ],
    );
    await this.transition(m, id, null, 'draft', a.assessorId, null);
    return id;
  }

  /** Revision n+1 of an approved assessment as a draft, its content copied, by `assessorId`. */
  async insertAmendment(
    m: EntityManager,
    fromId: string,
    assessorId: string,
    reason: string,
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO assessment (prisoner_id, instrument_version_id, revision, supersedes_id, reason, trigger,
         trigger_event_id, assessor_id, ratings, formulation, scenarios, needs, final_risk_level, final_rationale,
         recommendations, prisoner_participation, indicative, engine_version, provisional, judgements, appraisal, case_factors,
         double_rating, consensus)
       SELECT prisoner_id, instrument_version_id, revision + 1, id, reason, trigger, trigger_event_id, $2, ratings,
         formulation, scenarios, needs, final_risk_level, final_rationale, recommendations, prisoner_participation,
         indicative, engine_version, provisional, judgements, appraisal, case_factors, double_rating, consensus
       FROM assessment WHERE id = $1 RETURNING id`,
      [fromId, assessorId],
    );
    await this.transition(m, id, null, 'draft', assessorId, reason);
    return id;
  }

  /** Writes the given fields and the engine's result, and moves the version on. */
  async update(
    m: EntityManager,
    id: string,
    changes: Partial<Record<EditableField, unknown>>,
    indicative: EvaluationResult,
    engineVersion: string,
  ): Promise<void> {
    const params: unknown[] = [id, JSON.stringify(indicative), engineVersion];
    const sets = ['indicative = $2', 'engine_version = $3'];
    for (const [field, value] of Object.entries(changes)) {
      const [column, type] = EDITABLE_COLUMNS[field as EditableField];
      const stored = type === 'json' && value !== null ? JSON.stringify(value) : value;
      sets.push(`${column} = $${params.push(stored)}`);
    }
    await m.query(
      `UPDATE assessment SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
      params,
    );
  }

  async submit(
    m: EntityManager,
    a: Assessment,
    actorId: string,
    indicative: EvaluationResult,
    engineVersion: string,
  ): Promise<void> {
    await m.query(
      `UPDATE assessment SET status = 'submitted', submitted_at = now(), indicative = $2, engine_version = $3,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [a.id, JSON.stringify(indicative), engineVersion],
    );
    await this.transition(m, a.id, a.status, 'submitted', actorId, null);
  }

  /** Approves a submitted assessment; the revision it amends (if any) is superseded. */
  async approve(
    m: EntityManager,
    a: Assessment,
    countersignerId: string,
    nextReviewDue: string,
    comments: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE assessment SET status = 'approved', approved_at = now(), countersigner_id = $2, next_review_due = $3,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [a.id, countersignerId, nextReviewDue],
    );
    if (a.supersedesId) {
      await m.query(
        `UPDATE assessment SET status = 'superseded', version = version + 1, updated_at = now()
         WHERE id = $1 AND status = 'approved'`,
        [a.supersedesId],
      );
      await this.transition(m, a.supersedesId, 'approved', 'superseded', countersignerId, null);
    }
    await this.transition(m, a.id, 'submitted', 'approved', countersignerId, comments);
  }

  /** Sends a submitted assessment back to its assessor with what to address. */
  async returnToAssessor(
    m: EntityManager,
    a: Assessment,
    actorId: string,
    comments: string,
  ): Promise<void> {
    await m.query(
      `UPDATE assessment SET status = 'returned', version = version + 1, updated_at = now() WHERE id = $1`,
      [a.id],
    );
    await this.transition(m, a.id, 'submitted', 'returned', actorId, comments);
  }

  async cancel(m: EntityManager, a: Assessment, actorId: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE assessment SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [a.id, reason],
    );
    await this.transition(m, a.id, a.status, 'cancelled', actorId, reason);
  }

  private async transition(
    m: EntityManager,
    id: string,
    from: string | null,
    to: string,
    actorId: string,
    comments: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_transition (assessment_id, from_status, to_status, actor_id, comments)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, from, to, actorId, comments],
    );
  }

  // ------------------------------------------------------------------ for other features

  /** The prisoner's current approved assessment of that purpose (newest approval). */
  async latestApproved(
    m: EntityManager,
    prisonerId: string,
    purpose: 'risk' | 'needs',
  ): Promise<ApprovedAssessmentSummary | undefined> {
    const [row]: (ApprovedAssessmentSummary & { status?: string })[] = await m.query(
      `${APPROVED_SUMMARY} WHERE a.prisoner_id = $1 AND a.status = 'approved' AND iv.purpose = $2
       ORDER BY a.approved_at DESC LIMIT 1`,
      [prisonerId, purpose],
    );
    if (!row) return undefined;
    const { status: _status, ...summary } = row;
    return summary;
  }

  /** The prisoner's current approved assessment of one instrument (newest approval), of `versions` if given. */
  async latestApprovedOf(
    m: EntityManager,
    prisonerId: string,
    instrumentKey: string,
    versions?: string[],
  ): Promise<ApprovedAssessmentSummary | undefined> {
    const [row]: (ApprovedAssessmentSummary & { status?: string })[] = await m.query(
      `${APPROVED_SUMMARY} WHERE a.prisoner_id = $1 AND a.status = 'approved' AND iv.key = $2
         AND ($3::text[] IS NULL OR iv.version = ANY($3::text[]))
       ORDER BY a.approved_at DESC LIMIT 1`,
      [prisonerId, instrumentKey, versions ?? null],
    );
    if (!row) return undefined;
    const { status: _status, ...summary } = row;
    return summary;
  }

  /** One assessment, if it is approved (or was, and has since been superseded). */
  async approvedById(
    m: EntityManager,
    id: string,
  ): Promise<(ApprovedAssessmentSummary & { status: string }) | undefined> {
    const [row]: (ApprovedAssessmentSummary & { status: string })[] = await m.query(
      `${APPROVED_SUMMARY} WHERE a.id = $1 AND a.status IN ('approved', 'superseded')`,
      [id],
    );
    return row;
  }

  /**
   * Reassessments due for prisoners in `scope` by `before`, in (due date, id) order: scheduled
   * ones, ones made due by events and by the expected release date, and intake assessments
   * not yet started. Each names the assessment in progress for it, if one is.
   */
  async due(m: EntityManager, search: DueSearch): Promise<DueRow[]> {
    const params = [...search.scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    // Prisoners on the roll only: a discharge ends reassessments and intake assessments.
    const prisonerFilter = [search.scope.sql, `p.discharged_on IS NULL`];
    if (search.facilityId) prisonerFilter.push(`p.facility_id = ${bind(search.facilityId)}::uuid`);
    const before = bind(search.before);
    const afterDue = bind(search.after?.dueDate ?? '0001-01-01');
    const afterId = bind(search.after?.id ?? '');
    const limit = bind(search.limit + 1);
    const intakeKey = search.intake ? bind(search.intake.key) : 'NULL';
    const intakeDone = search.intake
      ? `iv.key = ${intakeKey} AND iv.version = ANY(${bind(search.intake.versions)}::text[])`
      : `iv.purpose = 'risk'`;
    const rows: {
      id: string;
      prisoner_id: string;
      key: string | null;
      assessment_id: string | null;
      due: string;
      reason: string;
      action: string | null;
      prison_number: string;
      name: string;
      facility_id: string;
      in_progress_id: string | null;
      event_id: string | null;
      event_type: string | null;
      event_at: Date | null;
    }[] = await m.query(
      `WITH scoped AS (
         SELECT p.id, p.prison_number, p.given_name || ' ' || p.family_name AS name, p.facility_id,
           p.expected_release_date, p.created_at
         FROM prisoner p WHERE ${prisonerFilter.join(' AND ')}),
       -- Each prisoner's newest approval per instrument, through the approvals index prisoner by
       -- prisoner (a join over all approvals read the whole table at national scale).
       latest AS (
         SELECT l.id, s.id AS prisoner_id, l.instrument_key AS key, l.instrument_version_id,
           l.approved_at, l.next_review_due
         FROM scoped s CROSS JOIN LATERAL (
           SELECT DISTINCT ON (a.instrument_key) a.id, a.instrument_key, a.instrument_version_id,
             a.approved_at, a.next_review_due
           FROM assessment a WHERE a.prisoner_id = s.id AND a.status = 'approved'
           ORDER BY a.instrument_key, a.approved_at DESC) l),
       -- The review triggers of each version, read once rather than once per prisoner.
       triggers AS (
         SELECT iv.id AS version_id, t
         FROM instrument_version iv
         CROSS JOIN LATERAL jsonb_array_elements(iv.content -> 'review' -> 'triggers') t
         WHERE iv.id IN (SELECT DISTINCT instrument_version_id FROM latest)),
       items AS (
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key AS id, l.prisoner_id, l.key, l.id AS assessment_id,
           l.next_review_due AS due, 'scheduled' AS reason, NULL::uuid AS event_id, 'reassess' AS action
         FROM latest l WHERE l.next_review_due IS NOT NULL
         UNION ALL
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key || ':event:' || e.id, l.prisoner_id, l.key, l.id,
           (e.occurred_at + (t ->> 'within')::interval)::date, 'event', e.id, t ->> 'action'
         FROM latest l
         JOIN prisoner_event e ON e.prisoner_id = l.prisoner_id AND e.occurred_at > l.approved_at
         JOIN triggers tr ON tr.version_id = l.instrument_version_id
         WHERE t ->> 'event' = e.type AND e.type <> 'pre_release'
           -- A review is closed by its recorded trigger review (a reassessment by a new approval).
           AND NOT (t ->> 'action' = 'review' AND EXISTS (
             SELECT 1 FROM trigger_review r WHERE r.event_id = e.id AND r.instrument_key = l.key))
         UNION ALL
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key || ':pre_release', l.prisoner_id, l.key, l.id,
           (s.expected_release_date - (t ->> 'leadTime')::interval)::date, 'pre_release', NULL, t ->> 'action'
         FROM latest l JOIN scoped s ON s.id = l.prisoner_id
         JOIN triggers tr ON tr.version_id = l.instrument_version_id
         WHERE t ->> 'event' = 'pre_release' AND t ? 'leadTime' AND s.expected_release_date IS NOT NULL
           AND s.expected_release_date - (t ->> 'leadTime')::interval > l.approved_at
         UNION ALL
         -- A flag that makes a review due, until an assessment of the instrument is approved after it.
         SELECT 'reassessment:' || f.prisoner_id || ':' || iv.key || ':flag:' || f.id, f.prisoner_id, iv.key,
           f.assessment_id, f.due_date, 'flag', f.event_id, f.due_action
         FROM assessment_flag f JOIN scoped s ON s.id = f.prisoner_id
         JOIN assessment fa ON fa.id = f.assessment_id
         JOIN instrument_version iv ON iv.id = fa.instrument_version_id
         WHERE f.due_date IS NOT NULL
           AND NOT (f.due_action = 'review' AND EXISTS (
             SELECT 1 FROM trigger_review r WHERE r.event_id = f.event_id AND r.instrument_key = iv.key))
           AND NOT EXISTS (
           SELECT 1 FROM assessment x JOIN instrument_version xv ON xv.id = x.instrument_version_id
           WHERE x.prisoner_id = f.prisoner_id AND xv.key = iv.key AND x.approved_at > f.fired_at)
         UNION ALL
         -- A trigger review that decided to reassess or amend: due at once, until an approval.
         SELECT 'reassessment:' || r.prisoner_id || ':' || r.instrument_key || ':review:' || r.id, r.prisoner_id,
           r.instrument_key, r.assessment_id, r.reviewed_on, 'review_outcome', r.event_id, 'reassess'
         FROM trigger_review r JOIN scoped s ON s.id = r.prisoner_id
         WHERE r.outcome <> 'no_change' AND NOT EXISTS (
           SELECT 1 FROM assessment x JOIN instrument_version xv ON xv.id = x.instrument_version_id
           WHERE x.prisoner_id = r.prisoner_id AND xv.key = r.instrument_key AND x.approved_at > r.recorded_at)
         UNION ALL
         SELECT 'reassessment:' || s.id || ':intake', s.id, ${intakeKey}::text, NULL, s.created_at::date, 'intake', NULL, 'reassess'
         FROM scoped s
         WHERE NOT EXISTS (
           SELECT 1 FROM assessment a
           WHERE a.prisoner_id = s.id AND a.status <> 'cancelled' AND a.instrument_version_id IN (
             SELECT iv.id FROM instrument_version iv WHERE ${intakeDone})))
       SELECT i.id, i.prisoner_id, i.key, i.assessment_id, to_char(i.due, 'YYYY-MM-DD') AS due, i.reason, i.action,
         s.prison_number, s.name, s.facility_id, e.id AS event_id, e.type AS event_type, e.occurred_at AS event_at,
         (SELECT a.id FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
          WHERE a.prisoner_id = i.prisoner_id AND (i.key IS NULL AND iv.purpose = 'risk' OR iv.key = i.key)
            AND a.status IN ('draft', 'submitted', 'returned')
          ORDER BY a.created_at DESC LIMIT 1) AS in_progress_id
       FROM items i JOIN scoped s ON s.id = i.prisoner_id LEFT JOIN prisoner_event e ON e.id = i.event_id
       -- What an event or a flag made due is listed at once, whatever the horizon asked for.
       WHERE (i.due <= ${before}::date OR i.reason IN ('event', 'flag', 'review_outcome'))
         AND (i.due, i.id COLLATE "C") > (${afterDue}::date, ${afterId}::text COLLATE "C")
       ORDER BY i.due, i.id COLLATE "C" LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      prisonerId: r.prisoner_id,
      instrumentKey: r.key,
      assessmentId: r.assessment_id,
      dueDate: r.due,
      reason: r.reason,
      action: (r.action ?? 'reassess') as DueRow['action'],
      prisonNumber: r.prison_number,
      prisonerName: r.name,
      facilityId: r.facility_id,
      inProgressAssessmentId: r.in_progress_id,
      event: r.event_id ? { id: r.event_id, type: r.event_type!, occurredAt: r.event_at! } : null,
    }));
  }
}
