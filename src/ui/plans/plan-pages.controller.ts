import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { forbidden, ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { CreatePlanDto } from '../../plans/dto/create-plan.dto.js';
import {
  ClosePlanDto,
  CompletePlanDto,
  ReturnRevisionDto,
  SuspendPlanDto,
} from '../../plans/dto/plan-transition.dto.js';
import {
  AgreementDto,
  HandoverDto,
  ReleaseDto,
  ReleaseTaskDto,
} from '../../plans/dto/update-plan.dto.js';
import { PlanDeliveryService } from '../../plans/plan-delivery.service.js';
import { PlansService } from '../../plans/plans.service.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { AssessmentPageData } from '../assessments/assessment-page-data.js';
import { validateForm, type FieldMessages, formErrors } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, optional, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import type { Translate } from '../i18n/catalogue.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { AGREEMENT, labelOf, optionsOf, PRIORITY, TASK_STATUS, termLabels } from './plan-labels.js';
import { PlanPages, type PlanPage } from './plan-page.service.js';
import { reviewRows, sessionRows } from './plan-delivery.view.js';

const today = () => new Date().toISOString().slice(0, 10);

const AGREEMENT_FIELDS: FieldMessages = {
  response: { id: 'response', message: 'plans.agreementPage.errors.response' },
  prisonerWords: { id: 'prisonerWords', message: 'plans.agreementPage.errors.words' },
  recordedOn: { id: 'recordedOn', message: 'plans.errors.date' },
  'prisonerAgreement.recordedOn': { id: 'recordedOn', message: 'plans.errors.pastDate' },
};
const DECISION_FIELDS: FieldMessages = {
  decision: { id: 'decision', message: 'plans.approve.errors.decision' },
  comments: { id: 'comments', message: 'plans.approve.errors.comments' },
};
const REASON_FIELDS: FieldMessages = {
  reason: { id: 'reason', message: 'plans.transition.errors.reason' },
  note: { id: 'note', message: 'plans.transition.errors.note' },
};
const RELEASE_FIELDS: FieldMessages = {
  expectedReleaseDate: { id: 'expectedReleaseDate', message: 'plans.errors.date' },
  'release.expectedReleaseDate': { id: 'expectedReleaseDate', message: 'plans.errors.date' },
  description: { id: 'task-description', message: 'plans.release.errors.task' },
  dueDate: { id: 'task-dueDate', message: 'plans.errors.date' },
  agency: { id: 'handover-agency', message: 'plans.release.errors.agency' },
  date: { id: 'handover-date', message: 'plans.errors.date' },
  sharedWhat: { id: 'handover-sharedWhat', message: 'plans.release.errors.sharedWhat' },
  legalBasis: { id: 'handover-legalBasis', message: 'plans.release.errors.legalBasis' },
};

type Transition = 'suspend' | 'complete' | 'close' | 'resume';
const TRANSITIONS: Record<Transition, { allowed: (p: PlanPage) => boolean }> = {
  suspend: { allowed: (p) => p.can.suspend },
  complete: { allowed: (p) => p.can.complete },
  close: { allowed: (p) => p.can.close },
  resume: { allowed: (p) => p.can.resume },
};

const STEP_PATHS = Object.keys(TRANSITIONS).map((step) => `plans/:id/${step}`);
const stepOf = (request: FastifyRequest) =>
  request.routeOptions.url!.split('/').pop() as Transition;

/**
 * A plan's own pages: starting one from the needs assessment, the plan (full or logistics
 * view), the prisoner's agreement, release preparation, submission, the supervisor's decision
 * and the lifecycle steps. Each calls the service the API endpoint calls.
 */
@PageController()
export class PlanPagesController {
  constructor(
    private readonly pages: PlanPages,
    private readonly plans: PlansService,
    private readonly delivery: PlanDeliveryService,
    private readonly assessments: AssessmentsService,
    private readonly prisoners: PrisonersService,
    private readonly data: AssessmentPageData,
  ) {}

  // ---------------------------------------------------------------- start a plan

  @Get('prisoners/:id/plan/new')
  @Authorize('create', 'Plan')
  async start(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.startPage(ctx, request, reply, id);
  }

  @Post('prisoners/:id/plan/new')
  @Authorize('create', 'Plan')
  async create(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { value, errors } = await validateForm(CreatePlanDto, {
      basedOnAssessmentId: field(body, 'basedOnAssessmentId'),
    });
    if (errors.length > 0) return this.startPage(ctx, request, reply, id, errors);
    try {
      const plan = await this.plans.create(ctx, id, value);
      return redirect(reply, `/plans/${plan.id}`);
    } catch (error) {
      const open = error instanceof ProblemException ? error.body.openPlanId : undefined;
      if (typeof open === 'string') return redirect(reply, `/plans/${open}`);
      const refused = refusedFields(error, 'basedOnAssessmentId');
      if (!refused) throw error;
      return this.startPage(ctx, request, reply, id, refused);
    }
  }

  /** The prisoner's current approved needs assessment in the caller's (programme) view. */
  private async startPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisonerId: string,
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, prisonerId);
    const page = await this.assessments.listForPrisoner(ctx, prisonerId, { limit: 100 });
    const needsAssessment = page.items
      .filter((a) => a.status === 'approved' && a.instrument.purpose === 'needs' && a.approvedAt)
      .sort((a, b) => (a.approvedAt! < b.approvedAt! ? 1 : -1))[0];
    const labels = needsAssessment
      ? await this.data.needLabels(
          await this.data.definition(needsAssessment.instrument, state.locale),
          state.locale,
        )
      : new Map<string, string>();
    return render(
      reply,
      'pages/plans/start.njk',
      {
        ...prisonerFrame(prisoner, 'plan', ctx.ability, state.grants, state.t),
        currentTab: state.t('plans.start.title'),
        assessment: needsAssessment && {
          id: needsAssessment.id,
          href: `/assessments/${needsAssessment.id}`,
          instrument: `${needsAssessment.instrument.title} ${needsAssessment.instrument.version}`,
          approvedAt: needsAssessment.approvedAt,
          nextReviewDue: needsAssessment.nextReviewDue,
          needs: (needsAssessment.needs ?? []).map((n) => ({
            label: labels.get(n.code) ?? n.code,
            priority: labelOf(state.t, PRIORITY, n.priority),
          })),
          recommendations: needsAssessment.recommendations
            .filter((r) => r.tag === 'programme')
            .map((r) => r.text),
        },
        errors: errors.length
          ? formErrors(state.t, errors, {
              basedOnAssessmentId: { id: 'start-plan', message: 'plans.start.errors.basis' },
            })
          : undefined,
        serverReason: errors.find((e) => e.path === 'basedOnAssessmentId')?.message,
      },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- the plan

  @Get('plans/:id')
  @Authorize('read', 'Plan')
  async plan(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('sessions') sessionsCursor?: string,
    @Query('reviews') reviewsCursor?: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const sessions = await this.delivery.listSessions(ctx, id, {
      limit: 20,
      cursor: sessionsCursor,
    });
    const reviews = page.can.full
      ? await this.delivery.listReviews(ctx, id, { limit: 10, cursor: reviewsCursor })
      : undefined;
    const query = { sessions: sessionsCursor, reviews: reviewsCursor };
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/plan.njk',
      state.t('plans.plan.title'),
      {
        sessions: sessionRows(sessions.items, page.plan, state.t, page.titles),
        sessionLinks: keysetLinks(`/plans/${id}`, query, sessions.nextCursor, 'sessions'),
        reviews:
          reviews &&
          reviewRows(
            reviews.items,
            page.plan,
            state.t,
            termLabels(state.t, page.catalogue, state.locale),
          ),
        reviewLinks: reviews && keysetLinks(`/plans/${id}`, query, reviews.nextCursor, 'reviews'),
      },
    );
  }

  // ---------------------------------------------------------------- the prisoner's agreement

  @Get('plans/:id/agreement')
  @Authorize('update', 'Plan')
  async agreementPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const a = page.plan.prisonerAgreement;
    return this.agreementForm(ctx, request, reply, page, {
      response: a?.response ?? '',
      prisonerWords: a?.prisonerWords ?? '',
      recordedOn: a ? a.recordedOn : today(),
    });
  }

  @Post('plans/:id/agreement')
  @Authorize('update', 'Plan')
  async saveAgreement(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      response: field(body, 'response'),
      prisonerWords: field(body, 'prisonerWords'),
      recordedOn: field(body, 'recordedOn'),
    };
    const { value, errors } = await validateForm(AgreementDto, {
      response: values.response,
      prisonerWords: optional(values.prisonerWords) ?? null,
      recordedOn: values.recordedOn,
    });
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    if (errors.length > 0) return this.agreementForm(ctx, request, reply, page, values, errors);
    try {
      await this.plans.update(ctx, id, postedVersion(body), { prisonerAgreement: value });
    } catch (error) {
      const refused = refusedFields(error, 'response');
      if (!refused) throw error;
      return this.agreementForm(ctx, request, reply, page, values, refused);
    }
    return redirect(reply, `/plans/${id}#agreement`);
  }

  private agreementForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const model = { values, responses: optionsOf(t, AGREEMENT, values.response, 'checked') };
    const heading = t('plans.agreementPage.title');
    const template = 'pages/plans/agreement.njk';
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
          AGREEMENT_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  // ---------------------------------------------------------------- release preparation

  @Get('plans/:id/release')
  @Authorize('read', 'Plan')
  async releasePage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    // Release preparation is plan content: the logistics view has none of it.
    if (!page.can.full) throw forbidden('Your role reads the plan’s logistics only');
    return this.releaseForm(ctx, request, reply, page, {});
  }

  @Post('plans/:id/release/date')
  @Authorize('update', 'Plan')
  async releaseDate(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { expectedReleaseDate: field(body, 'expectedReleaseDate') };
    return this.changeRelease(ctx, request, reply, id, body, values, ReleaseDto, {
      expectedReleaseDate: optional(values.expectedReleaseDate) ?? null,
    });
  }

  @Post('plans/:id/release/tasks')
  @Authorize('update', 'Plan')
  async addTask(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { description: field(body, 'description'), dueDate: field(body, 'dueDate') };
    return this.changeRelease(
      ctx,
      request,
      reply,
      id,
      body,
      values,
      ReleaseTaskDto,
      {
        description: values.description.trim(),
        dueDate: optional(values.dueDate) ?? null,
        status: 'open',
      },
      (release, task) => ({ tasks: [...release.tasks, task] }),
    );
  }

  @Post('plans/:id/release/tasks/:index')
  @Authorize('update', 'Plan')
  async taskStatus(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const index = Number((request.params as { index: string }).index);
    const status = field(body, 'status');
    return this.changeRelease(
      ctx,
      request,
      reply,
      id,
      body,
      {},
      ReleaseTaskDto,
      undefined,
      (release) => {
        if (!Number.isInteger(index) || !release.tasks[index] || !TASK_STATUS[status])
          throw new ProblemException(400, 'bad_task', 'Bad request', 'No such task or status');
        return {
          tasks: release.tasks.map((task, i) => (i === index ? { ...task, status } : task)),
        };
      },
    );
  }

  @Post('plans/:id/release/handovers')
  @Authorize('update', 'Plan')
  async addHandover(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      agency: field(body, 'agency'),
      date: field(body, 'date'),
      sharedWhat: field(body, 'sharedWhat'),
      legalBasis: field(body, 'legalBasis'),
    };
    return this.changeRelease(
      ctx,
      request,
      reply,
      id,
      body,
      values,
      HandoverDto,
      {
        agency: values.agency.trim(),
        date: values.date,
        sharedWhat: values.sharedWhat.trim(),
        legalBasis: optional(values.legalBasis) ?? null,
      },
      (release, handover) => ({ handovers: [...release.handovers, handover] }),
    );
  }

  /**
   * One of the release forms: its input checked with the API's DTO, merged into the release
   * section (whose lists a change replaces), and sent as a plan change.
   */
  private async changeRelease<T extends object>(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    body: unknown,
    values: Record<string, string>,
    dto: new () => T,
    input: Record<string, unknown> | undefined,
    merge: (
      release: NonNullable<PlanPage['plan']['release']>,
      value: T,
    ) => Record<string, unknown> = (_, value) => value as Record<string, unknown>,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const release = page.plan.release ?? { expectedReleaseDate: null, tasks: [], handovers: [] };
    let value = undefined as unknown as T;
    if (input) {
      const checked = await validateForm(dto, input);
      if (checked.errors.length > 0)
        return this.releaseForm(ctx, request, reply, page, values, checked.errors);
      value = checked.value;
    }
    const change = merge(release, value);
    try {
      await this.plans.update(ctx, id, postedVersion(body), {
        release: {
          tasks: release.tasks,
          handovers: release.handovers,
          expectedReleaseDate: release.expectedReleaseDate,
          ...change,
        } as ReleaseDto,
      });
    } catch (error) {
      const refused = refusedFields(error, 'expectedReleaseDate');
      if (!refused) throw error;
      return this.releaseForm(ctx, request, reply, page, values, refused);
    }
    return redirect(reply, `/plans/${id}/release`);
  }

  private releaseForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const model = {
      values,
      taskStatuses: (current: string) => optionsOf(t, TASK_STATUS, current),
      canChange: page.can.editProgramme,
    };
    const heading = t('plans.release.title');
    const template = 'pages/plans/release.njk';
    const paths = errors.map((e) => ({
      ...e,
      path: e.path.replace(/^release\.(tasks|handovers)\[\d+\]\./, ''),
    }));
    return errors.length
      ? this.pages.renderErrors(
          reply,
          request,
          ctx,
          page,
          template,
          heading,
          model,
          paths,
          RELEASE_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  // ---------------------------------------------------------------- submit

  @Get('plans/:id/submit')
  @Authorize('submit', 'Plan')
  async submitPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/submit.njk',
      request.uiPage!.t('plans.submit.title'),
    );
  }

  @Post('plans/:id/submit')
  @Authorize('submit', 'Plan')
  async submit(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    try {
      await this.plans.transition(ctx, id, 'submit', {}, postedVersion(body));
    } catch (error) {
      const refused = refusedFields(error, 'plan');
      if (!refused) throw error;
      const page = await this.pages.load(ctx, id, request.uiPage!.locale);
      const t = request.uiPage!.t;
      // Each reason links to where it is put right: the goals, the agreement, the intervention.
      const summary = refused.map((e) => ({
        text: submissionMessage(e, t),
        href: submissionLink(page, e.path),
      }));
      return this.pages.render(
        reply,
        request,
        ctx,
        page,
        'pages/plans/submit.njk',
        t('plans.submit.title'),
        { errors: { summary, fields: {} } },
        422,
      );
    }
    return redirect(reply, `/plans/${id}`);
  }

  // ---------------------------------------------------------------- the supervisor's decision

  @Get('plans/:id/approve')
  @Authorize('approve', 'Plan')
  async approvePage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    return this.decisionForm(ctx, request, reply, page, { decision: '', comments: '' });
  }

  @Post('plans/:id/approve')
  @Authorize('approve', 'Plan')
  async decide(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { decision: field(body, 'decision'), comments: field(body, 'comments') };
    const version = postedVersion(body);
    const errors: FieldError[] = [];
    if (!['approve', 'return'].includes(values.decision))
      errors.push({ path: 'decision', message: 'choose' });
    let comments: ReturnRevisionDto | undefined;
    if (values.decision === 'return') {
      const checked = await validateForm(ReturnRevisionDto, { comments: values.comments.trim() });
      errors.push(...checked.errors);
      comments = checked.value;
    }
    if (errors.length > 0) {
      const page = await this.pages.load(ctx, id, request.uiPage!.locale);
      return this.decisionForm(ctx, request, reply, page, values, errors);
    }
    if (values.decision === 'approve') {
      await this.plans.transition(ctx, id, 'activate', {}, version);
    } else {
      await this.plans.transition(ctx, id, 'return', comments!, version);
    }
    return redirect(reply, `/plans/${id}`);
  }

  private decisionForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const template = 'pages/plans/approve.njk';
    const heading = t('plans.approve.title');
    const model = { values };
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
          DECISION_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  // ---------------------------------------------------------------- lifecycle steps

  @Get(STEP_PATHS)
  @Authorize('read', 'Plan')
  async stepPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const step = stepOf(request);
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    return this.stepForm(ctx, request, reply, page, step, { reason: '', note: '' });
  }

  @Post(STEP_PATHS)
  @Authorize('read', 'Plan')
  async step(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const step = stepOf(request);
    const values = { reason: field(body, 'reason'), note: field(body, 'note') };
    const refuse = async (errors: FieldError[]) =>
      this.stepForm(
        ctx,
        request,
        reply,
        await this.pages.load(ctx, id, request.uiPage!.locale),
        step,
        values,
        errors,
      );
    try {
      if (step === 'resume') {
        await this.plans.transition(ctx, id, 'activate', {}, postedVersion(body));
      } else if (step === 'complete') {
        const { value, errors } = await validateForm(CompletePlanDto, {
          note: optional(values.note),
        });
        if (errors.length > 0) return refuse(errors);
        await this.plans.transition(ctx, id, 'complete', value);
      } else {
        const dto = step === 'suspend' ? SuspendPlanDto : ClosePlanDto;
        const { value, errors } = await validateForm(dto, { reason: values.reason.trim() });
        if (errors.length > 0) return refuse(errors);
        await this.plans.transition(ctx, id, step, value);
      }
    } catch (error) {
      const refused = refusedFields(error, step === 'complete' ? 'note' : 'reason');
      if (!refused) throw error;
      return refuse(
        refused.map((e) => (e.path.startsWith('interventions') ? { ...e, path: 'note' } : e)),
      );
    }
    return redirect(reply, `/plans/${id}`);
  }

  private stepForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    step: Transition,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    if (!TRANSITIONS[step].allowed(page) && errors.length === 0) {
      return this.pages.render(
        reply,
        request,
        ctx,
        page,
        'pages/plans/step.njk',
        t(`plans.step.${step}.title`),
        { step, values, notAllowed: true },
      );
    }
    const template = 'pages/plans/step.njk';
    const heading = t(`plans.step.${step}.title`);
    const model = { step, values };
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
          REASON_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }
}

/** A submission refusal in the reader's language where the page knows it, else the service's. */
function submissionMessage(error: FieldError, t: Translate): string {
  if (error.path === 'goals') return t('plans.submit.errors.goals');
  if (error.path === 'prisonerAgreement') return t('plans.submit.errors.agreement');
  if (/^interventions\[\d+\]\.goalIds$/.test(error.path)) return t('plans.submit.errors.goalIds');
  return error.message;
}

function submissionLink(page: PlanPage, path: string): string {
  const base = `/plans/${page.plan.id}`;
  if (path === 'prisonerAgreement') return `${base}/agreement`;
  const item = /^interventions\[(\d+)\]/.exec(path);
  if (item) {
    const intervention = page.plan.interventions[Number(item[1])];
    if (intervention) return `${base}/interventions/${intervention.id}`;
  }
  return `${base}#goals`;
}
