import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredRatings } from '../assessment-rules.js';
import type { UserRef } from '../assessments.repository.js';

/** A psychologist of another facility assigned to countersign one assessment. */
export interface CountersignAssignment {
  id: string;
  assessmentId: string;
  prisonerId: string;
  facilityId: string;
  assignee: UserRef;
  assignedBy: UserRef;
  reason: string;
  assignedAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  revokedBy: UserRef | null;
  version: number;
}

/** An observation another discipline adds for the assessor to weigh. */
export interface Contribution {
  id: string;
  assessmentId: string;
  author: UserRef;
  discipline: string;
  observation: string;
  source: string;
  observedOn: string;
  confidentiality: 'standard' | 'security' | 'clinical';
  createdAt: string;
}

/** One assessor's blind ratings of a double-rated assessment. */
export interface RatingSet {
  id: string;
  assessmentId: string;
  rater: UserRef;
  lead: boolean;
  ratings: StoredRatings;
  submittedAt: string | null;
  version: number;
}

/** Someone who might be named on an assessment: their roles, facilities and state. */
export interface Candidate {
  id: string;
  displayName: string;
  roles: string[];
  facilityIds: string[];
  active: boolean;
}

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const USER = (alias: string) =>
  `json_build_object('id', ${alias}.id, 'displayName', ${alias}.display_name)`;

const ASSIGNMENT_SELECT = `
  SELECT ca.id, ca.assessment_id AS "assessmentId", a.prisoner_id AS "prisonerId",
    p.facility_id AS "facilityId", ${USER('au')} AS assignee, ${USER('bu')} AS "assignedBy",
    ca.reason, ${ISO('ca.assigned_at')} AS "assignedAt", ${ISO('ca.used_at')} AS "usedAt",
    ${ISO('ca.revoked_at')} AS "revokedAt",
    CASE WHEN ru.id IS NULL THEN NULL ELSE ${USER('ru')} END AS "revokedBy", ca.version
  FROM countersign_assignment ca
  JOIN assessment a ON a.id = ca.assessment_id
  JOIN prisoner p ON p.id = a.prisoner_id
  JOIN app_user au ON au.id = ca.assignee_id
  JOIN app_user bu ON bu.id = ca.assigned_by
  LEFT JOIN app_user ru ON ru.id = ca.revoked_by`;

const SET_SELECT = `
  SELECT s.id, s.assessment_id AS "assessmentId", ${USER('u')} AS rater, s.lead, s.ratings,
    ${ISO('s.submitted_at')} AS "submittedAt", s.version
  FROM assessment_rating_set s JOIN app_user u ON u.id = s.rater_id`;

/** The SQL of team working: assignments, contributions and blind rating sets. */
@Injectable()
export class TeamRepository {
  async candidate(m: EntityManager, userId: string): Promise<Candidate | undefined> {
    const [row]: Candidate[] = await m.query(
      `SELECT u.id, u.display_name AS "displayName", u.roles, u.active,
         ARRAY(SELECT facility_id FROM user_facility WHERE user_id = u.id) AS "facilityIds"
       FROM app_user u WHERE u.id = $1`,
      [userId],
    );
    return row;
  }

  // ---------------------------------------------------------------- countersign assignments

  /**
   * Who may be assigned: active psychologists none of whose facilities is `facilityId`,
   * certified for `certifiedFor` when given; by name, at most 200.
   */
  async assignees(
    m: EntityManager,
    facilityId: string,
    certifiedFor: string | null,
  ): Promise<UserRef[]> {
    return m.query(
      `SELECT u.id, u.display_name AS "displayName" FROM app_user u
       WHERE u.active AND 'psychologist' = ANY (u.roles)
         AND NOT EXISTS (SELECT 1 FROM user_facility uf WHERE uf.user_id = u.id AND uf.facility_id = $1)
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM certification c WHERE c.user_id = u.id
               AND c.instrument_key = $2 AND c.valid_until >= current_date))
       ORDER BY u.display_name, u.id LIMIT 200`,
      [facilityId, certifiedFor],
    );
  }

  async insertAssignment(
    m: EntityManager,
    a: { assessmentId: string; assigneeId: string; assignedBy: string; reason: string },
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO countersign_assignment (assessment_id, assignee_id, assigned_by, reason)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (assessment_id) WHERE revoked_at IS NULL AND used_at IS NULL DO NOTHING
       RETURNING id`,
      [a.assessmentId, a.assigneeId, a.assignedBy, a.reason],
    );
    return rows[0]?.id;
  }

  async assignment(
    m: EntityManager,
    id: string,
    lock = false,
  ): Promise<CountersignAssignment | undefined> {
    const [row]: CountersignAssignment[] = await m.query(
      `${ASSIGNMENT_SELECT} WHERE ca.id = $1${lock ? ' FOR UPDATE OF ca' : ''}`,
      [id],
    );
    return row;
  }

  async assignmentsOf(m: EntityManager, assessmentId: string): Promise<CountersignAssignment[]> {
    return m.query(
      `${ASSIGNMENT_SELECT} WHERE ca.assessment_id = $1 ORDER BY ca.assigned_at DESC, ca.id LIMIT 100`,
      [assessmentId],
    );
  }

  async revokeAssignment(m: EntityManager, id: string, userId: string): Promise<void> {
    await m.query(
      `UPDATE countersign_assignment SET revoked_at = now(), revoked_by = $2, version = version + 1
       WHERE id = $1`,
      [id, userId],
    );
  }

  /** Ends the live assignment of `assigneeId` on the assessment; its id, when there was one. */
  async useAssignment(
    m: EntityManager,
    assessmentId: string,
    assigneeId: string,
  ): Promise<string | undefined> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE countersign_assignment SET used_at = now(), version = version + 1
       WHERE assessment_id = $1 AND assignee_id = $2 AND used_at IS NULL AND revoked_at IS NULL
       RETURNING id`,
      [assessmentId, assigneeId],
    );
    return rows[0]?.id;
  }

  async certified(m: EntityManager, userId: string, instrumentKey: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM certification WHERE user_id = $1 AND instrument_key = $2 AND valid_until >= current_date`,
      [userId, instrumentKey],
    );
    return rows.length > 0;
  }

  // ---------------------------------------------------------------- contributions

  async insertContribution(
    m: EntityManager,
    c: Omit<Contribution, 'id' | 'author' | 'createdAt'> & { authorId: string },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO assessment_contribution
         (assessment_id, author_id, discipline, observation, source, observed_on, confidentiality)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        c.assessmentId,
        c.authorId,
        c.discipline,
        c.observation,
        c.source,
        c.observedOn,
        c.confidentiality,
      ],
    );
    return id;
  }

  /** An assessment's contributions, oldest first, only of the given classes (at most 500). */
  async contributionsOf(
    m: EntityManager,
    assessmentId: string,
    classes: string[],
  ): Promise<Contribution[]> {
    return m.query(
      `SELECT c.id, c.assessment_id AS "assessmentId", ${USER('u')} AS author, c.discipline,
         c.observation, c.source, to_char(c.observed_on, 'YYYY-MM-DD') AS "observedOn",
         c.confidentiality, ${ISO('c.created_at')} AS "createdAt"
       FROM assessment_contribution c JOIN app_user u ON u.id = c.author_id
       WHERE c.assessment_id = $1 AND c.confidentiality = ANY($2::text[])
       ORDER BY c.created_at, c.id LIMIT 500`,
      [assessmentId, classes],
    );
  }

  async countContributions(m: EntityManager, assessmentId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM assessment_contribution WHERE assessment_id = $1`,
      [assessmentId],
    );
    return n;
  }

  // ---------------------------------------------------------------- blind rating sets

  async insertRatingSets(
    m: EntityManager,
    assessmentId: string,
    leadId: string,
    secondId: string,
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_rating_set (assessment_id, rater_id, lead)
       VALUES ($1, $2, true), ($1, $3, false)`,
      [assessmentId, leadId, secondId],
    );
  }

  async ratingSetsOf(m: EntityManager, assessmentId: string, lock = false): Promise<RatingSet[]> {
    return m.query(
      `${SET_SELECT} WHERE s.assessment_id = $1 ORDER BY s.lead DESC${lock ? ' FOR UPDATE OF s' : ''}`,
      [assessmentId],
    );
  }

  async updateRatingSet(m: EntityManager, id: string, ratings: StoredRatings): Promise<void> {
    await m.query(
      `UPDATE assessment_rating_set SET ratings = $2, version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id, JSON.stringify(ratings)],
    );
  }

  async submitRatingSet(m: EntityManager, id: string): Promise<void> {
    await m.query(
      `UPDATE assessment_rating_set SET submitted_at = now(), version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id],
    );
  }

  async recordConsensus(
    m: EntityManager,
    assessmentId: string,
    consensus: { rationale: string; recordedAt: string; recordedBy: UserRef; differed: string[] },
  ): Promise<void> {
    await m.query(`UPDATE assessment SET consensus = $2 WHERE id = $1`, [
      assessmentId,
      JSON.stringify(consensus),
    ]);
  }
}
