import { Body, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Translate } from '../i18n/catalogue.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { AuthService } from '../../auth/auth.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { RequestEmergencyAccessDto } from '../../emergency-access/dto/emergency-access.dto.js';
import { EmergencyAccessService } from '../../emergency-access/emergency-access.service.js';
import { notFound, ProblemException } from '../../errors/problem.exception.js';
import type { FieldError } from '../../errors/problem.exception.js';
import type { Page } from '../../http/page.js';
import type { RuleSetLocale } from '../../instruments/rule-sets/rule-set.types.js';
import { PlansService } from '../../plans/plans.service.js';
import { ListPrisonersQueryDto } from '../../prisoners/dto/prisoner.dto.js';
import type { PrisonerResponse } from '../../prisoners/dto/prisoner.dto.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { PrisonerEventsService } from '../../reviews/prisoner-events.service.js';
import { SubjectAccessService } from '../../subject-access/subject-access.service.js';
import {
  formErrors,
  problemFieldErrors,
  validateForm,
  type FieldMessages,
} from '../common/forms.js';
import { AssessmentPageData } from '../assessments/assessment-page-data.js';
import { PageController } from '../common/page-controller.js';
import type { PageState } from '../common/page-state.js';
import { keysetLinks } from '../common/pagination.js';
import { redirect, render } from '../common/render.js';
import {
  assessmentRows,
  eventRows,
  planRows,
  riskModel,
  scaleKey,
  type LevelScales,
} from './case-views.js';
import { formatDuration } from '../i18n/format.js';
import { overviewModel, prisonerFrame, type PrisonerTab } from './prisoner.view.js';
import { recordActions } from '../records/records.view.js';

const PAGE_SIZE = 20;

const SEARCH_FIELDS: FieldMessages = {
  q: { id: 'q', message: 'search.errors.q' },
  facilityId: { id: 'facilityId', message: 'search.errors.facility' },
  cursor: { id: 'q', message: 'search.errors.cursor' },
  onRoll: { id: 'onRoll', message: 'search.errors.onRoll' },
};
const EMERGENCY_FIELDS: FieldMessages = {
  reason: { id: 'reason', message: 'emergency.errors.reason' },
};

/** A prisoner id in a page address; anything but a UUID is a page that does not exist. */
const PrisonerId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

const isNotFound = (error: unknown) =>
  error instanceof ProblemException && error.getStatus() === 404;

/**
 * Prisoner search and the prisoner's pages. Each calls the service the API endpoint calls, with
 * the same request context, so scope, views and audit are the API's; templates only lay out
 * what the service returned.
 */
@PageController('prisoners')
export class PrisonerPagesController {
  constructor(
    private readonly prisoners: PrisonersService,
    private readonly assessments: AssessmentsService,
    private readonly plans: PlansService,
    private readonly events: PrisonerEventsService,
    private readonly emergencyAccess: EmergencyAccessService,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly subjectAccess: SubjectAccessService,
    private readonly data: AssessmentPageData,
  ) {}

  @Get()
  @Authorize('read', 'Prisoner')
  async search(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const state = request.uiPage!;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const values = {
      q: text(query.q),
      facilityId: text(query.facilityId),
      onRoll: text(query.onRoll),
      cursor: text(query.cursor),
    };
    const profile = await this.auth.profile(ctx.actor.id);
    const facilities = profile.facilities.map((f) => ({
      value: f.id,
      text: `${f.name} (${f.code})`,
      selected: f.id === values.facilityId,
    }));
    const refused = (errors: FieldError[]) =>
      render(
        reply,
        'pages/prisoners/search.njk',
        {
          values,
          facilities,
          onRoll: onRollOptions(values.onRoll, state.t),
          errors: formErrors(state.t, errors, SEARCH_FIELDS),
        },
        400,
      );
    const { errors } = await validateForm(ListPrisonersQueryDto, values);
    if (errors.length > 0) return refused(errors);
    let page: Page<PrisonerResponse>;
    try {
      page = await this.prisoners.list(ctx, {
        ...values,
        onRoll: values.onRoll as ListPrisonersQueryDto['onRoll'],
        limit: PAGE_SIZE,
      });
    } catch (error) {
      // A cursor this service did not issue (an edited or stale link).
      const fields = problemFieldErrors(error);
      if (fields) return refused(fields);
      throw error;
    }
    return render(reply, 'pages/prisoners/search.njk', {
      values,
      facilities,
      onRoll: onRollOptions(values.onRoll, state.t),
      discharged: values.onRoll === 'false',
      canCreate: ctx.ability.can('create', 'Prisoner'),
      searched: Boolean(values.q || values.facilityId),
      results: page.items.map((p) => ({
        href: `/prisoners/${p.id}`,
        prisonNumber: p.prisonNumber,
        name: `${p.familyName}, ${p.givenName}`,
        dateOfBirth: p.dateOfBirth,
        facility: p.facility.name,
        remand: p.flags.remand,
        under18: p.flags.under18,
        dischargedOn: p.dischargedOn,
      })),
      links: keysetLinks('/prisoners', values, page.nextCursor),
    });
  }

  @Get(':id')
  @Authorize('read', 'Prisoner')
  overview(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
  ): Promise<void> {
    return this.prisonerPage(ctx, request, reply, id, 'overview', async (prisoner, state) => ({
      ...overviewModel(prisoner, state.t),
      recordActions: recordActions(prisoner, ctx.ability, state.t),
      releaseCopy: await this.releaseCopy(ctx, prisoner),
    }));
  }

  /**
   * Beside the expected release date, for those who record subject-access requests: whether the
   * official copy on release (Mandela Rule 9) has been requested, with the way to it.
   */
  private async releaseCopy(ctx: RequestContext, prisoner: PrisonerResponse) {
    if (!prisoner.expectedReleaseDate) return undefined;
    const fields = { prisonerId: prisoner.id, facilityId: prisoner.facility.id };
    if (!ctx.ability.can('create', asSubject('SubjectAccess', fields))) return undefined;
    const page = await this.subjectAccess.list(ctx, {
      prisonerId: prisoner.id,
      kind: 'release_copy',
      limit: 1,
    });
    const request = page.items[0];
    return request
      ? {
          href: `/subject-access/${request.id}`,
          dueOn: request.dueOn,
          releasedAt: request.releasedAt,
        }
      : { href: `/prisoners/${prisoner.id}/subject-access?kind=release_copy#record` };
  }

  @Get(':id/assessments')
  @Authorize('read', 'Assessment')
  assessmentsTab(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    return this.prisonerPage(ctx, request, reply, id, 'assessments', async (prisoner, state) => {
      const page = await this.assessments.listForPrisoner(ctx, id, { limit: PAGE_SIZE, cursor });
      const scales = await this.levelScales(
        page.items.map((a) => a.instrument),
        state.locale,
      );
      return {
        canStart: ctx.ability.can(
          'create',
          asSubject('Assessment', { prisonerId: id, facilityId: prisoner.facility.id }),
        ),
        rows: assessmentRows(page.items, scales, state.t),
        links: keysetLinks(`/prisoners/${id}/assessments`, { cursor }, page.nextCursor),
      };
    });
  }

  @Get(':id/risk')
  @Authorize('read', 'Assessment')
  riskTab(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
  ): Promise<void> {
    return this.prisonerPage(ctx, request, reply, id, 'risk', async (_, state) => {
      const timeline = await this.assessments.riskTimeline(ctx, id, undefined, {
        allInstruments: true,
      });
      const scales = await this.levelScales(
        timeline.entries.map((e) => e.instrument),
        state.locale,
      );
      return riskModel(timeline, scales, state.t, state.locale, this.config.env.UI_TIME_ZONE);
    });
  }

  @Get(':id/plan')
  @Authorize('read', 'Plan')
  planTab(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    return this.prisonerPage(ctx, request, reply, id, 'plan', async (prisoner, state) => {
      const page = await this.plans.listForPrisoner(ctx, id, { limit: PAGE_SIZE, cursor });
      const open = ['draft', 'pending_approval', 'active', 'suspended'];
      return {
        canStartPlan:
          !cursor &&
          ctx.ability.can('create', 'Plan') &&
          ctx.actor.facilityIds.includes(prisoner.facility.id) &&
          !page.items.some((p) => open.includes(p.status)),
        rows: planRows(page.items, state.t),
        links: keysetLinks(`/prisoners/${id}/plan`, { cursor }, page.nextCursor),
      };
    });
  }

  @Get(':id/events')
  @Authorize('read', 'Prisoner')
  eventsTab(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    return this.prisonerPage(ctx, request, reply, id, 'events', async (prisoner, state) => {
      const page = await this.events.list(ctx, id, { limit: PAGE_SIZE, cursor });
      return {
        recordActions: recordActions(prisoner, ctx.ability, state.t).filter((a) =>
          a.href.endsWith('/events/new'),
        ),
        rows: eventRows(page.items, state.t),
        links: keysetLinks(`/prisoners/${id}/events`, { cursor }, page.nextCursor),
      };
    });
  }

  /** Emergency ("break glass") access, requested from the prisoner's not-found page. */
  @Post(':id/emergency-access')
  @Authorize('request', 'EmergencyAccess')
  async requestEmergencyAccess(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const { value, errors } = await validateForm(RequestEmergencyAccessDto, body);
    const reason = typeof (body as { reason?: unknown })?.reason === 'string' ? value.reason : '';
    if (errors.length > 0) return this.notFoundPage(reply, state, id, { reason }, errors, 422);
    try {
      await this.emergencyAccess.request(ctx, id, value);
    } catch (error) {
      if (isNotFound(error)) return this.notFoundPage(reply, state, id, { reason });
      // Already readable (in scope, or a grant made meanwhile): nothing to open.
      if (!(error instanceof ProblemException && error.getStatus() === 409)) throw error;
    }
    return redirect(reply, `/prisoners/${id}`);
  }

  /**
   * The level labels of each instrument version, as its rule-set names them (not case content),
   * in the page's language where it or a version with the same text translates them.
   */
  private async levelScales(
    instruments: { key: string; version: string }[],
    locale: RuleSetLocale,
  ): Promise<LevelScales> {
    const scales: LevelScales = new Map();
    for (const { key, version } of instruments) {
      if (scales.has(scaleKey(key, version))) continue;
      const definition = await this.data.definition({ key, version }, locale);
      scales.set(
        scaleKey(key, version),
        (definition.levels ?? []).map((l) => ({ code: l.code, label: l.label })),
      );
      for (const judgement of definition.judgements ?? [])
        scales.set(
          scaleKey(key, version, judgement.code),
          judgement.levels.map((l) => ({ code: l.code, label: l.label })),
        );
    }
    return scales;
  }

  /**
   * A page of one prisoner: the identity bar and tabs around `content`. Not found, whether it
   * does not exist or is outside the caller's facilities, is the same page, which offers
   * emergency access to those who may request it.
   */
  private async prisonerPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    tab: PrisonerTab,
    content: (prisoner: PrisonerResponse, state: PageState) => Promise<object>,
  ): Promise<void> {
    const state = request.uiPage!;
    let prisoner: PrisonerResponse;
    try {
      prisoner = await this.prisoners.get(ctx, id);
    } catch (error) {
      if (isNotFound(error)) return this.notFoundPage(reply, state, id, { reason: '' });
      throw error;
    }
    const model = await content(prisoner, state);
    return render(reply, `pages/prisoners/${tab}.njk`, {
      ...prisonerFrame(prisoner, tab, ctx.ability, state.grants, state.t),
      ...model,
    });
  }

  private notFoundPage(
    reply: FastifyReply,
    state: PageState,
    id: string,
    values: { reason: string },
    errors: FieldError[] = [],
    status = 404,
  ): Promise<void> {
    return render(
      reply,
      'pages/prisoners/not-found.njk',
      {
        prisonerId: id,
        canRequest: state.context?.ability.can('request', 'EmergencyAccess') ?? false,
        grantFor: formatDuration(this.config.env.EMERGENCY_ACCESS_TTL, state.t),
        values,
        errors: errors.length ? formErrors(state.t, errors, EMERGENCY_FIELDS) : undefined,
      },
      status,
    );
  }
}

/** Who the list shows: on the roll (the default), the discharged, or both. */
function onRollOptions(selected: string | undefined, t: Translate) {
  return [
    { value: '', text: t('search.onRoll.true'), selected: !selected || selected === 'true' },
    { value: 'false', text: t('search.onRoll.false'), selected: selected === 'false' },
    { value: 'all', text: t('search.onRoll.all'), selected: selected === 'all' },
  ];
}
