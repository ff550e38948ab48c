import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { catalogueDisciplines } from '../../instruments/rule-sets/rule-set.types.js';
import { CreateReviewDto } from '../../plans/dto/plan-review.dto.js';
import { CreateSessionDto } from '../../plans/dto/plan-session.dto.js';
import { PlanDeliveryService } from '../../plans/plan-delivery.service.js';
import { type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect } from '../common/render.js';
import { field, fields, optional, UuidPageParam } from '../common/uuid-page-param.js';
import { interventionName } from './plan-delivery.view.js';
import { ATTENDANCE, GOAL_STATUS, optionsOf, termLabels } from './plan-labels.js';
import { PlanPages, type PlanPage } from './plan-page.service.js';

const today = () => new Date().toISOString().slice(0, 10);

const SESSION_FIELDS: FieldMessages = {
  interventionId: { id: 'interventionId', message: 'plans.sessionPage.errors.intervention' },
  date: { id: 'date', message: 'plans.errors.pastDate' },
  attendance: { id: 'attendance', message: 'plans.sessionPage.errors.attendance' },
  engagement: { id: 'engagement', message: 'plans.sessionPage.errors.engagement' },
  notes: { id: 'notes', message: 'plans.sessionPage.errors.notes' },
};
const REVIEW_FIELDS: FieldMessages = {
  date: { id: 'date', message: 'plans.errors.date' },
  attendees: { id: 'attendees', message: 'plans.reviewPage.errors.attendees' },
  summary: { id: 'summary', message: 'plans.reviewPage.errors.summary' },
  nextReviewDate: { id: 'nextReviewDate', message: 'plans.reviewPage.errors.nextReviewDate' },
};

/**
 * Delivery of an active plan: sessions (attendance, engagement, a short note) and progress
 * reviews (who took part, progress per goal, the next review date), through PlanDeliveryService.
 */
@PageController('plans')
export class PlanDeliveryPagesController {
  constructor(
    private readonly pages: PlanPages,
    private readonly delivery: PlanDeliveryService,
  ) {}

  @Get(':id/sessions/new')
  @Authorize('create', 'PlanDelivery')
  async sessionPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    return this.sessionForm(ctx, request, reply, page, {
      interventionId: '',
      date: today(),
      attendance: '',
      engagement: '',
      notes: '',
    });
  }

  @Post(':id/sessions')
  @Authorize('create', 'PlanDelivery')
  async recordSession(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      interventionId: field(body, 'interventionId'),
      date: field(body, 'date'),
      attendance: field(body, 'attendance'),
      engagement: field(body, 'engagement'),
      notes: field(body, 'notes'),
    };
    const input = {
      interventionId: optional(values.interventionId),
      date: values.date,
      attendance: values.attendance,
      // Engagement is rated for a session attended only: a rating left from another choice is dropped.
      engagement:
        values.attendance === 'attended' && /^\d+$/.test(values.engagement)
          ? Number(values.engagement)
          : undefined,
      notes: optional(values.notes),
    };
    return submitForm(CreateSessionDto, {
      input,
      save: (value) => this.delivery.recordSession(ctx, id, value),
      refuse: async (found) =>
        this.sessionForm(
          ctx,
          request,
          reply,
          await this.pages.load(ctx, id, request.uiPage!.locale),
          values,
          found,
        ),
      refused: (error) => refusedFields(error, 'interventionId'),
      done: () => redirect(reply, `/plans/${id}#sessions`),
    });
  }

  private sessionForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const delivered = page.plan.interventions.filter((i) =>
      ['scheduled', 'in_progress'].includes(i.status),
    );
    const model = {
      values,
      interventions: [
        { value: '', text: interventionName(page.plan, null, t), selected: !values.interventionId },
        ...delivered.map((i) => ({
          value: i.id,
          text: interventionName(page.plan, i.id, t),
          selected: i.id === values.interventionId,
        })),
      ],
      attendance: optionsOf(t, ATTENDANCE, values.attendance, 'checked'),
      engagement: [1, 2, 3, 4, 5].map((n) => ({
        value: String(n),
        text: t(`plans.engagement.${n as 1 | 2 | 3 | 4 | 5}`),
        checked: values.engagement === String(n),
      })),
    };
    const heading = t('plans.sessionPage.title');
    const template = 'pages/plans/session.njk';
    return errors.length
      ? this.pages.renderErrors(
          reply,
          request,
          ctx,
          page,
          template,
          heading,
          model,
          errors,
          SESSION_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  @Get(':id/reviews/new')
  @Authorize('review', 'Plan')
  async reviewPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const values: Record<string, string> = { date: today(), summary: '', nextReviewDate: '' };
    for (const goal of page.plan.goals ?? []) {
      values[`goal-${goal.id}-status`] = goal.status;
      values[`goal-${goal.id}-note`] = '';
    }
    return this.reviewForm(ctx, request, reply, page, values, []);
  }

  @Post(':id/reviews')
  @Authorize('review', 'Plan')
  async recordReview(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const goals = page.plan.goals ?? [];
    const values: Record<string, string> = {
      date: field(body, 'date'),
      summary: field(body, 'summary'),
      nextReviewDate: field(body, 'nextReviewDate'),
    };
    for (const goal of goals) {
      values[`goal-${goal.id}-status`] = field(body, `goal-${goal.id}-status`);
      values[`goal-${goal.id}-note`] = field(body, `goal-${goal.id}-note`);
    }
    const attendees = fields(body, 'attendees');
    const input = {
      date: values.date,
      attendees,
      summary: values.summary.trim(),
      nextReviewDate: values.nextReviewDate,
      // A goal whose progress the form did not send keeps its status.
      goalProgress: goals
        .filter((goal) => values[`goal-${goal.id}-status`])
        .map((goal) => ({
          goalId: goal.id,
          status: values[`goal-${goal.id}-status`],
          note: optional(values[`goal-${goal.id}-note`]),
        })),
    };
    // Progress errors name the goal's own fields on this form.
    const named = (found: FieldError[]) =>
      found.map((e) => {
        const match = /^goalProgress\[(\d+)\]\.(status|note)$/.exec(e.path);
        const sent = goals.filter((g) => values[`goal-${g.id}-status`]);
        const goal = match && sent[Number(match[1])];
        return goal ? { ...e, path: `goal-${goal.id}-${match[2]}` } : e;
      });
    return submitForm(CreateReviewDto, {
      input,
      save: (value) => this.delivery.recordReview(ctx, id, value),
      refuse: (found) =>
        this.reviewForm(ctx, request, reply, page, values, attendees, named(found)),
      refused: (error) => refusedFields(error, 'date'),
      done: () => redirect(reply, `/plans/${id}#reviews`),
    });
  }

  private reviewForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    attendees: string[],
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    // Who may attend: the disciplines the plan's catalogue version declares.
    const terms = termLabels(t, page.catalogue, request.uiPage!.locale);
    const model = {
      values,
      attendees: catalogueDisciplines(page.catalogue ?? {}).map(({ code }) => ({
        value: code,
        text: terms.discipline(code),
        checked: attendees.includes(code),
      })),
      goals: (page.plan.goals ?? []).map((g, i) => ({
        id: g.id,
        number: i + 1,
        description: g.description,
        statuses: optionsOf(t, GOAL_STATUS, values[`goal-${g.id}-status`]),
        note: values[`goal-${g.id}-note`] ?? '',
      })),
    };
    const heading = t('plans.reviewPage.title');
    const template = 'pages/plans/review.njk';
    return errors.length
      ? this.pages.renderErrors(
          reply,
          request,
          ctx,
          page,
          template,
          heading,
          model,
          errors,
          REVIEW_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }
}
