import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import {
  CreateMeasureDto,
  EndMeasureDto,
  HealthObjectionDto,
  RecordDayDto,
  RecordReviewDto,
} from '../../restrictive-measures/dto/restrictive-measure.dto.js';
import { RestrictiveMeasuresService } from '../../restrictive-measures/restrictive-measures.service.js';
import { StatisticsQueryDto } from '../../statistics/dto/statistics.dto.js';
import { StatisticsService } from '../../statistics/statistics.service.js';
import {
  formErrors,
  problemFieldErrors,
  validateForm,
  type FieldMessages,
} from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { keysetLinks } from '../common/pagination.js';
import { redirect, render } from '../common/render.js';
import { field, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { alertRows, measureModel, measureType, statisticsModel } from './inspection.view.js';

const STATISTICS_FIELDS: FieldMessages = {
  period: { id: 'period', message: 'statistics.errors.period' },
  from: { id: 'from', message: 'statistics.errors.from' },
  to: { id: 'to', message: 'statistics.errors.to' },
};

const MEASURE_FIELDS: FieldMessages = {
  type: { id: 'type', message: 'measures.errors.type' },
  legalBasis: { id: 'legalBasis', message: 'measures.errors.legalBasis' },
  reason: { id: 'reason', message: 'measures.errors.reason' },
  'authorisedBy.name': { id: 'authorisedByName', message: 'measures.errors.authorisedByName' },
  'authorisedBy.position': {
    id: 'authorisedByPosition',
    message: 'measures.errors.authorisedByPosition',
  },
  startsOn: { id: 'startsOn', message: 'measures.errors.startsOn' },
  familyContact: { id: 'familyContact', message: 'measures.errors.familyContact' },
  nextReviewOn: { id: 'nextReviewOn', message: 'measures.errors.nextReviewOn' },
};

const DAY_FIELDS: FieldMessages = {
  day: { id: 'day', message: 'measures.errors.day' },
  hoursOutOfCell: { id: 'hoursOutOfCell', message: 'measures.errors.hours' },
  meaningfulContactHours: { id: 'meaningfulContactHours', message: 'measures.errors.hours' },
  healthVisit: { id: 'healthVisit', message: 'measures.errors.healthVisit' },
};

const REVIEW_FIELDS: FieldMessages = {
  reviewedOn: { id: 'reviewedOn', message: 'measures.errors.reviewedOn' },
  reviewerName: { id: 'reviewerName', message: 'measures.errors.reviewerName' },
  reviewerBody: { id: 'reviewerBody', message: 'measures.errors.reviewerBody' },
  independent: { id: 'independent', message: 'measures.errors.independent' },
  decision: { id: 'decision', message: 'measures.errors.decision' },
  nextReviewOn: { id: 'reviewNextReviewOn', message: 'measures.errors.nextReviewOn' },
  endedOn: { id: 'endedOn', message: 'measures.errors.endedOn' },
  reason: { id: 'endReason', message: 'measures.errors.endReason' },
  objectedOn: { id: 'objectedOn', message: 'measures.errors.objectedOn' },
};

const MEASURE_INPUTS = [
  'type',
  'legalBasis',
  'reason',
  'authorisedByName',
  'authorisedByPosition',
  'startsOn',
  'plannedEndOn',
  'familyContact',
  'familyContactRestrictedUntil',
  'nextReviewOn',
] as const;
type MeasureValues = Record<(typeof MEASURE_INPUTS)[number], string>;

const DAY_INPUTS = [
  'day',
  'hoursOutOfCell',
  'meaningfulContactHours',
  'healthVisit',
  'reviewedOn',
  'reviewerName',
  'reviewerBody',
  'independent',
  'decision',
  'reviewNextReviewOn',
  'endedOn',
  'endReason',
  'objectedOn',
] as const;
type DayValues = Record<(typeof DAY_INPUTS)[number], string>;

const orNull = (value: string) => value.trim() || null;
const number = (value: string) => (value.trim() === '' ? undefined : Number(value));
const yesNo = (value: string) => (value === 'yes' ? true : value === 'no' ? false : '');

/**
 * Oversight pages (Mandela Rules 10, 36-46, 83-85): statistics with small cells suppressed and
 * their CSV, alerts on restrictive measures, a prisoner's measures, recording one and its daily
 * regime. Each calls the service its API endpoint calls, with the same request context.
 */
@PageController()
export class InspectionPagesController {
  constructor(
    private readonly statistics: StatisticsService,
    private readonly measures: RestrictiveMeasuresService,
    private readonly prisoners: PrisonersService,
  ) {}

  @Get('statistics')
  @Authorize('read', 'Statistics')
  async statisticsPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, string | undefined>,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const values = {
      period: query.period === 'quarter' ? 'quarter' : 'month',
      from: query.from?.trim() ?? '',
      to: query.to?.trim() ?? '',
    };
    const input = {
      period: values.period,
      ...(values.from ? { from: values.from } : {}),
      ...(values.to ? { to: values.to } : {}),
    };
    const { value, errors } = await validateForm(StatisticsQueryDto, input);
    const refuse = (found: FieldError[]) =>
      render(
        reply,
        'pages/inspection/statistics.njk',
        { values, errors: formErrors(t, found, STATISTICS_FIELDS) },
        400,
      );
    if (errors.length > 0) return refuse(errors);
    let answer;
    try {
      answer = await this.statistics.tables(ctx, value);
    } catch (error) {
      const found = problemFieldErrors(error);
      if (found) return refuse(found);
      throw error;
    }
    const csv = new URLSearchParams({ period: answer.period, from: answer.from, to: answer.to });
    return render(reply, 'pages/inspection/statistics.njk', {
      values: { period: answer.period, from: answer.from, to: answer.to },
      threshold: answer.threshold,
      tables: statisticsModel(answer, t),
      csvHref: `/statistics/export.csv?${csv.toString()}`,
    });
  }

  @Get('statistics/export.csv')
  @Authorize('read', 'Statistics')
  async statisticsCsv(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, string | undefined>,
  ): Promise<void> {
    const { value, errors } = await validateForm(StatisticsQueryDto, {
      period: query.period === 'quarter' ? 'quarter' : 'month',
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
    });
    const csv = await this.statistics.csv(ctx, errors.length > 0 ? { period: 'month' } : value);
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="statistics.csv"')
      .send(csv);
  }

  @Get('restrictive-measures/alerts')
  @Authorize('read', 'RestrictiveMeasure')
  async alerts(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.measures
      .alerts(ctx, { limit: 50, cursor })
      .catch(() => this.measures.alerts(ctx, { limit: 50 }));
    return render(reply, 'pages/inspection/alerts.njk', {
      rows: alertRows(page.items, request.uiPage!.t),
      links: keysetLinks('/restrictive-measures/alerts', { cursor }, page.nextCursor),
    });
  }

  @Get('prisoners/:id/restrictive-measures')
  @Authorize('read', 'RestrictiveMeasure')
  async prisonerMeasures(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, id);
    const page = await this.measures.listForPrisoner(ctx, id, { limit: 100 });
    return render(reply, 'pages/inspection/prisoner-measures.njk', {
      ...prisonerFrame(prisoner, 'measures', ctx.ability, state.grants, state.t),
      measures: page.items.map((m) => measureModel(m, state.t)),
      canRecord: ctx.ability.can('create', 'RestrictiveMeasure'),
    });
  }

  @Get('prisoners/:id/restrictive-measures/new')
  @Authorize('create', 'RestrictiveMeasure')
  async newMeasure(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    const values = Object.fromEntries(MEASURE_INPUTS.map((k) => [k, ''])) as MeasureValues;
    return this.measureForm(ctx, request, reply, id, { ...values, startsOn: today });
  }

  @Post('prisoners/:id/restrictive-measures')
  @Authorize('create', 'RestrictiveMeasure')
  async createMeasure(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = Object.fromEntries(
      MEASURE_INPUTS.map((k) => [k, field(body, k).trim()]),
    ) as MeasureValues;
    return submitForm(CreateMeasureDto, {
      input: {
        type: values.type,
        legalBasis: values.legalBasis,
        reason: values.reason,
        authorisedBy: { name: values.authorisedByName, position: values.authorisedByPosition },
        startsOn: values.startsOn,
        plannedEndOn: orNull(values.plannedEndOn),
        familyContact: values.familyContact,
        familyContactRestrictedUntil:
          values.familyContact === 'restricted'
            ? orNull(values.familyContactRestrictedUntil)
            : null,
        nextReviewOn: values.nextReviewOn,
      },
      save: (value) => this.measures.create(ctx, id, value),
      refuse: (found) => this.measureForm(ctx, request, reply, id, values, found),
      done: (created) => redirect(reply, `/restrictive-measures/${created.id}`),
    });
  }

  @Get('restrictive-measures/:id')
  @Authorize('read', 'RestrictiveMeasure')
  async measure(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const values = Object.fromEntries(DAY_INPUTS.map((k) => [k, ''])) as DayValues;
    return this.measurePage(ctx, request, reply, id, values);
  }

  @Post('restrictive-measures/:id/days')
  @Authorize('update', 'RestrictiveMeasure')
  async recordDay(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = Object.fromEntries(
      DAY_INPUTS.map((k) => [k, field(body, k).trim()]),
    ) as DayValues;
    return submitForm(RecordDayDto, {
      input: {
        day: values.day,
        hoursOutOfCell: number(values.hoursOutOfCell),
        meaningfulContactHours: number(values.meaningfulContactHours),
        healthVisit: yesNo(values.healthVisit),
      },
      save: (value) => this.measures.recordDay(ctx, id, postedVersion(body), value),
      refuse: (found) => this.measurePage(ctx, request, reply, id, values, found),
      done: () => redirect(reply, `/restrictive-measures/${id}#days`),
    });
  }

  @Post('restrictive-measures/:id/reviews')
  @Authorize('update', 'RestrictiveMeasure')
  async recordReview(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = Object.fromEntries(
      DAY_INPUTS.map((k) => [k, field(body, k).trim()]),
    ) as DayValues;
    return submitForm(RecordReviewDto, {
      input: {
        reviewedOn: values.reviewedOn,
        reviewerName: values.reviewerName,
        reviewerBody: values.reviewerBody,
        independent: yesNo(values.independent),
        decision: values.decision,
        nextReviewOn: orNull(values.reviewNextReviewOn),
      },
      save: (value) => this.measures.review(ctx, id, postedVersion(body), value),
      refuse: (found) => this.measurePage(ctx, request, reply, id, values, found, REVIEW_FIELDS),
      done: () => redirect(reply, `/restrictive-measures/${id}#reviews`),
    });
  }

  @Post('restrictive-measures/:id/end')
  @Authorize('update', 'RestrictiveMeasure')
  async endMeasure(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = Object.fromEntries(
      DAY_INPUTS.map((k) => [k, field(body, k).trim()]),
    ) as DayValues;
    return submitForm(EndMeasureDto, {
      input: { endedOn: values.endedOn, reason: values.endReason },
      save: (value) => this.measures.end(ctx, id, postedVersion(body), value),
      refuse: (found) => this.measurePage(ctx, request, reply, id, values, found, REVIEW_FIELDS),
      done: () => redirect(reply, `/restrictive-measures/${id}`),
    });
  }

  @Post('restrictive-measures/:id/health-objections')
  @Authorize('object', 'RestrictiveMeasure')
  async healthObjection(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = Object.fromEntries(
      DAY_INPUTS.map((k) => [k, field(body, k).trim()]),
    ) as DayValues;
    return submitForm(HealthObjectionDto, {
      input: { objectedOn: values.objectedOn },
      save: (value) => this.measures.healthObjection(ctx, id, postedVersion(body), value),
      refuse: (found) => this.measurePage(ctx, request, reply, id, values, found, REVIEW_FIELDS),
      done: () => redirect(reply, `/restrictive-measures/${id}#objections`),
    });
  }

  private async measureForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: MeasureValues,
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, id);
    return render(
      reply,
      'pages/inspection/measure-new.njk',
      {
        ...prisonerFrame(prisoner, 'measures', ctx.ability, state.grants, state.t),
        values,
        types: ['separation', 'solitary_confinement', 'special_regime'].map((type) => ({
          value: type,
          text: measureType(type, state.t),
          checked: values.type === type,
        })),
        errors: errors.length ? formErrors(state.t, errors, MEASURE_FIELDS) : undefined,
      },
      errors.length ? 400 : 200,
    );
  }

  private async measurePage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: DayValues,
    errors: FieldError[] = [],
    messages: FieldMessages = DAY_FIELDS,
  ): Promise<void> {
    const state = request.uiPage!;
    const measure = await this.measures.get(ctx, id);
    const prisoner = await this.prisoners.get(ctx, measure.prisonerId);
    return render(
      reply,
      'pages/inspection/measure.njk',
      {
        ...prisonerFrame(prisoner, 'measures', ctx.ability, state.grants, state.t),
        measure: measureModel(measure, state.t),
        canRecord: ctx.ability.can('update', 'RestrictiveMeasure') && measure.endedOn === null,
        canObject: ctx.ability.can('object', 'RestrictiveMeasure') && measure.endedOn === null,
        values,
        errors: errors.length
          ? formErrors(
              state.t,
              // The review's next date has its own field on this page.
              errors.map((e) =>
                messages === REVIEW_FIELDS && e.path === 'nextReviewOn'
                  ? { ...e, path: 'reviewNextReviewOn' }
                  : e,
              ),
              { ...messages, reviewNextReviewOn: REVIEW_FIELDS.nextReviewOn },
            )
          : undefined,
      },
      errors.length ? 400 : 200,
    );
  }
}
