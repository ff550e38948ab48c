import { Injectable } from '@nestjs/common';
import { accessibleWhere } from '../access/accessible-where.js';
import { CaseOperations, decide, type CaseTarget } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { conflict, forbidden } from '../errors/problem.exception.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type {
  EmergencyAccessResponse,
  ListEmergencyAccessQueryDto,
  RequestEmergencyAccessDto,
  ReviewEmergencyAccessDto,
  RevokeEmergencyAccessDto,
} from './dto/emergency-access.dto.js';
import { EmergencyAccessRepository, type Grant } from './emergency-access.repository.js';

/** The most reads listed with a grant; the audit search finds the rest. */
const MAX_READS_SHOWN = 500;

/** A grant as its reviewer reads it: with the reads made under it, oldest first. */
export type EmergencyAccessWithReads = EmergencyAccessResponse & {
  reads: {
    seq: number;
    occurredAt: string;
    action: string;
    entityType: string | null;
    entityId: string | null;
    outcome: string;
  }[];
  moreReads: boolean;
};

const toResponse = (g: Grant): EmergencyAccessResponse => ({
  id: g.id,
  user: g.user,
  prisonerId: g.prisonerId,
  prisonNumber: g.prisonNumber,
  facilityId: g.facilityId,
  reason: g.reason,
  grantedAt: g.grantedAt.toISOString(),
  expiresAt: g.expiresAt.toISOString(),
  active: g.active,
  status: g.review ? 'reviewed' : 'pending',
  reviewedBy: g.review?.by ?? null,
  reviewedAt: g.review?.at.toISOString() ?? null,
  outcome: g.review?.outcome ?? null,
  reviewNote: g.review?.note ?? null,
  endedAt: g.ended?.at.toISOString() ?? null,
  endedBy: g.ended?.by ?? null,
  endReason: g.ended?.reason ?? null,
  version: g.version,
});

/** A grant as supervisors act on it: scoped by the prisoner's facility when it was granted. */
const grantTarget = (g: Grant): CaseTarget => ({
  subject: 'EmergencyAccess',
  fields: { facilityId: g.facilityId, userId: g.user.id },
  location: { prisonerId: g.prisonerId, facilityId: g.facilityId },
  entity: { type: 'emergency_access', id: g.id },
});

/**
 * "Break glass": a case worker opens one prisoner outside their facilities for a bounded time,
 * with a reason; a supervisor of that facility reviews every grant afterwards, and may end it
 * early. A grant only lets its holder read, with the view their own roles give (see
 * defineAbilityFor); a grant reviewed as unjustified or revoked stops working at once.
 */
@Injectable()
export class EmergencyAccessService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly grants: EmergencyAccessRepository,
    private readonly config: AppConfig,
  ) {}

  async request(
    ctx: RequestContext,
    prisonerId: string,
    dto: RequestEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    const ttl = this.config.env.EMERGENCY_ACCESS_TTL;
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'emergency_access.grant',
      permission: 'request',
      load: (m) => this.cases.locate(m, prisonerId, true),
      // The prisoner is by definition not visible to the caller: nothing to hide behind a 404.
      target: (location) => ({
        subject: 'EmergencyAccess',
        fields: location,
        location,
        entity: { type: 'emergency_access' },
        readAs: false,
      }),
      apply: async (location, _, m) => {
        const visible =
          decide(ctx, 'read', {
            subject: 'Prisoner',
            fields: { id: prisonerId, facilityId: location.facilityId },
          }) === 'allowed';
        if (visible)
          throw conflict(
            'already_accessible',
            'You can already read this prisoner; no emergency access is needed',
          );
        const id = await this.grants.insert(m, {
          userId: ctx.actor.id,
          prisonerId,
          facilityId: location.facilityId,
          reason: dto.reason,
          ttl,
        });
        return {
          entityId: id,
          changedFields: ['reason'],
          details: { expiresInSeconds: ttl },
          respond: async () => toResponse((await this.grants.find(m, id))!),
        };
      },
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
    return this.cases.list(ctx, {
      action: 'emergency_access.list',
      entityType: 'emergency_access',
      run: async (m) =>
        toPage(
          await this.grants.list(m, scope, status, after, limit),
          limit,
          (g) => g.sortKey,
          toResponse,
        ),
      details: (page) => ({ status, resultCount: page.items.length }),
    });
  }

  /**
   * One grant with every read made under it (from the audit trail: actions and records, never
   * their content), for the supervisor who reviews it.
   */
  async get(ctx: RequestContext, id: string): Promise<EmergencyAccessWithReads> {
    return this.cases.read(ctx, {
      name: 'Emergency access grant',
      action: 'emergency_access.read',
      load: (m) => this.grants.find(m, id),
      target: grantTarget,
      respond: async (g, _, m) => {
        const reads = await this.grants.readsUnder(m, g, MAX_READS_SHOWN + 1);
        return {
          ...toResponse(g),
          reads: reads.slice(0, MAX_READS_SHOWN).map((r) => ({
            seq: r.seq,
            occurredAt: r.occurredAt.toISOString(),
            action: r.action,
            entityType: r.entityType,
            entityId: r.entityId,
            outcome: r.outcome,
          })),
          moreReads: reads.length > MAX_READS_SHOWN,
        };
      },
      details: (_, answer) => ({ readCount: answer.reads.length }),
    });
  }

  /** Reviewed by another supervisor than the holder; unjustified ends the grant at once. */
  async review(
    ctx: RequestContext,
    id: string,
    dto: ReviewEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.cases.change(ctx, {
      name: 'Emergency access grant',
      action: 'emergency_access.review',
      permission: 'review',
      load: (m) => this.grants.find(m, id, true),
      target: grantTarget,
      refuse: async (g) =>
        g.user.id === ctx.actor.id
          ? forbidden('Another supervisor must review your own emergency access')
          : undefined,
      apply: async (g, _, m) => {
        if (g.review) throw conflict('already_reviewed', 'This grant has already been reviewed');
        await this.grants.review(m, id, { by: ctx.actor.id, ...dto });
        const ends = dto.outcome === 'unjustified' && g.active;
        if (ends) await this.grants.end(m, id, ctx.actor.id, 'reviewed as unjustified');
        return {
          changedFields: ['outcome', 'reviewNote', ...(ends ? ['endedAt'] : [])],
          details: { outcome: dto.outcome, ended: ends },
          respond: async () => toResponse((await this.grants.find(m, id))!),
        };
      },
    });
  }

  /** Ends a live grant before it expires (any supervisor of the prisoner's facility). */
  async revoke(
    ctx: RequestContext,
    id: string,
    dto: RevokeEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.cases.change(ctx, {
      name: 'Emergency access grant',
      action: 'emergency_access.revoke',
      permission: 'review',
      load: (m) => this.grants.find(m, id, true),
      target: grantTarget,
      apply: async (g, _, m) => {
        if (!g.active)
          throw conflict('grant_not_active', 'This grant has already expired or been ended', {
            expiresAt: g.expiresAt.toISOString(),
          });
        await this.grants.end(m, id, ctx.actor.id, dto.reason);
        return {
          changedFields: ['endedAt', 'endReason'],
          respond: async () => toResponse((await this.grants.find(m, id))!),
        };
      },
    });
  }
}
