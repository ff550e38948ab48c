import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
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
import { etag, IfMatchVersion } from '../http/if-match.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { AssessmentsService } from './assessments.service.js';
import {
  AssessmentPageResponse,
  AssessmentResponse,
  CountersignDto,
  CreateAssessmentDto,
  ListAssessmentsQueryDto,
  ReasonDto,
  RiskTimelineResponse,
  UpdateAssessmentDto,
} from './dto/assessment.dto.js';

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
  @Authorize('create', 'Assessment')
  @ApiOperation({
    summary: 'Start a draft assessment with a pinned instrument version (certified psychologists)',
  })
  @ApiCreatedResponse({ type: AssessmentResponse })
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateAssessmentDto,
  ): Promise<AssessmentResponse> {
    return this.assessments.create(ctx, id, dto);
  }

  @Get('prisoners/:id/assessments')
  @Authorize('read', 'Assessment')
  @ApiOperation({
    summary: 'Every assessment and revision of a prisoner, newest first, in the caller’s view',
  })
  @ApiOkResponse({ type: AssessmentPageResponse })
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
      'Approved assessments over time: indicative and final levels, domain summaries where the view allows',
  })
  @ApiOkResponse({ type: RiskTimelineResponse })
  timeline(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<RiskTimelineResponse> {
    return this.assessments.riskTimeline(ctx, id);
  }

  @Get('assessments/:id')
  @Authorize('read', 'Assessment')
  @ApiOperation({ summary: 'One assessment in the caller’s view (full, programme or security)' })
  @ApiOkResponse({ type: AssessmentResponse })
  async get(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    const assessment = await this.assessments.get(ctx, id);
    void reply.header('etag', etag(assessment.version));
    return assessment;
  }

  @Patch('assessments/:id')
  @Authorize('update', 'Assessment')
  @ApiOperation({
    summary:
      'Edit a draft or returned assessment (its assessor): ratings with evidence, formulation, judgement',
    description: 'The indicative result is recomputed on every save.',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version being edited' })
  @ApiOkResponse({ type: AssessmentResponse })
  async update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateAssessmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    const assessment = await this.assessments.update(ctx, id, version, dto);
    void reply.header('etag', etag(assessment.version));
    return assessment;
  }

  @Post('assessments/:id/submit')
  @HttpCode(200)
  @Authorize('update', 'Assessment')
  @ApiOperation({ summary: 'Submit for countersignature' })
  @ApiOkResponse({ type: AssessmentResponse })
  @ApiUnprocessableEntityResponse({
    description: 'Incomplete: `reasons` lists everything to complete',
  })
  submit(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<AssessmentResponse> {
    return this.assessments.submit(ctx, id);
  }

  @Post('assessments/:id/countersign')
  @HttpCode(200)
  @Authorize('countersign', 'Assessment')
  @ApiOperation({
    summary: 'Approve or return a submitted assessment (another certified psychologist)',
  })
  @ApiOkResponse({ type: AssessmentResponse })
  countersign(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CountersignDto,
  ): Promise<AssessmentResponse> {
    return this.assessments.countersign(ctx, id, dto);
  }

  @Post('assessments/:id/amend')
  @Authorize('create', 'Assessment')
  @ApiOperation({
    summary: 'Start revision n+1 of an approved assessment as a draft (content copied)',
  })
  @ApiCreatedResponse({ type: AssessmentResponse })
  amend(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReasonDto,
  ): Promise<AssessmentResponse> {
    return this.assessments.amend(ctx, id, dto);
  }

  @Post('assessments/:id/cancel')
  @HttpCode(200)
  @Authorize('update', 'Assessment')
  @ApiOperation({ summary: 'Cancel an assessment entered in error (kept, never deleted)' })
  @ApiOkResponse({ type: AssessmentResponse })
  cancel(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReasonDto,
  ): Promise<AssessmentResponse> {
    return this.assessments.cancel(ctx, id, dto);
  }
}
