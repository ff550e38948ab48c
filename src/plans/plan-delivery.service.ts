import { Injectable } from '@nestjs/common';
import { CaseOperations } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  conflict,
  forbidden,
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
import type { CreateReviewDto, ReviewResponse } from './dto/plan-review.dto.js';
import type {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionResponse,
} from './dto/plan-session.dto.js';
import { planFields, planSubject, planTarget } from './plan-access.js';
import { consentErrors, latestPastDate, type PlanIntervention } from './plan-content.js';
import { catalogueDisciplines } from '../instruments/rule-sets/rule-set.types.js';
import { PlanReader } from './plan-reader.service.js';
import { planView, reviewResponse, sessionResponse } from './plan-view.js';
import { PlansRepository, type Plan, type Proposal } from './plans.repository.js';

/** What a session is recorded on: the plan, its intervention, the revision that may hold it. */
interface SessionOf {
  plan: Plan;
  intervention: PlanIntervention | undefined;
  /** The staff role (besides PVE inspectors) its discipline's sessions are recorded by. */
  recordedBy: string | null;
  proposal: Proposal | undefined;
}

/**
 * Delivery of an active plan's current revision: sessions with attendance (PVE inspectors;
 * psychologists for the psychological interventions they deliver) and progress reviews (PVE
 * inspectors), which set goal statuses and the next review date.
 */
@Injectable()
export class PlanDeliveryService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly plans: PlansRepository,
    private readonly reader: PlanReader,
  ) {}

  async recordSession(
    ctx: RequestContext,
    planId: string,
    dto: CreateSessionDto,
  ): Promise<SessionResponse> {
    return this.cases.change<SessionOf, SessionResponse>(ctx, {
      name: 'Plan',
      action: 'plan_session.create',
      // An id that is no intervention of the current revision is refused in the work (400 or
      // 409) to anyone who may read the plan, rather than by a rule on its discipline.
      permission: ({ intervention }) => (dto.interventionId && !intervention ? 'read' : 'create'),
      forbidden:
        'Sessions are recorded by PVE inspectors, and by psychologists for the psychological interventions they deliver',
      load: async (m) => {
        const plan = await this.plans.find(m, planId, true);
        if (!plan) return undefined;
        const { interventions } = await this.plans.interventions(m, planId);
        const intervention = interventions.find((i) => i.id === dto.interventionId);
        const proposal =
          dto.interventionId && !intervention && (await this.plans.proposal(m, planId));
        // The role that records its sessions is the one its catalogue's discipline names.
        const recordedBy = intervention
          ? (catalogueDisciplines(await this.reader.catalogue(m, plan)).find(
              (d) => d.code === intervention.discipline,
            )?.role ?? null)
          : null;
        return { plan, intervention, recordedBy, proposal: proposal || undefined };
      },
      // Who may record it depends on the discipline of the intervention it belongs to.
      target: ({ plan, intervention, recordedBy }) =>
        planTarget(plan, {
          entity: { type: 'plan_session' },
          as: {
            subject: 'PlanDelivery',
            fields: {
              ...planFields(plan),
              discipline: intervention?.discipline ?? null,
              recordedBy,
            },
          },
        }),
      apply: async ({ plan, intervention, proposal }, _, m) => {
        if (proposal?.interventions.some((i) => i.id === dto.interventionId))
          throw conflict(
            'revision_pending',
            `The intervention belongs to revision ${proposal.revision}, which awaits approval: sessions are recorded once it is approved`,
            { pendingRevision: proposal.revision },
          );
        if (dto.interventionId && !intervention)
          throw validationProblem([
            { path: 'interventionId', message: 'not an intervention of this plan' },
          ]);
        if (plan.status !== 'active')
          throw conflict(
            'plan_not_active',
            `Sessions are recorded on active plans; this one is ${plan.status}`,
            { planStatus: plan.status },
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
          const catalogue = await this.reader.catalogue(m, plan);
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
        const view = planView(ctx.ability, planSubject(plan));
        return {
          entityId: id,
          changedFields: Object.keys(dto).filter(
            (k) => dto[k as keyof CreateSessionDto] !== undefined,
          ),
          respond: async () => sessionResponse(await this.plans.session(m, id), view),
        };
      },
    });
  }

  async listSessions(
    ctx: RequestContext,
    planId: string,
    query: ListSessionsQueryDto,
  ): Promise<Page<SessionResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Plan',
      action: 'plan_session.list',
      load: (m) => this.plans.find(m, planId),
      target: (plan) => planTarget(plan),
      respond: async (plan, _, m) => {
        const view = planView(ctx.ability, planSubject(plan));
        const sessions = await this.plans.sessions(m, planId, query.interventionId, after, limit);
        return toPage(
          sessions,
          limit,
          (s) => [s.date, s.id],
          (s) => sessionResponse(s, view),
        );
      },
      details: (plan, page) => ({
        view: planView(ctx.ability, planSubject(plan)),
        resultCount: page.items.length,
      }),
    });
  }

  async recordReview(
    ctx: RequestContext,
    planId: string,
    dto: CreateReviewDto,
  ): Promise<ReviewResponse> {
    return this.cases.change(ctx, {
      name: 'Plan',
      action: 'plan_review.create',
      permission: 'review',
      load: (m) => this.plans.load(m, planId, true),
      target: ({ plan }) => planTarget(plan, { entity: { type: 'plan_review' } }),
      apply: async ({ plan, goals }, _, m) => {
        if (!['active', 'suspended'].includes(plan.status))
          throw conflict(
            'plan_not_active',
            `Reviews are recorded on active or suspended plans; this one is ${plan.status}`,
            { planStatus: plan.status },
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
        // Attendees are disciplines the plan's catalogue version declares, not a fixed list.
        const declared = new Set(
          catalogueDisciplines(await this.reader.catalogue(m, plan)).map((d) => d.code),
        );
        dto.attendees.forEach((d, i) => {
          if (!declared.has(d))
            errors.push({
              path: `attendees[${i}]`,
              message: `"${d}" is not a discipline the plan’s intervention catalogue declares`,
            });
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
          revision: plan.revision,
          date: dto.date,
          attendees: dto.attendees,
          goalProgress: progress,
          summary: dto.summary,
          nextReviewDate: dto.nextReviewDate,
          recordedBy: ctx.actor.id,
        });
        // The plan shows its last and next review dates: its representation changed.
        await this.plans.update(m, planId, {});
        return {
          entityId: id,
          changedFields: [
            ...Object.keys(dto).filter((k) => dto[k as keyof CreateReviewDto] !== undefined),
            ...(goalsChanged ? ['goals.status'] : []),
          ],
          respond: async () => reviewResponse(await this.plans.review(m, id)),
        };
      },
    });
  }

  async listReviews(
    ctx: RequestContext,
    planId: string,
    query: PageQueryDto,
  ): Promise<Page<ReviewResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Plan',
      action: 'plan_review.list',
      load: (m) => this.plans.find(m, planId),
      target: (plan) => planTarget(plan),
      refuse: (plan) =>
        planView(ctx.ability, planSubject(plan)) === 'full'
          ? undefined
          : forbidden('Reviews are plan content; your role reads the plan’s logistics only'),
      respond: async (_, __, m) =>
        toPage(
          await this.plans.reviews(m, planId, after, limit),
          limit,
          (r) => [r.date, r.id],
          reviewResponse,
        ),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }
}
