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
  DecideEscalationDto,
  EscalateChallengeDto,
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

  @Post('challenges/:id/escalations')
  @Idempotent()
  @Authorize('escalate', 'Challenge')
  @ApiOperation({
    summary:
      'Record that the prisoner took the challenge to an outside authority (Mandela Rule 57(1)): allowed once it was answered not upheld or partly upheld, or is open past its deadline; several escalations may follow one another',
  })
  @ApiCreatedResponse({
    type: ChallengeResponse,
    description: 'The challenge, with the escalation last in `escalations`',
  })
  @ApiProblems(
    [
      400,
      'Bad input (`validation_failed`), including `referredOn` in the future or before the challenge was received',
    ],
    [403, 'The caller may not record the prisoner’s challenges (`forbidden`)'],
    [404, 'No such challenge in the caller’s scope (`not_found`)'],
    [
      409,
      'The challenge was upheld, or is open and not yet due (`challenge_not_escalable`, with the reason in `detail`); or a concurrent change',
    ],
  )
  escalate(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: EscalateChallengeDto,
  ): Promise<ChallengeResponse> {
    return this.challenges.escalate(ctx, id, dto);
  }

  @Post('challenges/:id/escalations/:escalationId/decision')
  @HttpCode(200)
  @Authorize('decide', 'Challenge')
  @ApiOperation({
    summary:
      'Record the outside authority’s decision on an escalation, once (supervisors, and psychologists of the prisoner’s facility who did not author what is challenged); upheld or partly upheld makes an amendment due',
  })
  @ApiOkResponse({ type: ChallengeResponse })
  @ApiProblems(
    [
      400,
      'Bad input (`validation_failed`), including `decidedOn` in the future or before the referral',
    ],
    [403, 'The caller’s roles do not allow it, or they authored what is challenged (`forbidden`)'],
    [404, 'No such challenge in the caller’s scope, or no such escalation of it (`not_found`)'],
    [409, 'Its decision is recorded already (`already_decided`), once only'],
  )
  decide(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @UuidParam('escalationId') escalationId: string,
    @Body() dto: DecideEscalationDto,
  ): Promise<ChallengeResponse> {
    return this.challenges.decide(ctx, id, escalationId, dto);
  }
}
