import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import type { Page } from '../http/page.js';
import { ApiIfMatch, ETAG_HEADER, IfMatchVersion, SendsETag } from '../http/if-match.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  CreateMeasureDto,
  EndMeasureDto,
  HealthObjectionDto,
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
@SendsETag()
export class RestrictiveMeasuresController {
  constructor(private readonly measures: RestrictiveMeasuresService) {}

  @Post('prisoners/:id/restrictive-measures')
  @Idempotent()
  @Authorize('create', 'RestrictiveMeasure')
  @ApiOperation({
    summary:
      'Record a separation, solitary confinement or special regime (security officers; Mandela Rules 36-46)',
  })
  @ApiCreatedResponse({ type: MeasureResponse, headers: ETAG_HEADER })
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
  @ApiOkResponse({ type: MeasureResponse, headers: ETAG_HEADER })
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
  @ApiIfMatch('measure')
  @ApiOkResponse({ type: MeasureResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`), or the day is recorded already (`day_recorded`)'],
  )
  recordDay(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: RecordDayDto,
  ): Promise<MeasureResponse> {
    return this.measures.recordDay(ctx, id, version, dto);
  }

  @Post('restrictive-measures/:id/reviews')
  @HttpCode(200)
  @Authorize('update', 'RestrictiveMeasure')
  @ApiOperation({ summary: 'Record a review of the measure (independent or not)' })
  @ApiIfMatch('measure')
  @ApiOkResponse({ type: MeasureResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`)'],
  )
  review(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: RecordReviewDto,
  ): Promise<MeasureResponse> {
    return this.measures.review(ctx, id, version, dto);
  }

  @Post('restrictive-measures/:id/end')
  @HttpCode(200)
  @Authorize('update', 'RestrictiveMeasure')
  @ApiOperation({ summary: 'End the measure (its last day and why)' })
  @ApiIfMatch('measure')
  @ApiOkResponse({ type: MeasureResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not a security officer of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`), or ended already (`measure_ended`)'],
  )
  end(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: EndMeasureDto,
  ): Promise<MeasureResponse> {
    return this.measures.end(ctx, id, version, dto);
  }

  @Post('restrictive-measures/:id/health-objections')
  @HttpCode(200)
  @Authorize('object', 'RestrictiveMeasure')
  @ApiOperation({
    summary:
      'Record a health professional’s objection: the measure would worsen the prisoner’s disability or mental illness (psychologists; Mandela Rule 45(2))',
    description:
      'Only the fact and the day are kept, never a diagnosis. While separation or solitary confinement continues, the measure is on the alerts list with `healthObjection`.',
  })
  @ApiIfMatch('measure')
  @ApiOkResponse({ type: MeasureResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not health staff of the prisoner’s facility (`forbidden`)'],
    [404, 'No such measure in the caller’s scope (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`)'],
  )
  healthObjection(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: HealthObjectionDto,
  ): Promise<MeasureResponse> {
    return this.measures.healthObjection(ctx, id, version, dto);
  }
}
