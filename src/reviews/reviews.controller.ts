import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import type { DueItem } from './due-item.js';
import {
  CreatePrisonerEventDto,
  DueItemPageResponse,
  PrisonerEventPageResponse,
  PrisonerEventResponse,
  ReviewsDueQueryDto,
} from './dto/reviews.dto.js';
import { PrisonerEventsService } from './prisoner-events.service.js';
import { ReviewsService } from './reviews.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('reviews')
@Controller()
export class ReviewsController {
  constructor(
    private readonly events: PrisonerEventsService,
    private readonly reviews: ReviewsService,
  ) {}

  @Post('prisoners/:id/events')
  @Idempotent()
  @Authorize('create', 'PrisonerEvent')
  @ApiOperation({
    summary:
      'Record an event that makes a reassessment or review due (transfer, incident, new information, ...)',
  })
  @ApiCreatedResponse({ type: PrisonerEventResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  record(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreatePrisonerEventDto,
  ): Promise<PrisonerEventResponse> {
    return this.events.record(ctx, id, dto);
  }

  @Get('prisoners/:id/events')
  @Authorize('read', 'Prisoner')
  @ApiOperation({ summary: 'A prisoner’s recorded events, newest first' })
  @ApiOkResponse({ type: PrisonerEventPageResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  list(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<PrisonerEventResponse>> {
    return this.events.list(ctx, id, query);
  }

  @Get('reviews/due')
  @Authorize('read', 'ReviewDue')
  @ApiOperation({
    summary:
      'Overdue and upcoming reassessments and plan reviews in the caller’s scope, by due date',
  })
  @ApiOkResponse({ type: DueItemPageResponse })
  due(@Ctx() ctx: RequestContext, @Query() query: ReviewsDueQueryDto): Promise<Page<DueItem>> {
    return this.reviews.due(ctx, query);
  }
}
