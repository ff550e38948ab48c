import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../../auth/auth.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import {
  ReviewEmergencyAccessDto,
  RevokeEmergencyAccessDto,
} from '../../emergency-access/dto/emergency-access.dto.js';
import {
  EmergencyAccessService,
  type EmergencyAccessWithReads,
} from '../../emergency-access/emergency-access.service.js';
import { ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { PlansService } from '../../plans/plans.service.js';
import { ReviewsService } from '../../reviews/reviews.service.js';
import { formErrors, validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, UuidPageParam } from '../common/uuid-page-param.js';
import { formatDuration } from '../i18n/format.js';
import { today, yesterday } from './oversight-home.js';
import { OUTCOME, approvalRows, grantRows, overdueRows } from './oversight.view.js';
import { labelOf } from '../plans/plan-labels.js';

const GRANT_FIELDS: FieldMessages = {
  outcome: { id: 'outcome', message: 'oversight.grant.errors.outcome' },
  note: { id: 'note', message: 'oversight.grant.errors.note' },
  reason: { id: 'reason', message: 'oversight.grant.errors.reason' },
};

const isCursorProblem = (error: unknown) =>
  error instanceof ProblemException && error.getStatus() === 400;

/**
 * The supervisor's queues, each a page: plans and revisions awaiting approval, overdue
 * reassessments and plan reviews, and emergency-access grants with their review.
 */
@PageController('oversight')
export class OversightPagesController {
  constructor(
    private readonly plans: PlansService,
    private readonly reviews: ReviewsService,
    private readonly grants: EmergencyAccessService,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Get('approvals')
  @Authorize('approve', 'Plan')
  async approvals(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.plans.work(ctx, {
      statuses: ['pending_approval'],
      proposalStatuses: ['submitted'],
      limit: 25,
      cursor,
    });
    return render(reply, 'pages/oversight/approvals.njk', {
      rows: approvalRows(page.items, ctx.actor.id, request.uiPage!.t),
      links: keysetLinks('/oversight/approvals', { cursor }, page.nextCursor),
    });
  }

  @Get('overdue')
  @Authorize('read', 'ReviewDue')
  async overdue(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.reviews.due(ctx, { before: yesterday(), limit: 100, cursor });
    const profile = await this.auth.profile(ctx.actor.id);
    const facilities = new Map(profile.facilities.map((f) => [f.id, f.name]));
    return render(reply, 'pages/oversight/overdue.njk', {
      rows: overdueRows(page.items, facilities, request.uiPage!.t, today()),
      links: keysetLinks('/oversight/overdue', { cursor }, page.nextCursor),
    });
  }

  @Get('emergency-access')
  @Authorize('read', 'EmergencyAccess')
  async grantList(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('status') status?: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const shown = status === 'reviewed' ? 'reviewed' : 'pending';
    const page = await this.grants.list(ctx, { status: shown, limit: 25, cursor }).catch((e) => {
      if (isCursorProblem(e)) return this.grants.list(ctx, { status: shown, limit: 25 });
      throw e;
    });
    const t = request.uiPage!.t;
    return render(reply, 'pages/oversight/grants.njk', {
      status: shown,
      tabs: (['pending', 'reviewed'] as const).map((s) => ({
        text: t(s === 'pending' ? 'oversight.grants.pending' : 'oversight.grants.reviewed'),
        href: `/oversight/emergency-access${s === 'pending' ? '' : '?status=reviewed'}`,
        active: s === shown,
      })),
      rows: grantRows(page.items, t),
      links: keysetLinks(
        '/oversight/emergency-access',
        { status: status && shown, cursor },
        page.nextCursor,
      ),
    });
  }

  @Get('emergency-access/:id')
  @Authorize('read', 'EmergencyAccess')
  async grant(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const grant = await this.grants.get(ctx, id);
    return this.grantPage(ctx, request, reply, grant, { outcome: '', note: '', reason: '' });
  }

  @Post('emergency-access/:id/review')
  @Authorize('review', 'EmergencyAccess')
  async review(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { outcome: field(body, 'outcome'), note: field(body, 'note'), reason: '' };
    return submitForm(ReviewEmergencyAccessDto, {
      input: { outcome: values.outcome, note: values.note.trim() },
      save: (value) => this.grants.review(ctx, id, value),
      refuse: async (found) =>
        this.grantPage(ctx, request, reply, await this.grants.get(ctx, id), values, found),
      refused: (error) => refusedFields(error, 'note'),
      done: () => redirect(reply, `/oversight/emergency-access/${id}`),
    });
  }

  @Post('emergency-access/:id/revoke')
  @Authorize('review', 'EmergencyAccess')
  async revoke(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { outcome: '', note: '', reason: field(body, 'reason') };
    const { value, errors } = await validateForm(RevokeEmergencyAccessDto, {
      reason: values.reason.trim(),
    });
    if (errors.length > 0)
      return this.grantPage(ctx, request, reply, await this.grants.get(ctx, id), values, errors);
    await this.grants.revoke(ctx, id, value);
    return redirect(reply, `/oversight/emergency-access/${id}`);
  }

  private grantPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    grant: EmergencyAccessWithReads,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const own = grant.user.id === ctx.actor.id;
    return render(
      reply,
      'pages/oversight/grant.njk',
      {
        grant: {
          ...grantRows([grant], t)[0],
          id: grant.id,
          prisonerHref: `/prisoners/${grant.prisonerId}`,
          duration: formatDuration(
            Math.max(
              60,
              Math.round((Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)) / 1000),
            ),
            t,
          ),
          reviewed: grant.status === 'reviewed',
          reviewedBy: grant.reviewedBy?.displayName ?? '',
          reviewedAt: grant.reviewedAt,
          reviewNote: grant.reviewNote ?? '',
          endedAt: grant.endedAt,
          endedBy: grant.endedBy?.displayName ?? '',
          endReason: grant.endReason ?? '',
          active: grant.active,
          own,
          canReview: grant.status === 'pending' && !own,
        },
        reads: grant.reads.map((r) => ({
          ...r,
          href: `/audit/events/${r.seq}`,
          outcome: labelOf(t, OUTCOME, r.outcome),
          denied: r.outcome !== 'success',
        })),
        moreReads: grant.moreReads,
        auditHref: `/audit?person=${encodeURIComponent(grant.user.username)}&prisoner=${encodeURIComponent(grant.prisonNumber)}`,
        values,
        errors: errors.length ? formErrors(t, errors, GRANT_FIELDS) : undefined,
        ttl: formatDuration(this.config.env.EMERGENCY_ACCESS_TTL, t),
      },
      errors.length ? 422 : 200,
    );
  }
}
