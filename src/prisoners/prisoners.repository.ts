import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import { prepared } from '../database/prepared.js';

/** A prisoner record as the feature works with it (camelCase; dates as YYYY-MM-DD). */
export interface Prisoner {
  id: string;
  prisonNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  legalStatus: string;
  facility: { id: string; code: string; name: string };
  expectedReleaseDate: string | null;
  /** Off the roll since (null while held), and why. */
  dischargedOn: string | null;
  dischargeReason: string | null;
  under18: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The keyset sort key of the list. */
  sortKey: [string, string, string];
}

export interface FacilityStay {
  facility: { id: string; code: string; name: string };
  from: string;
  to: string | null;
  reason: string;
  /** Set when a discharge ended the stay. */
  dischargeReason: string | null;
}

export interface PrisonerDetail extends Prisoner {
  facilityHistory: FacilityStay[];
}

/** The columns a correction may write, by field. */
export const PRISONER_COLUMNS = {
  prisonNumber: 'prison_number',
  givenName: 'given_name',
  familyName: 'family_name',
  dateOfBirth: 'date_of_birth',
  sex: 'sex',
  legalStatus: 'legal_status',
  expectedReleaseDate: 'expected_release_date',
} as const;

export type PrisonerField = keyof typeof PRISONER_COLUMNS;

export type NewPrisoner = Pick<
  Prisoner,
  'prisonNumber' | 'givenName' | 'familyName' | 'dateOfBirth' | 'sex' | 'legalStatus'
> & { facilityId: string; expectedReleaseDate: string | null; recordedBy: string };

interface Row {
  id: string;
  prison_number: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: string;
  legal_status: string;
  facility_id: string;
  facility_code: string;
  facility_name: string;
  expected_release_date: string | null;
  discharged_on: string | null;
  discharge_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  under18: boolean;
  sort_family: string;
  sort_given: string;
  facility_history?: FacilityStay[] | null;
}

const SELECT = `
  SELECT p.id, p.prison_number, p.given_name, p.family_name,
    to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.sex, p.legal_status, p.facility_id,
    f.code AS facility_code, f.name AS facility_name,
    to_char(p.expected_release_date, 'YYYY-MM-DD') AS expected_release_date,
    to_char(p.discharged_on, 'YYYY-MM-DD') AS discharged_on, p.discharge_reason,
    p.version, p.created_at, p.updated_at,
    p.date_of_birth > current_date - interval '18 years' AS under18,
    lower(p.family_name) AS sort_family, lower(p.given_name) AS sort_given
  FROM prisoner p JOIN facility f ON f.id = p.facility_id`;

/** A single record with its facility history, in one statement. */
const DETAIL_SELECT = SELECT.replace(
  'FROM prisoner p',
  `, (SELECT json_agg(json_build_object(
        'facility', json_build_object('id', hf.id, 'code', hf.code, 'name', hf.name),
        'from', to_char(h.from_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'to', to_char(h.to_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'reason', h.reason, 'dischargeReason', h.discharge_reason) ORDER BY h.from_at, h.to_at NULLS LAST, h.id)
      FROM prisoner_facility_history h JOIN facility hf ON hf.id = h.facility_id
      WHERE h.prisoner_id = p.id) AS facility_history
   FROM prisoner p`,
);

const toPrisoner = (row: Row): Prisoner => ({
  id: row.id,
  prisonNumber: row.prison_number,
  givenName: row.given_name,
  familyName: row.family_name,
  dateOfBirth: row.date_of_birth,
  sex: row.sex,
  legalStatus: row.legal_status,
  facility: { id: row.facility_id, code: row.facility_code, name: row.facility_name },
  expectedReleaseDate: row.expected_release_date,
  dischargedOn: row.discharged_on,
  dischargeReason: row.discharge_reason,
  under18: row.under18,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sortKey: [row.sort_family, row.sort_given, row.id],
});

const toDetail = (row: Row): PrisonerDetail => ({
  ...toPrisoner(row),
  facilityHistory: row.facility_history ?? [],
});

const likePrefix = (q: string) => `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface PrisonerSearch {
  scope: SqlFilter;
  facilityId?: string;
  q?: string;
  /** true: held; false: discharged; undefined: both. */
  onRoll?: boolean;
  after?: (string | number)[];
  limit: number;
}

/** The prisoners feature's SQL; rows leave here in camelCase. */
@Injectable()
export class PrisonersRepository {
  async detail(m: EntityManager, id: string): Promise<PrisonerDetail | undefined> {
    const [row] = await prepared<Row>(m, 'prisoner-detail', `${DETAIL_SELECT} WHERE p.id = $1`, [
      id,
    ]);
    return row && toDetail(row);
  }

  /** The record, locked for a change until the transaction ends. */
  async lock(m: EntityManager, id: string): Promise<Prisoner | undefined> {
    const [row]: Row[] = await m.query(`${SELECT} WHERE p.id = $1 FOR UPDATE OF p`, [id]);
    return row && toPrisoner(row);
  }

  /** Prisoners matching the search within `scope`, in (family, given, id) order: limit + 1. */
  async search(m: EntityManager, search: PrisonerSearch): Promise<Prisoner[]> {
    const params = [...search.scope.params];
    const where = [search.scope.sql];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (search.facilityId) where.push(`p.facility_id = ${bind(search.facilityId)}::uuid`);
    if (search.onRoll !== undefined)
      where.push(search.onRoll ? 'p.discharged_on IS NULL' : 'p.discharged_on IS NOT NULL');
    if (search.q) {
      const q = bind(likePrefix(search.q));
      where.push(
        `(lower(p.prison_number) LIKE ${q} OR lower(p.family_name) LIKE ${q} OR lower(p.given_name) LIKE ${q})`,
      );
    }
    if (search.after) {
      const [family, given, id] = search.after;
      where.push(
        `(lower(p.family_name), lower(p.given_name), p.id) > (${bind(family)}, ${bind(given)}, ${bind(id)}::uuid)`,
      );
    }
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${where.join(' AND ')}
       ORDER BY lower(p.family_name), lower(p.given_name), p.id LIMIT ${bind(search.limit + 1)}`,
      params,
    );
    return rows.map(toPrisoner);
  }

  /** Where the prisoner recorded under `prisonNumber` is held, if anyone is. */
  async holderOf(
    m: EntityManager,
    prisonNumber: string,
  ): Promise<{ prisonerId: string; facilityId: string } | undefined> {
    const [row]: { id: string; facility_id: string }[] = await m.query(
      `SELECT id, facility_id FROM prisoner WHERE prison_number = $1`,
      [prisonNumber],
    );
    return row && { prisonerId: row.id, facilityId: row.facility_id };
  }

  async facilityExists(m: EntityManager, facilityId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM facility WHERE id = $1`, [facilityId]);
    return rows.length > 0;
  }

  /** A new record and its first facility stay (admission). */
  async insert(m: EntityManager, p: NewPrisoner): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status,
         facility_id, expected_release_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        p.prisonNumber,
        p.givenName,
        p.familyName,
        p.dateOfBirth,
        p.sex,
        p.legalStatus,
        p.facilityId,
        p.expectedReleaseDate,
      ],
    );
    await m.query(
      `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
       VALUES ($1, $2, 'admission', $3)`,
      [id, p.facilityId, p.recordedBy],
    );
    return id;
  }

  /** Writes the given fields and moves the version on. */
  async update(
    m: EntityManager,
    id: string,
    changes: Partial<Record<PrisonerField, unknown>>,
  ): Promise<void> {
    const params: unknown[] = [id];
    const sets = Object.entries(changes).map(
      ([field, value]) => `${PRISONER_COLUMNS[field as PrisonerField]} = $${params.push(value)}`,
    );
    await m.query(
      `UPDATE prisoner SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
      params,
    );
  }

  /** Ends the current facility stay and starts one in `facilityId`. */
  async transfer(
    m: EntityManager,
    id: string,
    facilityId: string,
    reason: string,
    recordedBy: string,
  ): Promise<void> {
    await m.query(
      `UPDATE prisoner_facility_history SET to_at = now() WHERE prisoner_id = $1 AND to_at IS NULL`,
      [id],
    );
    await m.query(
      `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
       VALUES ($1, $2, $3, $4)`,
      [id, facilityId, reason, recordedBy],
    );
    await m.query(
      `UPDATE prisoner SET facility_id = $2, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, facilityId],
    );
  }

  /** Takes the prisoner off the roll: the current facility stay ends with the discharge. */
  async discharge(
    m: EntityManager,
    id: string,
    d: { dischargedOn: string; reason: string; note: string | null },
  ): Promise<void> {
    await m.query(
      // The stay ends on the day of discharge (its start, UTC), never before the stay began.
      `UPDATE prisoner_facility_history
       SET to_at = GREATEST(from_at, $3::date::timestamp AT TIME ZONE 'UTC'), discharge_reason = $2
       WHERE prisoner_id = $1 AND to_at IS NULL`,
      [id, d.reason, d.dischargedOn],
    );
    await m.query(
      `UPDATE prisoner SET discharged_on = $2, discharge_reason = $3, discharge_note = $4,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id, d.dischargedOn, d.reason, d.note],
    );
  }

  /**
   * Back on the roll, in the facility that discharged them: a new stay from the day of
   * readmission, its reason the note (`readmission` without one).
   */
  async readmit(
    m: EntityManager,
    id: string,
    facilityId: string,
    readmittedOn: string,
    note: string | null,
    recordedBy: string,
  ): Promise<void> {
    await m.query(
      // From the day of readmission (its start, UTC), never before the last stay ended.
      `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by, from_at)
       SELECT $1, $2, $3, $4, GREATEST($5::date::timestamp AT TIME ZONE 'UTC', max(h.to_at))
       FROM prisoner_facility_history h WHERE h.prisoner_id = $1`,
      [id, facilityId, note ?? 'readmission', recordedBy, readmittedOn],
    );
    await m.query(
      `UPDATE prisoner SET discharged_on = NULL, discharge_reason = NULL, discharge_note = NULL,
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id],
    );
  }
}
