import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ChallengesService } from '../../challenges/challenges.service.js';
import { escalationGrounds } from '../../challenges/challenge-view.js';
import {
  AnswerChallengeDto,
  CHALLENGE_OUTCOMES,
  CreateChallengeDto,
  DecideEscalationDto,
  ESCALATION_AUTHORITIES,
  ESCALATION_OUTCOMES,
  EscalateChallengeDto,
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
import { field, optional, UuidPageParam } from '../common/uuid-page-param.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import {
  challengeRows,
  CHALLENGE_STATUS,
  ESCALATION_AUTHORITY,
  ESCALATION_GROUNDS,
  ESCALATION_OUTCOME,
  label,
  OUTCOME,
  TARGET,
} from './rights.view.js';

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
const ESCALATION_FIELDS: FieldMessages = {
  authority: { id: 'authority', message: 'rights.escalation.errors.authority' },
  authorityName: { id: 'authorityName', message: 'rights.escalation.errors.authorityName' },
  referredOn: { id: 'referredOn', message: 'rights.escalation.errors.referredOn' },
  reference: { id: 'reference', message: 'rights.escalation.errors.reference' },
};
/** The decision form of one escalation: its fields' ids carry the escalation's. */
const decisionFields = (prefix: string): FieldMessages => ({
  decidedOn: { id: `${prefix}-decidedOn`, message: 'rights.escalation.errors.decidedOn' },
  outcome: { id: `${prefix}-outcome`, message: 'rights.escalation.errors.outcome' },
  summary: { id: `${prefix}-summary`, message: 'rights.escalation.errors.summary' },
});

const today = () => new Date().toISOString().slice(0, 10);

interface EscalationValues {
  authority: string;
  authorityName: string;
  referredOn: string;
  reference: string;
}
interface DecisionValues {
  decidedOn: string;
  outcome: string;
  summary: string;
}
/** The forms of a challenge page, as posted, with their errors, when one was refused. */
interface ChallengeForms {
  answer?: { values: { outcome: string; response: string }; errors: FieldError[] };
  escalation?: { values: EscalationValues; errors: FieldError[] };
  decision?: { escalationId: string; values: DecisionValues; errors: FieldError[] };
}

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
    return this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id));
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
        this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id), {
          answer: { values, errors: found },
        }),
      refused: (error) => refusedFields(error, 'response'),
      done: () => redirect(reply, `/challenges/${id}`),
    });
  }

  @Post('challenges/:id/escalations')
  @Authorize('escalate', 'Challenge')
  async escalate(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values: EscalationValues = {
      authority: field(body, 'authority'),
      authorityName: field(body, 'authorityName'),
      referredOn: field(body, 'referredOn'),
      reference: field(body, 'reference'),
    };
    return submitForm(EscalateChallengeDto, {
      input: {
        authority: values.authority,
        authorityName: values.authorityName.trim(),
        referredOn: values.referredOn,
        reference: optional(values.reference),
      },
      save: (value) => this.challenges.escalate(ctx, id, value),
      refuse: async (found) =>
        this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id), {
          escalation: { values, errors: found },
        }),
      refused: (error) => refusedFields(error, 'referredOn'),
      done: () => redirect(reply, `/challenges/${id}#escalations`),
    });
  }

  @Post('challenges/:id/escalations/:escalationId/decision')
  @Authorize('decide', 'Challenge')
  async decide(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('escalationId') escalationId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values: DecisionValues = {
      decidedOn: field(body, 'decidedOn'),
      outcome: field(body, 'outcome'),
      summary: field(body, 'summary'),
    };
    return submitForm(DecideEscalationDto, {
      input: {
        decidedOn: values.decidedOn,
        outcome: values.outcome,
        summary: values.summary.trim() ? values.summary : '',
      },
      save: (value) => this.challenges.decide(ctx, id, escalationId, value),
      refuse: async (found) =>
        this.challengePage(ctx, request, reply, await this.challenges.get(ctx, id), {
          decision: { escalationId, values, errors: found },
        }),
      refused: (error) => refusedFields(error, 'decidedOn'),
      done: () => redirect(reply, `/challenges/${id}#escalation-${escalationId}`),
    });
  }

  private async challengePage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    c: ChallengeResponse,
    forms: ChallengeForms = {},
  ): Promise<void> {
    const t = request.uiPage!.t;
    const subject = asSubject('Challenge', {
      id: c.id,
      prisonerId: c.prisonerId,
      facilityId: c.facilityId,
      targetType: c.targetType,
      assignedToId: c.assignedTo.id,
    });
    const canAnswer = c.status === 'open' && ctx.ability.can('answer', subject);
    const canEscalate =
      'grounds' in escalationGrounds(c, today()) && ctx.ability.can('escalate', subject);
    const mayDecide =
      c.escalations.some((e) => e.decision === null) && (await this.challenges.mayDecide(ctx, c));
    const answer = forms.answer ?? { values: { outcome: '', response: '' }, errors: [] };
    const escalation = forms.escalation ?? {
      values: { authority: '', authorityName: '', referredOn: today(), reference: '' },
      errors: [],
    };
    const failed = forms.answer?.errors ?? forms.escalation?.errors ?? forms.decision?.errors ?? [];
    const failedFields = forms.answer
      ? ANSWER_FIELDS
      : forms.escalation
        ? ESCALATION_FIELDS
        : forms.decision
          ? decisionFields(`decision-${forms.decision.escalationId}`)
          : {};
    const fieldsOf = (errors: FieldError[], messages: FieldMessages) =>
      errors.length ? formErrors(t, errors, messages).fields : undefined;
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
          checked: answer.values.outcome === o,
        })),
        values: answer.values,
        answerErrors: fieldsOf(answer.errors, ANSWER_FIELDS),
        escalations: c.escalations.map((e) => {
          const prefix = `decision-${e.id}`;
          const posted = forms.decision?.escalationId === e.id ? forms.decision : undefined;
          const values = posted?.values ?? { decidedOn: today(), outcome: '', summary: '' };
          return {
            id: e.id,
            title: t('rights.escalation.itemTitle', {
              authority: label(t, ESCALATION_AUTHORITY, e.authority),
              name: e.authorityName,
            }),
            authorityText: label(t, ESCALATION_AUTHORITY, e.authority),
            authorityName: e.authorityName,
            referredOn: e.referredOn,
            reference: e.reference,
            groundsText: label(t, ESCALATION_GROUNDS, e.grounds),
            recordedBy: e.recordedBy.displayName,
            recordedAt: e.recordedAt,
            decision: e.decision && {
              outcomeText: label(t, ESCALATION_OUTCOME, e.decision.outcome),
              decidedOn: e.decision.decidedOn,
              summary: e.decision.summary,
              recordedBy: e.decision.recordedBy.displayName,
            },
            amendmentDue: e.amendmentDue,
            amended: e.amended,
            canDecide: e.decision === null && mayDecide,
            prefix,
            values,
            outcomes: ESCALATION_OUTCOMES.map((o) => ({
              value: o,
              text: label(t, ESCALATION_OUTCOME, o),
              checked: values.outcome === o,
            })),
            errors: posted ? fieldsOf(posted.errors, decisionFields(prefix)) : undefined,
          };
        }),
        canEscalate,
        escalation: {
          values: escalation.values,
          authorities: ESCALATION_AUTHORITIES.map((a) => ({
            value: a,
            text: label(t, ESCALATION_AUTHORITY, a),
            checked: escalation.values.authority === a,
          })),
          errors: fieldsOf(escalation.errors, ESCALATION_FIELDS),
        },
        errors: failed.length ? formErrors(t, failed, failedFields) : undefined,
      },
      failed.length ? 422 : 200,
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
