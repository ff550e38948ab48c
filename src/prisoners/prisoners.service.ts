import { asSubject } from '../access/ability.factory.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import { caseAuditFields, caseDecision, emergencyGrantFor } from '../access/case-access.js';
import { Denial, AuditTrail } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  conflict,
  forbidden,
  notFound,
  staleVersion,
  unprocessable,
} from '../errors/problem.exception.js';
import { prepared } from '../database/prepared.js';
import { validationProblem } from '../errors/validation-errors.js';
import { PrisonerEventsService } from '../reviews/prisoner-events.service.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type {
  CreatePrisonerDto,
  ListPrisonersQueryDto,
  PrisonerResponse,
  TransferPrisonerDto,
  UpdatePrisonerDto,
} from './dto/prisoner.dto.js';

interface PrisonerRow {
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
  version: number;
  created_at: Date;
  updated_at: Date;
  under18: boolean;
  sort_family: string;
  sort_given: string;
}

interface PrisonerDetailRow extends PrisonerRow {
  facility_history: {
    facility: { id: string; code: string; name: string };
    from: string;
    to: string | null;
    reason: string;
  }[];
}

const SELECT = `
  SELECT p.id, p.prison_number, p.given_name, p.family_name,
    to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.sex, p.legal_status, p.facility_id,
    f.code AS facility_code, f.name AS facility_name,
    to_char(p.expected_release_date, 'YYYY-MM-DD') AS expected_release_date,
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
        'reason', h.reason) ORDER BY h.from_at, h.id)
      FROM prisoner_facility_history h JOIN facility hf ON hf.id = h.facility_id
      WHERE h.prisoner_id = p.id) AS facility_history
   FROM prisoner p`,
);

/** The fields CASL conditions on a prisoner refer to. */
const subjectOf = (row: PrisonerRow) => ({ id: row.id, facilityId: row.facility_id });
const locationOf = (row: PrisonerRow) => ({ prisonerId: row.id, facilityId: row.facility_id });

function detail(row: PrisonerDetailRow): PrisonerResponse {
  return { ...toResponse(row), facilityHistory: row.facility_history ?? [] };
}

function toResponse(row: PrisonerRow): PrisonerResponse {
  return {
    id: row.id,
    prisonNumber: row.prison_number,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    sex: row.sex,
    legalStatus: row.legal_status,
    facility: { id: row.facility_id, code: row.facility_code, name: row.facility_name },
    expectedReleaseDate: row.expected_release_date,
    flags: { under18: row.under18, remand: row.legal_status === 'remand' },
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const COLUMNS: Record<string, string> = {
  prisonNumber: 'prison_number',
  givenName: 'given_name',
  familyName: 'family_name',
  dateOfBirth: 'date_of_birth',
  sex: 'sex',
  legalStatus: 'legal_status',
  expectedReleaseDate: 'expected_release_date',
};

const likePrefix = (q: string) => `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Prisoner records: identity, legal status, facility and its history. No protected characteristics. */
@Injectable()
export class PrisonersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly events: PrisonerEventsService,
  ) {}

  async create(ctx: RequestContext, dto: CreatePrisonerDto): Promise<PrisonerResponse> {
    checkDates(dto);
    const result = await this.dataSource.transaction(async (m) => {
      const [facility] = await m.query(`SELECT id FROM facility WHERE id = $1`, [dto.facilityId]);
      if (!facility)
        throw validationProblem([{ path: 'facilityId', message: 'facility does not exist' }]);
      if (!ctx.ability.can('create', asSubject('Prisoner', { facilityId: dto.facilityId }))) {
        return new Denial(forbidden('You may only record prisoners in your own facilities'), {
          action: 'prisoner.create',
          entityType: 'prisoner',
          facilityId: dto.facilityId,
        });
      }
      const [taken] = await m.query(`SELECT 1 FROM prisoner WHERE prison_number = $1`, [
        dto.prisonNumber,
      ]);
      if (taken)
        throw conflict(
          'prison_number_taken',
          `Prison number ${dto.prisonNumber} is already recorded`,
        );
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status,
           facility_id, expected_release_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          dto.prisonNumber,
          dto.givenName,
          dto.familyName,
          dto.dateOfBirth,
          dto.sex,
          dto.legalStatus,
          dto.facilityId,
          dto.expectedReleaseDate ?? null,
        ],
      );
      await m.query(
        `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
         VALUES ($1, $2, 'admission', $3)`,
        [id, dto.facilityId, ctx.actor.id],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'prisoner.create',
          entityType: 'prisoner',
          entityId: id,
          prisonerId: id,
          facilityId: dto.facilityId,
          changedFields: Object.keys(dto).filter(
            (k) => dto[k as keyof CreatePrisonerDto] !== undefined,
          ),
        },
      ]);
      return detail((await this.findDetail(m, id))!);
    });
    return this.audit.settle(ctx, result);
  }

  async get(ctx: RequestContext, id: string): Promise<PrisonerResponse> {
    const [row] = await prepared<PrisonerDetailRow>(
      this.dataSource.manager,
      'prisoner-detail',
      `${DETAIL_SELECT} WHERE p.id = $1`,
      [id],
    );
    if (!row) throw notFound('Prisoner');
    const entry = {
      action: 'prisoner.read' as const,
      entityType: 'prisoner',
      entityId: id,
      ...caseAuditFields(ctx, locationOf(row)),
    };
    if (caseDecision(ctx, 'read', 'Prisoner', subjectOf(row)) !== 'allowed') {
      return this.audit.refuse(ctx, new Denial(notFound('Prisoner'), entry));
    }
    // A read changes nothing: its event is committed on its own before the record is returned.
    await this.audit.append(this.dataSource.manager, ctx, [entry]);
    const grant = emergencyGrantFor(ctx, locationOf(row));
    return { ...detail(row), ...(grant ? { emergencyAccessId: grant.id } : {}) };
  }

  async list(ctx: RequestContext, query: ListPrisonersQueryDto): Promise<Page<PrisonerResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 3);
    const scope = accessibleWhere(ctx.ability, 'read', 'Prisoner', {
      facilityId: 'p.facility_id',
      id: 'p.id',
    });
    const params = [...scope.params];
    const where = [scope.sql];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (query.facilityId) where.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    if (query.q) {
      const q = bind(likePrefix(query.q));
      where.push(
        `(lower(p.prison_number) LIKE ${q} OR lower(p.family_name) LIKE ${q} OR lower(p.given_name) LIKE ${q})`,
      );
    }
    if (after) {
      where.push(
        `(lower(p.family_name), lower(p.given_name), p.id) > (${bind(after[0])}, ${bind(after[1])}, ${bind(after[2])}::uuid)`,
      );
    }
    const rows: PrisonerRow[] = await this.dataSource.query(
      `${SELECT} WHERE ${where.join(' AND ')}
       ORDER BY lower(p.family_name), lower(p.given_name), p.id LIMIT ${bind(limit + 1)}`,
      params,
    );
    const page = toPage(rows, limit, (r) => [r.sort_family, r.sort_given, r.id], toResponse);
    await this.audit.append(this.dataSource.manager, ctx, [
      {
        action: 'prisoner.list',
        entityType: 'prisoner',
        facilityId: query.facilityId ?? null,
        details: {
          q: query.q ?? null,
          facilityId: query.facilityId ?? null,
          cursor: query.cursor ? true : false,
          resultCount: page.items.length,
        },
      },
    ]);
    return page;
  }

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdatePrisonerDto,
  ): Promise<PrisonerResponse> {
    checkDates(dto);
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lockRow(m, id);
      const denial = this.deny(ctx, 'update', 'prisoner.update', row, id);
      if (denial) return denial;
      if (row!.version !== version) throw staleVersion(row!.version);
      const current = toResponse(row!);
      const changed = Object.keys(COLUMNS).filter((field) => {
        const next = dto[field as keyof UpdatePrisonerDto];
        return next !== undefined && next !== current[field as keyof PrisonerResponse];
      });
      if (changed.length === 0) return detail((await this.findDetail(m, id))!);
      if (dto.prisonNumber && changed.includes('prisonNumber')) {
        const [taken] = await m.query(`SELECT 1 FROM prisoner WHERE prison_number = $1`, [
          dto.prisonNumber,
        ]);
        if (taken)
          throw conflict(
            'prison_number_taken',
            `Prison number ${dto.prisonNumber} is already recorded`,
          );
      }
      const params: unknown[] = [id];
      const sets = changed.map(
        (field) => `${COLUMNS[field]} = $${params.push(dto[field as keyof UpdatePrisonerDto])}`,
      );
      await m.query(
        `UPDATE prisoner SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
        params,
      );
      await this.audit.append(m, ctx, [
        {
          action: 'prisoner.update',
          entityType: 'prisoner',
          entityId: id,
          changedFields: changed,
          ...caseAuditFields(ctx, locationOf(row!)),
        },
      ]);
      return detail((await this.findDetail(m, id))!);
    });
    return this.audit.settle(ctx, result);
  }

  async transfer(
    ctx: RequestContext,
    id: string,
    dto: TransferPrisonerDto,
  ): Promise<PrisonerResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lockRow(m, id);
      const denial = this.deny(ctx, 'transfer', 'prisoner.transfer', row, id);
      if (denial) return denial;
      const [facility] = await m.query(`SELECT id FROM facility WHERE id = $1`, [dto.facilityId]);
      if (!facility)
        throw validationProblem([{ path: 'facilityId', message: 'facility does not exist' }]);
      if (dto.facilityId === row!.facility_id) {
        throw unprocessable('same_facility', 'The prisoner is already held in that facility');
      }
      await m.query(
        `UPDATE prisoner_facility_history SET to_at = now() WHERE prisoner_id = $1 AND to_at IS NULL`,
        [id],
      );
      await m.query(
        `INSERT INTO prisoner_facility_history (prisoner_id, facility_id, reason, recorded_by)
         VALUES ($1, $2, $3, $4)`,
        [id, dto.facilityId, dto.reason, ctx.actor.id],
      );
      await m.query(
        `UPDATE prisoner SET facility_id = $2, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, dto.facilityId],
      );
      // A transfer makes reviews due under the instruments' policies, in the receiving facility.
      await this.events.insert(m, id, dto.facilityId, 'transfer', new Date(), null, ctx.actor.id);
      await this.audit.append(m, ctx, [
        {
          action: 'prisoner.transfer',
          entityType: 'prisoner',
          entityId: id,
          prisonerId: id,
          facilityId: row!.facility_id,
          changedFields: ['facilityId'],
          details: { fromFacilityId: row!.facility_id, toFacilityId: dto.facilityId },
        },
      ]);
      return detail((await this.findDetail(m, id))!);
    });
    return this.audit.settle(ctx, result);
  }

  private deny(
    ctx: RequestContext,
    action: 'update' | 'transfer',
    auditAction: 'prisoner.update' | 'prisoner.transfer',
    row: PrisonerRow | undefined,
    id: string,
  ): Denial | undefined {
    if (!row) throw notFound('Prisoner');
    const decision = caseDecision(ctx, action, 'Prisoner', subjectOf(row));
    if (decision === 'allowed') return undefined;
    return new Denial(decision === 'not_found' ? notFound('Prisoner') : forbidden(), {
      action: auditAction,
      entityType: 'prisoner',
      entityId: id,
      prisonerId: row.id,
      facilityId: row.facility_id,
    });
  }

  private async lockRow(m: EntityManager, id: string): Promise<PrisonerRow | undefined> {
    const [row]: PrisonerRow[] = await m.query(`${SELECT} WHERE p.id = $1 FOR UPDATE OF p`, [id]);
    return row;
  }

  private async findDetail(m: EntityManager, id: string): Promise<PrisonerDetailRow | undefined> {
    const [row]: PrisonerDetailRow[] = await m.query(`${DETAIL_SELECT} WHERE p.id = $1`, [id]);
    return row;
  }
}

function checkDates(dto: { dateOfBirth?: string; expectedReleaseDate?: string | null }): void {
  const today = new Date().toISOString().slice(0, 10);
  const errors = [];
  if (dto.dateOfBirth && (dto.dateOfBirth >= today || dto.dateOfBirth < '1900-01-01')) {
    errors.push({ path: 'dateOfBirth', message: 'dateOfBirth must be a past date after 1900' });
  }
  if (dto.expectedReleaseDate && dto.dateOfBirth && dto.expectedReleaseDate <= dto.dateOfBirth) {
    errors.push({
      path: 'expectedReleaseDate',
      message: 'expectedReleaseDate must be after dateOfBirth',
    });
  }
  if (errors.length > 0) throw validationProblem(errors);
}
