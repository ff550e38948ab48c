import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiIfMatch, etag, ETAG_HEADER, IfMatchVersion } from '../http/if-match.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { AssessmentsService } from './assessments.service.js';
import {
  AssessmentPageResponse,
  AssessmentResponse,
  CountersignDto,
  CreateAssessmentDto,
  ListAssessmentsQueryDto,
  ListedAssessmentPageResponse,
  ListedAssessmentResponse,
  ReasonDto,
  RiskTimelineQueryDto,
  TriggerReviewDto,
  TriggerReviewResponse,
  RiskTimelineResponse,
  SearchAssessmentsQueryDto,
  UpdateAssessmentDto,
} from './dto/assessment.dto.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

/** A 200 (or 201) that carries one assessment, with its version in ETag. */
const CarriesAssessment = (status: 200 | 201 = 200) =>
  status === 201
    ? ApiCreatedResponse({ type: AssessmentResponse, headers: ETAG_HEADER })
    : ApiOkResponse({ type: AssessmentResponse, headers: ETAG_HEADER });

const InProgressConflict = () =>
  ApiConflictResponse({
    description:
      'Another assessment with this instrument is in progress for the prisoner (`assessment_in_progress` or `amendment_in_progress`): `openAssessmentId` names it',
  });

/** Sends the assessment's version as its ETag and returns it. */
function tagged(reply: FastifyReply, assessment: AssessmentResponse): AssessmentResponse {
  void reply.header('etag', etag(assessment.version));
  return assessment;
}

@ApiTags('assessments')
@ApiHeader({
  name: 'X-Access-Purpose',
  required: false,
  description: 'Why you open this case (audited)',
})
@Controller()
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Post('prisoners/:id/assessments')
  @Idempotent()
  @Authorize('create', 'Assessment')
  @ApiOperation({
    summary: 'Start a draft assessment with a pinned instrument version (certified psychologists)',
  })
  @CarriesAssessment(201)
  @InProgressConflict()
  @ApiProblems(
    [403, 'Not a psychologist certified for the instrument (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
    [
      422,
      'No such instrument or version (`unknown_instrument`), or the version is not active (`instrument_not_active`)',
    ],
  )
  async create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateAssessmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.create(ctx, id, dto));
  }

  @Get('assessments')
  @Authorize('read', 'Assessment')
  @ApiOperation({
    summary:
      'Assessments across the caller’s scope, newest first, in the caller’s view (“my work”)',
    description:
      'Filters: `status` (one or more), `assessor=me` (the caller’s own), `awaitingMyCountersignature=true` ' +
      '(submitted assessments of others the caller may countersign). Each item names the prisoner.',
  })
  @ApiOkResponse({ type: ListedAssessmentPageResponse })
  @ApiProblems([403, 'The caller’s roles read no assessments (`forbidden`)'])
  search(
    @Ctx() ctx: RequestContext,
    @Query() query: SearchAssessmentsQueryDto,
  ): Promise<Page<ListedAssessmentResponse>> {
    return this.assessments.list(ctx, query);
  }

  @Get('prisoners/:id/assessments')
  @Authorize('read', 'Assessment')
  @ApiOperation({
    summary: 'Every assessment and revision of a prisoner, newest first, in the caller’s view',
  })
  @ApiOkResponse({ type: AssessmentPageResponse })
  @ApiProblems(
    [403, 'The caller’s roles read no assessments (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  list(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListAssessmentsQueryDto,
  ): Promise<Page<AssessmentResponse>> {
    return this.assessments.listForPrisoner(ctx, id, query);
  }

  @Get('prisoners/:id/risk-timeline')
  @Authorize('read', 'Assessment')
  @ApiOperation({
    summary:
      'Approved assessments over time, per instrument when asked: indicative and final levels, final level per judgement, domain summaries where the view allows',
  })
  @ApiOkResponse({ type: RiskTimelineResponse })
  @ApiProblems(
    [403, 'The caller’s roles read no assessments (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  timeline(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: RiskTimelineQueryDto,
  ): Promise<RiskTimelineResponse> {
    return this.assessments.riskTimeline(ctx, id, query.instrument);
  }

  @Get('assessments/:id')
  @Authorize('read', 'Assessment')
  @ApiOperation({ summary: 'One assessment in the caller’s view (full, programme or security)' })
  @CarriesAssessment()
  @ApiProblems([404, 'No such assessment in the caller’s scope (`not_found`)'])
  async get(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.get(ctx, id));
  }

  @Patch('assessments/:id')
  @Authorize('update', 'Assessment')
  @ApiOperation({
    summary:
      'Edit a draft or returned assessment (its assessor): ratings with evidence, formulation, judgement',
    description: 'The indicative result is recomputed on every save.',
  })
  @ApiIfMatch('assessment')
  @CarriesAssessment()
  @ApiProblems(
    [403, 'Only its assessor edits an assessment (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), the status does not allow editing (`invalid_status`, `currentStatus`), or ratings of a double-rated assessment before its consensus (`double_rated`)',
    ],
  )
  async update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateAssessmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.update(ctx, id, version, dto));
  }

  @Post('assessments/:id/submit')
  @HttpCode(200)
  @Authorize('update', 'Assessment')
  @ApiOperation({ summary: 'Submit for countersignature' })
  @CarriesAssessment()
  @ApiUnprocessableEntityResponse({
    description:
      'Incomplete: `reasons` lists everything to complete (the same list as `indicative.reasons`)',
  })
  @ApiProblems(
    [403, 'Only its assessor submits (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [409, 'The status does not allow it (`invalid_status`, `currentStatus`)'],
  )
  async submit(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.submit(ctx, id));
  }

  @Post('assessments/:id/countersign')
  @HttpCode(200)
  @Authorize('countersign', 'Assessment')
  @ApiOperation({
    summary: 'Approve or return a submitted assessment (another certified psychologist)',
  })
  @CarriesAssessment()
  @ApiProblems(
    [403, 'Not another psychologist certified for the instrument (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [409, 'Not submitted (`invalid_status`, `currentStatus`)'],
  )
  async countersign(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CountersignDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.countersign(ctx, id, dto));
  }

  @Post('assessments/:id/amend')
  @Idempotent()
  @Authorize('create', 'Assessment')
  @ApiOperation({
    summary: 'Start revision n+1 of an approved assessment as a draft (content copied)',
  })
  @CarriesAssessment(201)
  @InProgressConflict()
  @ApiProblems(
    [403, 'Not a certified psychologist (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
  )
  async amend(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReasonDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.amend(ctx, id, dto));
  }

  @Post('assessments/:id/trigger-reviews')
  @Idempotent()
  @Authorize('create', 'Assessment')
  @ApiOperation({
    summary:
      'Record the review an event or a flag made due (trigger action `review`): reviewer, date, outcome and reasons, without a new assessment',
  })
  @ApiCreatedResponse({ type: TriggerReviewResponse })
  @ApiProblems(
    [403, 'Not a psychologist who may assess this prisoner (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'The assessment is not the current approved one (`invalid_status`), or the event is already reviewed (`already_reviewed`)',
    ],
    [422, 'The event makes no review of this assessment due (`no_review_due`)'],
  )
  triggerReview(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: TriggerReviewDto,
  ): Promise<TriggerReviewResponse> {
    return this.assessments.triggerReview(ctx, id, dto);
  }

  @Post('assessments/:id/cancel')
  @HttpCode(200)
  @Authorize('update', 'Assessment')
  @ApiOperation({ summary: 'Cancel an assessment entered in error (kept, never deleted)' })
  @CarriesAssessment()
  @ApiProblems(
    [403, 'Only its assessor cancels (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [409, 'The status does not allow it (`invalid_status`, `currentStatus`)'],
  )
  async cancel(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReasonDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.cancel(ctx, id, dto));
  }
}
