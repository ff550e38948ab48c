import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { ChallengesService } from './challenges.service.js';
import {
  AnswerChallengeDto,
  ChallengePageResponse,
  ChallengeResponse,
  CreateChallengeDto,
  ListChallengesQueryDto,
} from './dto/challenge.dto.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('challenges')
@Controller()
export class ChallengesController {
  constructor(private readonly challenges: ChallengesService) {}

  @Post('prisoners/:id/challenges')
  @Idempotent()
  @Authorize('create', 'Challenge')
  @ApiOperation({
    summary:
      'Record a prisoner’s challenge of an approved assessment or a plan, verbatim; it is routed to a psychologist or supervisor who did not author it',
  })
  @ApiCreatedResponse({ type: ChallengeResponse })
  @ApiProblems(
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
    [422, 'Nobody of the facility but the authors could answer it (`no_impartial_reviewer`)'],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateChallengeDto,
  ): Promise<ChallengeResponse> {
    return this.challenges.create(ctx, id, dto);
  }

  @Get('prisoners/:id/challenges')
  @Authorize('read', 'Challenge')
  @ApiOperation({ summary: 'A prisoner’s challenges, newest first, in the caller’s view' })
  @ApiOkResponse({ type: ChallengePageResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  listFor(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListChallengesQueryDto,
  ): Promise<Page<ChallengeResponse>> {
    return this.challenges.listFor(ctx, id, query);
  }

  @Get('challenges')
  @Authorize('read', 'Challenge')
  @ApiOperation({ summary: 'Challenges in the caller’s scope, newest first' })
  @ApiOkResponse({ type: ChallengePageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListChallengesQueryDto,
  ): Promise<Page<ChallengeResponse>> {
    return this.challenges.list(ctx, query);
  }

  @Get('challenges/:id')
  @Authorize('read', 'Challenge')
  @ApiOperation({
    summary:
      'One challenge: the full view has the prisoner’s words and the response; the summary view leaves them out',
  })
  @ApiOkResponse({ type: ChallengeResponse })
  @ApiProblems([404, 'No such challenge in the caller’s scope (`not_found`)'])
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<ChallengeResponse> {
    return this.challenges.get(ctx, id);
  }

  @Post('challenges/:id/answer')
  @HttpCode(200)
  @Authorize('answer', 'Challenge')
  @ApiOperation({
    summary:
      'Answer a challenge with a reasoned response and outcome (the psychologist or supervisor it is routed to); upheld or partly upheld makes an amendment due',
  })
  @ApiOkResponse({ type: ChallengeResponse })
  @ApiProblems(
    [403, 'The challenge is routed to someone else (`forbidden`)'],
    [404, 'No such challenge in the caller’s scope (`not_found`)'],
    [409, 'Answered already (`already_answered`)'],
  )
  answer(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: AnswerChallengeDto,
  ): Promise<ChallengeResponse> {
    return this.challenges.answer(ctx, id, dto);
  }
}
