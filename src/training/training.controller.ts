import { Body, Controller, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { ApiIfMatch, etag, ETAG_HEADER, IfMatchVersion } from '../http/if-match.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  PracticeCaseResponse,
  PracticeCaseSummaryResponse,
  TrainingAttemptResponse,
  TrainingOverviewResponse,
  TrainingProgressResponse,
  UpdateTrainingAttemptDto,
} from './dto/training.dto.js';
import { TrainingService } from './training.service.js';
import { Idempotent } from '../idempotency/idempotency.js';

const withAttempt = (options: ApiResponseOptions = {}): ApiResponseOptions => ({
  type: TrainingAttemptResponse,
  headers: ETAG_HEADER,
  ...options,
});

async function tagged<T extends { version: number }>(reply: FastifyReply, answer: Promise<T>) {
  const attempt = await answer;
  void reply.header('etag', etag(attempt.version));
  return attempt;
}

@ApiTags('training')
@Controller('training')
export class TrainingController {
  constructor(private readonly training: TrainingService) {}

  @Get('cases')
  @Authorize('read', 'PracticeCase')
  @ApiOperation({
    summary: 'Active fictional practice cases, with the caller’s open attempt of each',
    description:
      'Not paginated: the list is the fixed set of practice-case files a service deploys.',
  })
  @ApiOkResponse({ type: [PracticeCaseSummaryResponse] })
  list(@Ctx() ctx: RequestContext): Promise<PracticeCaseSummaryResponse[]> {
    return this.training.listCases(ctx);
  }

  @Get('cases/:id')
  @Authorize('read', 'PracticeCase')
  @ApiOperation({ summary: 'A practice case file (without its reference ratings)' })
  @ApiOkResponse({ type: PracticeCaseResponse })
  @ApiProblems([404, 'No such active practice case (`not_found`)'])
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<PracticeCaseResponse> {
    return this.training.getCase(ctx, id);
  }

  @Post('cases/:id/attempts')
  @Idempotent()
  @Authorize('create', 'TrainingAttempt')
  @ApiOperation({ summary: 'Start rating a practice case (one open attempt per case)' })
  @ApiCreatedResponse(withAttempt())
  @ApiProblems(
    [404, 'No such active practice case (`not_found`)'],
    [409, 'An attempt of this case is open (`attempt_open`, `attemptId`)'],
  )
  start(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingAttemptResponse> {
    return tagged(reply, this.training.startAttempt(ctx, id));
  }

  @Get('attempts/:id')
  @Authorize('read', 'TrainingAttempt')
  @ApiOperation({
    summary: 'One of the caller’s attempts; once submitted, with the comparison to the reference',
  })
  @ApiOkResponse(withAttempt())
  @ApiProblems([404, 'No such attempt of the caller (`not_found`)'])
  attempt(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingAttemptResponse> {
    return tagged(reply, this.training.getAttempt(ctx, id));
  }

  @Patch('attempts/:id')
  @Authorize('update', 'TrainingAttempt')
  @ApiOperation({
    summary: 'Rate items and record the final judgement of an open attempt',
    description:
      'Ratings are checked against the pinned instrument version as in an assessment: unknown items, options outside the item’s scale and malformed fields answer 400 naming each field.',
  })
  @ApiIfMatch('attempt')
  @ApiOkResponse(withAttempt())
  @ApiProblems(
    [404, 'No such attempt of the caller (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`) or a submitted attempt (`attempt_submitted`)'],
  )
  update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateTrainingAttemptDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingAttemptResponse> {
    return tagged(reply, this.training.updateAttempt(ctx, id, version, dto));
  }

  @Post('attempts/:id/submit')
  @HttpCode(200)
  @Authorize('submit', 'TrainingAttempt')
  @ApiOperation({
    summary: 'Submit an attempt: agreement with the reference, and certification when earned',
    description:
      'The instrument’s own rules apply (every item rated or not rated with a reason, evidence, minimum rated); then the final judgement. Meeting the instrument’s certification rule records an earned certification with its evidence.',
  })
  @ApiIfMatch('attempt')
  @ApiOkResponse(withAttempt())
  @ApiProblems(
    [404, 'No such attempt of the caller (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`) or already submitted (`attempt_submitted`)'],
    [422, 'The attempt is incomplete (`not_ready`, `errors` name each field)'],
  )
  submit(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingAttemptResponse> {
    return tagged(reply, this.training.submitAttempt(ctx, id, version));
  }

  @Get('progress')
  @Authorize('read', 'PracticeCase')
  @ApiOperation({
    summary: 'The caller’s standing against each instrument’s certification rule',
  })
  @ApiOkResponse({ type: [TrainingProgressResponse] })
  progress(@Ctx() ctx: RequestContext): Promise<TrainingProgressResponse[]> {
    return this.training.progress(ctx) as Promise<TrainingProgressResponse[]>;
  }

  @Get('overview')
  @Authorize('read', 'TrainingOverview')
  @ApiOperation({
    summary:
      'Supervisors: certification status and agreement of the assessing staff of their facilities, and agreement per item',
    description:
      'Not paginated: bounded by the staff of the supervisor’s facilities and the items of the instruments with practice cases.',
  })
  @ApiOkResponse({ type: TrainingOverviewResponse })
  overview(@Ctx() ctx: RequestContext): Promise<TrainingOverviewResponse> {
    return this.training.overview(ctx);
  }
}
