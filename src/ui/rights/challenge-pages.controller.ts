import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ChallengesService } from '../../challenges/challenges.service.js';
import {
  AnswerChallengeDto,
  CHALLENGE_OUTCOMES,
  CreateChallengeDto,
  type ChallengeResponse,
} from '../../challenges/dto/challenge.dto.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { PlansService } from '../../plans/plans.service.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { keysetLinks } from '../common/pagination.js';
import { problemCode, refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, UuidPageParam } from '../common/uuid-page-param.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { challengeRows, label, OUTCOME, TARGET, CHALLENGE_STATUS } from './rights.view.js';

const RECORD_FIELDS: FieldMessages = {
  target: { id: 'target', message: 'rights.challenge.errors.target' },
  targetType: { id: 'target', message: 'rights.challenge.errors.target' },
  targetId: { id: 'target', message: 'rights.challenge.errors.target' },
  receivedOn: { id: 'receivedOn', message: 'rights.challenge.errors.receivedOn' },
  words: { id: 'words', message: 'rights.challenge.errors.words' },
  assignedToId: { id: 'target', message: 'rights.challenge.errors.reviewer' },
};
const ANSWER_FIELDS: FieldMessages = {
  outcome: { id: 'outcome', message: 'rights.challenge.errors.outcome' },
  response: { id: 'response', message: 'rights.challenge.errors.response' },
};

/**
 * Challenges as pages: a prisoner's challenges (and the form staff record one with), the queue of
 * challenges routed to the caller, and one challenge with its answer. The same service as the API,
 * so a security officer sees the summary view (no words) here too.
 */
@PageController()
export class ChallengePagesController {
  constructor(
    private readonly challenges: ChallengesService,
    private readonly prisoners: PrisonersService,
    private readonly assessments: AssessmentsService,
    private readonly plans: PlansService,
  ) {}

  @Get('prisoners/:id/challenges')
  @Authorize('read', 'Challenge')
  async forPrisoner(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, id);
    const page = await this.challenges.listFor(ctx, id, { limit: 25, cursor });
    return render(reply, 'pages/rights/challenges-tab.njk', {
      ...prisonerFrame(prisoner, 'challenges', ctx.ability, state.grants, state.t),
      canRecord: ctx.ability.can(
        'create',
        asSubject('Challenge', { prisonerId: id, facilityId: prisoner.facility.id }),
      ),
      rows: challengeRows(page.items, state.t),
      links: keysetLinks(`/prisoners/${id}/challenges`, { cursor }, page.nextCursor),
    });
  }

  @Get('prisoners/:id/challenges/new')
  @Authorize('create', 'Challenge')
  async recordForm(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.form(ctx, request, reply, id, {
      target: '',
      receivedOn: new Date().toISOString().slice(0, 10),
      words: '',
    });
  }

  @Post('prisoners/:id/challenges')
  @Authorize('create', 'Challenge')
  async record(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      target: field(body, 'target'),
      receivedOn: field(body, 'receivedOn'),
      words: field(body, 'words'),
    };
    const [targetType, targetId] = values.target.split(':');
    return submitForm(CreateChallengeDto, {
      input: {
        targetType,
        targetId,
        receivedOn: values.receivedOn,
        words: values.words.trim() ? values.words : '',
      },
      save: (value) => this.challenges.create(ctx, id, value),
      // The form has one choice for the two fields that name what is challenged.
      refuse: (errors) => {
        const target = errors.some((e) => e.path === 'targetType' || e.path === 'targetId');
        const shown: FieldError[] = [
          ...(target ? [{ path: 'target', message: 'target' }] : []),
          ...errors.filter((e) => e.path !== 'targetType' && e.path !== 'targetId'),
        ];
        return this.form(ctx, request, reply, id, values, shown);
      },
      refused: (error) =>
        problemCode(error) === 'no_impartial_reviewer'
          ? [{ path: 'assignedToId', message: 'reviewer' }]
          : refusedFields(error, 'target'),
      done: (created) => redirect(reply, `/challenges/${created.id}`),
    });
  }

  @Get('challenges')
  @Authorize('read', 'Challenge')
  async queue(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('show') show?: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const shown = show === 'open' || show === 'answered' ? show : 'mine';
    const page = await this.challenges.list(ctx, {
      limit: 25,
      cursor,
      ...(shown === 'mine' ? { assignedToMe: 'true', status: 'open' } : { status: shown }),
    });
    return render(reply, 'pages/rights/challenges.njk', {
      tabs: (['mine', 'open', 'answered'] as const).map((s) => ({
        text: t(`rights.challenges.tab.${s}`),
        href: s === 'mine' ? '/challenges' : `/challenges?show=${s}`,
        active: s === shown,
      })),
      shown,
      rows: challengeRows(page.items, t),
      links: keysetLinks(
        '/challenges',
        { show: shown === 'mine' ? undefined : shown, cursor },
        page.nextCursor,
      ),
    });
  }

  @Get('challenges/:id')
  @Authorize('read', 'Challenge')
  async view(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id), {
      outcome: '',
      response: '',
    });
  }

  @Post('challenges/:id/answer')
  @Authorize('answer', 'Challenge')
  async answer(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { outcome: field(body, 'outcome'), response: field(body, 'response') };
    return submitForm(AnswerChallengeDto, {
      input: { outcome: values.outcome, response: values.response.trim() ? values.response : '' },
      save: (value) => this.challenges.answer(ctx, id, value),
      refuse: async (found) =>
        this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id), values, found),
      refused: (error) => refusedFields(error, 'response'),
      done: () => redirect(reply, `/challenges/${id}`),
    });
  }

  private async challengePage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    c: ChallengeResponse,
    values: { outcome: string; response: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const canAnswer =
      c.status === 'open' &&
      ctx.ability.can(
        'answer',
        asSubject('Challenge', {
          prisonerId: c.prisonerId,
          facilityId: c.facilityId,
          targetType: c.targetType,
          assignedToId: c.assignedTo.id,
        }),
      );
    return render(
      reply,
      'pages/rights/challenge.njk',
      {
        challenge: {
          ...c,
          target: label(t, TARGET, c.targetType),
          targetHref: c.assessmentId ? `/assessments/${c.assessmentId}` : `/plans/${c.planId}`,
          prisonerHref: `/prisoners/${c.prisonerId}`,
          statusText: label(t, CHALLENGE_STATUS, c.status),
          outcomeText: label(t, OUTCOME, c.outcome),
          full: c.view === 'full',
        },
        canAnswer,
        outcomes: CHALLENGE_OUTCOMES.map((o) => ({
          value: o,
          text: label(t, OUTCOME, o),
          checked: values.outcome === o,
        })),
        values,
        errors: errors.length ? formErrors(t, errors, ANSWER_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  private async form(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisonerId: string,
    values: { target: string; receivedOn: string; words: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, prisonerId);
    const assessments = ctx.ability.can('read', 'Assessment')
      ? (await this.assessments.listForPrisoner(ctx, prisonerId, { limit: 100 })).items.filter(
          (a) => a.status === 'approved' || a.status === 'superseded',
        )
      : [];
    const plans = ctx.ability.can('read', 'Plan')
      ? (await this.plans.listForPrisoner(ctx, prisonerId, { limit: 100 })).items
      : [];
    const targets = [
      ...assessments.map((a) => ({
        value: `assessment:${a.id}`,
        text: t('rights.challenge.targetAssessment', {
          instrument: a.instrument.title ?? a.instrument.key,
          revision: a.revision,
        }),
      })),
      ...plans.map((p) => ({
        value: `plan:${p.id}`,
        text: t('rights.challenge.targetPlan', {
          revision: p.revision,
          created: p.createdAt.slice(0, 10),
        }),
      })),
    ].map((o) => ({ ...o, checked: o.value === values.target }));
    return render(
      reply,
      'pages/rights/challenge-new.njk',
      {
        ...prisonerFrame(prisoner, 'challenges', ctx.ability, state.grants, t),
        currentTab: t('rights.challenge.recordTitle'),
        targets,
        values,
        errors: errors.length ? formErrors(t, errors, RECORD_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }
}
