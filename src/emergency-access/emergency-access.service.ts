import { asSubject } from '../access/ability.factory.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import { canReadPrisoner, locatePrisoner } from '../access/case-access.js';
import { AuditTrail, Denial } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { conflict, forbidden, notFound } from '../errors/problem.exception.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type {
  EmergencyAccessResponse,
  ListEmergencyAccessQueryDto,
  RequestEmergencyAccessDto,
  ReviewEmergencyAccessDto,
} from './dto/emergency-access.dto.js';

interface GrantRow {
  id: string;
  user_id: string;
  username: string;
  display_name: string;
  prisoner_id: string;
  prison_number: string;
  facility_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
  active: boolean;
  reviewed_by: string | null;
  reviewer_username: string | null;
  reviewer_display_name: string | null;
  reviewed_at: Date | null;
  outcome: string | null;
  review_note: string | null;
  version: number;
}

const SELECT = `
  SELECT g.id, g.user_id, u.username, u.display_name, g.prisoner_id, p.prison_number, g.facility_id,
    g.reason, g.granted_at, g.expires_at, g.expires_at > now() AS active, g.reviewed_by,
    r.username AS reviewer_username, r.display_name AS reviewer_display_name, g.reviewed_at,
    g.outcome, g.review_note, g.version
  FROM emergency_access g
  JOIN app_user u ON u.id = g.user_id
  JOIN prisoner p ON p.id = g.prisoner_id
  LEFT JOIN app_user r ON r.id = g.reviewed_by`;

const toResponse = (g: GrantRow): EmergencyAccessResponse => ({
  id: g.id,
  user: { id: g.user_id, username: g.username, displayName: g.display_name },
  prisonerId: g.prisoner_id,
  prisonNumber: g.prison_number,
  facilityId: g.facility_id,
  reason: g.reason,
  grantedAt: g.granted_at.toISOString(),
  expiresAt: g.expires_at.toISOString(),
  active: g.active,
  status: g.reviewed_at ? 'reviewed' : 'pending',
  reviewedBy: g.reviewed_by
    ? { id: g.reviewed_by, username: g.reviewer_username!, displayName: g.reviewer_display_name! }
    : null,
  reviewedAt: g.reviewed_at?.toISOString() ?? null,
  outcome: g.outcome,
  reviewNote: g.review_note,
  version: g.version,
});

/**
 * "Break glass": a case worker opens one prisoner outside their facilities for a bounded time,
 * with a reason; a supervisor of that facility reviews every grant afterwards. A grant only
 * lets its holder read, with the view their own roles give (see defineAbilityFor).
 */
@Injectable()
export class EmergencyAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  async request(
    ctx: RequestContext,
    prisonerId: string,
    dto: RequestEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.dataSource.transaction(async (m) => {
      const location = await locatePrisoner(m, prisonerId);
      if (!location) throw notFound('Prisoner');
      if (canReadPrisoner(ctx, location)) {
        throw conflict(
          'already_accessible',
          'You can already read this prisoner; no emergency access is needed',
        );
      }
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO emergency_access (user_id, prisoner_id, facility_id, reason, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id`,
        [
          ctx.actor.id,
          prisonerId,
          location.facilityId,
          dto.reason,
          this.config.env.EMERGENCY_ACCESS_TTL,
        ],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'emergency_access.grant',
          entityType: 'emergency_access',
          entityId: id,
          prisonerId,
          facilityId: location.facilityId,
          purpose: dto.reason,
          details: { expiresInSeconds: this.config.env.EMERGENCY_ACCESS_TTL },
        },
      ]);
      return toResponse((await this.find(m, id))!);
    });
  }

  async list(
    ctx: RequestContext,
    query: ListEmergencyAccessQueryDto,
  ): Promise<Page<EmergencyAccessResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const status = query.status ?? 'pending';
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'read', 'EmergencyAccess', {
      facilityId: 'g.facility_id',
    });
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const where = [
      scope.sql,
      status === 'pending' ? 'g.reviewed_at IS NULL' : 'g.reviewed_at IS NOT NULL',
    ];
    if (after)
      where.push(
        `(g.granted_at, g.id) < (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`,
      );
    return this.dataSource.transaction(async (m) => {
      const rows: GrantRow[] = await m.query(
        `${SELECT} WHERE ${where.join(' AND ')} ORDER BY g.granted_at DESC, g.id DESC LIMIT ${bind(limit + 1)}`,
        params,
      );
      const page = toPage(rows, limit, (g) => [g.granted_at.toISOString(), g.id], toResponse);
      await this.audit.append(m, ctx, [
        {
          action: 'emergency_access.list',
          entityType: 'emergency_access',
          details: { status, resultCount: page.items.length },
        },
      ]);
      return page;
    });
  }

  async review(
    ctx: RequestContext,
    id: string,
    dto: ReviewEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const [grant]: {
        user_id: string;
        prisoner_id: string;
        facility_id: string;
        reviewed_at: Date | null;
      }[] = await m.query(
        `SELECT user_id, prisoner_id, facility_id, reviewed_at FROM emergency_access WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!grant) throw notFound('Emergency access grant');
      const entry = {
        action: 'emergency_access.review' as const,
        entityType: 'emergency_access',
        entityId: id,
        prisonerId: grant.prisoner_id,
        facilityId: grant.facility_id,
      };
      const target = asSubject('EmergencyAccess', {
        facilityId: grant.facility_id,
        userId: grant.user_id,
      });
      if (!ctx.ability.can('read', target))
        return new Denial(notFound('Emergency access grant'), entry);
      if (!ctx.ability.can('review', target)) return new Denial(forbidden(), entry);
      if (grant.user_id === ctx.actor.id) {
        return new Denial(
          forbidden('Another supervisor must review your own emergency access'),
          entry,
        );
      }
      if (grant.reviewed_at)
        throw conflict('already_reviewed', 'This grant has already been reviewed');
      await m.query(
        `UPDATE emergency_access SET reviewed_by = $2, reviewed_at = now(), outcome = $3, review_note = $4,
           version = version + 1
         WHERE id = $1`,
        [id, ctx.actor.id, dto.outcome, dto.note],
      );
      await this.audit.append(m, ctx, [
        { ...entry, changedFields: ['outcome', 'reviewNote'], details: { outcome: dto.outcome } },
      ]);
      return toResponse((await this.find(m, id))!);
    });
    return this.audit.settle(ctx, result);
  }

  private async find(m: EntityManager, id: string): Promise<GrantRow | undefined> {
    const [row]: GrantRow[] = await m.query(`${SELECT} WHERE g.id = $1`, [id]);
    return row;
  }
}
