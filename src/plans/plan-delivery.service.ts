import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { caseDecision } from '../access/case-access.js';
import { AuditTrail, Denial } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  conflict,
  forbidden,
  notFound,
  unprocessable,
  type FieldError,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import { InstrumentsService } from '../instruments/instruments.service.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import type { CreateReviewDto, ReviewResponse } from './dto/plan-review.dto.js';
import type {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionResponse,
} from './dto/plan-session.dto.js';
import { planAudit, planLocation, planSubject, planSubjectFields } from './plan-access.js';
import { consentErrors, latestPastDate } from './plan-content.js';
import { planView, reviewResponse, sessionResponse } from './plan-view.js';
import { PlansRepository, type PlanRow } from './plans.repository.js';

/**
 * Delivery of an active plan: sessions with attendance (PVE inspectors; psychologists for the
 * psychological interventions they deliver) and progress reviews (PVE inspectors), which set
 * goal statuses and the next review date.
 */
@Injectable()
export class PlanDeliveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly plans: PlansRepository,
    private readonly instruments: InstrumentsService,
  ) {}

  async recordSession(
    ctx: RequestContext,
    planId: string,
    dto: CreateSessionDto,
  ): Promise<SessionResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.plans.find(m, planId, true);
      if (!row) throw notFound('Plan');
      const location = planLocation(row);
      const entry = planAudit(
        ctx,
        location,
        'plan_session.create',
        { type: 'plan_session' },
        {
          details: { planId },
        },
      );
      if (caseDecision(ctx, 'read', 'Plan', planSubjectFields(row)) !== 'allowed')
        return new Denial(notFound('Plan'), entry);
      const { interventions } = await this.plans.interventions(m, planId);
      const index = dto.interventionId
        ? interventions.findIndex((i) => i.id === dto.interventionId)
        : -1;
      if (dto.interventionId && index < 0)
        throw validationProblem([
          { path: 'interventionId', message: 'not an intervention of this plan' },
        ]);
      const intervention = index >= 0 ? interventions[index] : undefined;
      const delivery = asSubject('PlanDelivery', {
        ...location,
        discipline: intervention?.discipline ?? null,
      });
      if (!ctx.ability.can('create', delivery)) {
        return new Denial(
          forbidden(
            'Sessions are recorded by PVE inspectors, and by psychologists for the psychological interventions they deliver',
          ),
          entry,
        );
      }
      if (row.status !== 'active')
        throw conflict(
          'plan_not_active',
          `Sessions are recorded on active plans; this one is ${row.status}`,
          {
            planStatus: row.status,
          },
        );
      const errors: FieldError[] = [];
      if (dto.date > latestPastDate())
        errors.push({ path: 'date', message: 'a session is recorded after it took place' });
      if (dto.attendance === 'attended' && dto.engagement === undefined)
        errors.push({
          path: 'engagement',
          message: 'rate engagement (1-5) for a session attended',
        });
      if (dto.attendance !== 'attended' && dto.engagement !== undefined)
        errors.push({
          path: 'engagement',
          message: `no engagement for a session ${dto.attendance}`,
        });
      if (errors.length > 0) throw validationProblem(errors);
      if (intervention) {
        if (!['scheduled', 'in_progress'].includes(intervention.status))
          throw unprocessable(
            'intervention_not_scheduled',
            `The intervention is ${intervention.status}; sessions are recorded for scheduled or running interventions`,
            {
              errors: [
                { path: 'interventionId', message: `intervention is ${intervention.status}` },
              ],
            },
          );
        const catalogue = await this.catalogue(row);
        const consent = consentErrors([intervention], catalogue).map((e) => ({
          ...e,
          path: 'interventionId',
        }));
        if (consent.length > 0)
          throw unprocessable('consent_required', consent[0].message, { errors: consent });
      }
      const id = await this.plans.insertSession(m, {
        planId,
        interventionId: intervention?.id ?? null,
        date: dto.date,
        attendance: dto.attendance,
        engagement: dto.engagement ?? null,
        notes: dto.notes ?? null,
        recordedBy: ctx.actor.id,
      });
      await this.audit.append(m, ctx, [
        {
          ...entry,
          entityId: id,
          changedFields: Object.keys(dto).filter(
            (k) => dto[k as keyof CreateSessionDto] !== undefined,
          ),
        },
      ]);
      return sessionResponse(
        await this.plans.session(m, id),
        planView(ctx.ability, planSubject(row)),
      );
    });
    return this.audit.settle(ctx, result);
  }

  async listSessions(
    ctx: RequestContext,
    planId: string,
    query: ListSessionsQueryDto,
  ): Promise<Page<SessionResponse>> {
    const m = this.dataSource.manager;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const row = await this.plans.find(m, planId);
    if (!row) throw notFound('Plan');
    const entry = planAudit(ctx, planLocation(row), 'plan_session.list', {
      type: 'plan',
      id: planId,
    });
    if (caseDecision(ctx, 'read', 'Plan', planSubjectFields(row)) !== 'allowed')
      return this.audit.refuse(ctx, new Denial(notFound('Plan'), entry));
    const view = planView(ctx.ability, planSubject(row));
    const rows = await this.plans.sessions(m, planId, query.interventionId, after, limit);
    const page = toPage(
      rows,
      limit,
      (r) => [r.date, r.id],
      (r) => sessionResponse(r, view),
    );
    await this.audit.append(m, ctx, [
      { ...entry, details: { ...entry.details, view, resultCount: page.items.length } },
    ]);
    return page;
  }

  async recordReview(
    ctx: RequestContext,
    planId: string,
    dto: CreateReviewDto,
  ): Promise<ReviewResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const loaded = await this.plans.load(m, planId, true);
      if (!loaded) throw notFound('Plan');
      const { row, goals } = loaded;
      const entry = planAudit(
        ctx,
        planLocation(row),
        'plan_review.create',
        { type: 'plan_review' },
        {
          details: { planId },
        },
      );
      const decision = caseDecision(ctx, 'review', 'Plan', planSubjectFields(row));
      if (decision !== 'allowed')
        return new Denial(decision === 'not_found' ? notFound('Plan') : forbidden(), entry);
      if (!['active', 'suspended'].includes(row.status))
        throw conflict(
          'plan_not_active',
          `Reviews are recorded on active or suspended plans; this one is ${row.status}`,
          { planStatus: row.status },
        );
      const errors: FieldError[] = [];
      if (dto.date > latestPastDate())
        errors.push({ path: 'date', message: 'a review is recorded after it took place' });
      if (dto.nextReviewDate <= dto.date)
        errors.push({ path: 'nextReviewDate', message: 'must be after the review date' });
      const byId = new Map(goals.map((g) => [g.id, g]));
      const seen = new Set<string>();
      (dto.goalProgress ?? []).forEach((p, i) => {
        if (!byId.has(p.goalId))
          errors.push({ path: `goalProgress[${i}].goalId`, message: 'not a goal of this plan' });
        if (seen.has(p.goalId))
          errors.push({
            path: `goalProgress[${i}].goalId`,
            message: 'the same goal appears twice',
          });
        seen.add(p.goalId);
      });
      if (errors.length > 0) throw validationProblem(errors);
      const progress = (dto.goalProgress ?? []).map((p) => ({
        goalId: p.goalId,
        status: p.status,
        note: p.note ?? null,
      }));
      const statuses = new Map(progress.map((p) => [p.goalId, p.status]));
      const next = goals.map((g) => ({ ...g, status: statuses.get(g.id) ?? g.status }));
      const goalsChanged = next.some((g, i) => g.status !== goals[i].status);
      if (goalsChanged) await this.plans.saveGoals(m, planId, goals, next);
      const id = await this.plans.insertReview(m, {
        planId,
        revision: row.revision,
        date: dto.date,
        attendees: dto.attendees,
        goalProgress: progress,
        summary: dto.summary,
        nextReviewDate: dto.nextReviewDate,
        recordedBy: ctx.actor.id,
      });
      // The plan shows its last and next review dates: its representation changed.
      await m.query(
        `UPDATE programme_plan SET version = version + 1, updated_at = now() WHERE id = $1`,
        [planId],
      );
      await this.audit.append(m, ctx, [
        {
          ...entry,
          entityId: id,
          changedFields: [
            ...Object.keys(dto).filter((k) => dto[k as keyof CreateReviewDto] !== undefined),
            ...(goalsChanged ? ['goals.status'] : []),
          ],
        },
      ]);
      return reviewResponse(await this.plans.review(m, id));
    });
    return this.audit.settle(ctx, result);
  }

  async listReviews(
    ctx: RequestContext,
    planId: string,
    query: PageQueryDto,
  ): Promise<Page<ReviewResponse>> {
    const m = this.dataSource.manager;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const row = await this.plans.find(m, planId);
    if (!row) throw notFound('Plan');
    const entry = planAudit(ctx, planLocation(row), 'plan_review.list', {
      type: 'plan',
      id: planId,
    });
    if (caseDecision(ctx, 'read', 'Plan', planSubjectFields(row)) !== 'allowed')
      return this.audit.refuse(ctx, new Denial(notFound('Plan'), entry));
    if (planView(ctx.ability, planSubject(row)) !== 'full')
      return this.audit.refuse(
        ctx,
        new Denial(
          forbidden('Reviews are plan content; your role reads the plan’s logistics only'),
          entry,
        ),
      );
    const rows = await this.plans.reviews(m, planId, after, limit);
    const page = toPage(rows, limit, (r) => [r.date, r.id], reviewResponse);
    await this.audit.append(m, ctx, [
      { ...entry, details: { ...entry.details, resultCount: page.items.length } },
    ]);
    return page;
  }

  private async catalogue(row: PlanRow): Promise<InterventionCatalogue> {
    const version = await this.instruments.getById(row.catalogue_version_id);
    if (!version || version.definition.kind !== 'intervention-catalogue')
      throw new Error('a plan refers to an intervention catalogue that is not imported');
    return version.definition;
  }
}
