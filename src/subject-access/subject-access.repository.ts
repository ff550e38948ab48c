import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import type { DueQuery } from '../reviews/due-item.js';
import { isClinical, type CopyRecord, type CopyRecordType } from './copy.js';

export interface StaffName {
  id: string;
  displayName: string;
}

export interface Redaction {
  id: string;
  element: string;
  ground: string;
  note: string | null;
  decidedBy: StaffName;
  decidedAt: string;
  withdrawnBy: StaffName | null;
  withdrawnAt: string | null;
}

export interface SubjectAccessRequest {
  id: string;
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  /** The prisoner's current facility, which scopes access. */
  facilityId: string;
  kind: 'request' | 'release_copy';
  receivedOn: string;
  dueOn: string;
  status: 'received' | 'in_preparation' | 'released';
  note: string | null;
  recordedBy: StaffName;
  recordedAt: string;
  releasedBy: StaffName | null;
  releasedAt: string | null;
  bundleSha256: string | null;
  version: number;
}

/** A prisoner whose official copy on release is due and not yet requested. */
export interface ReleaseCopyDue {
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  /** The expected release date (or the day of release, once discharged): the copy is ready then. */
  dueOn: string;
  /** Discharged as released (due on the discharge date), not only expected to be. */
  released: boolean;
}

interface Row {
  id: string;
  prisoner_id: string;
  prison_number: string;
  prisoner_name: string;
  facility_id: string;
  kind: 'request' | 'release_copy';
  received_on: string;
  due_on: string;
  status: 'received' | 'in_preparation' | 'released';
  note: string | null;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  released_by: string | null;
  releaser_name: string | null;
  released_at: Date | null;
  bundle_sha256: string | null;
  version: number;
}

const SELECT = `
  SELECT r.id, r.prisoner_id, p.prison_number, p.given_name || ' ' || p.family_name AS prisoner_name,
    p.facility_id, r.kind, to_char(r.received_on, 'YYYY-MM-DD') AS received_on,
    to_char(r.due_on, 'YYYY-MM-DD') AS due_on, r.status, r.note, r.recorded_by,
    rec.display_name AS recorder_name, r.recorded_at, r.released_by, rel.display_name AS releaser_name,
    r.released_at, r.bundle_sha256, r.version
  FROM subject_access_request r
  JOIN prisoner p ON p.id = r.prisoner_id
  JOIN app_user rec ON rec.id = r.recorded_by
  LEFT JOIN app_user rel ON rel.id = r.released_by`;

const toRequest = (r: Row): SubjectAccessRequest => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  prisonNumber: r.prison_number,
  prisonerName: r.prisoner_name,
  facilityId: r.facility_id,
  kind: r.kind,
  receivedOn: r.received_on,
  dueOn: r.due_on,
  status: r.status,
  note: r.note,
  recordedBy: { id: r.recorded_by, displayName: r.recorder_name },
  recordedAt: r.recorded_at.toISOString(),
  releasedBy: r.released_by ? { id: r.released_by, displayName: r.releaser_name! } : null,
  releasedAt: r.released_at?.toISOString() ?? null,
  bundleSha256: r.bundle_sha256,
  version: r.version,
});

const DAY = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
const iso = (d: Date | null) => d?.toISOString() ?? null;

type CopyRow = Record<string, unknown>;

/**
 * How one kind of record in the copy is read: its query (the prisoner's id as $1, oldest first),
 * the record's date and its fields in the order the copy lists them.
 */
interface CopySource {
  type: CopyRecordType;
  sql: string;
  date: (row: CopyRow) => string | null;
  fields: (row: CopyRow) => [name: string, value: unknown][];
}

const text = (value: unknown) => value as string | null;
const at = (value: unknown) => iso(value as Date | null);

const COPY_SOURCES: CopySource[] = [
  {
    type: 'particulars',
    sql: `SELECT p.id, p.prison_number, p.given_name, p.family_name, ${DAY('p.date_of_birth')} AS date_of_birth,
         p.sex, p.legal_status, fa.name AS facility, ${DAY('p.expected_release_date')} AS expected_release_date,
         ${DAY('p.created_at')} AS created_on
       FROM prisoner p JOIN facility fa ON fa.id = p.facility_id WHERE p.id = $1`,
    date: (p) => text(p.created_on),
    fields: (p) => [
      ['prisonNumber', p.prison_number],
      ['givenName', p.given_name],
      ['familyName', p.family_name],
      ['dateOfBirth', p.date_of_birth],
      ['sex', p.sex],
      ['legalStatus', p.legal_status],
      ['facility', p.facility],
      ['expectedReleaseDate', p.expected_release_date],
    ],
  },
  {
    type: 'assessment',
    sql: `SELECT a.id, a.revision, iv.key, iv.version AS instrument_version, iv.title, a.status, a.reason,
         a.trigger, a.approved_at, a.final_risk_level, a.final_rationale, a.needs, a.recommendations,
         ${DAY('a.next_review_due')} AS next_review_due, a.formulation, a.ratings, a.scenarios,
         a.prisoner_participation, a.indicative, ua.display_name AS assessor, uc.display_name AS countersigner
       FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
       JOIN app_user ua ON ua.id = a.assessor_id LEFT JOIN app_user uc ON uc.id = a.countersigner_id
       WHERE a.prisoner_id = $1 AND a.status IN ('approved', 'superseded')
       ORDER BY a.approved_at, a.id`,
    date: (a) => at(a.approved_at),
    fields: (a) => {
      const recommendations = a.recommendations as { tag?: string }[];
      return [
        ['instrument', `${text(a.title)} (${text(a.key)} ${text(a.instrument_version)})`],
        ['revision', a.revision],
        ['status', a.status],
        ['reason', a.trigger ? `${text(a.reason)}: ${text(a.trigger)}` : a.reason],
        ['assessor', a.assessor],
        ['countersigner', a.countersigner],
        ['approvedAt', at(a.approved_at)],
        ['finalRiskLevel', a.final_risk_level],
        ['needs', a.needs],
        // Programme staff read the non-clinical recommendations; clinical ones are clinical.
        ['recommendations', recommendations.filter((r) => r.tag !== 'clinical')],
        ['clinicalRecommendations', recommendations.filter((r) => r.tag === 'clinical')],
        ['nextReviewDue', a.next_review_due],
        ['finalRationale', a.final_rationale],
        ['formulation', a.formulation],
        ['scenarios', a.scenarios],
        ['ratings', a.ratings],
        ['indicative', a.indicative],
        ['prisonerParticipation', a.prisoner_participation],
      ];
    },
  },
  {
    type: 'plan',
    sql: `SELECT pl.id, pl.revision, pl.status, pl.created_at, pl.approved_at, pl.agreement_response,
         pl.agreement_words, ${DAY('pl.agreement_recorded_on')} AS agreement_recorded_on,
         ${DAY('pl.expected_release_date')} AS expected_release_date, pl.release_tasks, pl.release_handovers,
         pl.suspend_reason, pl.completion_note, pl.close_reason,
         (SELECT COALESCE(jsonb_agg(jsonb_build_object('need', g.need_code, 'description', g.description,
            'targetDate', g.target_date, 'status', g.status) ORDER BY g.position), '[]')
          FROM plan_goal g WHERE g.plan_id = pl.id AND g.removed_at IS NULL) AS goals,
         (SELECT COALESCE(jsonb_agg(jsonb_build_object('intervention', i.catalogue_code, 'discipline', i.discipline,
            'frequency', i.frequency, 'plannedStart', i.planned_start, 'plannedEnd', i.planned_end,
            'status', i.status, 'consentGiven', i.consent_given) ORDER BY i.position), '[]')
          FROM plan_intervention i WHERE i.plan_id = pl.id AND i.removed_at IS NULL) AS interventions
       FROM programme_plan pl WHERE pl.prisoner_id = $1 ORDER BY pl.created_at, pl.id`,
    date: (pl) => at(pl.created_at),
    fields: (pl) => [
      ['status', pl.status],
      ['revision', pl.revision],
      ['approvedAt', at(pl.approved_at)],
      ['goals', pl.goals],
      ['interventions', pl.interventions],
      [
        'agreement',
        pl.agreement_response
          ? {
              response: pl.agreement_response,
              words: pl.agreement_words,
              recordedOn: pl.agreement_recorded_on,
            }
          : null,
      ],
      ['expectedReleaseDate', pl.expected_release_date],
      ['releaseTasks', pl.release_tasks],
      ['releaseHandovers', pl.release_handovers],
      ['suspendReason', pl.suspend_reason],
      ['completionNote', pl.completion_note],
      ['closeReason', pl.close_reason],
    ],
  },
  {
    type: 'session',
    sql: `SELECT s.id, s.plan_id, ${DAY('s.date')} AS date, s.attendance, s.engagement, s.notes,
         i.catalogue_code
       FROM plan_session s JOIN programme_plan pl ON pl.id = s.plan_id
       LEFT JOIN plan_intervention i ON i.id = s.intervention_id
       WHERE pl.prisoner_id = $1 ORDER BY s.date, s.id`,
    date: (s) => text(s.date),
    fields: (s) => [
      ['plan', s.plan_id],
      ['intervention', s.catalogue_code],
      ['date', s.date],
      ['attendance', s.attendance],
      ['engagement', s.engagement],
      ['notes', s.notes],
    ],
  },
  {
    type: 'review',
    sql: `SELECT r.id, r.plan_id, ${DAY('r.date')} AS date, r.attendees, r.goal_progress, r.summary,
         ${DAY('r.next_review_date')} AS next_review_date
       FROM plan_review r JOIN programme_plan pl ON pl.id = r.plan_id
       WHERE pl.prisoner_id = $1 ORDER BY r.date, r.id`,
    date: (r) => text(r.date),
    fields: (r) => [
      ['plan', r.plan_id],
      ['date', r.date],
      ['attendees', r.attendees],
      ['goalProgress', r.goal_progress],
      ['summary', r.summary],
      ['nextReviewDate', r.next_review_date],
    ],
  },
  {
    type: 'event',
    sql: `SELECT id, type, occurred_at, note FROM prisoner_event WHERE prisoner_id = $1
       ORDER BY occurred_at, id`,
    date: (e) => at(e.occurred_at),
    fields: (e) => [
      ['type', e.type],
      ['occurredAt', at(e.occurred_at)],
      ['note', e.note],
    ],
  },
  {
    type: 'challenge',
    sql: `SELECT c.id, c.target_type, COALESCE(c.assessment_id, c.plan_id) AS target_id,
         ${DAY('c.received_on')} AS received_on, c.words, ${DAY('c.respond_by')} AS respond_by, c.status,
         c.outcome, c.response, c.answered_at, u.display_name AS answered_by,
         ${DAY('c.amendment_due')} AS amendment_due,
         (SELECT jsonb_agg(jsonb_build_object('authority', e.authority,
            'authorityName', e.authority_name, 'referredOn', ${DAY('e.referred_on')},
            'reference', e.reference, 'grounds', e.grounds, 'decidedOn', ${DAY('e.decided_on')},
            'outcome', e.outcome, 'summary', e.summary, 'amendmentDue', ${DAY('e.amendment_due')})
            ORDER BY e.referred_on, e.recorded_at, e.id)
          FROM challenge_escalation e WHERE e.challenge_id = c.id) AS escalations
       FROM challenge c LEFT JOIN app_user u ON u.id = c.answered_by
       WHERE c.prisoner_id = $1 ORDER BY c.received_on, c.id`,
    date: (c) => text(c.received_on),
    fields: (c) => [
      ['challenged', `${text(c.target_type)} ${text(c.target_id)}`],
      ['receivedOn', c.received_on],
      ['words', c.words],
      ['respondBy', c.respond_by],
      ['status', c.status],
      ['outcome', c.outcome],
      ['response', c.response],
      ['answeredBy', c.answered_by],
      ['answeredAt', at(c.answered_at)],
      ['amendmentDue', c.amendment_due],
      // Taken to an outside authority (Rule 57(1)), with what it decided.
      ['escalations', c.escalations],
    ],
  },
  {
    // Complaints made to staff, their answers and referrals (Rule 8(d)); a confidential one,
    // made to an inspector, is not part of the file staff keep or copy: the inspectorate
    // acknowledges it to the prisoner itself.
    type: 'complaint',
    sql: `SELECT c.id, ${DAY('c.received_on')} AS received_on, c.made_by, c.subject,
         c.alleges_ill_treatment, c.words, ${DAY('c.respond_by')} AS respond_by, c.outcome,
         c.response, c.answered_at, u.display_name AS answered_by,
         (SELECT jsonb_agg(jsonb_build_object('authority', r.authority,
            'authorityName', r.authority_name, 'referredOn', ${DAY('r.referred_on')},
            'reference', r.reference) ORDER BY r.referred_on, r.recorded_at, r.id)
          FROM complaint_referral r WHERE r.complaint_id = c.id) AS referrals
       FROM complaint c LEFT JOIN app_user u ON u.id = c.answered_by
       WHERE c.prisoner_id = $1 AND NOT c.confidential ORDER BY c.received_on, c.id`,
    date: (c) => text(c.received_on),
    fields: (c) => [
      ['receivedOn', c.received_on],
      ['madeBy', c.made_by],
      ['subject', c.subject],
      ['allegesIllTreatment', c.alleges_ill_treatment],
      ['words', c.words],
      ['respondBy', c.respond_by],
      ['outcome', c.outcome],
      ['response', c.response],
      ['answeredBy', c.answered_by],
      ['answeredAt', at(c.answered_at)],
      ['referrals', c.referrals],
    ],
  },
  {
    type: 'disclosure',
    sql: `SELECT d.id, d.source, d.recipient_type, d.recipient, d.lawful_basis, d.purpose, d.records,
         ${DAY('d.disclosed_on')} AS disclosed_on, u.display_name AS approved_by
       FROM disclosure d LEFT JOIN app_user u ON u.id = d.approved_by
       WHERE d.prisoner_id = $1 ORDER BY d.disclosed_on, d.id`,
    date: (d) => text(d.disclosed_on),
    fields: (d) => [
      ['recipientType', d.recipient_type],
      ['recipient', d.recipient],
      ['lawfulBasis', d.lawful_basis],
      ['purpose', d.purpose],
      ['records', d.records],
      ['disclosedOn', d.disclosed_on],
      ['approvedBy', d.approved_by],
      ['source', d.source],
    ],
  },
];

/** Subject-access requests, their register and released copies; and the records a copy holds. */
@Injectable()
export class SubjectAccessRepository {
  async find(
    m: EntityManager,
    id: string,
    lock = false,
  ): Promise<SubjectAccessRequest | undefined> {
    if (lock) await m.query(`SELECT 1 FROM subject_access_request WHERE id = $1 FOR UPDATE`, [id]);
    const [row]: Row[] = await m.query(`${SELECT} WHERE r.id = $1`, [id]);
    return row && toRequest(row);
  }

  async insert(
    m: EntityManager,
    r: {
      prisonerId: string;
      facilityId: string;
      kind: string;
      receivedOn: string;
      dueOn: string;
      note: string | null;
      recordedBy: string;
    },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO subject_access_request (prisoner_id, facility_id, kind, received_on, due_on, note, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [r.prisonerId, r.facilityId, r.kind, r.receivedOn, r.dueOn, r.note, r.recordedBy],
    );
    return id;
  }

  async page(
    m: EntityManager,
    where: SqlFilter,
    filters: { status?: string; prisonerId?: string; kind?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<(SubjectAccessRequest & { sortKey: [string, string] })[]> {
    const params = [...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const conditions = [where.sql];
    if (filters.status) conditions.push(`r.status = ${bind(filters.status)}`);
    if (filters.prisonerId) conditions.push(`r.prisoner_id = ${bind(filters.prisonerId)}::uuid`);
    if (filters.kind) conditions.push(`r.kind = ${bind(filters.kind)}`);
    if (after)
      conditions.push(`(r.due_on, r.id) > (${bind(after[0])}::date, ${bind(after[1])}::uuid)`);
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${conditions.join(' AND ')} ORDER BY r.due_on, r.id LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map((r) => ({ ...toRequest(r), sortKey: [r.due_on, r.id] }));
  }

  /**
   * Prisoners whose official copy on release is due (`release_copy:<prisonerId>`) and not yet
   * requested, with no release-copy request of any status: prisoners on the roll released within
   * `lead` of `today` or already past (due on the expected release date, read in that order from
   * prisoner_release_idx), and prisoners discharged as released (due on the discharge date,
   * whatever was expected; from prisoner_released_idx). Discharged for any other reason, none is
   * due. Both branches are in the due list's (dueDate, id) order, as the item ids share their
   * prefix; `where` is the caller's scope on the prisoner (parameters from $1).
   */
  async releaseCopiesDue(
    m: EntityManager,
    where: SqlFilter,
    query: DueQuery,
    today: string,
    lead: string,
  ): Promise<ReleaseCopyDue[]> {
    const params = [...where.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const common = [
      where.sql,
      `NOT EXISTS (SELECT 1 FROM subject_access_request r
         WHERE r.prisoner_id = p.id AND r.kind = 'release_copy')`,
    ];
    if (query.facilityId) common.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const before = bind(query.before);
    const branch = (column: string, conditions: string[]) => {
      const all = [...common, ...conditions];
      if (query.after) {
        const afterDate = bind(query.after.dueDate);
        all.push(
          `${column} >= ${afterDate}::date`,
          `(${column} > ${afterDate}::date
            OR ('release_copy:' || p.id::text) COLLATE "C" > ${bind(query.after.id)} COLLATE "C")`,
        );
      }
      return `(SELECT p.id, p.prison_number, p.given_name || ' ' || p.family_name AS prisoner_name,
           p.facility_id, ${column} AS due, ${column === 'p.discharged_on'} AS released
         FROM prisoner p WHERE ${all.join(' AND ')}
         ORDER BY ${column}, p.id LIMIT ${bind(query.limit + 1)})`;
    };
    const held = branch('p.expected_release_date', [
      `p.discharged_on IS NULL`,
      `p.expected_release_date IS NOT NULL`,
      `p.expected_release_date <= LEAST(${before}::date, (${bind(today)}::date + ${bind(lead)}::interval)::date)`,
    ]);
    const released = branch('p.discharged_on', [
      `p.discharge_reason = 'released'`,
      `p.discharged_on <= ${before}::date`,
    ]);
    const rows: {
      id: string;
      prison_number: string;
      prisoner_name: string;
      facility_id: string;
      due_date: string;
      released: boolean;
    }[] = await m.query(
      `SELECT id, prison_number, prisoner_name, facility_id,
         to_char(due, 'YYYY-MM-DD') AS due_date, released
       FROM (${held} UNION ALL ${released}) d
       ORDER BY due, ('release_copy:' || id::text) COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    return rows.map((r) => ({
      prisonerId: r.id,
      prisonNumber: r.prison_number,
      prisonerName: r.prisoner_name,
      facilityId: r.facility_id,
      dueOn: r.due_date,
      released: r.released,
    }));
  }

  /**
   * A release copy is received and due on the release date: the open ones (not yet released)
   * take the new date, each a new version.
   */
  async followReleaseDate(
    m: EntityManager,
    prisonerId: string,
    releaseDate: string,
  ): Promise<string[]> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE subject_access_request SET received_on = $2, due_on = $2, version = version + 1
       WHERE prisoner_id = $1 AND kind = 'release_copy' AND status <> 'released'
         AND due_on IS DISTINCT FROM $2::date
       RETURNING id`,
      [prisonerId, releaseDate],
    );
    return rows.map((r) => r.id);
  }

  async register(m: EntityManager, requestId: string): Promise<Redaction[]> {
    const rows: {
      id: string;
      element: string;
      ground: string;
      note: string | null;
      decided_by: string;
      decider_name: string;
      decided_at: Date;
      withdrawn_by: string | null;
      withdrawer_name: string | null;
      withdrawn_at: Date | null;
    }[] = await m.query(
      `SELECT x.id, x.element, x.ground, x.note, x.decided_by, d.display_name AS decider_name, x.decided_at,
         x.withdrawn_by, w.display_name AS withdrawer_name, x.withdrawn_at
       FROM subject_access_redaction x JOIN app_user d ON d.id = x.decided_by
       LEFT JOIN app_user w ON w.id = x.withdrawn_by
       WHERE x.request_id = $1 ORDER BY x.decided_at, x.id`,
      [requestId],
    );
    return rows.map((x) => ({
      id: x.id,
      element: x.element,
      ground: x.ground,
      note: x.note,
      decidedBy: { id: x.decided_by, displayName: x.decider_name },
      decidedAt: x.decided_at.toISOString(),
      withdrawnBy: x.withdrawn_by ? { id: x.withdrawn_by, displayName: x.withdrawer_name! } : null,
      withdrawnAt: iso(x.withdrawn_at),
    }));
  }

  async redact(
    m: EntityManager,
    requestId: string,
    r: { element: string; ground: string; note: string | null; by: string },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO subject_access_redaction (request_id, element, ground, note, decided_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [requestId, r.element, r.ground, r.note, r.by],
    );
    await m.query(
      `UPDATE subject_access_request SET status = 'in_preparation', version = version + 1 WHERE id = $1`,
      [requestId],
    );
    return id;
  }

  async withdraw(
    m: EntityManager,
    requestId: string,
    redactionId: string,
    by: string,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `UPDATE subject_access_redaction SET withdrawn_by = $3, withdrawn_at = now()
       WHERE id = $2 AND request_id = $1 AND withdrawn_at IS NULL RETURNING id`,
      [requestId, redactionId, by],
    );
    if (rows.length === 0) return false;
    await m.query(`UPDATE subject_access_request SET version = version + 1 WHERE id = $1`, [
      requestId,
    ]);
    return true;
  }

  async release(
    m: EntityManager,
    id: string,
    by: string,
    releasedAt: Date,
    bundle: unknown,
    sha256: string,
  ): Promise<void> {
    await m.query(
      `UPDATE subject_access_request SET status = 'released', released_by = $2, released_at = $3,
         bundle = $4, bundle_sha256 = $5, version = version + 1 WHERE id = $1`,
      [id, by, releasedAt, JSON.stringify(bundle), sha256],
    );
  }

  async bundle(m: EntityManager, id: string): Promise<unknown> {
    const [row]: { bundle: unknown }[] = await m.query(
      `SELECT bundle FROM subject_access_request WHERE id = $1`,
      [id],
    );
    return row?.bundle ?? null;
  }

  /**
   * Every record about the prisoner, oldest first within each kind: particulars, assessments in
   * their approved revisions, plans, their sessions and reviews, events, challenges (with their
   * escalations), complaints made to staff (with their referrals) and disclosures. Read straight from the tables (as the copy must hold what is on
   * file, not what any one staff view shows); clinical fields are marked so the preparer's view
   * can hide them.
   */
  async records(m: EntityManager, prisonerId: string): Promise<CopyRecord[]> {
    const out: CopyRecord[] = [];
    for (const source of COPY_SOURCES) {
      const rows: CopyRow[] = await m.query(source.sql, [prisonerId]);
      for (const row of rows)
        out.push({
          type: source.type,
          id: row.id as string,
          date: source.date(row),
          fields: source.fields(row).map(([name, value]) => ({
            name,
            value,
            clinical: isClinical(source.type, name),
          })),
        });
    }
    return out;
  }
}
