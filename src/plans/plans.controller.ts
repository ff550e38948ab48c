import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
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
} from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { validationProblem } from '../errors/validation-errors.js';
import { IfMatchVersion } from '../http/if-match.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreatePlanDto } from './dto/create-plan.dto.js';
import { CreateReviewDto, ReviewPageResponse, ReviewResponse } from './dto/plan-review.dto.js';
import {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionPageResponse,
  SessionResponse,
} from './dto/plan-session.dto.js';
import { ClosePlanDto, CompletePlanDto, SuspendPlanDto } from './dto/plan-transition.dto.js';
import {
  PlanPageResponse,
  PlanResponse,
  PlanRevisionPageResponse,
  type PlanRevisionSummary,
  type PlanSummaryResponse,
} from './dto/plan.response.js';
import { UpdatePlanDto } from './dto/update-plan.dto.js';
import { PlanDeliveryService } from './plan-delivery.service.js';
import { PlansService } from './plans.service.js';

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
const RevisionParam = () => Param('revision', new ParseRevisionPipe());

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
  ) {}

  @Post('prisoners/:id/plans')
  @Authorize('create', 'Plan')
  @ApiOperation({
    summary:
      'Draft a plan from the prisoner’s current approved needs assessment (PVE inspectors): goals per need, interventions from the catalogue, intensity from the latest risk level',
  })
  @ApiCreatedResponse({ type: PlanResponse })
  @ApiConflictResponse({ description: 'The prisoner already has an open plan (`openPlanId`)' })
  @ApiUnprocessableEntityResponse({
    description: 'Not the prisoner’s current approved needs assessment',
  })
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreatePlanDto,
  ): Promise<PlanResponse> {
    return this.plans.create(ctx, id, dto);
  }

  @Get('prisoners/:id/plans')
  @Authorize('read', 'Plan')
  @ApiOperation({ summary: 'The prisoner’s plans, newest first (open and past)' })
  @ApiOkResponse({ type: PlanPageResponse })
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
  @ApiOkResponse({ type: PlanResponse })
  @ApiNotFoundResponse({ description: 'No such plan in the caller’s scope' })
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<PlanResponse> {
    return this.plans.get(ctx, id);
  }

  @Patch('plans/:id')
  @Authorize('update', 'Plan')
  @ApiOperation({
    summary:
      'Change the plan: each part given replaces that part (goals and interventions keep their ids). After activation a material change makes a new revision',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version being edited' })
  @ApiOkResponse({ type: PlanResponse })
  @ApiUnprocessableEntityResponse({ description: 'Consent rules (Mandela Rules 65(3), 32(1)(b))' })
  update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdatePlanDto,
  ): Promise<PlanResponse> {
    return this.plans.update(ctx, id, version, dto);
  }

  @Post('plans/:id/submit')
  @HttpCode(200)
  @Authorize('submit', 'Plan')
  @ApiOperation({ summary: 'Send a draft for a supervisor’s approval (PVE inspectors)' })
  @ApiOkResponse({ type: PlanResponse })
  submit(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<PlanResponse> {
    return this.plans.transition(ctx, id, 'submit');
  }

  @Post('plans/:id/activate')
  @HttpCode(200)
  @Authorize('approve', 'Plan')
  @ApiOperation({
    summary:
      'Approve a submitted plan, or resume a suspended one (supervisors; never the plan’s author or submitter)',
  })
  @ApiOkResponse({ type: PlanResponse })
  activate(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<PlanResponse> {
    return this.plans.transition(ctx, id, 'activate');
  }

  @Post('plans/:id/suspend')
  @HttpCode(200)
  @Authorize('suspend', 'Plan')
  @ApiOperation({ summary: 'Pause an active plan, with the reason (PVE inspectors, supervisors)' })
  @ApiOkResponse({ type: PlanResponse })
  suspend(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: SuspendPlanDto,
  ): Promise<PlanResponse> {
    return this.plans.transition(ctx, id, 'suspend', dto);
  }

  @Post('plans/:id/complete')
  @HttpCode(200)
  @Authorize('complete', 'Plan')
  @ApiOperation({
    summary:
      'Complete an active plan once no intervention is scheduled or running (PVE inspectors)',
  })
  @ApiOkResponse({ type: PlanResponse })
  complete(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CompletePlanDto,
  ): Promise<PlanResponse> {
    return this.plans.transition(ctx, id, 'complete', dto);
  }

  @Post('plans/:id/close')
  @HttpCode(200)
  @Authorize('close', 'Plan')
  @ApiOperation({
    summary: 'Close an open plan with the reason (PVE inspectors, supervisors)',
  })
  @ApiOkResponse({ type: PlanResponse })
  close(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ClosePlanDto,
  ): Promise<PlanResponse> {
    return this.plans.transition(ctx, id, 'close', dto);
  }

  @Get('plans/:id/revisions')
  @Authorize('read', 'Plan')
  @ApiOperation({ summary: 'The plan’s revisions, current first' })
  @ApiOkResponse({ type: PlanRevisionPageResponse })
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
  revision(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @RevisionParam() revision: number,
  ): Promise<PlanResponse> {
    return this.plans.getRevision(ctx, id, revision);
  }

  @Post('plans/:id/sessions')
  @Authorize('create', 'PlanDelivery')
  @ApiOperation({
    summary:
      'Record a session of an active plan (PVE inspectors; psychologists for psychological interventions)',
  })
  @ApiCreatedResponse({ type: SessionResponse })
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
  sessions(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListSessionsQueryDto,
  ): Promise<Page<SessionResponse>> {
    return this.delivery.listSessions(ctx, id, query);
  }

  @Post('plans/:id/reviews')
  @Authorize('review', 'Plan')
  @ApiOperation({
    summary:
      'Record a progress review of an active or suspended plan: goal progress and the next review date (PVE inspectors)',
  })
  @ApiCreatedResponse({ type: ReviewResponse })
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
  reviews(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ReviewResponse>> {
    return this.delivery.listReviews(ctx, id, query);
  }
}
