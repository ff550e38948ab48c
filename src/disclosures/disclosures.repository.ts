import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';
import type { DisclosureResponse } from './dto/disclosure.dto.js';

export interface DisclosureInsert {
  prisonerId: string;
  facilityId: string;
  source: 'recorded' | 'plan_handover';
  planId: string | null;
  recipientType: string;
  recipient: string;
  lawfulBasis: string | null;
  purpose: string;
  records: {
    recordType: string;
    recordId: string | null;
    fields: string[];
    description?: string;
  }[];
  disclosedOn: string;
  approvedBy: string | null;
  recordedBy: string;
}

interface Row {
  id: string;
  prisoner_id: string;
  prison_number: string;
  facility_id: string;
  source: string;
  plan_id: string | null;
  recipient_type: string;
  recipient: string;
  lawful_basis: string | null;
  purpose: string;
  records: DisclosureResponse['records'];
  disclosed_on: string;
  approved_by: string | null;
  approver_name: string | null;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
}

const SELECT = `
  SELECT d.id, d.prisoner_id, p.prison_number, d.facility_id, d.source, d.plan_id, d.recipient_type,
    d.recipient, d.lawful_basis, d.purpose, d.records, to_char(d.disclosed_on, 'YYYY-MM-DD') AS disclosed_on,
    d.approved_by, ap.display_name AS approver_name, d.recorded_by, rc.display_name AS recorder_name,
    d.recorded_at
  FROM disclosure d
  JOIN prisoner p ON p.id = d.prisoner_id
  JOIN app_user rc ON rc.id = d.recorded_by
  LEFT JOIN app_user ap ON ap.id = d.approved_by`;

const toResponse = (r: Row): DisclosureResponse => ({
  id: r.id,
  prisonerId: r.prisoner_id,
  prisonNumber: r.prison_number,
  facilityId: r.facility_id,
  source: r.source,
  planId: r.plan_id,
  recipientType: r.recipient_type,
  recipient: r.recipient,
  lawfulBasis: r.lawful_basis,
  purpose: r.purpose,
  records: r.records,
  disclosedOn: r.disclosed_on,
  approvedBy: r.approved_by ? { id: r.approved_by, displayName: r.approver_name! } : null,
  recordedBy: { id: r.recorded_by, displayName: r.recorder_name },
  recordedAt: r.recorded_at.toISOString(),
});

export type ListedDisclosure = DisclosureResponse & { sortKey: [string, string] };

/** The disclosure log's SQL. */
@Injectable()
export class DisclosuresRepository {
  async insert(m: EntityManager, d: DisclosureInsert): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO disclosure (prisoner_id, facility_id, source, plan_id, recipient_type, recipient,
         lawful_basis, purpose, records, disclosed_on, approved_by, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        d.prisonerId,
        d.facilityId,
        d.source,
        d.planId,
        d.recipientType,
        d.recipient,
        d.lawfulBasis,
        d.purpose,
        JSON.stringify(d.records),
        d.disclosedOn,
        d.approvedBy,
        d.recordedBy,
      ],
    );
    return id;
  }

  async find(m: EntityManager, id: string): Promise<DisclosureResponse | undefined> {
    const [row]: Row[] = await m.query(`${SELECT} WHERE d.id = $1`, [id]);
    return row && toResponse(row);
  }

  /** Every disclosure about a prisoner, newest first (for the subject-access copy). */
  async allOf(m: EntityManager, prisonerId: string): Promise<DisclosureResponse[]> {
    const rows: Row[] = await m.query(
      `${SELECT} WHERE d.prisoner_id = $1 ORDER BY d.disclosed_on DESC, d.id DESC`,
      [prisonerId],
    );
    return rows.map(toResponse);
  }

  /** One page, newest first; `where` is the caller's scope (parameters from $1). */
  async page(
    m: EntityManager,
    where: SqlFilter,
    filters: { prisonerId?: string; facilityId?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<ListedDisclosure[]> {
    const params = [...where.params];
    const bind = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const conditions = [where.sql];
    if (filters.prisonerId) conditions.push(`d.prisoner_id = ${bind(filters.prisonerId)}::uuid`);
    if (filters.facilityId) conditions.push(`d.facility_id = ${bind(filters.facilityId)}::uuid`);
    if (after)
      conditions.push(
        `(d.disclosed_on, d.id) < (${bind(after[0])}::date, ${bind(after[1])}::uuid)`,
      );
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${conditions.join(' AND ')}
       ORDER BY d.disclosed_on DESC, d.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map((r) => ({ ...toResponse(r), sortKey: [r.disclosed_on, r.id] }));
  }
}
