import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { conflict, notFound, staleVersion, type FieldError } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type {
  AppointmentResponse,
  AppointmentStatus,
  CreateAppointmentDto,
  ListAppointmentsQueryDto,
} from './dto/appointment.dto.js';

interface Row {
  id: string;
  user: AppointmentResponse['user'];
  body: string;
  mandate: string;
  kind: string;
  health_professional: boolean;
  facilities: AppointmentResponse['facilities'];
  starts_on: string;
  ends_on: string;
  status: AppointmentStatus;
  ended_at: Date | null;
  created_at: string;
  version: number;
}

const SELECT = `
  SELECT a.id, json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) AS user,
    a.body, a.mandate, a.kind, a.health_professional, a.starts_on::text, a.ends_on::text, a.ended_at,
    to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at, a.version,
    CASE WHEN a.ended_at IS NOT NULL THEN 'ended'
         WHEN current_date < a.starts_on THEN 'scheduled'
         WHEN current_date > a.ends_on THEN 'expired'
         ELSE 'active' END AS status,
    COALESCE((SELECT json_agg(json_build_object('id', f.id, 'code', f.code, 'name', f.name) ORDER BY f.code)
              FROM inspector_appointment_facility af JOIN facility f ON f.id = af.facility_id
              WHERE af.appointment_id = a.id), '[]') AS facilities
  FROM inspector_appointment a JOIN app_user u ON u.id = a.user_id`;

const STATUS_SQL: Record<AppointmentStatus, string> = {
  ended: 'a.ended_at IS NOT NULL',
  scheduled: 'a.ended_at IS NULL AND current_date < a.starts_on',
  expired: 'a.ended_at IS NULL AND current_date > a.ends_on',
  active: 'a.ended_at IS NULL AND current_date BETWEEN a.starts_on AND a.ends_on',
};

const toResponse = (r: Row): AppointmentResponse => ({
  id: r.id,
  user: r.user,
  body: r.body,
  mandate: r.mandate,
  kind: r.kind,
  healthProfessional: r.health_professional,
  facilities: r.facilities,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  status: r.status,
  endedAt: r.ended_at ? r.ended_at.toISOString() : null,
  version: r.version,
});

/**
 * Inspectors' appointments (Mandela Rules 83-85): an administrator appoints an account holding
 * the inspector role to facilities for a period, naming the body, its mandate and whether a
 * health professional inspects. Access follows the appointments in force each day (see
 * defineAbilityFor): it starts on the first day and ends after the last, or when ended early.
 */
@Injectable()
export class InspectorAppointmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  async create(ctx: RequestContext, dto: CreateAppointmentDto): Promise<AppointmentResponse> {
    return this.dataSource.transaction(async (m) => {
      const problems: FieldError[] = [];
      if (dto.endsOn < dto.startsOn)
        problems.push({ path: 'endsOn', message: 'endsOn must be on or after startsOn' });
      const [user]: { roles: string[]; active: boolean }[] = await m.query(
        `SELECT roles, active FROM app_user WHERE id = $1`,
        [dto.userId],
      );
      if (!user || !user.roles.includes('inspector'))
        problems.push({
          path: 'userId',
          message: 'userId must be an account with the inspector role',
        });
      const known: { id: string }[] = await m.query(
        `SELECT id FROM facility WHERE id = ANY($1::uuid[])`,
        [dto.facilityIds],
      );
      const ids = new Set(known.map((k) => k.id));
      dto.facilityIds.forEach((id, i) => {
        if (!ids.has(id))
          problems.push({ path: `facilityIds[${i}]`, message: 'facility does not exist' });
      });
      if (problems.length > 0) throw validationProblem(problems);
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO inspector_appointment
           (user_id, body, mandate, kind, health_professional, starts_on, ends_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          dto.userId,
          dto.body,
          dto.mandate,
          dto.kind,
          dto.healthProfessional,
          dto.startsOn,
          dto.endsOn,
          ctx.actor.id,
        ],
      );
      await m.query(
        `INSERT INTO inspector_appointment_facility (appointment_id, facility_id)
         SELECT $1, unnest($2::uuid[])`,
        [id, dto.facilityIds],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'inspector_appointment.create',
          entityType: 'inspector_appointment',
          entityId: id,
          changedFields: [
            'userId',
            'body',
            'mandate',
            'kind',
            'healthProfessional',
            'facilityIds',
            'startsOn',
            'endsOn',
          ],
          details: { userId: dto.userId, facilityIds: dto.facilityIds },
        },
      ]);
      return (await this.find(m, id))!;
    });
  }

  async get(id: string): Promise<AppointmentResponse> {
    const found = await this.find(this.dataSource.manager, id);
    if (!found) throw notFound('Appointment');
    return found;
  }

  async list(
    ctx: RequestContext,
    query: ListAppointmentsQueryDto,
  ): Promise<Page<AppointmentResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.userId) {
      params.push(query.userId);
      where.push(`a.user_id = $${params.length}`);
    }
    if (query.status) where.push(STATUS_SQL[query.status]);
    if (after) {
      params.push(after[0], after[1]);
      where.push(
        `(a.created_at, a.id) < ($${params.length - 1}::timestamp AT TIME ZONE 'UTC', $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows: Row[] = await this.dataSource.query(
      `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.created_at DESC, a.id DESC LIMIT $${params.length}`,
      params,
    );
    await this.audit.appendStandalone(ctx, [
      {
        action: 'inspector_appointment.list',
        entityType: 'inspector_appointment',
        details: { userId: query.userId ?? null, status: query.status ?? null },
      },
    ]);
    return toPage(rows, limit, (r) => [r.created_at, r.id], toResponse);
  }

  /** The caller's own appointments in force today (their home page), with facility names. */
  async mine(ctx: RequestContext): Promise<AppointmentResponse[]> {
    const ids = (ctx.actor.appointments ?? []).map((a) => a.id);
    if (ids.length === 0) return [];
    const rows: Row[] = await this.dataSource.query(
      `${SELECT} WHERE a.id = ANY($1::uuid[]) AND a.user_id = $2 ORDER BY a.starts_on, a.id`,
      [ids, ctx.actor.id],
    );
    return rows.map(toResponse);
  }

  /** What an appointment form offers: active inspector accounts and the facilities (bounded). */
  async formOptions(): Promise<{
    inspectors: { id: string; username: string; displayName: string }[];
    facilities: { id: string; code: string; name: string }[];
  }> {
    const inspectors = await this.dataSource.query(
      `SELECT id, username, display_name AS "displayName" FROM app_user
       WHERE active AND 'inspector' = ANY (roles) ORDER BY username LIMIT 500`,
    );
    const facilities = await this.dataSource.query(
      `SELECT id, code, name FROM facility ORDER BY code LIMIT 500`,
    );
    return { inspectors, facilities };
  }

  /**
   * Ends an appointment before its last day: access stops at once. `version` is the one the
   * administrator read (If-Match); a stale one answers 409.
   */
  async end(ctx: RequestContext, id: string, version: number): Promise<AppointmentResponse> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, id, true);
      if (!current) throw notFound('Appointment');
      if (current.version !== version) throw staleVersion(current.version);
      if (current.status === 'ended' || current.status === 'expired')
        throw conflict('appointment_not_open', `The appointment has ${current.status} already`);
      await m.query(
        `UPDATE inspector_appointment SET ended_at = now(), ended_by = $2, version = version + 1
         WHERE id = $1`,
        [id, ctx.actor.id],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'inspector_appointment.end',
          entityType: 'inspector_appointment',
          entityId: id,
          changedFields: ['endedAt'],
        },
      ]);
      return (await this.find(m, id))!;
    });
  }

  private async find(
    m: EntityManager,
    id: string,
    lock = false,
  ): Promise<AppointmentResponse | undefined> {
    if (lock) await m.query(`SELECT 1 FROM inspector_appointment WHERE id = $1 FOR UPDATE`, [id]);
    const [row]: Row[] = await m.query(`${SELECT} WHERE a.id = $1`, [id]);
    return row && toResponse(row);
  }
}
