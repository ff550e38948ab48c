import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound, type FieldError } from '../../errors/problem.exception.js';
import type { PlanResponse } from '../../plans/dto/plan.response.js';
import { ReturnRevisionDto, WithdrawRevisionDto } from '../../plans/dto/plan-transition.dto.js';
import { PlanRevisionsService } from '../../plans/plan-revisions.service.js';
import { PlansService } from '../../plans/plans.service.js';
import { validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect } from '../common/render.js';
import { field, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import { sideBySide, type Programme } from './plan-compare.view.js';
import { PlanPages, type PlanPage } from './plan-page.service.js';

const PENDING_FIELDS: FieldMessages = {
  reason: { id: 'reason', message: 'plans.transition.errors.reason' },
  decision: { id: 'decision', message: 'plans.approve.errors.decision' },
  comments: { id: 'comments', message: 'plans.approve.errors.comments' },
};

const programmeOf = (plan: Pick<PlanResponse, 'goals' | 'interventions'>): Programme => ({
  goals: plan.goals ?? [],
  interventions: plan.interventions,
});

/**
 * A change to an active plan waits, as its pending revision, for a supervisor: shown side by
 * side with the current revision, submitted, withdrawn, approved or returned here. Past
 * revisions are kept, and any two can be compared.
 */
@PageController('plans')
export class PlanRevisionPagesController {
  constructor(
    private readonly pages: PlanPages,
    private readonly plans: PlansService,
    private readonly revisions: PlanRevisionsService,
  ) {}

  @Get(':id/pending-revision')
  @Authorize('read', 'Plan')
  async pending(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id);
    return this.pendingPage(ctx, request, reply, page, {});
  }

  @Post(':id/pending-revision/:step')
  @Authorize('read', 'Plan')
  async step(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const step = (request.params as { step: string }).step;
    const version = postedVersion(body);
    const values = {
      reason: field(body, 'reason'),
      decision: field(body, 'decision'),
      comments: field(body, 'comments'),
    };
    const refuse = async (errors: FieldError[]) =>
      this.pendingPage(ctx, request, reply, await this.pages.load(ctx, id), values, errors);
    try {
      switch (step) {
        case 'submit':
          await this.revisions.submit(ctx, id, version);
          break;
        case 'withdraw': {
          const { value, errors } = await validateForm(WithdrawRevisionDto, {
            reason: values.reason.trim(),
          });
          if (errors.length > 0) return refuse(errors);
          await this.revisions.withdraw(ctx, id, version, value);
          break;
        }
        case 'decide': {
          if (values.decision === 'approve') {
            await this.revisions.approve(ctx, id, version);
          } else if (values.decision === 'return') {
            const { value, errors } = await validateForm(ReturnRevisionDto, {
              comments: values.comments.trim(),
            });
            if (errors.length > 0) return refuse(errors);
            await this.revisions.return(ctx, id, version, value);
          } else {
            return refuse([{ path: 'decision', message: 'choose' }]);
          }
          break;
        }
        default:
          throw notFound();
      }
    } catch (error) {
      const refused = refusedFields(error, 'pendingRevision');
      if (!refused) throw error;
      return refuse(refused);
    }
    return redirect(reply, `/plans/${id}`);
  }

  private pendingPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const pending = page.plan.pendingRevision;
    if (!pending) throw notFound('Pending revision');
    const comparison = sideBySide(programmeOf(page.plan), programmeOf(pending), t);
    const model = {
      values,
      comparison,
      before: t('plans.compare.current', { revision: page.plan.revision }),
      after: t('plans.compare.proposed', { revision: pending.revision }),
      // Reasons that name no field of this page (an incomplete revision) go to the top.
      reasons: errors.filter((e) => !PENDING_FIELDS[e.path]).map((e) => e.message),
    };
    const template = 'pages/plans/pending-revision.njk';
    const heading = t('plans.pending.heading', { revision: pending.revision });
    return errors.length
      ? this.pages.renderErrors(
          reply,
          request,
          ctx,
          page,
          template,
          heading,
          model,
          errors.map((e) => (PENDING_FIELDS[e.path] ? e : { ...e, path: 'pending-actions' })),
          PENDING_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  @Get(':id/revisions')
  @Authorize('read', 'Plan')
  async list(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id);
    const revisions = await this.plans.listRevisions(ctx, id, { limit: 20, cursor });
    const t = request.uiPage!.t;
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/revisions.njk',
      t('plans.revisions.title'),
      {
        rows: revisions.items.map((r) => ({
          revision: r.revision,
          current: r.current,
          startedAt: r.startedAt,
          supersededAt: r.supersededAt,
          supersededBy: r.supersededBy?.displayName ?? '',
          compareHref:
            r.revision > 1
              ? `/plans/${id}/revisions/compare?from=${r.revision - 1}&to=${r.revision}`
              : undefined,
        })),
        pendingHref: page.plan.pendingRevision
          ? `/plans/${id}/revisions/compare?from=${page.plan.revision}&to=pending`
          : undefined,
        links: keysetLinks(`/plans/${id}/revisions`, { cursor }, revisions.nextCursor),
        choices: Array.from({ length: page.plan.revision }, (_, i) => i + 1),
      },
    );
  }

  @Get(':id/revisions/compare')
  @Authorize('read', 'Plan')
  async compare(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id);
    const t = request.uiPage!.t;
    const revision = (value: string | undefined) =>
      value && /^\d{1,9}$/.test(value) && Number(value) >= 1 ? Number(value) : undefined;
    const fromRevision = revision(from);
    const toRevision = to === 'pending' ? 'pending' : revision(to);
    if (!fromRevision || !toRevision) throw notFound();
    const read = async (n: number | 'pending') => {
      if (n === 'pending') {
        if (!page.plan.pendingRevision) throw notFound('Pending revision');
        return programmeOf(page.plan.pendingRevision);
      }
      return programmeOf(await this.plans.getRevision(ctx, id, n));
    };
    const before = await read(fromRevision);
    const after = await read(toRevision);
    const label = (n: number | 'pending') =>
      n === 'pending'
        ? t('plans.compare.proposed', { revision: page.plan.pendingRevision!.revision })
        : n === page.plan.revision
          ? t('plans.compare.current', { revision: n })
          : t('plans.compare.revision', { revision: n });
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/compare.njk',
      t('plans.compare.title'),
      {
        comparison: page.can.full ? sideBySide(before, after, t) : undefined,
        before: label(fromRevision),
        after: label(toRevision),
      },
    );
  }
}
