import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
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

/** A plan row with its prisoner's facility (which scopes access) and the names it shows. */
export interface PlanRow {
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
  release_tasks: { description: string; dueDate: string | null; status: string }[];
  release_handovers: {
    agency: string;
    date: string;
    sharedWhat: string;
    legalBasis: string | null;
  }[];
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
  created_at: string;
  updated_at: string;
  version: number;
}

const PLAN_SELECT = `
  SELECT pl.id, pl.prisoner_id, p.facility_id, pl.revision, ${TS('pl.revised_at')} AS revised_at,
    pl.based_on_assessment_id, pl.risk_assessment_id, pl.risk_level, pl.catalogue_version_id,
    pl.status, pl.agreement_response, pl.agreement_words,
    ${DAY('pl.agreement_recorded_on')} AS agreement_recorded_on, pl.agreement_recorded_by,
    ar.display_name AS agreement_recorded_by_name,
    ${DAY('pl.expected_release_date')} AS expected_release_date, pl.release_tasks,
    pl.release_handovers, pl.author_id, au.display_name AS author_name, pl.submitted_by,
    su.display_name AS submitted_by_name, ${TS('pl.submitted_at')} AS submitted_at,
    pl.approver_id, ap.display_name AS approver_name, ${TS('pl.approved_at')} AS approved_at,
    ${TS('pl.suspended_at')} AS suspended_at, pl.suspend_reason,
    ${TS('pl.completed_at')} AS completed_at, pl.completion_note,
    ${TS('pl.closed_at')} AS closed_at, pl.close_reason,
    ${TS('pl.created_at')} AS created_at, ${TS('pl.updated_at')} AS updated_at, pl.version
  FROM programme_plan pl
  JOIN prisoner p ON p.id = pl.prisoner_id
  JOIN app_user au ON au.id = pl.author_id
  LEFT JOIN app_user su ON su.id = pl.submitted_by
  LEFT JOIN app_user ap ON ap.id = pl.approver_id
  LEFT JOIN app_user ar ON ar.id = pl.agreement_recorded_by`;

export type PlanSummaryRow = Pick<
  PlanRow,
  | 'id'
  | 'prisoner_id'
  | 'status'
  | 'revision'
  | 'version'
  | 'created_at'
  | 'updated_at'
  | 'approved_at'
  | 'completed_at'
  | 'closed_at'
> & { cursor_at: string };

/** Names of the staff an intervention refers to, for the response. */
export interface InterventionNames {
  responsibleStaff: string | null;
  consentRecordedBy: string | null;
}

export interface LoadedPlan {
  row: PlanRow;
  goals: Goal[];
  interventions: PlanIntervention[];
  names: Map<string, InterventionNames>;
  lastReview: { date: string; nextReviewDate: string } | null;
}

export interface SessionRow {
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

export interface ReviewRow {
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

export interface RevisionRow {
  revision: number;
  started_at: string;
  superseded_at: string | null;
  superseded_by: string | null;
  superseded_by_name: string | null;
}

/** Named queries on the plan tables; only the plans feature uses them. */
@Injectable()
export class PlansRepository {
  async find(m: EntityManager, id: string, lock = false): Promise<PlanRow | undefined> {
    const [row]: PlanRow[] = await m.query(
      `${PLAN_SELECT} WHERE pl.id = $1${lock ? ' FOR UPDATE OF pl' : ''}`,
      [id],
    );
    return row;
  }

  async load(m: EntityManager, id: string, lock = false): Promise<LoadedPlan | undefined> {
    const row = await this.find(m, id, lock);
    if (!row) return undefined;
    const [goals, interventions, lastReview] = [
      await this.goals(m, id),
      await this.interventions(m, id),
      await this.lastReview(m, id),
    ];
    return { row, goals, ...interventions, lastReview };
  }

  async goals(m: EntityManager, planId: string): Promise<Goal[]> {
    const rows: {
      id: string;
      need_code: string;
      priority: Priority | null;
      description: string;
      target_date: string | null;
      status: GoalStatus;
    }[] = await m.query(
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
    }[] = await m.query(
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
    const [row]: { date: string; next_review_date: string }[] = await m.query(
      `SELECT ${DAY('date')} AS date, ${DAY('next_review_date')} AS next_review_date
       FROM plan_review WHERE plan_id = $1 ORDER BY date DESC, recorded_at DESC LIMIT 1`,
      [planId],
    );
    return row ? { date: row.date, nextReviewDate: row.next_review_date } : null;
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
  ): Promise<PlanSummaryRow[]> {
    const params: unknown[] = [prisonerId, limit + 1];
    let keyset = '';
    if (after) {
      params.push(after[0], after[1]);
      keyset = `AND (pl.created_at, pl.id) < ($3::timestamptz, $4::uuid)`;
    }
    return m.query(
      `SELECT pl.id, pl.prisoner_id, pl.status, pl.revision, pl.version,
         ${TS('pl.created_at')} AS created_at, ${TS('pl.updated_at')} AS updated_at,
         ${TS('pl.approved_at')} AS approved_at, ${TS('pl.completed_at')} AS completed_at,
         ${TS('pl.closed_at')} AS closed_at,
         to_char(pl.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM programme_plan pl WHERE pl.prisoner_id = $1 ${keyset}
       ORDER BY pl.created_at DESC, pl.id DESC LIMIT $2`,
      params,
    );
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

  /** Keeps the content of the revision a material change ends. */
  async archiveRevision(
    m: EntityManager,
    row: PlanRow,
    content: object,
    supersededBy: string,
  ): Promise<void> {
    await m.query(
      `INSERT INTO plan_revision (plan_id, revision, content, started_at, superseded_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        row.id,
        row.revision,
        JSON.stringify(content),
        row.revised_at ?? row.created_at,
        supersededBy,
      ],
    );
  }

  async revisions(
    m: EntityManager,
    plan: PlanRow,
    before: number | undefined,
    limit: number,
  ): Promise<RevisionRow[]> {
    const current: RevisionRow = {
      revision: plan.revision,
      started_at: plan.revised_at ?? plan.created_at,
      superseded_at: null,
      superseded_by: null,
      superseded_by_name: null,
    };
    const older: RevisionRow[] = await m.query(
      `SELECT r.revision, ${TS('r.started_at')} AS started_at,
         ${TS('r.superseded_at')} AS superseded_at, r.superseded_by,
         u.display_name AS superseded_by_name
       FROM plan_revision r JOIN app_user u ON u.id = r.superseded_by
       WHERE r.plan_id = $1 AND r.revision < $2 ORDER BY r.revision DESC LIMIT $3`,
      [plan.id, before ?? plan.revision, limit + 1],
    );
    return before === undefined ? [current, ...older].slice(0, limit + 1) : older;
  }

  async revisionContent(
    m: EntityManager,
    planId: string,
    revision: number,
  ): Promise<{ content: Record<string, unknown>; superseded_at: string } | undefined> {
    const [row] = await m.query(
      `SELECT content, ${TS('superseded_at')} AS superseded_at
       FROM plan_revision WHERE plan_id = $1 AND revision = $2`,
      [planId, revision],
    );
    return row;
  }

  async userExists(m: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM app_user WHERE id = ANY($1::uuid[]) AND active`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
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

  private readonly sessionSelect = `
    SELECT s.id, s.intervention_id, ${DAY('s.date')} AS date, s.attendance, s.engagement, s.notes,
      s.recorded_by, u.display_name AS recorded_by_name, ${TS('s.recorded_at')} AS recorded_at
    FROM plan_session s JOIN app_user u ON u.id = s.recorded_by`;

  async session(m: EntityManager, id: string): Promise<SessionRow> {
    const [row]: SessionRow[] = await m.query(`${this.sessionSelect} WHERE s.id = $1`, [id]);
    return row;
  }

  async sessions(
    m: EntityManager,
    planId: string,
    interventionId: string | undefined,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<SessionRow[]> {
    const params: unknown[] = [planId];
    const where = ['s.plan_id = $1'];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (interventionId) where.push(`s.intervention_id = ${bind(interventionId)}::uuid`);
    if (after) where.push(`(s.date, s.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    return m.query(
      `${this.sessionSelect} WHERE ${where.join(' AND ')}
       ORDER BY s.date DESC, s.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
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

  private readonly reviewSelect = `
    SELECT r.id, r.revision, ${DAY('r.date')} AS date, r.attendees, r.goal_progress, r.summary,
      ${DAY('r.next_review_date')} AS next_review_date, r.recorded_by,
      u.display_name AS recorded_by_name, ${TS('r.recorded_at')} AS recorded_at
    FROM plan_review r JOIN app_user u ON u.id = r.recorded_by`;

  async review(m: EntityManager, id: string): Promise<ReviewRow> {
    const [row]: ReviewRow[] = await m.query(`${this.reviewSelect} WHERE r.id = $1`, [id]);
    return row;
  }

  async reviews(
    m: EntityManager,
    planId: string,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<ReviewRow[]> {
    const params: unknown[] = [planId];
    const where = ['r.plan_id = $1'];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (after) where.push(`(r.date, r.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    return m.query(
      `${this.reviewSelect} WHERE ${where.join(' AND ')}
       ORDER BY r.date DESC, r.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
  }
}
