import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  CreateMeasureDto,
  EndMeasureDto,
  ListAlertsQueryDto,
  ListMeasuresQueryDto,
  MeasureAlertPageResponse,
  MeasureAlertResponse,
  MeasurePageResponse,
  MeasureResponse,
  RecordDayDto,
  RecordReviewDto,
} from './dto/restrictive-measure.dto.js';
import { RestrictiveMeasuresService } from './restrictive-measures.service.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('restrictive measures')
@Controller()
export class RestrictiveMeasuresController {
  constructor(private readonly measures: RestrictiveMeasuresService) {}

  @Post('prisoners/:id/restrictive-measures')
  @Idempotent()
  @Authorize('create', 'RestrictiveMeasure')
  @ApiOperation({
    summary:
      'Record a separation, solitary confinement or special regime (security officers; Mandela Rules 36-46)',
  })
  @ApiCreatedResponse({ type: MeasureResponse })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateMeasureDto,
  ): Promise<MeasureResponse> {
    return this.measures.create(ctx, id, dto);
  }

  @Get('prisoners/:id/restrictive-measures')
  @Authorize('read', 'RestrictiveMeasure')
  @ApiOperation({ summary: 'A prisoner’s restrictive measures, newest first' })
  @ApiOkResponse({ type: MeasurePageResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  list(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListMeasuresQueryDto,
  ): Promise<Page<MeasureResponse>> {
    return this.measures.listForPrisoner(ctx, id, query);
  }

  @Get('restrictive-measures/alerts')
  @Authorize('read', 'RestrictiveMeasure')
  @ApiOperation({
    summary:
      'Solitary confinement from its 13th consecutive day (breach after the 15th) and overdue reviews, in the caller’s facilities',
  })
  @ApiOkResponse({ type: MeasureAlertPageResponse })
  alerts(
    @Ctx() ctx: RequestContext,
    @Query() query: ListAlertsQueryDto,
  ): Promise<Page<MeasureAlertResponse>> {
    return this.measures.alerts(ctx, query);
  }

  @Get('restrictive-measures/:id')
  @Authorize('read', 'RestrictiveMeasure')
  @ApiOkResponse({ type: MeasureResponse })
  @ApiProblems([404, 'No such measure in the caller’s scope (`not_found`)'])
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<MeasureResponse> {
    return this.measures.get(ctx, id);
  }

  @Post('restrictive-measures/:id/days')
  @HttpCode(200)
  @Authorize('update', 'RestrictiveMeasure')
  @ApiOperation({
    summary: 'Record a day: hours out of cell, meaningful human contact, health-care visit',
  })
  @ApiOkResponse({ type: MeasureResponse })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'The day is recorded already (`day_recorded`)'],
  )
  recordDay(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: RecordDayDto,
  ): Promise<MeasureResponse> {
    return this.measures.recordDay(ctx, id, dto);
  }

  @Post('restrictive-measures/:id/reviews')
  @HttpCode(200)
  @Authorize('update', 'RestrictiveMeasure')
  @ApiOperation({ summary: 'Record a review of the measure (independent or not)' })
  @ApiOkResponse({ type: MeasureResponse })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
  )
  review(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: RecordReviewDto,
  ): Promise<MeasureResponse> {
    return this.measures.review(ctx, id, dto);
  }

  @Post('restrictive-measures/:id/end')
  @HttpCode(200)
  @Authorize('update', 'RestrictiveMeasure')
  @ApiOperation({ summary: 'End the measure (its last day and why)' })
  @ApiOkResponse({ type: MeasureResponse })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'Ended already (`measure_ended`)'],
  )
  end(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: EndMeasureDto,
  ): Promise<MeasureResponse> {
    return this.measures.end(ctx, id, dto);
  }
}
