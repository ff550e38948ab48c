import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import type { DueQuery } from '../reviews/due-item.js';
import { WATCHED_EVENT_TYPES, type WatchKind } from './dto/complaint.dto.js';

export interface StaffName {
  id: string;
  displayName: string;
}

/** A complaint as the feature works with it; dates YYYY-MM-DD, timestamps ISO strings. */
export interface Complaint {
  id: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  /** The prisoner's current facility, which scopes access. */
  facilityId: string;
  receivedOn: string;
  madeBy: string;
  channel: 'staff' | 'inspector';
  subject: string;
  allegesIllTreatment: boolean;
  confidential: boolean;
  words: string;
  concernedStaff: StaffName[];
  assignedTo: StaffName;
  respondBy: string;
  status: 'open' | 'answered';
  outcome: string | null;
  response: string | null;
  answeredBy: StaffName | null;
  answeredAt: string | null;
  recordedBy: StaffName;
  recordedAt: string;
  referrals: Referral[];
  /** Watch items decided by concerned staff (within the watch period). */
  watchFlags: number;
  version: number;
}

export interface Referral {
  id: string;
  authority: string;
  authorityName: string;
  referredOn: string;
  reference: string | null;
  recordedBy: StaffName;
  recordedAt: string;
}

export interface WatchItem {
  kind: WatchKind;
  id: string;
  type: string;
  date: string;
  decidedBy: StaffName;
  byConcernedStaff: boolean;
}

interface Row {
  id: string;
  prisoner_id: string;
  prison_number: string;
  prisoner_name: string;
  facility_id: string;
  received_on: string;
  made_by: string;
  channel: 'staff' | 'inspector';
  subject: string;
  alleges_ill_treatment: boolean;
  confidential: boolean;
  words: string;
  concerned: StaffName[];
  assigned_to: string;
  assignee_name: string;
  respond_by: string;
  outcome: string | null;
  response: string | null;
  answered_by: string | null;
  answerer_name: string | null;
  answered_at: Date | null;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  referrals: {
    id: string;
    authority: string;
    authorityName: string;
    referredOn: string;
    reference: string | null;
    recordedBy: StaffName;
    recordedAt: string;
  }[];
  watch_flags: number;
  version: number;
}

/** What the watch lists for one caller: how long after a complaint, and which kinds of decision. */
export interface WatchScope {
  /** An ISO 8601 duration (an interval). */
  period: string;
  /** The kinds of decision the caller may see at all (a role that reads no measures sees none). */
  kinds: WatchKind[];
}

/**
 * Decisions affecting the complainant of complaint `c` after it was received, within the watch
 * period (`period`, an interval parameter), of the kinds in `kinds` (a text[] parameter):
 * restrictive measures imposed, prisoner events of disciplinary or security kinds, approved
 * assessments. `concerned` is whether the decider (or, for an assessment, its assessor or
 * countersigner) is among the staff the complaint concerns.
 */
const watchSql = (period: string, kinds: string) => `
  SELECT 'restrictive_measure' AS kind, m.id, m.type, to_char(m.starts_on, 'YYYY-MM-DD') AS date,
    m.recorded_by AS decided_by,
    EXISTS (SELECT 1 FROM complaint_staff s WHERE s.complaint_id = c.id AND s.user_id = m.recorded_by)
      AS concerned
  FROM restrictive_measure m
  WHERE 'restrictive_measure' = ANY(${kinds}) AND m.prisoner_id = c.prisoner_id AND m.starts_on >= c.received_on
    AND m.starts_on <= (c.received_on + ${period})::date
  UNION ALL
  SELECT 'prisoner_event', e.id, e.type, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    e.recorded_by,
    EXISTS (SELECT 1 FROM complaint_staff s WHERE s.complaint_id = c.id AND s.user_id = e.recorded_by)
  FROM prisoner_event e
  WHERE 'prisoner_event' = ANY(${kinds}) AND e.prisoner_id = c.prisoner_id
    AND e.type IN (${WATCHED_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})
    AND (e.occurred_at AT TIME ZONE 'UTC')::date >= c.received_on
    AND (e.occurred_at AT TIME ZONE 'UTC')::date <= (c.received_on + ${period})::date
  UNION ALL
  SELECT 'approved_assessment', a.id, iv.key, to_char(a.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    a.assessor_id,
    EXISTS (SELECT 1 FROM complaint_staff s WHERE s.complaint_id = c.id
      AND s.user_id IN (a.assessor_id, a.countersigner_id))
  FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
  WHERE 'approved_assessment' = ANY(${kinds}) AND a.prisoner_id = c.prisoner_id
    AND a.approved_at IS NOT NULL
    AND (a.approved_at AT TIME ZONE 'UTC')::date >= c.received_on
    AND (a.approved_at AT TIME ZONE 'UTC')::date <= (c.received_on + ${period})::date`;

/** Columns of a complaint; `$1` is the watch period (interval), `$2` the watched kinds. */
const WATCH = watchSql('$1::interval', '$2::text[]');
const COLUMNS = `
    c.id, c.prisoner_id, p.prison_number, p.given_name || ' ' || p.family_name AS prisoner_name,
    p.facility_id, to_char(c.received_on, 'YYYY-MM-DD') AS received_on, c.made_by, c.channel,
    c.subject, c.alleges_ill_treatment, c.confidential, c.words,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'displayName', u.display_name)
        ORDER BY u.display_name, u.id)
      FROM complaint_staff s JOIN app_user u ON u.id = s.user_id WHERE s.complaint_id = c.id),
      '[]'::jsonb) AS concerned,
    c.assigned_to, asg.display_name AS assignee_name,
    to_char(c.respond_by, 'YYYY-MM-DD') AS respond_by, c.outcome, c.response, c.answered_by,
    ans.display_name AS answerer_name, c.answered_at, c.recorded_by,
    rec.display_name AS recorder_name, c.recorded_at,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', r.id, 'authority', r.authority,
          'authorityName', r.authority_name, 'referredOn', to_char(r.referred_on, 'YYYY-MM-DD'),
          'reference', r.reference,
          'recordedBy', jsonb_build_object('id', ru.id, 'displayName', ru.display_name),
          'recordedAt', r.recorded_at) ORDER BY r.referred_on, r.recorded_at, r.id)
      FROM complaint_referral r JOIN app_user ru ON ru.id = r.recorded_by
      WHERE r.complaint_id = c.id), '[]'::jsonb) AS referrals,
    (SELECT count(*)::int FROM (${WATCH}) w WHERE w.concerned) AS watch_flags,
    c.version`;
const FROM = `
  FROM complaint c
  JOIN prisoner p ON p.id = c.prisoner_id
  JOIN app_user asg ON asg.id = c.assigned_to
  JOIN app_user rec ON rec.id = c.recorded_by
  LEFT JOIN app_user ans ON ans.id = c.answered_by`;
const SELECT = `SELECT ${COLUMNS} ${FROM}`;

const toComplaint = (r: Row): Complaint => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  prisonNumber: r.prison_number,
  prisonerName: r.prisoner_name,
  facilityId: r.facility_id,
  receivedOn: r.received_on,
  madeBy: r.made_by,
  channel: r.channel,
  subject: r.subject,
  allegesIllTreatment: r.alleges_ill_treatment,
  confidential: r.confidential,
  words: r.words,
  concernedStaff: r.concerned,
  assignedTo: { id: r.assigned_to, displayName: r.assignee_name },
  respondBy: r.respond_by,
  status: r.answered_at ? 'answered' : 'open',
  outcome: r.outcome,
  response: r.response,
  answeredBy: r.answered_by ? { id: r.answered_by, displayName: r.answerer_name! } : null,
  answeredAt: r.answered_at?.toISOString() ?? null,
  recordedBy: { id: r.recorded_by, displayName: r.recorder_name },
  recordedAt: r.recorded_at.toISOString(),
  referrals: r.referrals.map((x) => ({
    ...x,
    recordedAt: new Date(x.recordedAt).toISOString(),
  })),
  watchFlags: r.watch_flags,
  version: r.version,
});

export interface ComplaintInsert {
  prisonerId: string;
  facilityId: string;
  receivedOn: string;
  madeBy: string;
  channel: 'staff' | 'inspector';
  subject: string;
  allegesIllTreatment: boolean;
  words: string;
  concernsStaffIds: string[];
  assignedTo: string;
  responsePeriod: string;
  recordedBy: string;
}

/** The SQL that the service binds its scope into: `where` numbers its parameters from $3. */
export const SCOPE_FIRST_PARAM = 3;

/** Complaints' SQL. */
@Injectable()
export class ComplaintsRepository {
  async find(
    m: EntityManager,
    id: string,
    watch: WatchScope,
    lock = false,
  ): Promise<Complaint | undefined> {
    if (lock) await m.query(`SELECT 1 FROM complaint WHERE id = $1 FOR UPDATE`, [id]);
    const [row]: Row[] = await m.query(`${SELECT} WHERE c.id = $3`, [
      watch.period,
      watch.kinds,
      id,
    ]);
    return row && toComplaint(row);
  }

  /** The watch list of a complaint, oldest first. */
  async watch(m: EntityManager, id: string, watch: WatchScope): Promise<WatchItem[]> {
    const rows: {
      kind: WatchKind;
      id: string;
      type: string;
      date: string;
      decided_by: string;
      decider_name: string;
      concerned: boolean;
    }[] = await m.query(
      `SELECT w.*, u.display_name AS decider_name
       FROM complaint c CROSS JOIN LATERAL (${WATCH}) w
       JOIN app_user u ON u.id = w.decided_by
       WHERE c.id = $3 ORDER BY w.date, w.kind, w.id`,
      [watch.period, watch.kinds, id],
    );
    return rows.map((r) => ({
      kind: r.kind,
      id: r.id,
      type: r.type,
      date: r.date,
      decidedBy: { id: r.decided_by, displayName: r.decider_name },
      byConcernedStaff: r.concerned,
    }));
  }

  /**
   * Which of `ids` are active staff of the facility (users holding it); the others may not be
   * named as the staff a complaint concerns.
   */
  async staffOf(m: EntityManager, facilityId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT u.id FROM app_user u JOIN user_facility uf ON uf.user_id = u.id AND uf.facility_id = $1
       WHERE u.active AND u.id = ANY($2::uuid[])`,
      [facilityId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The active staff of a facility, by name: whom a complaint may be about. */
  async staffList(m: EntityManager, facilityId: string): Promise<StaffName[]> {
    const rows: { id: string; display_name: string }[] = await m.query(
      `SELECT u.id, u.display_name FROM app_user u
       JOIN user_facility uf ON uf.user_id = u.id AND uf.facility_id = $1
       WHERE u.active ORDER BY u.display_name, u.id`,
      [facilityId],
    );
    return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
  }

  /**
   * Who may handle a complaint made to staff at this facility: active supervisors holding it,
   * except the staff it concerns; the fewest open complaints first.
   */
  async impartialHandlers(
    m: EntityManager,
    facilityId: string,
    concerned: string[],
  ): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT u.id FROM app_user u JOIN user_facility uf ON uf.user_id = u.id AND uf.facility_id = $1
       WHERE u.active AND 'supervisor' = ANY(u.roles) AND NOT (u.id = ANY($2::uuid[]))
       ORDER BY (SELECT count(*) FROM complaint c WHERE c.assigned_to = u.id AND c.answered_at IS NULL),
         u.display_name, u.id`,
      [facilityId, concerned],
    );
    return rows.map((r) => r.id);
  }

  async insert(m: EntityManager, c: ComplaintInsert): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO complaint (prisoner_id, facility_id, received_on, made_by, channel, subject,
         alleges_ill_treatment, confidential, words, assigned_to, respond_by, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $5 = 'inspector', $8, $9,
         ($3::date + $10::interval)::date, $11) RETURNING id`,
      [
        c.prisonerId,
        c.facilityId,
        c.receivedOn,
        c.madeBy,
        c.channel,
        c.subject,
        c.allegesIllTreatment,
        c.words,
        c.assignedTo,
        c.responsePeriod,
        c.recordedBy,
      ],
    );
    if (c.concernsStaffIds.length > 0)
      await m.query(
        `INSERT INTO complaint_staff (complaint_id, user_id) SELECT $1, unnest($2::uuid[])`,
        [id, c.concernsStaffIds],
      );
    return id;
  }

  async answer(
    m: EntityManager,
    id: string,
    answer: { outcome: string; response: string; by: string },
  ): Promise<void> {
    await m.query(
      `UPDATE complaint SET outcome = $2, response = $3, answered_by = $4, answered_at = now(),
         version = version + 1
       WHERE id = $1`,
      [id, answer.outcome, answer.response, answer.by],
    );
  }

  async insertReferral(
    m: EntityManager,
    r: {
      complaintId: string;
      authority: string;
      authorityName: string;
      referredOn: string;
      reference: string | null;
      recordedBy: string;
    },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO complaint_referral (complaint_id, authority, authority_name, referred_on,
         reference, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [r.complaintId, r.authority, r.authorityName, r.referredOn, r.reference, r.recordedBy],
    );
    await m.query(`UPDATE complaint SET version = version + 1 WHERE id = $1`, [r.complaintId]);
    return id;
  }

  /**
   * One page, newest first; `where` is the caller's scope with parameters from $3 ($1 and $2
   * are the watch's).
   */
  async page(
    m: EntityManager,
    watch: WatchScope,
    where: SqlFilter,
    filters: { prisonerId?: string; status?: string; assignedTo?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<(Complaint & { sortKey: [string, string] })[]> {
    const params: unknown[] = [watch.period, watch.kinds, ...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const conditions = [where.sql];
    if (filters.prisonerId) conditions.push(`c.prisoner_id = ${bind(filters.prisonerId)}::uuid`);
    if (filters.status === 'open') conditions.push(`c.answered_at IS NULL`);
    if (filters.status === 'answered') conditions.push(`c.answered_at IS NOT NULL`);
    if (filters.assignedTo) conditions.push(`c.assigned_to = ${bind(filters.assignedTo)}::uuid`);
    if (after)
      conditions.push(`(c.received_on, c.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${conditions.join(' AND ')}
       ORDER BY c.received_on DESC, c.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      ...toComplaint(r),
      sortKey: [r.received_on, r.id] as [string, string],
    }));
  }

  /**
   * Due items: open complaints by their deadline (`complaint:<id>`), and ill-treatment
   * allegations without a referral, due the day received (`ill_treatment_referral:<id>`);
   * `where` is the caller's scope with parameters from $3.
   */
  async due(
    m: EntityManager,
    watch: WatchScope,
    where: SqlFilter,
    query: DueQuery,
  ): Promise<
    {
      item_id: string;
      kind: 'complaint_response' | 'ill_treatment_referral';
      due_date: string;
      complaint: Complaint;
    }[]
  > {
    const params: unknown[] = [watch.period, watch.kinds, ...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    // Confidential complaints are not due items: a due list (its count, the prisoners it shows)
    // is audited where supervisors read it. Inspectors find theirs on their complaints queue.
    const inner = [where.sql, 'NOT c.confidential'];
    if (query.facilityId) inner.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const outer = [`due_date::date <= ${bind(query.before)}::date`];
    if (query.after)
      outer.push(
        `(due_date::date, item_id COLLATE "C") > (${bind(query.after.dueDate)}::date, ${bind(query.after.id)} COLLATE "C")`,
      );
    const rows: (Row & {
      item_id: string;
      kind: 'complaint_response' | 'ill_treatment_referral';
      due_date: string;
    })[] = await m.query(
      `SELECT * FROM (
           SELECT q.*, 'complaint:' || q.id AS item_id, 'complaint_response' AS kind,
             q.respond_by AS due_date
           FROM (${SELECT} WHERE ${inner.join(' AND ')} AND c.answered_at IS NULL) q
           UNION ALL
           SELECT q.*, 'ill_treatment_referral:' || q.id, 'ill_treatment_referral', q.received_on
           FROM (${SELECT} WHERE ${inner.join(' AND ')} AND c.alleges_ill_treatment
             AND NOT EXISTS (SELECT 1 FROM complaint_referral r WHERE r.complaint_id = c.id)) q
         ) d
         WHERE ${outer.join(' AND ')}
         ORDER BY due_date, item_id COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      item_id: r.item_id,
      kind: r.kind,
      due_date: r.due_date,
      complaint: toComplaint(r),
    }));
  }
}
