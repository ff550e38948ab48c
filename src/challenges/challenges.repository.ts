import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import type { DueQuery } from '../reviews/due-item.js';

export interface StaffName {
  id: string;
  displayName: string;
}

/** A challenge as the feature works with it; dates YYYY-MM-DD, timestamps ISO strings. */
export interface Challenge {
  id: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  /** The prisoner's current facility, which scopes access. */
  facilityId: string;
  targetType: 'assessment' | 'plan';
  assessmentId: string | null;
  planId: string | null;
  targetAuthorIds: string[];
  receivedOn: string;
  words: string;
  assignedTo: StaffName;
  respondBy: string;
  status: 'open' | 'answered';
  outcome: string | null;
  response: string | null;
  answeredBy: StaffName | null;
  answeredAt: string | null;
  amendmentDue: string | null;
  amended: boolean;
  recordedBy: StaffName;
  recordedAt: string;
  /** Escalations to outside authorities, oldest first. */
  escalations: Escalation[];
  version: number;
}

/** A challenge taken to an outside authority (Mandela Rule 57(1)), with its decision once known. */
export interface Escalation {
  id: string;
  challengeId: string;
  authority: string;
  authorityName: string;
  referredOn: string;
  reference: string | null;
  grounds: 'rejected' | 'partly_rejected' | 'delayed';
  recordedBy: StaffName;
  recordedAt: string;
  decision: {
    decidedOn: string;
    outcome: string;
    summary: string;
    recordedBy: StaffName;
    recordedAt: string;
  } | null;
  amendmentDue: string | null;
  amended: boolean;
}

interface EscalationRow {
  id: string;
  challenge_id: string;
  authority: string;
  authority_name: string;
  referred_on: string;
  reference: string | null;
  grounds: 'rejected' | 'partly_rejected' | 'delayed';
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  decided_on: string | null;
  outcome: string | null;
  summary: string | null;
  decided_recorded_by: string | null;
  decider_name: string | null;
  decided_recorded_at: Date | null;
  amendment_due: string | null;
  amended: boolean;
}

/** An escalation as recorded; its prisoner and facility are its challenge's. */
export interface EscalationInsert {
  challengeId: string;
  authority: string;
  authorityName: string;
  referredOn: string;
  reference: string | null;
  grounds: string;
  recordedBy: string;
}

interface Row {
  id: string;
  prisoner_id: string;
  prison_number: string;
  prisoner_name: string;
  facility_id: string;
  target_type: 'assessment' | 'plan';
  assessment_id: string | null;
  plan_id: string | null;
  target_author_ids: string[];
  received_on: string;
  words: string;
  assigned_to: string;
  assignee_name: string;
  respond_by: string;
  status: 'open' | 'answered';
  outcome: string | null;
  response: string | null;
  answered_by: string | null;
  answerer_name: string | null;
  answered_at: Date | null;
  amendment_due: string | null;
  amended: boolean;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  version: number;
}

/**
 * Whether what an upheld challenge (or an upheld escalation of it) made due has been done since
 * `since`: a newer approved assessment with the same instrument, or a new plan revision (or the
 * plan closed or completed).
 */
const amendedSince = (since: string) => `(
    (c.target_type = 'assessment' AND EXISTS (
      SELECT 1 FROM assessment ca JOIN instrument_version civ ON civ.id = ca.instrument_version_id
      JOIN assessment na ON na.prisoner_id = ca.prisoner_id AND na.status IN ('approved', 'superseded')
      JOIN instrument_version niv ON niv.id = na.instrument_version_id AND niv.key = civ.key
      WHERE ca.id = c.assessment_id AND na.approved_at > ${since}))
    OR (c.target_type = 'plan' AND EXISTS (
      SELECT 1 FROM programme_plan cp WHERE cp.id = c.plan_id AND (cp.revised_at > ${since}
        OR cp.closed_at > ${since} OR cp.completed_at > ${since}
        OR (cp.status = 'draft' AND cp.updated_at > ${since})))))`;

export const AMENDED = `(c.amendment_due IS NOT NULL AND ${amendedSince('c.answered_at')})`;
/** The same for an escalation `e` of challenge `c`, since its decision was recorded. */
const ESCALATION_AMENDED = `(e.amendment_due IS NOT NULL AND ${amendedSince('e.decided_recorded_at')})`;

const ESCALATION_SELECT = `
  SELECT e.id, e.challenge_id, e.authority, e.authority_name,
    to_char(e.referred_on, 'YYYY-MM-DD') AS referred_on, e.reference, e.grounds, e.recorded_by,
    rec.display_name AS recorder_name, e.recorded_at, to_char(e.decided_on, 'YYYY-MM-DD') AS decided_on,
    e.outcome, e.summary, e.decided_recorded_by, dcd.display_name AS decider_name,
    e.decided_recorded_at, to_char(e.amendment_due, 'YYYY-MM-DD') AS amendment_due,
    ${ESCALATION_AMENDED} AS amended
  FROM challenge_escalation e
  JOIN challenge c ON c.id = e.challenge_id
  JOIN app_user rec ON rec.id = e.recorded_by
  LEFT JOIN app_user dcd ON dcd.id = e.decided_recorded_by`;

const toEscalation = (r: EscalationRow): Escalation => ({
  id: r.id,
  challengeId: r.challenge_id,
  authority: r.authority,
  authorityName: r.authority_name,
  referredOn: r.referred_on,
  reference: r.reference,
  grounds: r.grounds,
  recordedBy: { id: r.recorded_by, displayName: r.recorder_name },
  recordedAt: r.recorded_at.toISOString(),
  decision:
    r.decided_on !== null
      ? {
          decidedOn: r.decided_on,
          outcome: r.outcome!,
          summary: r.summary!,
          recordedBy: { id: r.decided_recorded_by!, displayName: r.decider_name! },
          recordedAt: r.decided_recorded_at!.toISOString(),
        }
      : null,
  amendmentDue: r.amendment_due,
  amended: r.amended,
});

const COLUMNS = `
    c.id, c.prisoner_id, p.prison_number, p.given_name || ' ' || p.family_name AS prisoner_name,
    p.facility_id, c.target_type, c.assessment_id, c.plan_id, c.target_author_ids,
    to_char(c.received_on, 'YYYY-MM-DD') AS received_on, c.words, c.assigned_to,
    asg.display_name AS assignee_name, to_char(c.respond_by, 'YYYY-MM-DD') AS respond_by, c.status,
    c.outcome, c.response, c.answered_by, ans.display_name AS answerer_name, c.answered_at,
    to_char(c.amendment_due, 'YYYY-MM-DD') AS amendment_due, ${AMENDED} AS amended,
    c.recorded_by, rec.display_name AS recorder_name, c.recorded_at, c.version`;
const FROM = `
  FROM challenge c
  JOIN prisoner p ON p.id = c.prisoner_id
  JOIN app_user asg ON asg.id = c.assigned_to
  JOIN app_user rec ON rec.id = c.recorded_by
  LEFT JOIN app_user ans ON ans.id = c.answered_by`;
const SELECT = `SELECT ${COLUMNS} ${FROM}`;

const toChallenge = (r: Row): Challenge => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  prisonNumber: r.prison_number,
  prisonerName: r.prisoner_name,
  facilityId: r.facility_id,
  targetType: r.target_type,
  assessmentId: r.assessment_id,
  planId: r.plan_id,
  targetAuthorIds: r.target_author_ids,
  receivedOn: r.received_on,
  words: r.words,
  assignedTo: { id: r.assigned_to, displayName: r.assignee_name },
  respondBy: r.respond_by,
  status: r.status,
  outcome: r.outcome,
  response: r.response,
  answeredBy: r.answered_by ? { id: r.answered_by, displayName: r.answerer_name! } : null,
  answeredAt: r.answered_at?.toISOString() ?? null,
  amendmentDue: r.amendment_due,
  amended: r.amended,
  recordedBy: { id: r.recorded_by, displayName: r.recorder_name },
  recordedAt: r.recorded_at.toISOString(),
  escalations: [],
  version: r.version,
});

export interface ChallengeInsert {
  prisonerId: string;
  facilityId: string;
  targetType: 'assessment' | 'plan';
  targetId: string;
  targetAuthorIds: string[];
  receivedOn: string;
  words: string;
  assignedTo: string;
  respondBy: string;
  recordedBy: string;
}

/** Challenges' SQL. */
@Injectable()
export class ChallengesRepository {
  async find(m: EntityManager, id: string, lock = false): Promise<Challenge | undefined> {
    if (lock) await m.query(`SELECT 1 FROM challenge WHERE id = $1 FOR UPDATE`, [id]);
    const [row]: Row[] = await m.query(`${SELECT} WHERE c.id = $1`, [id]);
    if (!row) return undefined;
    const [challenge] = await this.withEscalations(m, [toChallenge(row)]);
    return challenge;
  }

  /** The challenges with their escalations, oldest first (one query for all of them). */
  async withEscalations<C extends Challenge>(m: EntityManager, challenges: C[]): Promise<C[]> {
    if (challenges.length === 0) return challenges;
    const rows: EscalationRow[] = await m.query(
      `${ESCALATION_SELECT} WHERE e.challenge_id = ANY($1::uuid[])
       ORDER BY e.referred_on, e.recorded_at, e.id`,
      [challenges.map((c) => c.id)],
    );
    const byChallenge = new Map<string, Escalation[]>();
    for (const row of rows) {
      const list = byChallenge.get(row.challenge_id) ?? [];
      list.push(toEscalation(row));
      byChallenge.set(row.challenge_id, list);
    }
    return challenges.map((c) => ({ ...c, escalations: byChallenge.get(c.id) ?? [] }));
  }

  /** One escalation of a challenge; `lock` holds it (FOR UPDATE) for a change. */
  async findEscalation(
    m: EntityManager,
    challengeId: string,
    id: string,
    lock = false,
  ): Promise<Escalation | undefined> {
    if (lock) await m.query(`SELECT 1 FROM challenge_escalation WHERE id = $1 FOR UPDATE`, [id]);
    const [row]: EscalationRow[] = await m.query(
      `${ESCALATION_SELECT} WHERE e.id = $1 AND e.challenge_id = $2`,
      [id, challengeId],
    );
    return row && toEscalation(row);
  }

  async insertEscalation(m: EntityManager, e: EscalationInsert): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO challenge_escalation (challenge_id, authority, authority_name, referred_on,
         reference, grounds, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        e.challengeId,
        e.authority,
        e.authorityName,
        e.referredOn,
        e.reference,
        e.grounds,
        e.recordedBy,
      ],
    );
    return id;
  }

  async decideEscalation(
    m: EntityManager,
    id: string,
    decision: {
      decidedOn: string;
      outcome: string;
      summary: string;
      by: string;
      amendmentDue: string | null;
    },
  ): Promise<void> {
    await m.query(
      `UPDATE challenge_escalation SET decided_on = $2, outcome = $3, summary = $4,
         decided_recorded_by = $5, decided_recorded_at = now(), amendment_due = $6
       WHERE id = $1`,
      [
        id,
        decision.decidedOn,
        decision.outcome,
        decision.summary,
        decision.by,
        decision.amendmentDue,
      ],
    );
  }

  /** Who authored what is challenged (they may not answer it), or undefined when not the prisoner's. */
  async targetAuthors(
    m: EntityManager,
    prisonerId: string,
    targetType: 'assessment' | 'plan',
    targetId: string,
  ): Promise<string[] | undefined> {
    const [row]: { authors: string[] }[] =
      targetType === 'assessment'
        ? await m.query(
            `SELECT array_remove(ARRAY[assessor_id, countersigner_id], NULL) AS authors
             FROM assessment WHERE id = $1 AND prisoner_id = $2 AND status IN ('approved', 'superseded')`,
            [targetId, prisonerId],
          )
        : await m.query(
            `SELECT array_remove(ARRAY[author_id, approver_id], NULL) AS authors
             FROM programme_plan WHERE id = $1 AND prisoner_id = $2`,
            [targetId, prisonerId],
          );
    return row?.authors;
  }

  /**
   * Staff who may answer a challenge at this facility: active psychologists and supervisors
   * holding it, except the authors; the fewest open challenges first.
   */
  async impartialReviewers(
    m: EntityManager,
    facilityId: string,
    authors: string[],
  ): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT u.id FROM app_user u JOIN user_facility uf ON uf.user_id = u.id AND uf.facility_id = $1
       WHERE u.active AND u.roles && ARRAY['psychologist', 'supervisor']::text[] AND NOT (u.id = ANY($2::uuid[]))
       ORDER BY (SELECT count(*) FROM challenge c WHERE c.assigned_to = u.id AND c.status = 'open'),
         u.display_name, u.id`,
      [facilityId, authors],
    );
    return rows.map((r) => r.id);
  }

  async insert(m: EntityManager, c: ChallengeInsert): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO challenge (prisoner_id, facility_id, target_type, assessment_id, plan_id,
         target_author_ids, received_on, words, assigned_to, respond_by, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        c.prisonerId,
        c.facilityId,
        c.targetType,
        c.targetType === 'assessment' ? c.targetId : null,
        c.targetType === 'plan' ? c.targetId : null,
        c.targetAuthorIds,
        c.receivedOn,
        c.words,
        c.assignedTo,
        c.respondBy,
        c.recordedBy,
      ],
    );
    return id;
  }

  async answer(
    m: EntityManager,
    id: string,
    answer: { outcome: string; response: string; by: string; amendmentDue: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE challenge SET status = 'answered', outcome = $2, response = $3, answered_by = $4,
         answered_at = now(), amendment_due = $5, version = version + 1
       WHERE id = $1`,
      [id, answer.outcome, answer.response, answer.by, answer.amendmentDue],
    );
  }

  /** Every challenge of a prisoner, oldest first (for the subject-access copy). */
  async allOf(m: EntityManager, prisonerId: string): Promise<Challenge[]> {
    const rows: Row[] = await m.query(
      `${SELECT} WHERE c.prisoner_id = $1 ORDER BY c.received_on, c.recorded_at, c.id`,
      [prisonerId],
    );
    return this.withEscalations(m, rows.map(toChallenge));
  }

  /** One page, newest first; `where` is the caller's scope (parameters from $1). */
  async page(
    m: EntityManager,
    where: SqlFilter,
    filters: { prisonerId?: string; status?: string; assignedTo?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<(Challenge & { sortKey: [string, string] })[]> {
    const params = [...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const conditions = [where.sql];
    if (filters.prisonerId) conditions.push(`c.prisoner_id = ${bind(filters.prisonerId)}::uuid`);
    if (filters.status) conditions.push(`c.status = ${bind(filters.status)}`);
    if (filters.assignedTo) conditions.push(`c.assigned_to = ${bind(filters.assignedTo)}::uuid`);
    if (after)
      conditions.push(`(c.received_on, c.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${conditions.join(' AND ')}
       ORDER BY c.received_on DESC, c.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return this.withEscalations(
      m,
      rows.map((r) => ({ ...toChallenge(r), sortKey: [r.received_on, r.id] as [string, string] })),
    );
  }

  /**
   * Due items: open challenges by their deadline, and upheld ones not yet amended by their
   * amendment date; `where` is the caller's scope (parameters from $1).
   */
  async due(
    m: EntityManager,
    where: SqlFilter,
    query: DueQuery,
  ): Promise<
    {
      item_id: string;
      kind: 'challenge_response' | 'amendment';
      due_date: string;
      challenge: Challenge;
    }[]
  > {
    const params = [...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const inner = [
      where.sql,
      `(c.status = 'open' OR (c.amendment_due IS NOT NULL AND NOT ${AMENDED}))`,
    ];
    if (query.facilityId) inner.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const outer = [`due_date::date <= ${bind(query.before)}::date`];
    if (query.after)
      outer.push(
        `(due_date::date, item_id COLLATE "C") > (${bind(query.after.dueDate)}::date, ${bind(query.after.id)} COLLATE "C")`,
      );
    const rows: (Row & {
      item_id: string;
      kind: 'challenge_response' | 'amendment';
      due_date: string;
    })[] = await m.query(
      `SELECT * FROM (
           SELECT q.*, CASE WHEN q.status = 'open' THEN 'challenge:' ELSE 'amendment:' END || q.id AS item_id,
             CASE WHEN q.status = 'open' THEN 'challenge_response' ELSE 'amendment' END AS kind,
             CASE WHEN q.status = 'open' THEN q.respond_by ELSE q.amendment_due END AS due_date
           FROM (${SELECT} WHERE ${inner.join(' AND ')}) q) d
         WHERE ${outer.join(' AND ')}
         ORDER BY due_date, item_id COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      item_id: r.item_id,
      kind: r.kind,
      due_date: r.due_date,
      challenge: toChallenge(r),
    }));
  }

  /**
   * Due items: amendments an outside authority's upholding decision made due, not yet made by
   * their date (`escalation_amendment:<escalationId>`); `where` is the caller's scope on the
   * challenge (parameters from $1).
   */
  async escalationsDue(
    m: EntityManager,
    where: SqlFilter,
    query: DueQuery,
  ): Promise<{ item_id: string; due_date: string; challenge: Challenge }[]> {
    const params = [...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const inner = [where.sql, `e.amendment_due IS NOT NULL`, `NOT ${ESCALATION_AMENDED}`];
    if (query.facilityId) inner.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const outer = [`due_date::date <= ${bind(query.before)}::date`];
    if (query.after)
      outer.push(
        `(due_date::date, item_id COLLATE "C") > (${bind(query.after.dueDate)}::date, ${bind(query.after.id)} COLLATE "C")`,
      );
    const rows: (Row & { item_id: string; due_date: string })[] = await m.query(
      `SELECT * FROM (
           SELECT ${COLUMNS}, 'escalation_amendment:' || e.id AS item_id,
             to_char(e.amendment_due, 'YYYY-MM-DD') AS due_date
           ${FROM} JOIN challenge_escalation e ON e.challenge_id = c.id
           WHERE ${inner.join(' AND ')}) d
         WHERE ${outer.join(' AND ')}
         ORDER BY due_date, item_id COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      item_id: r.item_id,
      due_date: r.due_date,
      challenge: toChallenge(r),
    }));
  }
}
