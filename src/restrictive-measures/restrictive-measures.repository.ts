import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import type {
  CreateMeasureDto,
  RecordDayDto,
  RecordReviewDto,
} from './dto/restrictive-measure.dto.js';

export interface MeasureRow {
  id: string;
  prisonerId: string;
  facilityId: string;
  /** The prisoner's facility now: what scopes access to the measure. */
  currentFacilityId: string;
  prisonNumber: string;
  type: string;
  legalBasis: string;
  reason: string;
  authorisedByName: string;
  authorisedByPosition: string;
  startsOn: string;
  plannedEndOn: string | null;
  endedOn: string | null;
  endReason: string | null;
  familyContact: string;
  familyContactRestrictedUntil: string | null;
  nextReviewOn: string;
  recordedBy: { id: string; displayName: string };
  recordedAt: Date;
  version: number;
}

export interface DayRow {
  measureId: string;
  day: string;
  hoursOutOfCell: number;
  meaningfulContactHours: number;
  healthVisit: boolean;
  recordedBy: { id: string; displayName: string };
}

export interface ReviewRow {
  id: string;
  measureId: string;
  reviewedOn: string;
  reviewerName: string;
  reviewerBody: string;
  independent: boolean;
  decision: string;
  nextReviewOn: string | null;
  recordedBy: { id: string; displayName: string };
}

export interface HealthObjectionRow {
  id: string;
  measureId: string;
  objectedOn: string;
  recordedBy: { id: string; displayName: string };
}

const SELECT = `
  SELECT m.id, m.prisoner_id AS "prisonerId", m.facility_id AS "facilityId",
    p.facility_id AS "currentFacilityId", p.prison_number AS "prisonNumber", m.type,
    m.legal_basis AS "legalBasis", m.reason, m.authorised_by_name AS "authorisedByName",
    m.authorised_by_position AS "authorisedByPosition", m.starts_on::text AS "startsOn",
    m.planned_end_on::text AS "plannedEndOn", m.ended_on::text AS "endedOn", m.end_reason AS "endReason",
    m.family_contact AS "familyContact",
    m.family_contact_restricted_until::text AS "familyContactRestrictedUntil",
    m.next_review_on::text AS "nextReviewOn",
    json_build_object('id', u.id, 'displayName', u.display_name) AS "recordedBy",
    m.recorded_at AS "recordedAt", m.version
  FROM restrictive_measure m
  JOIN prisoner p ON p.id = m.prisoner_id
  JOIN app_user u ON u.id = m.recorded_by`;

/** The SQL of restrictive measures, their daily records and reviews. */
@Injectable()
export class RestrictiveMeasuresRepository {
  async find(m: EntityManager, id: string, lock = false): Promise<MeasureRow | undefined> {
    const [row]: MeasureRow[] = await m.query(
      `${SELECT} WHERE m.id = $1${lock ? ' FOR UPDATE OF m' : ''}`,
      [id],
    );
    return row;
  }

  /** Every measure of these prisoners (for the solitary count), oldest first. */
  async ofPrisoners(m: EntityManager, prisonerIds: string[]): Promise<MeasureRow[]> {
    if (prisonerIds.length === 0) return [];
    return m.query(`${SELECT} WHERE m.prisoner_id = ANY($1::uuid[]) ORDER BY m.starts_on, m.id`, [
      prisonerIds,
    ]);
  }

  async page(
    m: EntityManager,
    prisonerId: string,
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<MeasureRow[]> {
    return m.query(
      `${SELECT} WHERE m.prisoner_id = $1
         ${after ? 'AND (m.starts_on, m.id) < ($3::date, $4::uuid)' : ''}
       ORDER BY m.starts_on DESC, m.id DESC LIMIT $2`,
      after ? [prisonerId, limit + 1, after[0], after[1]] : [prisonerId, limit + 1],
    );
  }

  /** Prisoners with a measure in force on `today` (or ended yesterday), in the caller's scope. */
  async prisonersUnderMeasures(
    m: EntityManager,
    scope: SqlFilter,
    today: string,
    facilityId: string | undefined,
  ): Promise<string[]> {
    const n = scope.params.length;
    const rows: { id: string }[] = await m.query(
      `SELECT DISTINCT p.id FROM restrictive_measure m JOIN prisoner p ON p.id = m.prisoner_id
       WHERE ${scope.sql} AND m.starts_on <= $${n + 1}::date
         AND (m.ended_on IS NULL OR m.ended_on >= $${n + 1}::date)
         ${facilityId ? `AND p.facility_id = $${n + 2}::uuid` : ''}`,
      [...scope.params, today, ...(facilityId ? [facilityId] : [])],
    );
    return rows.map((r) => r.id);
  }

  async days(m: EntityManager, measureIds: string[]): Promise<DayRow[]> {
    if (measureIds.length === 0) return [];
    return m.query(
      `SELECT d.measure_id AS "measureId", d.day::text AS day,
         d.hours_out_of_cell::float8 AS "hoursOutOfCell",
         d.meaningful_contact_hours::float8 AS "meaningfulContactHours", d.health_visit AS "healthVisit",
         json_build_object('id', u.id, 'displayName', u.display_name) AS "recordedBy"
       FROM restrictive_measure_day d JOIN app_user u ON u.id = d.recorded_by
       WHERE d.measure_id = ANY($1::uuid[]) ORDER BY d.day DESC`,
      [measureIds],
    );
  }

  async reviews(m: EntityManager, measureIds: string[]): Promise<ReviewRow[]> {
    if (measureIds.length === 0) return [];
    return m.query(
      `SELECT r.id, r.measure_id AS "measureId", r.reviewed_on::text AS "reviewedOn",
         r.reviewer_name AS "reviewerName", r.reviewer_body AS "reviewerBody", r.independent,
         r.decision, r.next_review_on::text AS "nextReviewOn",
         json_build_object('id', u.id, 'displayName', u.display_name) AS "recordedBy"
       FROM restrictive_measure_review r JOIN app_user u ON u.id = r.recorded_by
       WHERE r.measure_id = ANY($1::uuid[]) ORDER BY r.reviewed_on DESC, r.recorded_at DESC`,
      [measureIds],
    );
  }

  async healthObjections(m: EntityManager, measureIds: string[]): Promise<HealthObjectionRow[]> {
    if (measureIds.length === 0) return [];
    return m.query(
      `SELECT o.id, o.measure_id AS "measureId", o.objected_on::text AS "objectedOn",
         json_build_object('id', u.id, 'displayName', u.display_name) AS "recordedBy"
       FROM restrictive_measure_health_objection o JOIN app_user u ON u.id = o.recorded_by
       WHERE o.measure_id = ANY($1::uuid[]) ORDER BY o.objected_on DESC, o.recorded_at DESC`,
      [measureIds],
    );
  }

  async insertHealthObjection(
    m: EntityManager,
    id: string,
    objectedOn: string,
    by: string,
  ): Promise<string> {
    const [{ id: objectionId }]: { id: string }[] = await m.query(
      `INSERT INTO restrictive_measure_health_objection (measure_id, objected_on, recorded_by)
       VALUES ($1, $2, $3) RETURNING id`,
      [id, objectedOn, by],
    );
    return objectionId;
  }

  async insert(
    m: EntityManager,
    prisonerId: string,
    facilityId: string,
    dto: CreateMeasureDto,
    recordedBy: string,
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO restrictive_measure (prisoner_id, facility_id, type, legal_basis, reason,
         authorised_by_name, authorised_by_position, starts_on, planned_end_on, family_contact,
         family_contact_restricted_until, next_review_on, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        prisonerId,
        facilityId,
        dto.type,
        dto.legalBasis,
        dto.reason,
        dto.authorisedBy.name,
        dto.authorisedBy.position,
        dto.startsOn,
        dto.plannedEndOn ?? null,
        dto.familyContact,
        dto.familyContactRestrictedUntil ?? null,
        dto.nextReviewOn,
        recordedBy,
      ],
    );
    return id;
  }

  /** False when the day is recorded already. */
  async insertDay(m: EntityManager, id: string, dto: RecordDayDto, by: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO restrictive_measure_day (measure_id, day, hours_out_of_cell, meaningful_contact_hours,
         health_visit, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING day`,
      [id, dto.day, dto.hoursOutOfCell, dto.meaningfulContactHours, dto.healthVisit, by],
    );
    return rows.length > 0;
  }

  async insertReview(
    m: EntityManager,
    id: string,
    dto: RecordReviewDto,
    by: string,
  ): Promise<string> {
    const [{ id: reviewId }]: { id: string }[] = await m.query(
      `INSERT INTO restrictive_measure_review (measure_id, reviewed_on, reviewer_name, reviewer_body,
         independent, decision, next_review_on, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        id,
        dto.reviewedOn,
        dto.reviewerName,
        dto.reviewerBody,
        dto.independent,
        dto.decision,
        dto.nextReviewOn ?? null,
        by,
      ],
    );
    if (dto.nextReviewOn)
      await m.query(`UPDATE restrictive_measure SET next_review_on = $2 WHERE id = $1`, [
        id,
        dto.nextReviewOn,
      ]);
    return reviewId;
  }

  async end(m: EntityManager, id: string, endedOn: string, reason: string): Promise<void> {
    await m.query(`UPDATE restrictive_measure SET ended_on = $2, end_reason = $3 WHERE id = $1`, [
      id,
      endedOn,
      reason,
    ]);
  }

  /** One change of the measure or its records: the version a client must send next. */
  async touch(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE restrictive_measure SET version = version + 1 WHERE id = $1`, [id]);
  }
}
