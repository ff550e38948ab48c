import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import { prepared } from '../database/prepared.js';
import type {
  Consent,
  Goal,
  GoalStatus,
  InterventionStatus,
  PlanIntervention,
  PlanStatus,
  Priority,
} from './plan-content.js';

const TS = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const DAY = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/** A member of staff as a plan shows them. */
export interface StaffName {
  id: string;
  displayName: string;
}

export interface ReleaseTask {
  description: string;
  dueDate: string | null;
  status: string;
}

export interface Handover {
  agency: string;
  date: string;
  sharedWhat: string;
  legalBasis: string | null;
}

export interface Agreement {
  response: string;
  prisonerWords: string | null;
  recordedOn: string;
  recordedBy: StaffName | null;
}

/** A plan (its current revision) as the feature works with it; timestamps are ISO strings. */
export interface Plan {
  id: string;
  prisonerId: string;
  /** The prisoner's current facility, which scopes access to the plan. */
  facilityId: string;
  revision: number;
  revisedAt: string | null;
  basedOnAssessmentId: string;
  riskAssessmentId: string | null;
  riskLevel: string | null;
  catalogueVersionId: string;
  status: PlanStatus;
  agreement: Agreement | null;
  release: { expectedReleaseDate: string | null; tasks: ReleaseTask[]; handovers: Handover[] };
  author: StaffName;
  submittedBy: StaffName | null;
  submittedAt: string | null;
  approver: StaffName | null;
  approvedAt: string | null;
  suspendedAt: string | null;
  suspendReason: string | null;
  completedAt: string | null;
  completionNote: string | null;
  closedAt: string | null;
  closeReason: string | null;
  /** The newest return to draft by a supervisor, with what to change. */
  returned: { by: StaffName; at: string; comments: string } | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Names of the staff an intervention refers to, for the response. */
export interface InterventionNames {
  responsibleStaff: string | null;
  consentRecordedBy: string | null;
}

export const PROPOSAL_STATUSES = ['draft', 'submitted', 'returned'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/**
 * The pending revision of an active or suspended plan: a material change that waits for a
 * supervisor's approval while the current revision governs delivery.
 */
export interface Proposal {
  id: string;
  /** The number it takes when approved. */
  revision: number;
  basedOnRevision: number;
  status: ProposalStatus;
  basedOnAssessmentId: string;
  riskAssessmentId: string | null;
  riskLevel: string | null;
  goals: Goal[];
  interventions: PlanIntervention[];
  changedFields: string[];
  author: StaffName;
  submittedBy: StaffName | null;
  submittedAt: string | null;
  returnedBy: StaffName | null;
  returnedAt: string | null;
  returnComments: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LoadedPlan {
  plan: Plan;
  goals: Goal[];
  interventions: PlanIntervention[];
  names: Map<string, InterventionNames>;
  lastReview: { date: string; nextReviewDate: string } | null;
  proposal: Proposal | null;
}

export interface PlanSummary {
  id: string;
  prisonerId: string;
  status: PlanStatus;
  revision: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  approvedAt: string | null;
  completedAt: string | null;
  closedAt: string | null;
  /** The keyset sort key of the list (microseconds). */
  cursorAt: string;
}

export interface Session {
  id: string;
  interventionId: string | null;
  date: string;
  attendance: string;
  engagement: number | null;
  notes: string | null;
  recordedBy: StaffName;
  recordedAt: string;
}

export interface Review {
  id: string;
  revision: number;
  date: string;
  attendees: string[];
  goalProgress: { goalId: string; status: string; note: string | null }[];
  summary: string;
  nextReviewDate: string;
  recordedBy: StaffName;
  recordedAt: string;
}

export interface RevisionEntry {
  revision: number;
  startedAt: string;
  supersededAt: string | null;
  supersededBy: StaffName | null;
}

/** A plan review due, as `GET /reviews/due` lists it. */
export interface PlanReviewDue {
  planId: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  dueDate: string;
  reason: 'scheduled' | 'needs_changed';
}

/** A plan in a work list across prisoners (home pages, the approval queue): no content. */
export interface ListedPlan {
  id: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  status: PlanStatus;
  revision: number;
  authorId: string;
  authorName: string;
  submittedById: string | null;
  submittedAt: string | null;
  returnedAt: string | null;
  updatedAt: string;
  /** The pending revision's number, status, author and submitter, when there is one. */
  proposal: {
    revision: number;
    status: ProposalStatus;
    authorId: string;
    submittedById: string | null;
  } | null;
  /** The keyset sort key (microseconds). */
  cursorAt: string;
}

/** A prisoner's current approved needs assessment, for a prisoner with no open plan. */
export interface ReadyForPlan {
  assessmentId: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  instrumentKey: string;
  instrumentVersion: string;
  approvedAt: string;
}

/** Written as `now()` by the database. */
export const NOW = Symbol('now');

/** The plan columns a change may write, by field. */
const PLAN_COLUMNS = {
  basedOnAssessmentId: 'based_on_assessment_id',
  riskAssessmentId: 'risk_assessment_id',
  riskLevel: 'risk_level',
  agreementResponse: 'agreement_response',
  agreementWords: 'agreement_words',
  agreementRecordedOn: 'agreement_recorded_on',
  agreementRecordedBy: 'agreement_recorded_by',
  expectedReleaseDate: 'expected_release_date',
  releaseTasks: 'release_tasks',
  releaseHandovers: 'release_handovers',
  status: 'status',
  submittedBy: 'submitted_by',
  submittedAt: 'submitted_at',
  approverId: 'approver_id',
  approvedAt: 'approved_at',
  suspendedAt: 'suspended_at',
  suspendReason: 'suspend_reason',
  completedAt: 'completed_at',
  completionNote: 'completion_note',
  closedAt: 'closed_at',
  returnedBy: 'returned_by',
  returnedAt: 'returned_at',
  returnComments: 'return_comments',
  closeReason: 'close_reason',
} as const;

export type PlanChanges = Partial<Record<keyof typeof PLAN_COLUMNS, unknown>>;

const PROPOSAL_COLUMNS = {
  status: 'status',
  basedOnAssessmentId: 'based_on_assessment_id',
  riskAssessmentId: 'risk_assessment_id',
  riskLevel: 'risk_level',
  goals: 'goals',
  interventions: 'interventions',
  changedFields: 'changed_fields',
  submittedBy: 'submitted_by',
  submittedAt: 'submitted_at',
  returnedBy: 'returned_by',
  returnedAt: 'returned_at',
  returnComments: 'return_comments',
  approverId: 'approver_id',
  approvedAt: 'approved_at',
  withdrawnBy: 'withdrawn_by',
  withdrawnAt: 'withdrawn_at',
  withdrawReason: 'withdraw_reason',
} as const;

export type ProposalChanges = Partial<Record<keyof typeof PROPOSAL_COLUMNS, unknown>>;

/** Fields stored as jsonb. */
const JSON_FIELDS = new Set(['releaseTasks', 'releaseHandovers', 'goals', 'interventions']);

/** `SET` clauses for `changes` (NOW as now()), binding the values into `params`. */
function sets(columns: Record<string, string>, changes: object, params: unknown[]): string[] {
  return Object.entries(changes).map(([field, value]) => {
    const column = columns[field];
    if (!column) throw new Error(`no column for ${field}`);
    if (value === NOW) return `${column} = now()`;
    return `${column} = $${params.push(JSON_FIELDS.has(field) ? JSON.stringify(value) : value)}`;
  });
}

interface PlanRow {
  id: string;
  prisoner_id: string;
  facility_id: string;
  revision: number;
  revised_at: string | null;
  based_on_assessment_id: string;
  risk_assessment_id: string | null;
  risk_level: string | null;
  catalogue_version_id: string;
  status: PlanStatus;
  agreement_response: string | null;
  agreement_words: string | null;
  agreement_recorded_on: string | null;
  agreement_recorded_by: string | null;
  agreement_recorded_by_name: string | null;
  expected_release_date: string | null;
  release_tasks: ReleaseTask[];
  release_handovers: Handover[];
  author_id: string;
  author_name: string;
  submitted_by: string | null;
  submitted_by_name: string | null;
  submitted_at: string | null;
  approver_id: string | null;
  approver_name: string | null;
  approved_at: string | null;
  suspended_at: string | null;
  suspend_reason: string | null;
  completed_at: string | null;
  completion_note: string | null;
  closed_at: string | null;
  close_reason: string | null;
  returned_by: string | null;
  returned_by_name: string | null;
  returned_at: string | null;
  return_comments: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

/**
 * A staff member's display name as a scalar subquery: five joins to app_user made planning
 * this query cost more than running it, on every plan read.
 */
const NAME = (column: string) => `(SELECT display_name FROM app_user WHERE id = ${column})`;

const PLAN_SELECT = `
  SELECT pl.id, pl.prisoner_id, p.facility_id, pl.revision, ${TS('pl.revised_at')} AS revised_at,
    pl.based_on_assessment_id, pl.risk_assessment_id, pl.risk_level, pl.catalogue_version_id,
    pl.status, pl.agreement_response, pl.agreement_words,
    ${DAY('pl.agreement_recorded_on')} AS agreement_recorded_on, pl.agreement_recorded_by,
    ${NAME('pl.agreement_recorded_by')} AS agreement_recorded_by_name,
    ${DAY('pl.expected_release_date')} AS expected_release_date, pl.release_tasks,
    pl.release_handovers, pl.author_id, ${NAME('pl.author_id')} AS author_name, pl.submitted_by,
    ${NAME('pl.submitted_by')} AS submitted_by_name, ${TS('pl.submitted_at')} AS submitted_at,
    pl.approver_id, ${NAME('pl.approver_id')} AS approver_name, ${TS('pl.approved_at')} AS approved_at,
    ${TS('pl.suspended_at')} AS suspended_at, pl.suspend_reason,
    ${TS('pl.completed_at')} AS completed_at, pl.completion_note,
    ${TS('pl.closed_at')} AS closed_at, pl.close_reason,
    pl.returned_by, ${NAME('pl.returned_by')} AS returned_by_name, ${TS('pl.returned_at')} AS returned_at,
    pl.return_comments,
    ${TS('pl.created_at')} AS created_at, ${TS('pl.updated_at')} AS updated_at, pl.version
  FROM programme_plan pl
  JOIN prisoner p ON p.id = pl.prisoner_id`;

const staff = (id: string | null, name: string | null | undefined): StaffName | null =>
  id ? { id, displayName: name ?? '' } : null;

const toPlan = (r: PlanRow): Plan => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  facilityId: r.facility_id,
  revision: r.revision,
  revisedAt: r.revised_at,
  basedOnAssessmentId: r.based_on_assessment_id,
  riskAssessmentId: r.risk_assessment_id,
  riskLevel: r.risk_level,
  catalogueVersionId: r.catalogue_version_id,
  status: r.status,
  agreement: r.agreement_response
    ? {
        response: r.agreement_response,
        prisonerWords: r.agreement_words,
        recordedOn: r.agreement_recorded_on!,
        recordedBy: staff(r.agreement_recorded_by, r.agreement_recorded_by_name),
      }
    : null,
  release: {
    expectedReleaseDate: r.expected_release_date,
    tasks: r.release_tasks,
    handovers: r.release_handovers,
  },
  author: { id: r.author_id, displayName: r.author_name },
  submittedBy: staff(r.submitted_by, r.submitted_by_name),
  submittedAt: r.submitted_at,
  approver: staff(r.approver_id, r.approver_name),
  approvedAt: r.approved_at,
  suspendedAt: r.suspended_at,
  suspendReason: r.suspend_reason,
  completedAt: r.completed_at,
  completionNote: r.completion_note,
  closedAt: r.closed_at,
  closeReason: r.close_reason,
  returned: r.returned_by
    ? {
        by: { id: r.returned_by, displayName: r.returned_by_name ?? '' },
        at: r.returned_at!,
        comments: r.return_comments!,
      }
    : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

interface ProposalRow {
  id: string;
  revision: number;
  based_on_revision: number;
  status: ProposalStatus;
  based_on_assessment_id: string;
  risk_assessment_id: string | null;
  risk_level: string | null;
  goals: Goal[];
  interventions: PlanIntervention[];
  changed_fields: string[];
  author_id: string;
  author_name: string;
  submitted_by: string | null;
  submitted_by_name: string | null;
  submitted_at: string | null;
  returned_by: string | null;
  returned_by_name: string | null;
  returned_at: string | null;
  return_comments: string | null;
  created_at: string;
  updated_at: string;
}

const toProposal = (r: ProposalRow): Proposal => ({
  id: r.id,
  revision: r.revision,
  basedOnRevision: r.based_on_revision,
  status: r.status,
  basedOnAssessmentId: r.based_on_assessment_id,
  riskAssessmentId: r.risk_assessment_id,
  riskLevel: r.risk_level,
  goals: r.goals,
  interventions: r.interventions,
  changedFields: r.changed_fields,
  author: { id: r.author_id, displayName: r.author_name },
  submittedBy: staff(r.submitted_by, r.submitted_by_name),
  submittedAt: r.submitted_at,
  returnedBy: staff(r.returned_by, r.returned_by_name),
  returnedAt: r.returned_at,
  returnComments: r.return_comments,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SESSION_SELECT = `
  SELECT s.id, s.intervention_id, ${DAY('s.date')} AS date, s.attendance, s.engagement, s.notes,
    s.recorded_by, u.display_name AS recorded_by_name, ${TS('s.recorded_at')} AS recorded_at
  FROM plan_session s JOIN app_user u ON u.id = s.recorded_by`;

interface SessionRow {
  id: string;
  intervention_id: string | null;
  date: string;
  attendance: string;
  engagement: number | null;
  notes: string | null;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: string;
}

const toSession = (r: SessionRow): Session => ({
  id: r.id,
  interventionId: r.intervention_id,
  date: r.date,
  attendance: r.attendance,
  engagement: r.engagement,
  notes: r.notes,
  recordedBy: { id: r.recorded_by, displayName: r.recorded_by_name },
  recordedAt: r.recorded_at,
});

const REVIEW_SELECT = `
  SELECT r.id, r.revision, ${DAY('r.date')} AS date, r.attendees, r.goal_progress, r.summary,
    ${DAY('r.next_review_date')} AS next_review_date, r.recorded_by,
    u.display_name AS recorded_by_name, ${TS('r.recorded_at')} AS recorded_at
  FROM plan_review r JOIN app_user u ON u.id = r.recorded_by`;

interface ReviewRow {
  id: string;
  revision: number;
  date: string;
  attendees: string[];
  goal_progress: { goalId: string; status: string; note: string | null }[];
  summary: string;
  next_review_date: string;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: string;
}

const toReview = (r: ReviewRow): Review => ({
  id: r.id,
  revision: r.revision,
  date: r.date,
  attendees: r.attendees,
  goalProgress: r.goal_progress,
  summary: r.summary,
  nextReviewDate: r.next_review_date,
  recordedBy: { id: r.recorded_by, displayName: r.recorded_by_name },
  recordedAt: r.recorded_at,
});

/** The plans feature's SQL; rows leave here in camelCase. */
@Injectable()
export class PlansRepository {
  /**
   * A plan read runs the same few statements every time (the plan, its goals, interventions,
   * last review and pending revision): they are prepared once per connection, which saves
   * PostgreSQL planning them on every read (about 2 ms of a read's 4 ms in the database, at
   * full scale).
   */
  async find(m: EntityManager, id: string, lock = false): Promise<Plan | undefined> {
    const [row] = lock
      ? ((await m.query(`${PLAN_SELECT} WHERE pl.id = $1 FOR UPDATE OF pl`, [id])) as PlanRow[])
      : await prepared<PlanRow>(m, 'plan-find', `${PLAN_SELECT} WHERE pl.id = $1`, [id]);
    return row && toPlan(row);
  }

  /** The plan (`known`, when just read) with its goals, interventions, last review and pending revision. */
  async load(
    m: EntityManager,
    id: string,
    lock = false,
    known?: Plan,
  ): Promise<LoadedPlan | undefined> {
    const plan = known ?? (await this.find(m, id, lock));
    if (!plan) return undefined;
    const goals = await this.goals(m, id);
    const { interventions, names } = await this.interventions(m, id);
    const lastReview = await this.lastReview(m, id);
    const proposal = (await this.proposal(m, id)) ?? null;
    return { plan, goals, interventions, names, lastReview, proposal };
  }

  async goals(m: EntityManager, planId: string): Promise<Goal[]> {
    const rows: {
      id: string;
      need_code: string;
      priority: Priority | null;
      description: string;
      target_date: string | null;
      status: GoalStatus;
    }[] = await prepared(
      m,
      'plan-goals',
      `SELECT id, need_code, priority, description, ${DAY('target_date')} AS target_date, status
       FROM plan_goal WHERE plan_id = $1 AND removed_at IS NULL ORDER BY position`,
      [planId],
    );
    return rows.map((r) => ({
      id: r.id,
      needCode: r.need_code,
      priority: r.priority,
      description: r.description,
      targetDate: r.target_date,
      status: r.status,
    }));
  }

  async interventions(
    m: EntityManager,
    planId: string,
  ): Promise<{ interventions: PlanIntervention[]; names: Map<string, InterventionNames> }> {
    const rows: {
      id: string;
      catalogue_code: string;
      goal_ids: string[];
      discipline: string;
      responsible_staff_id: string | null;
      responsible_staff_name: string | null;
      provider: string | null;
      frequency: string;
      planned_start: string;
      planned_end: string | null;
      location: string | null;
      status: InterventionStatus;
      consent_required: boolean;
      consent_given: boolean | null;
      consent_recorded_on: string | null;
      consent_note: string | null;
      consent_recorded_by: string | null;
      consent_recorded_by_name: string | null;
    }[] = await prepared(
      m,
      'plan-interventions',
      `SELECT i.id, i.catalogue_code, i.goal_ids::text[] AS goal_ids, i.discipline,
         i.responsible_staff_id, rs.display_name AS responsible_staff_name, i.provider, i.frequency,
         ${DAY('i.planned_start')} AS planned_start, ${DAY('i.planned_end')} AS planned_end,
         i.location, i.status, i.consent_required, i.consent_given,
         ${DAY('i.consent_recorded_on')} AS consent_recorded_on, i.consent_note,
         i.consent_recorded_by, cr.display_name AS consent_recorded_by_name
       FROM plan_intervention i
       LEFT JOIN app_user rs ON rs.id = i.responsible_staff_id
       LEFT JOIN app_user cr ON cr.id = i.consent_recorded_by
       WHERE i.plan_id = $1 AND i.removed_at IS NULL ORDER BY i.position`,
      [planId],
    );
    const names = new Map<string, InterventionNames>();
    const interventions = rows.map((r): PlanIntervention => {
      names.set(r.id, {
        responsibleStaff: r.responsible_staff_name,
        consentRecordedBy: r.consent_recorded_by_name,
      });
      const consent: Consent | null =
        r.consent_given === null
          ? null
          : {
              given: r.consent_given,
              recordedOn: r.consent_recorded_on!,
              note: r.consent_note,
              recordedBy: r.consent_recorded_by,
            };
      return {
        id: r.id,
        catalogueCode: r.catalogue_code,
        goalIds: r.goal_ids,
        discipline: r.discipline,
        responsibleStaffId: r.responsible_staff_id,
        provider: r.provider,
        frequency: r.frequency,
        plannedStart: r.planned_start,
        plannedEnd: r.planned_end,
        location: r.location,
        status: r.status,
        consentRequired: r.consent_required,
        consent,
      };
    });
    return { interventions, names };
  }

  async lastReview(
    m: EntityManager,
    planId: string,
  ): Promise<{ date: string; nextReviewDate: string } | null> {
    const [row]: { date: string; next_review_date: string }[] = await prepared(
      m,
      'plan-last-review',
      `SELECT ${DAY('date')} AS date, ${DAY('next_review_date')} AS next_review_date
       FROM plan_review WHERE plan_id = $1 ORDER BY date DESC, recorded_at DESC LIMIT 1`,
      [planId],
    );
    return row ? { date: row.date, nextReviewDate: row.next_review_date } : null;
  }

  /**
   * Where the prisoner is held and their expected release date; the prisoner row is locked
   * against a transfer until the transaction ends.
   */
  async prisoner(
    m: EntityManager,
    prisonerId: string,
  ): Promise<
    { prisonerId: string; facilityId: string; expectedReleaseDate: string | null } | undefined
  > {
    const [row]: { facility_id: string; expected_release_date: string | null }[] = await m.query(
      `SELECT facility_id, ${DAY('expected_release_date')} AS expected_release_date
       FROM prisoner WHERE id = $1 FOR SHARE`,
      [prisonerId],
    );
    return (
      row && {
        prisonerId,
        facilityId: row.facility_id,
        expectedReleaseDate: row.expected_release_date,
      }
    );
  }

  /** The prisoner's open plan, if any (draft, pending approval, active or suspended). */
  async openPlanOf(m: EntityManager, prisonerId: string): Promise<string | undefined> {
    const [row]: { id: string }[] = await m.query(
      `SELECT id FROM programme_plan
       WHERE prisoner_id = $1 AND status IN ('draft', 'pending_approval', 'active', 'suspended')`,
      [prisonerId],
    );
    return row?.id;
  }

  /** Serialises plan creation for one prisoner (the open-plan check, then the insert). */
  async lockPrisonerPlans(m: EntityManager, prisonerId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('programme_plan'), hashtext($1))`, [
      prisonerId,
    ]);
  }

  async listForPrisoner(
    m: EntityManager,
    prisonerId: string,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<PlanSummary[]> {
    const params: unknown[] = [prisonerId, limit + 1];
    let keyset = '';
    if (after) {
      params.push(after[0], after[1]);
      keyset = `AND (pl.created_at, pl.id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows: {
      id: string;
      prisoner_id: string;
      status: PlanStatus;
      revision: number;
      version: number;
      created_at: string;
      updated_at: string;
      approved_at: string | null;
      completed_at: string | null;
      closed_at: string | null;
      cursor_at: string;
    }[] = await m.query(
      `SELECT pl.id, pl.prisoner_id, pl.status, pl.revision, pl.version,
         ${TS('pl.created_at')} AS created_at, ${TS('pl.updated_at')} AS updated_at,
         ${TS('pl.approved_at')} AS approved_at, ${TS('pl.completed_at')} AS completed_at,
         ${TS('pl.closed_at')} AS closed_at,
         to_char(pl.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM programme_plan pl WHERE pl.prisoner_id = $1 ${keyset}
       ORDER BY pl.created_at DESC, pl.id DESC LIMIT $2`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      prisonerId: r.prisoner_id,
      status: r.status,
      revision: r.revision,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      approvedAt: r.approved_at,
      completedAt: r.completed_at,
      closedAt: r.closed_at,
      cursorAt: r.cursor_at,
    }));
  }

  async insertPlan(
    m: EntityManager,
    plan: {
      prisonerId: string;
      basedOnAssessmentId: string;
      riskAssessmentId: string | null;
      riskLevel: string | null;
      catalogueVersionId: string;
      expectedReleaseDate: string | null;
      authorId: string;
    },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO programme_plan (prisoner_id, based_on_assessment_id, risk_assessment_id,
         risk_level, catalogue_version_id, expected_release_date, author_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        plan.prisonerId,
        plan.basedOnAssessmentId,
        plan.riskAssessmentId,
        plan.riskLevel,
        plan.catalogueVersionId,
        plan.expectedReleaseDate,
        plan.authorId,
      ],
    );
    return id;
  }

  /**
   * Writes the given fields and moves the version on (its representation changed);
   * `newRevision` also starts the next revision.
   */
  async update(
    m: EntityManager,
    id: string,
    changes: PlanChanges,
    newRevision = false,
  ): Promise<void> {
    const params: unknown[] = [id];
    const clauses = sets(PLAN_COLUMNS, changes, params);
    if (newRevision) clauses.push('revision = revision + 1', 'revised_at = now()');
    clauses.push('version = version + 1', 'updated_at = now()');
    await m.query(`UPDATE programme_plan SET ${clauses.join(', ')} WHERE id = $1`, params);
  }

  /**
   * Makes the stored goals equal `next` (in that order): inserts new ones, updates changed or
   * moved ones, and marks the rest removed. Never deletes.
   */
  async saveGoals(m: EntityManager, planId: string, before: Goal[], next: Goal[]): Promise<void> {
    const old = new Map(before.map((g, i) => [g.id, { goal: g, position: i }]));
    for (const [position, goal] of next.entries()) {
      const was = old.get(goal.id);
      const values = [
        goal.id,
        planId,
        position,
        goal.needCode,
        goal.priority,
        goal.description,
        goal.targetDate,
        goal.status,
      ];
      if (!was) {
        await m.query(
          `INSERT INTO plan_goal (id, plan_id, position, need_code, priority, description,
             target_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          values,
        );
      } else if (was.position !== position || JSON.stringify(was.goal) !== JSON.stringify(goal)) {
        await m.query(
          `UPDATE plan_goal SET position = $3, need_code = $4, priority = $5, description = $6,
             target_date = $7, status = $8, version = version + 1, updated_at = now()
           WHERE id = $1 AND plan_id = $2`,
          values,
        );
      }
    }
    const kept = new Set(next.map((g) => g.id));
    const removed = before.filter((g) => !kept.has(g.id)).map((g) => g.id);
    if (removed.length > 0) {
      await m.query(
        `UPDATE plan_goal SET removed_at = now(), version = version + 1, updated_at = now()
         WHERE plan_id = $1 AND id = ANY($2::uuid[])`,
        [planId, removed],
      );
    }
  }

  /** As saveGoals, for interventions. */
  async saveInterventions(
    m: EntityManager,
    planId: string,
    before: PlanIntervention[],
    next: PlanIntervention[],
  ): Promise<void> {
    const old = new Map(before.map((item, i) => [item.id, { item, position: i }]));
    for (const [position, item] of next.entries()) {
      const was = old.get(item.id);
      const values = [
        item.id,
        planId,
        position,
        item.catalogueCode,
        item.goalIds,
        item.discipline,
        item.responsibleStaffId,
        item.provider,
        item.frequency,
        item.plannedStart,
        item.plannedEnd,
        item.location,
        item.status,
        item.consentRequired,
        item.consent?.given ?? null,
        item.consent?.recordedOn ?? null,
        item.consent?.note ?? null,
        item.consent?.recordedBy ?? null,
      ];
      if (!was) {
        await m.query(
          `INSERT INTO plan_intervention (id, plan_id, position, catalogue_code, goal_ids, discipline,
             responsible_staff_id, provider, frequency, planned_start, planned_end, location, status,
             consent_required, consent_given, consent_recorded_on, consent_note, consent_recorded_by)
           VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
             $17, $18)`,
          values,
        );
      } else if (was.position !== position || JSON.stringify(was.item) !== JSON.stringify(item)) {
        await m.query(
          `UPDATE plan_intervention SET position = $3, catalogue_code = $4, goal_ids = $5::uuid[],
             discipline = $6, responsible_staff_id = $7, provider = $8, frequency = $9,
             planned_start = $10, planned_end = $11, location = $12, status = $13,
             consent_required = $14, consent_given = $15, consent_recorded_on = $16,
             consent_note = $17, consent_recorded_by = $18, version = version + 1,
             updated_at = now()
           WHERE id = $1 AND plan_id = $2`,
          values,
        );
      }
    }
    const kept = new Set(next.map((item) => item.id));
    const removed = before.filter((item) => !kept.has(item.id)).map((item) => item.id);
    if (removed.length > 0) {
      await m.query(
        `UPDATE plan_intervention SET removed_at = now(), version = version + 1, updated_at = now()
         WHERE plan_id = $1 AND id = ANY($2::uuid[])`,
        [planId, removed],
      );
    }
  }

  /** Keeps the content of the revision a change ends. */
  async archiveRevision(
    m: EntityManager,
    plan: Plan,
    content: object,
    supersededBy: string,
  ): Promise<void> {
    await m.query(
      `INSERT INTO plan_revision (plan_id, revision, content, started_at, superseded_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        plan.id,
        plan.revision,
        JSON.stringify(content),
        plan.revisedAt ?? plan.createdAt,
        supersededBy,
      ],
    );
  }

  /** The current revision (unless paging past it), then the superseded ones, newest first. */
  async revisions(
    m: EntityManager,
    plan: Plan,
    before: number | undefined,
    limit: number,
  ): Promise<RevisionEntry[]> {
    const current: RevisionEntry = {
      revision: plan.revision,
      startedAt: plan.revisedAt ?? plan.createdAt,
      supersededAt: null,
      supersededBy: null,
    };
    const rows: {
      revision: number;
      started_at: string;
      superseded_at: string;
      superseded_by: string;
      superseded_by_name: string;
    }[] = await m.query(
      `SELECT r.revision, ${TS('r.started_at')} AS started_at,
         ${TS('r.superseded_at')} AS superseded_at, r.superseded_by,
         u.display_name AS superseded_by_name
       FROM plan_revision r JOIN app_user u ON u.id = r.superseded_by
       WHERE r.plan_id = $1 AND r.revision < $2 ORDER BY r.revision DESC LIMIT $3`,
      [plan.id, before ?? plan.revision, limit + 1],
    );
    const older = rows.map((r): RevisionEntry => ({
      revision: r.revision,
      startedAt: r.started_at,
      supersededAt: r.superseded_at,
      supersededBy: { id: r.superseded_by, displayName: r.superseded_by_name },
    }));
    return before === undefined ? [current, ...older].slice(0, limit + 1) : older;
  }

  async revisionContent(
    m: EntityManager,
    planId: string,
    revision: number,
  ): Promise<{ content: Record<string, unknown>; supersededAt: string } | undefined> {
    const [row]: { content: Record<string, unknown>; superseded_at: string }[] = await m.query(
      `SELECT content, ${TS('superseded_at')} AS superseded_at
       FROM plan_revision WHERE plan_id = $1 AND revision = $2`,
      [planId, revision],
    );
    return row && { content: row.content, supersededAt: row.superseded_at };
  }

  /**
   * Plans across prisoners in `scope` whose status is one of `statuses`, or whose pending
   * revision's status is one of `proposalStatuses`; most recently changed first.
   */
  async search(
    m: EntityManager,
    query: {
      scope: SqlFilter;
      statuses: readonly PlanStatus[];
      proposalStatuses: readonly ProposalStatus[];
      after?: (string | number)[];
      limit: number;
    },
  ): Promise<ListedPlan[]> {
    const params = [...query.scope.params];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const where = [
      query.scope.sql,
      `(pl.status = ANY(${bind(query.statuses)}::text[]) OR pr.status = ANY(${bind(query.proposalStatuses)}::text[]))`,
    ];
    if (query.after)
      where.push(
        `(pl.updated_at, pl.id) < (${bind(query.after[0])}::timestamptz, ${bind(query.after[1])}::uuid)`,
      );
    const rows: {
      id: string;
      prisoner_id: string;
      prison_number: string;
      prisoner_name: string;
      facility_id: string;
      status: PlanStatus;
      revision: number;
      author_id: string;
      author_name: string;
      submitted_by: string | null;
      submitted_at: string | null;
      returned_at: string | null;
      updated_at: string;
      proposal_revision: number | null;
      proposal_status: ProposalStatus | null;
      proposal_author_id: string | null;
      proposal_submitted_by: string | null;
      cursor_at: string;
    }[] = await m.query(
      `SELECT pl.id, pl.prisoner_id, p.prison_number,
         p.given_name || ' ' || p.family_name AS prisoner_name, p.facility_id, pl.status,
         pl.revision, pl.author_id, au.display_name AS author_name, pl.submitted_by,
         ${TS('pl.submitted_at')} AS submitted_at, ${TS('pl.returned_at')} AS returned_at,
         ${TS('pl.updated_at')} AS updated_at, pr.revision AS proposal_revision,
         pr.status AS proposal_status, pr.author_id AS proposal_author_id,
         pr.submitted_by AS proposal_submitted_by,
         to_char(pl.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM programme_plan pl
       JOIN prisoner p ON p.id = pl.prisoner_id
       JOIN app_user au ON au.id = pl.author_id
       LEFT JOIN plan_revision_proposal pr
         ON pr.plan_id = pl.id AND pr.status IN ('draft', 'submitted', 'returned')
       WHERE ${where.join(' AND ')}
       ORDER BY pl.updated_at DESC, pl.id DESC LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      prisonerId: r.prisoner_id,
      prisonNumber: r.prison_number,
      prisonerName: r.prisoner_name,
      facilityId: r.facility_id,
      status: r.status,
      revision: r.revision,
      authorId: r.author_id,
      authorName: r.author_name,
      submittedById: r.submitted_by,
      submittedAt: r.submitted_at,
      returnedAt: r.returned_at,
      updatedAt: r.updated_at,
      proposal:
        r.proposal_revision === null
          ? null
          : {
              revision: r.proposal_revision,
              status: r.proposal_status!,
              authorId: r.proposal_author_id!,
              submittedById: r.proposal_submitted_by,
            },
      cursorAt: r.cursor_at,
    }));
  }

  /**
   * Prisoners in `scope` with an approved needs assessment and no open plan: the current needs
   * assessment of each, newest first.
   */
  async readyForPlan(
    m: EntityManager,
    scope: SqlFilter,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<(ReadyForPlan & { cursorAt: string })[]> {
    const params = [...scope.params];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const keyset = after
      ? `WHERE (approved_at, id) < (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`
      : '';
    const rows: {
      id: string;
      prisoner_id: string;
      prison_number: string;
      prisoner_name: string;
      facility_id: string;
      key: string;
      version: string;
      approved_at_text: string;
      cursor_at: string;
    }[] = await m.query(
      `WITH current AS (
         SELECT DISTINCT ON (a.prisoner_id) a.id, a.prisoner_id, a.approved_at, p.prison_number,
           p.given_name || ' ' || p.family_name AS prisoner_name, p.facility_id, iv.key, iv.version
         FROM assessment a
         JOIN instrument_version iv ON iv.id = a.instrument_version_id
         JOIN prisoner p ON p.id = a.prisoner_id
         WHERE a.status = 'approved' AND iv.purpose = 'needs' AND ${scope.sql}
           AND NOT EXISTS (SELECT 1 FROM programme_plan pl WHERE pl.prisoner_id = a.prisoner_id
             AND pl.status IN ('draft', 'pending_approval', 'active', 'suspended'))
         ORDER BY a.prisoner_id, a.approved_at DESC
       )
       SELECT id, prisoner_id, prison_number, prisoner_name, facility_id, key, version,
         ${TS('approved_at')} AS approved_at_text,
         to_char(approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM current ${keyset}
       ORDER BY approved_at DESC, id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      assessmentId: r.id,
      prisonerId: r.prisoner_id,
      prisonNumber: r.prison_number,
      prisonerName: r.prisoner_name,
      facilityId: r.facility_id,
      instrumentKey: r.key,
      instrumentVersion: r.version,
      approvedAt: r.approved_at_text,
      cursorAt: r.cursor_at,
    }));
  }

  /** Active staff of a facility who deliver plans: PVE inspectors and psychologists. */
  async staffOf(m: EntityManager, facilityId: string): Promise<StaffName[]> {
    const rows: { id: string; display_name: string }[] = await m.query(
      `SELECT u.id, u.display_name FROM app_user u
       JOIN user_facility uf ON uf.user_id = u.id AND uf.facility_id = $1
       WHERE u.active AND u.roles && ARRAY['pve_inspector', 'psychologist']::text[]
       ORDER BY u.display_name, u.id LIMIT 500`,
      [facilityId],
    );
    return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
  }

  /** The plan's pending revision, if it has one. */
  async proposal(m: EntityManager, planId: string): Promise<Proposal | undefined> {
    const [row]: ProposalRow[] = await prepared(
      m,
      'plan-proposal',
      `SELECT r.id, r.revision, r.based_on_revision, r.status, r.based_on_assessment_id,
         r.risk_assessment_id, r.risk_level, r.goals, r.interventions, r.changed_fields,
         r.author_id, au.display_name AS author_name, r.submitted_by,
         su.display_name AS submitted_by_name, ${TS('r.submitted_at')} AS submitted_at,
         r.returned_by, ru.display_name AS returned_by_name, ${TS('r.returned_at')} AS returned_at,
         r.return_comments, ${TS('r.created_at')} AS created_at, ${TS('r.updated_at')} AS updated_at
       FROM plan_revision_proposal r
       JOIN app_user au ON au.id = r.author_id
       LEFT JOIN app_user su ON su.id = r.submitted_by
       LEFT JOIN app_user ru ON ru.id = r.returned_by
       WHERE r.plan_id = $1 AND r.status IN ('draft', 'submitted', 'returned')`,
      [planId],
    );
    return row && toProposal(row);
  }

  async insertProposal(
    m: EntityManager,
    plan: Plan,
    proposal: Pick<
      Proposal,
      | 'basedOnAssessmentId'
      | 'riskAssessmentId'
      | 'riskLevel'
      | 'goals'
      | 'interventions'
      | 'changedFields'
    > & { authorId: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO plan_revision_proposal (plan_id, revision, based_on_revision,
         based_on_assessment_id, risk_assessment_id, risk_level, goals, interventions,
         changed_fields, author_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        plan.id,
        plan.revision + 1,
        plan.revision,
        proposal.basedOnAssessmentId,
        proposal.riskAssessmentId,
        proposal.riskLevel,
        JSON.stringify(proposal.goals),
        JSON.stringify(proposal.interventions),
        proposal.changedFields,
        proposal.authorId,
      ],
    );
  }

  async updateProposal(m: EntityManager, id: string, changes: ProposalChanges): Promise<void> {
    const params: unknown[] = [id];
    const clauses = [...sets(PROPOSAL_COLUMNS, changes, params), 'updated_at = now()'];
    await m.query(`UPDATE plan_revision_proposal SET ${clauses.join(', ')} WHERE id = $1`, params);
  }

  /** Of `ids`, those of active staff members. */
  async activeUsers(m: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM app_user WHERE id = ANY($1::uuid[]) AND active`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Display names of the given staff members. */
  async displayNames(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows: { id: string; display_name: string }[] = await m.query(
      `SELECT id, display_name FROM app_user WHERE id = ANY($1::uuid[])`,
      [unique],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  async insertSession(
    m: EntityManager,
    session: {
      planId: string;
      interventionId: string | null;
      date: string;
      attendance: string;
      engagement: number | null;
      notes: string | null;
      recordedBy: string;
    },
  ): Promise<string> {
    const id = randomUUID();
    await m.query(
      `INSERT INTO plan_session (id, plan_id, intervention_id, date, attendance, engagement, notes,
         recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        session.planId,
        session.interventionId,
        session.date,
        session.attendance,
        session.engagement,
        session.notes,
        session.recordedBy,
      ],
    );
    return id;
  }

  async session(m: EntityManager, id: string): Promise<Session> {
    const [row]: SessionRow[] = await m.query(`${SESSION_SELECT} WHERE s.id = $1`, [id]);
    return toSession(row);
  }

  async sessions(
    m: EntityManager,
    planId: string,
    interventionId: string | undefined,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Session[]> {
    const params: unknown[] = [planId];
    const where = ['s.plan_id = $1'];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (interventionId) where.push(`s.intervention_id = ${bind(interventionId)}::uuid`);
    if (after) where.push(`(s.date, s.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    const rows: SessionRow[] = await m.query(
      `${SESSION_SELECT} WHERE ${where.join(' AND ')}
       ORDER BY s.date DESC, s.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map(toSession);
  }

  async insertReview(
    m: EntityManager,
    review: {
      planId: string;
      revision: number;
      date: string;
      attendees: string[];
      goalProgress: { goalId: string; status: string; note: string | null }[];
      summary: string;
      nextReviewDate: string;
      recordedBy: string;
    },
  ): Promise<string> {
    const id = randomUUID();
    await m.query(
      `INSERT INTO plan_review (id, plan_id, revision, date, attendees, goal_progress, summary,
         next_review_date, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        id,
        review.planId,
        review.revision,
        review.date,
        review.attendees,
        JSON.stringify(review.goalProgress),
        review.summary,
        review.nextReviewDate,
        review.recordedBy,
      ],
    );
    return id;
  }

  async review(m: EntityManager, id: string): Promise<Review> {
    const [row]: ReviewRow[] = await m.query(`${REVIEW_SELECT} WHERE r.id = $1`, [id]);
    return toReview(row);
  }

  async reviews(
    m: EntityManager,
    planId: string,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Review[]> {
    const params: unknown[] = [planId];
    const where = ['r.plan_id = $1'];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (after) where.push(`(r.date, r.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    const rows: ReviewRow[] = await m.query(
      `${REVIEW_SELECT} WHERE ${where.join(' AND ')}
       ORDER BY r.date DESC, r.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map(toReview);
  }

  /**
   * Plan reviews due: active and suspended plans within `scope`, due on the last review's next
   * date (or approval + `intervalMonths`), or at once when a needs assessment approved after
   * the plan's basis has not been reviewed yet. Ordered by (dueDate, item id); limit + 1 rows.
   */
  async dueReviews(
    m: EntityManager,
    scope: SqlFilter,
    query: {
      facilityId?: string;
      before: string;
      after?: { dueDate: string; id: string };
      limit: number;
    },
    intervalMonths: number,
  ): Promise<PlanReviewDue[]> {
    const params = [...scope.params];
    const bind = (value: unknown) => `$${params.push(value)}`;
    // A discharged prisoner's plan is no longer reviewed (readmission makes it due again).
    const where = [`pl.status IN ('active', 'suspended')`, `p.discharged_on IS NULL`, scope.sql];
    if (query.facilityId) where.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const outer = [`due_date <= ${bind(query.before)}::date`];
    if (query.after) {
      outer.push(
        `(due_date, item_id COLLATE "C") > (${bind(query.after.dueDate)}::date, ${bind(query.after.id)} COLLATE "C")`,
      );
    }
    // The newest approved needs assessment is read here, in SQL, because the due date it sets
    // must order and page with the others (everywhere else plans use ApprovedAssessments).
    const rows: {
      plan_id: string;
      prisoner_id: string;
      prison_number: string;
      prisoner_name: string;
      facility_id: string;
      due_date: string;
      reason: 'scheduled' | 'needs_changed';
    }[] = await m.query(
      `WITH due AS (
         SELECT pl.id AS plan_id, pl.prisoner_id, p.prison_number,
           p.given_name || ' ' || p.family_name AS prisoner_name, p.facility_id,
           COALESCE(lr.next_review_date,
             ((pl.approved_at AT TIME ZONE 'UTC')::date + make_interval(months => ${bind(intervalMonths)}))::date)
             AS scheduled,
           CASE WHEN na.approved_at > b.approved_at AND NOT EXISTS (
               SELECT 1 FROM plan_review r
               WHERE r.plan_id = pl.id AND r.date >= (na.approved_at AT TIME ZONE 'UTC')::date)
             THEN (na.approved_at AT TIME ZONE 'UTC')::date END AS needs_changed
         FROM programme_plan pl
         JOIN prisoner p ON p.id = pl.prisoner_id
         JOIN assessment b ON b.id = pl.based_on_assessment_id
         LEFT JOIN LATERAL (
           SELECT r.next_review_date FROM plan_review r WHERE r.plan_id = pl.id
           ORDER BY r.date DESC, r.recorded_at DESC LIMIT 1) lr ON TRUE
         LEFT JOIN LATERAL (
           SELECT a.approved_at FROM assessment a
           WHERE a.prisoner_id = pl.prisoner_id AND a.status = 'approved' AND a.instrument_version_id IN (
             SELECT iv.id FROM instrument_version iv WHERE iv.purpose = 'needs')
           ORDER BY a.approved_at DESC LIMIT 1) na ON TRUE
         WHERE ${where.join(' AND ')}
       ), items AS (
         SELECT due.*, 'plan_review:' || plan_id AS item_id,
           LEAST(scheduled, needs_changed) AS due_date,
           CASE WHEN needs_changed IS NOT NULL THEN 'needs_changed' ELSE 'scheduled' END AS reason
         FROM due
       )
       SELECT plan_id, prisoner_id, prison_number, prisoner_name, facility_id,
         to_char(due_date, 'YYYY-MM-DD') AS due_date, reason
       FROM items WHERE ${outer.join(' AND ')}
       ORDER BY due_date, item_id COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      planId: r.plan_id,
      prisonerId: r.prisoner_id,
      prisonNumber: r.prison_number,
      prisonerName: r.prisoner_name,
      facilityId: r.facility_id,
      dueDate: r.due_date,
      reason: r.reason,
    }));
  }
}
