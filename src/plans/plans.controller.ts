import {
  Body,
  Controller,
  Get,
  HttpCode,
  Patch,
  Post,
  Query,
  Res,
  type PipeTransform,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { validationProblem } from '../errors/validation-errors.js';
import { ApiIfMatch, etag, ETAG_HEADER, IfMatchVersion } from '../http/if-match.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { CheckedParam, UuidParam } from '../http/uuid-param.js';
import { CreatePlanDto } from './dto/create-plan.dto.js';
import { CreateReviewDto, ReviewPageResponse, ReviewResponse } from './dto/plan-review.dto.js';
import {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionPageResponse,
  SessionResponse,
} from './dto/plan-session.dto.js';
import {
  ClosePlanDto,
  CompletePlanDto,
  ReturnRevisionDto,
  SuspendPlanDto,
  WithdrawRevisionDto,
} from './dto/plan-transition.dto.js';
import {
  PlanPageResponse,
  PlanResponse,
  PlanRevisionPageResponse,
  type PlanRevisionSummary,
  type PlanSummaryResponse,
} from './dto/plan.response.js';
import { UpdatePlanDto, UpdateRevisionDto } from './dto/update-plan.dto.js';
import { PlanDeliveryService } from './plan-delivery.service.js';
import { PlanRevisionsService } from './plan-revisions.service.js';
import { PlansService } from './plans.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

const MAX_REVISION = 2 ** 31 - 1;
const revisionProblem = () =>
  validationProblem([{ path: 'revision', message: 'revision must be a whole number from 1' }]);

/** A revision number path parameter: a positive int4, else a 400 naming it. */
class ParseRevisionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,10}$/.test(value)) throw revisionProblem();
    const revision = Number(value);
    if (revision < 1 || revision > MAX_REVISION) throw revisionProblem();
    return revision;
  }
}
const RevisionParam = () =>
  CheckedParam('revision', new ParseRevisionPipe(), {
    type: 'integer',
    minimum: 1,
    maximum: MAX_REVISION,
  });

/** Every answer that carries a plan sends its version as the ETag, for the next If-Match. */
const withPlan = (options: ApiResponseOptions = {}): ApiResponseOptions => ({
  type: PlanResponse,
  headers: ETAG_HEADER,
  ...options,
});

async function tagged(reply: FastifyReply, answer: Promise<PlanResponse>): Promise<PlanResponse> {
  const plan = await answer;
  void reply.header('etag', etag(plan.version));
  return plan;
}

@ApiTags('plans')
@ApiHeader({
  name: 'X-Access-Purpose',
  required: false,
  description: 'Why you open this plan (audited)',
})
@Controller()
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly delivery: PlanDeliveryService,
    private readonly pending: PlanRevisionsService,
  ) {}

  @Post('prisoners/:id/plans')
  @Idempotent()
  @Authorize('create', 'Plan')
  @ApiOperation({
    summary:
      'Draft a plan from the prisoner’s current approved needs assessment (PVE inspectors): goals per need, interventions from the catalogue, intensity from the latest risk level',
  })
  @ApiCreatedResponse(withPlan())
  @ApiConflictResponse({ description: 'The prisoner already has an open plan (`openPlanId`)' })
  @ApiUnprocessableEntityResponse({
    description:
      'Not the prisoner’s current approved needs assessment. An id that is not an approved assessment of this prisoner gets one answer (`assessment_not_found`), whoever it belongs to',
  })
  @ApiProblems(
    [403, 'Only PVE inspectors draft plans (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreatePlanDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.create(ctx, id, dto));
  }

  @Get('prisoners/:id/plans')
  @Authorize('read', 'Plan')
  @ApiOperation({ summary: 'The prisoner’s plans, newest first (open and past)' })
  @ApiOkResponse({ type: PlanPageResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  list(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<PlanSummaryResponse>> {
    return this.plans.listForPrisoner(ctx, id, query);
  }

  @Get('plans/:id')
  @Authorize('read', 'Plan')
  @ApiOperation({
    summary: 'The plan’s current revision: full view, or the logistics view for security officers',
  })
  @ApiOkResponse(withPlan())
  @ApiNotFoundResponse({ description: 'No such plan in the caller’s scope' })
  @ApiProblems([404, 'No such plan in the caller’s scope (`not_found`)'])
  get(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.get(ctx, id));
  }

  @Patch('plans/:id')
  @Authorize('update', 'Plan')
  @ApiOperation({
    summary:
      'Change the plan: each part given replaces that part (goals and interventions keep their ids)',
    description:
      'On an active or suspended plan, a material change (goals or interventions added, removed, reordered, or their substance changed; re-basing) becomes the pending revision, which a supervisor approves; the current revision governs delivery until then. Delivery changes (statuses, consent, staff, provider, place, goal priority), the prisoner’s agreement and the release section apply at once.',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiConflictResponse({
    description:
      'Stale If-Match (`version_conflict`), a closed plan, or a material change while a revision is pending (`revision_pending`, `pendingRevision`)',
  })
  @ApiUnprocessableEntityResponse({ description: 'Consent rules (Mandela Rules 65(3), 32(1)(b))' })
  @ApiProblems(
    [403, 'The caller may not change these parts of the plan (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [
      422,
      'Consent rules (`consent_required`, Mandela Rules 65(3), 32(1)(b)), or a re-basing the plan cannot take (`assessment_not_current`, `catalogue_mismatch`)',
    ],
  )
  update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdatePlanDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.update(ctx, id, version, dto));
  }

  @Post('plans/:id/submit')
  @HttpCode(200)
  @Authorize('submit', 'Plan')
  @ApiOperation({ summary: 'Send a draft for a supervisor’s approval (PVE inspectors)' })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only PVE inspectors submit (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or not a draft (`invalid_transition`, `planStatus`)',
    ],
    [
      422,
      'Incomplete: no goal, no agreement, or an intervention without a goal (`plan_incomplete`, `errors`)',
    ],
  )
  submit(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'submit', {}, version));
  }

  @Post('plans/:id/activate')
  @HttpCode(200)
  @Authorize('approve', 'Plan')
  @ApiOperation({
    summary:
      'Approve a submitted plan, or resume a suspended one (supervisors; never the plan’s author or submitter)',
    description: 'The approval is of the version the approver read (If-Match).',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only a supervisor who neither wrote nor submitted it (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or not awaiting approval or suspended (`invalid_transition`, `planStatus`)',
    ],
  )
  activate(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'activate', {}, version));
  }

  @Post('plans/:id/return')
  @HttpCode(200)
  @Authorize('approve', 'Plan')
  @ApiOperation({
    summary:
      'Return a plan awaiting approval to draft with comments for its author (supervisors; never the plan’s author or submitter)',
    description:
      'The return is of the version the supervisor read (If-Match). The comments are kept on the plan as `returned` until it is returned again.',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only a supervisor who neither wrote nor submitted it (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or not awaiting approval (`invalid_transition`, `planStatus`)',
    ],
  )
  returnPlan(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: ReturnRevisionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'return', dto, version));
  }

  @Post('plans/:id/suspend')
  @HttpCode(200)
  @Authorize('suspend', 'Plan')
  @ApiOperation({ summary: 'Pause an active plan, with the reason (PVE inspectors, supervisors)' })
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only PVE inspectors and supervisors (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [409, 'Not active (`invalid_transition`, `planStatus`)'],
  )
  suspend(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: SuspendPlanDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'suspend', dto));
  }

  @Post('plans/:id/complete')
  @HttpCode(200)
  @Authorize('complete', 'Plan')
  @ApiOperation({
    summary:
      'Complete an active plan once no intervention is scheduled or running (PVE inspectors)',
  })
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only PVE inspectors (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [409, 'Not active, or a revision is pending (`invalid_transition`, `revision_pending`)'],
    [422, 'Interventions still scheduled or running (`interventions_running`, `errors`)'],
  )
  complete(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CompletePlanDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'complete', dto));
  }

  @Post('plans/:id/close')
  @HttpCode(200)
  @Authorize('close', 'Plan')
  @ApiOperation({
    summary: 'Close an open plan with the reason (PVE inspectors, supervisors)',
  })
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only PVE inspectors and supervisors (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [409, 'Not open (`invalid_transition`, `planStatus`)'],
  )
  close(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ClosePlanDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.plans.transition(ctx, id, 'close', dto));
  }

  @Get('plans/:id/revisions')
  @Authorize('read', 'Plan')
  @ApiOperation({
    summary: 'The plan’s revisions, current first (a pending revision is shown on the plan itself)',
  })
  @ApiOkResponse({ type: PlanRevisionPageResponse })
  @ApiProblems([404, 'No such plan in the caller’s scope (`not_found`)'])
  revisions(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<PlanRevisionSummary>> {
    return this.plans.listRevisions(ctx, id, query);
  }

  @Get('plans/:id/revisions/:revision')
  @Authorize('read', 'Plan')
  @ApiOperation({ summary: 'One revision of the plan as it was, in the caller’s view' })
  @ApiOkResponse({ type: PlanResponse })
  @ApiProblems([404, 'No such plan in the caller’s scope, or no such revision (`not_found`)'])
  revision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @RevisionParam() revision: number,
  ): Promise<PlanResponse> {
    return this.plans.getRevision(ctx, id, revision);
  }

  @Patch('plans/:id/pending-revision')
  @Authorize('update', 'Plan')
  @ApiOperation({
    summary:
      'Change the plan’s pending revision (its author, until it is submitted or after it is returned)',
    description:
      'Each part given replaces that part of the revision. For interventions the current revision has, staff, provider, place, status and consent stay the current revision’s: change them on the plan.',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiNotFoundResponse({ description: 'The plan has no pending revision' })
  @ApiProblems(
    [403, 'Only the revision’s author (`forbidden`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or the revision is submitted (`revision_submitted`)',
    ],
    [422, 'Consent rules (`consent_required`) or a re-basing the revision cannot take'],
  )
  updateRevision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateRevisionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.pending.update(ctx, id, version, dto));
  }

  @Post('plans/:id/pending-revision/submit')
  @HttpCode(200)
  @Authorize('submit', 'Plan')
  @ApiOperation({
    summary: 'Send the pending revision for a supervisor’s approval (PVE inspectors)',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiUnprocessableEntityResponse({ description: 'Incomplete, or changes nothing: see `errors`' })
  @ApiProblems(
    [403, 'Only PVE inspectors (`forbidden`)'],
    [404, 'No such plan in scope, or no pending revision (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or not a draft or returned revision (`invalid_transition`, `revisionStatus`)',
    ],
  )
  submitRevision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.pending.submit(ctx, id, version));
  }

  @Post('plans/:id/pending-revision/approve')
  @HttpCode(200)
  @Authorize('approve', 'Plan')
  @ApiOperation({
    summary:
      'Approve the submitted revision: it becomes the current revision (supervisors; never its author or submitter)',
    description:
      'The approval is of the version the approver read (If-Match). Delivery recorded while it was pending is kept; the revision it ends stays readable under /revisions.',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only a supervisor who neither wrote nor submitted it (`forbidden`)'],
    [404, 'No such plan in scope, or no pending revision (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), not submitted (`invalid_transition`), or outdated (`revision_outdated`)',
    ],
    [
      422,
      'The merged plan is incomplete or unconsented (`revision_incomplete`, `consent_required`, `errors`)',
    ],
  )
  approveRevision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.pending.approve(ctx, id, version));
  }

  @Post('plans/:id/pending-revision/return')
  @HttpCode(200)
  @Authorize('approve', 'Plan')
  @ApiOperation({
    summary:
      'Return the submitted revision to its author with comments (supervisors; never its author or submitter)',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Only a supervisor who neither wrote nor submitted it (`forbidden`)'],
    [404, 'No such plan in scope, or no pending revision (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or not submitted (`invalid_transition`, `revisionStatus`)',
    ],
  )
  returnRevision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: ReturnRevisionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.pending.return(ctx, id, version, dto));
  }

  @Post('plans/:id/pending-revision/withdraw')
  @HttpCode(200)
  @Authorize('read', 'Plan')
  @ApiOperation({
    summary:
      'Withdraw the pending revision (its author, or a PVE inspector or supervisor of the prisoner’s facility)',
  })
  @ApiIfMatch('plan')
  @ApiOkResponse(withPlan())
  @ApiProblems(
    [403, 'Not its author, a PVE inspector or a supervisor of the facility (`forbidden`)'],
    [404, 'No such plan in scope, or no pending revision (`not_found`)'],
  )
  withdrawRevision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: WithdrawRevisionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlanResponse> {
    return tagged(reply, this.pending.withdraw(ctx, id, version, dto));
  }

  @Post('plans/:id/sessions')
  @Idempotent()
  @Authorize('create', 'PlanDelivery')
  @ApiOperation({
    summary:
      'Record a session of an active plan (PVE inspectors; psychologists for psychological interventions)',
  })
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiProblems(
    [403, 'Not a PVE inspector, or a psychologist for another discipline (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [
      409,
      'The plan is not active (`plan_not_active`, `planStatus`), or the intervention is only in the pending revision (`revision_pending`)',
    ],
    [
      422,
      'The intervention is not scheduled or running (`intervention_not_scheduled`), or lacks consent (`consent_required`)',
    ],
  )
  recordSession(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateSessionDto,
  ): Promise<SessionResponse> {
    return this.delivery.recordSession(ctx, id, dto);
  }

  @Get('plans/:id/sessions')
  @Authorize('read', 'Plan')
  @ApiOperation({
    summary: 'Sessions, newest first; the logistics view has dates and attendance only',
  })
  @ApiOkResponse({ type: SessionPageResponse })
  @ApiProblems([404, 'No such plan in the caller’s scope (`not_found`)'])
  sessions(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListSessionsQueryDto,
  ): Promise<Page<SessionResponse>> {
    return this.delivery.listSessions(ctx, id, query);
  }

  @Post('plans/:id/reviews')
  @Idempotent()
  @Authorize('review', 'Plan')
  @ApiOperation({
    summary:
      'Record a progress review of an active or suspended plan: goal progress and the next review date (PVE inspectors)',
  })
  @ApiCreatedResponse({ type: ReviewResponse })
  @ApiProblems(
    [403, 'Only PVE inspectors (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
    [409, 'The plan is not active or suspended (`plan_not_active`, `planStatus`)'],
  )
  recordReview(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateReviewDto,
  ): Promise<ReviewResponse> {
    return this.delivery.recordReview(ctx, id, dto);
  }

  @Get('plans/:id/reviews')
  @Authorize('read', 'Plan')
  @ApiOperation({ summary: 'Reviews, newest first (full view only)' })
  @ApiOkResponse({ type: ReviewPageResponse })
  @ApiProblems(
    [403, 'The logistics view has no reviews (`forbidden`)'],
    [404, 'No such plan in the caller’s scope (`not_found`)'],
  )
  reviews(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ReviewResponse>> {
    return this.delivery.listReviews(ctx, id, query);
  }
}
