import type { Locale } from '../i18n/catalogue.js';
import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { conflict, notFound, type FieldError } from '../../errors/problem.exception.js';
import { addIsoDuration } from '../../instruments/rule-sets/iso-duration.js';
import type {
  GoalResponse,
  InterventionResponse,
  PlanResponse,
} from '../../plans/dto/plan.response.js';
import {
  ConsentDto,
  GoalInputDto,
  InterventionInputDto,
  type UpdatePlanDto,
} from '../../plans/dto/update-plan.dto.js';
import { PlanRevisionsService } from '../../plans/plan-revisions.service.js';
import { PlansService } from '../../plans/plans.service.js';
import { validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { itemFieldErrors, refusedFields } from '../common/problem-errors.js';
import { redirect } from '../common/render.js';
import {
  field,
  fields,
  optional,
  postedVersion,
  UuidPageParam,
} from '../common/uuid-page-param.js';
import {
  frequencyOptions,
  frequencyText,
  INTERVENTION_STATUS,
  optionsOf,
  PRIORITY,
  termLabels,
} from './plan-labels.js';
import { PlanPages, type PlanPage } from './plan-page.service.js';
import { editableContent, editTarget } from './plan.view.js';

const today = () => new Date().toISOString().slice(0, 10);

const GOAL_FIELDS: FieldMessages = {
  needCode: { id: 'needCode', message: 'plans.goalPage.errors.need' },
  description: { id: 'description', message: 'plans.goalPage.errors.description' },
  priority: { id: 'priority', message: 'plans.goalPage.errors.priority' },
  targetDate: { id: 'targetDate', message: 'plans.errors.date' },
};
/** Intervention fields checked by the form; service reasons (consent) keep their own words. */
const INTERVENTION_FIELDS: FieldMessages = {
  goalIds: { id: 'goalIds', message: 'plans.interventionPage.errors.goals' },
  frequency: { id: 'frequency', message: 'plans.interventionPage.errors.frequency' },
  plannedStart: { id: 'plannedStart', message: 'plans.errors.date' },
  plannedEnd: { id: 'plannedEnd', message: 'plans.interventionPage.errors.plannedEnd' },
  provider: { id: 'provider', message: 'plans.interventionPage.errors.provider' },
  location: { id: 'location', message: 'plans.interventionPage.errors.location' },
};
const CONSENT_FIELDS: FieldMessages = {
  given: { id: 'given', message: 'plans.consentPage.errors.given' },
  recordedOn: { id: 'recordedOn', message: 'plans.errors.pastDate' },
  note: { id: 'note', message: 'plans.consentPage.errors.note' },
};

const goalInput = (g: GoalResponse): GoalInputDto => ({
  id: g.id,
  needCode: g.needCode,
  ...(g.priority ? { priority: g.priority as GoalInputDto['priority'] } : {}),
  description: g.description,
  targetDate: g.targetDate,
  status: g.status as GoalInputDto['status'],
});

const interventionInput = (i: InterventionResponse): InterventionInputDto => ({
  id: i.id,
  catalogueCode: i.catalogueCode,
  goalIds: i.goalIds ?? [],
  responsibleStaffId: i.responsibleStaff?.id ?? null,
  provider: i.provider,
  frequency: i.frequency,
  plannedStart: i.plannedStart,
  plannedEnd: i.plannedEnd,
  location: i.location,
  status: i.status as InterventionInputDto['status'],
});

/** The fields of an intervention that record its delivery (they change the current revision). */
const DELIVERY = ['responsibleStaffId', 'provider', 'location', 'status'] as const;

/**
 * Goals and interventions: add, change and remove them, with the catalogue searchable by need,
 * and record the prisoner's consent. A draft plan changes directly. On an active plan a change
 * to the programme becomes (or changes the caller's own) pending revision, which a supervisor
 * approves, while delivery (priority, status, staff, provider, place, consent) changes the
 * current revision at once: the services decide which is which, as for the API.
 */
@PageController('plans')
export class PlanItemsPagesController {
  constructor(
    private readonly pages: PlanPages,
    private readonly plans: PlansService,
    private readonly revisions: PlanRevisionsService,
  ) {}

  // ---------------------------------------------------------------- goals

  @Get(':id/goals/new')
  @Authorize('update', 'Plan')
  async newGoal(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    return this.goalForm(ctx, request, reply, page, undefined, {
      needCode: '',
      description: '',
      priority: '',
      targetDate: '',
    });
  }

  @Get(':id/goals/:goalId')
  @Authorize('update', 'Plan')
  async goal(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('goalId') goalId: string,
  ): Promise<void> {
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    const goal = this.findGoal(page, ctx, goalId);
    return this.goalForm(ctx, request, reply, page, goal, {
      needCode: goal.needCode,
      description: goal.description,
      priority: goal.priority ?? '',
      targetDate: goal.targetDate ?? '',
    });
  }

  @Post([':id/goals/new', ':id/goals/:goalId'])
  @Authorize('update', 'Plan')
  async saveGoal(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const goalId = (request.params as { goalId?: string }).goalId;
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    const existing = goalId ? this.findGoal(page, ctx, goalId) : undefined;
    const values = {
      needCode: field(body, 'needCode'),
      description: field(body, 'description'),
      priority: field(body, 'priority'),
      targetDate: field(body, 'targetDate'),
    };
    const input = {
      ...(existing ? goalInput(existing) : {}),
      needCode: values.needCode,
      description: values.description.trim(),
      priority: optional(values.priority),
      targetDate: optional(values.targetDate) ?? null,
    };
    const { value, errors } = await validateForm(GoalInputDto, input);
    if (errors.length > 0)
      return this.goalForm(ctx, request, reply, page, existing, values, errors);
    const target = editTarget(page.plan, ctx.actor.id);
    const goals = editableContent(page.plan, target).goals.map(goalInput);
    let index = goals.findIndex((g) => g.id === existing?.id);
    if (index < 0) index = goals.push(value) - 1;
    else goals[index] = value;
    // On the caller's pending revision, a goal's priority is delivery: the current revision's.
    const current = page.plan.goals ?? [];
    const now = current.find((g) => g.id === existing?.id);
    const delivery =
      existing && now && (now.priority ?? undefined) !== value.priority
        ? {
            goals: current
              .map(goalInput)
              .map((g) => (g.id === existing.id ? { ...g, priority: value.priority } : g)),
          }
        : undefined;
    try {
      await this.change(ctx, page, postedVersion(body), { goals }, delivery);
    } catch (error) {
      const refused = refusedFields(error, 'description');
      if (!refused) throw error;
      const named = itemFieldErrors(refused, 'goals', index);
      return this.goalForm(ctx, request, reply, page, existing, values, named);
    }
    return redirect(reply, `/plans/${id}#goals`);
  }

  private goalForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    goal: GoalResponse | undefined,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const model = {
      values,
      action: goal ? `/plans/${page.plan.id}/goals/${goal.id}` : `/plans/${page.plan.id}/goals/new`,
      isNew: !goal,
      needs: [
        { value: '', text: t('plans.goalPage.chooseNeed'), selected: !values.needCode },
        ...(page.catalogue?.needs ?? []).map((n) => ({
          value: n.code,
          text: n.label,
          selected: n.code === values.needCode,
        })),
      ],
      priorities: [
        { value: '', text: t('plans.priority.none'), selected: !values.priority },
        ...optionsOf(t, PRIORITY, values.priority),
      ],
      onRevision:
        editTarget(page.plan, ctx.actor.id) === 'revision' || page.plan.status === 'active',
    };
    const heading = t(goal ? 'plans.goalPage.changeTitle' : 'plans.goalPage.addTitle');
    const template = 'pages/plans/goal.njk';
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
          GOAL_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  @Get(':id/goals/:goalId/remove')
  @Authorize('update', 'Plan')
  async removeGoalPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('goalId') goalId: string,
  ): Promise<void> {
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    const goal = this.findGoal(page, ctx, goalId);
    const t = request.uiPage!.t;
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/remove.njk',
      t('plans.remove.goalTitle'),
      {
        what: goal.description,
        action: `/plans/${id}/goals/${goalId}/remove`,
        hint: t('plans.remove.goalHint'),
      },
    );
  }

  @Post(':id/goals/:goalId/remove')
  @Authorize('update', 'Plan')
  async removeGoal(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('goalId') goalId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.editable(ctx, id);
    this.findGoal(page, ctx, goalId);
    const content = editableContent(page.plan, editTarget(page.plan, ctx.actor.id));
    // Interventions stop serving the goal with it (one change, so nothing is left dangling).
    await this.change(ctx, page, postedVersion(body), {
      goals: content.goals.filter((g) => g.id !== goalId).map(goalInput),
      interventions: content.interventions.map(interventionInput).map((i) => ({
        ...i,
        goalIds: i.goalIds.filter((g) => g !== goalId),
      })),
    });
    return redirect(reply, `/plans/${id}#goals`);
  }

  // ---------------------------------------------------------------- interventions

  /** The catalogue, searchable by need: what each entry is, who delivers it, consent, dosage. */
  @Get(':id/interventions/add')
  @Authorize('update', 'Plan')
  async catalogue(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('need') need?: string,
  ): Promise<void> {
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    const t = request.uiPage!.t;
    const catalogue = page.catalogue;
    const terms = termLabels(t, catalogue, request.uiPage!.locale);
    const needLabels = new Map((catalogue?.needs ?? []).map((n) => [n.code, n.label]));
    const selected = need && needLabels.has(need) ? need : '';
    const inPlan = new Set(
      editableContent(page.plan, editTarget(page.plan, ctx.actor.id)).interventions.map(
        (i) => i.catalogueCode,
      ),
    );
    const entries = (catalogue?.interventions ?? [])
      .filter((entry) => !selected || entry.needs.includes(selected))
      .map((entry) => ({
        code: entry.code,
        title: entry.title,
        description: entry.description,
        type: terms.type(entry.type),
        discipline: terms.discipline(entry.discipline),
        needs: entry.needs.map((n) => needLabels.get(n) ?? n).join(', '),
        consentRequired: entry.consentRequired,
        consentNotes: entry.consentNotes ?? '',
        dosage: t('plans.catalogue.dosage', {
          sessions: entry.dosage.sessions,
          frequency: frequencyText(t, entry.dosage.frequency).toLowerCase(),
        }),
        intensity:
          page.plan.riskLevel && entry.intensity
            ? (entry.intensity[page.plan.riskLevel] ?? '')
            : '',
        inPlan: inPlan.has(entry.code),
      }));
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/catalogue.njk',
      t('plans.catalogue.title'),
      {
        entries,
        need: selected,
        needs: [
          { value: '', text: t('plans.catalogue.allNeeds'), selected: !selected },
          ...(catalogue?.needs ?? []).map((n) => ({
            value: n.code,
            text: n.label,
            selected: n.code === selected,
          })),
        ],
      },
    );
  }

  @Post(':id/interventions/add')
  @Authorize('update', 'Plan')
  async addIntervention(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.editable(ctx, id);
    const entry = page.catalogue?.interventions.find((i) => i.code === field(body, 'code'));
    if (!entry) throw notFound('Catalogue entry');
    const target = editTarget(page.plan, ctx.actor.id);
    const content = editableContent(page.plan, target);
    const start = today();
    const added: InterventionInputDto = {
      catalogueCode: entry.code,
      goalIds: content.goals.filter((g) => entry.needs.includes(g.needCode)).map((g) => g.id),
      responsibleStaffId: null,
      provider: null,
      frequency: entry.dosage.frequency,
      plannedStart: start,
      plannedEnd: addIsoDuration(new Date(`${start}T00:00:00Z`), entry.dosage.duration)
        .toISOString()
        .slice(0, 10),
      location: null,
      status: 'proposed',
    };
    const before = new Set(content.interventions.map((i) => i.id));
    const result = await this.change(ctx, page, postedVersion(body), {
      interventions: [...content.interventions.map(interventionInput), added],
    });
    const after =
      result.pendingRevision && ['active', 'suspended'].includes(result.status)
        ? result.pendingRevision.interventions
        : result.interventions;
    const created = after.find((i) => !before.has(i.id));
    return redirect(
      reply,
      created ? `/plans/${id}/interventions/${created.id}` : `/plans/${id}#interventions`,
    );
  }

  @Get(':id/interventions/:itemId')
  @Authorize('update', 'Plan')
  async intervention(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const item = this.findIntervention(page, ctx, itemId);
    return this.interventionForm(ctx, request, reply, page, item, {
      responsibleStaffId: item.responsibleStaff?.id ?? '',
      provider: item.provider ?? '',
      frequency: item.frequency,
      plannedStart: item.plannedStart,
      plannedEnd: item.plannedEnd ?? '',
      location: item.location ?? '',
      status: item.status,
      goalIds: (item.goalIds ?? []).join(' '),
    });
  }

  @Post(':id/interventions/:itemId')
  @Authorize('update', 'Plan')
  async saveIntervention(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const item = this.findIntervention(page, ctx, itemId);
    const goalIds = fields(body, 'goalIds');
    const values = {
      responsibleStaffId: field(body, 'responsibleStaffId'),
      provider: field(body, 'provider'),
      frequency: field(body, 'frequency'),
      plannedStart: field(body, 'plannedStart'),
      plannedEnd: field(body, 'plannedEnd'),
      location: field(body, 'location'),
      status: field(body, 'status'),
      goalIds: goalIds.join(' '),
    };
    const { value, errors } = await validateForm(InterventionInputDto, {
      id: item.id,
      catalogueCode: item.catalogueCode,
      goalIds,
      responsibleStaffId: optional(values.responsibleStaffId) ?? null,
      provider: optional(values.provider) ?? null,
      frequency: values.frequency,
      plannedStart: values.plannedStart,
      plannedEnd: optional(values.plannedEnd) ?? null,
      location: optional(values.location) ?? null,
      status: values.status,
    });
    if (errors.length > 0)
      return this.interventionForm(ctx, request, reply, page, item, values, errors);
    const target = editTarget(page.plan, ctx.actor.id);
    const list = editableContent(page.plan, target).interventions.map(interventionInput);
    const index = list.findIndex((i) => i.id === item.id);
    const current = page.plan.interventions;
    let change: UpdatePlanDto;
    let delivery: UpdatePlanDto | undefined;
    let errorIndex = index;
    if (index >= 0) {
      list[index] = value;
      change = { interventions: list };
      // Staff, provider, place and status of an intervention the plan has now are delivery.
      const now = current.find((i) => i.id === item.id);
      const nowInput = now && interventionInput(now);
      if (target === 'revision' && nowInput && DELIVERY.some((k) => nowInput[k] !== value[k])) {
        delivery = {
          interventions: current.map(interventionInput).map((i) => {
            if (i.id !== item.id) return i;
            const next = { ...i };
            for (const key of DELIVERY) (next as Record<string, unknown>)[key] = value[key];
            return next;
          }),
        };
      }
    } else {
      // An intervention of the current revision only (the pending revision removed it): its
      // delivery may still be recorded.
      const all = current.map(interventionInput);
      errorIndex = all.findIndex((i) => i.id === item.id);
      all[errorIndex] = { ...all[errorIndex], ...pick(value, DELIVERY) };
      change = { interventions: all };
    }
    try {
      if (index < 0) await this.plans.update(ctx, id, postedVersion(body), change);
      else await this.change(ctx, page, postedVersion(body), change, delivery);
    } catch (error) {
      const refused = refusedFields(error, 'status');
      if (!refused) throw error;
      const named = itemFieldErrors(refused, 'interventions', errorIndex);
      return this.interventionForm(ctx, request, reply, page, item, values, named);
    }
    return redirect(reply, `/plans/${id}#intervention-${item.id}`);
  }

  private async interventionForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    item: InterventionResponse,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const target = editTarget(page.plan, ctx.actor.id);
    const goals = editableContent(page.plan, target).goals;
    const chosen = new Set(values.goalIds.split(' ').filter(Boolean));
    const staff = await this.pages.staff(ctx, page);
    const entry = page.catalogue?.interventions.find((e) => e.code === item.catalogueCode);
    const model = {
      item: {
        id: item.id,
        title: item.title ?? item.catalogueCode,
        description: entry?.description ?? '',
        discipline: termLabels(t, page.catalogue, request.uiPage!.locale).discipline(
          item.discipline,
        ),
        intensity: item.intensity ?? '',
        consentRequired: item.consentRequired ?? false,
        consentNotes: entry?.consentNotes ?? '',
        consent: item.consent,
        refused: item.consent?.given === false,
        consentHref: `/plans/${page.plan.id}/interventions/${item.id}/consent`,
      },
      values,
      goals: goals.map((g, i) => ({
        value: g.id,
        text: `${i + 1}. ${g.description}`,
        checked: chosen.has(g.id),
      })),
      staff: [
        {
          value: '',
          text: t('plans.interventionPage.noStaff'),
          selected: !values.responsibleStaffId,
        },
        ...withCurrent(staff, item.responsibleStaff).map((s) => ({
          value: s.id,
          text: s.displayName,
          selected: s.id === values.responsibleStaffId,
        })),
      ],
      frequencies: frequencyOptions(t, values.frequency),
      statuses: optionsOf(t, INTERVENTION_STATUS, values.status),
    };
    const heading = t('plans.interventionPage.title', { title: model.item.title });
    const template = 'pages/plans/intervention.njk';
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
          INTERVENTION_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  @Get(':id/interventions/:itemId/remove')
  @Authorize('update', 'Plan')
  async removeInterventionPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
  ): Promise<void> {
    const page = await this.editable(ctx, id, request.uiPage!.locale);
    const item = this.findIntervention(page, ctx, itemId);
    const t = request.uiPage!.t;
    return this.pages.render(
      reply,
      request,
      ctx,
      page,
      'pages/plans/remove.njk',
      t('plans.remove.interventionTitle'),
      {
        what: item.title ?? item.catalogueCode,
        action: `/plans/${id}/interventions/${itemId}/remove`,
        hint: t('plans.remove.interventionHint'),
      },
    );
  }

  @Post(':id/interventions/:itemId/remove')
  @Authorize('update', 'Plan')
  async removeIntervention(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.editable(ctx, id);
    this.findIntervention(page, ctx, itemId);
    const content = editableContent(page.plan, editTarget(page.plan, ctx.actor.id));
    await this.change(ctx, page, postedVersion(body), {
      interventions: content.interventions.filter((i) => i.id !== itemId).map(interventionInput),
    });
    return redirect(reply, `/plans/${id}#interventions`);
  }

  // ---------------------------------------------------------------- consent

  @Get(':id/interventions/:itemId/consent')
  @Authorize('update', 'Plan')
  async consentPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const item = this.findIntervention(page, ctx, itemId);
    return this.consentForm(ctx, request, reply, page, item, {
      given: '',
      recordedOn: today(),
      note: '',
    });
  }

  @Post(':id/interventions/:itemId/consent')
  @Authorize('update', 'Plan')
  async recordConsent(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('itemId') itemId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const page = await this.pages.load(ctx, id, request.uiPage!.locale);
    const item = this.findIntervention(page, ctx, itemId);
    const values = {
      given: field(body, 'given'),
      recordedOn: field(body, 'recordedOn'),
      note: field(body, 'note'),
    };
    const { value, errors } = await validateForm(ConsentDto, {
      given: values.given === 'yes' ? true : values.given === 'no' ? false : undefined,
      recordedOn: values.recordedOn,
      note: optional(values.note) ?? null,
    });
    if (errors.length > 0) return this.consentForm(ctx, request, reply, page, item, values, errors);
    // Consent is delivery: it takes effect on the plan at once (on the pending revision only
    // for an intervention that revision adds).
    const current = page.plan.interventions;
    const inCurrent = current.some((i) => i.id === item.id);
    const list = (inCurrent ? current : (page.plan.pendingRevision?.interventions ?? [])).map(
      (i) =>
        i.id === item.id ? { ...interventionInput(i), consent: value } : interventionInput(i),
    );
    const index = list.findIndex((i) => i.id === item.id);
    try {
      if (inCurrent) await this.plans.update(ctx, id, postedVersion(body), { interventions: list });
      else await this.revisions.update(ctx, id, postedVersion(body), { interventions: list });
    } catch (error) {
      const refused = refusedFields(error, 'given');
      if (!refused) throw error;
      const named = itemFieldErrors(refused, 'interventions', index).map((e) => ({
        ...e,
        path: e.path.replace(/^consent\./, ''),
      }));
      return this.consentForm(ctx, request, reply, page, item, values, named);
    }
    return redirect(reply, `/plans/${id}#intervention-${item.id}`);
  }

  private consentForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    page: PlanPage,
    item: InterventionResponse,
    values: Record<string, string>,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const entry = page.catalogue?.interventions.find((e) => e.code === item.catalogueCode);
    const model = {
      item: {
        id: item.id,
        title: item.title ?? item.catalogueCode,
        faith: item.type === 'faith_dialogue',
        consentNotes: entry?.consentNotes ?? '',
        consent: item.consent,
      },
      values,
    };
    const heading = t('plans.consentPage.title', { title: model.item.title });
    const template = 'pages/plans/consent.njk';
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
          CONSENT_FIELDS,
        )
      : this.pages.render(reply, request, ctx, page, template, heading, model);
  }

  // ---------------------------------------------------------------- shared

  /**
   * The plan, when its programme may be changed by the caller now: not while a revision that
   * is submitted, or someone else's, waits for a decision (409: it is decided first).
   */
  private async editable(ctx: RequestContext, id: string, locale?: Locale): Promise<PlanPage> {
    const page = await this.pages.load(ctx, id, locale);
    if (editTarget(page.plan, ctx.actor.id) === 'blocked') {
      throw conflict(
        'revision_pending',
        `Revision ${page.plan.pendingRevision!.revision} of this plan awaits a decision`,
      );
    }
    return page;
  }

  private findGoal(page: PlanPage, ctx: RequestContext, goalId: string): GoalResponse {
    const goals = editableContent(page.plan, editTarget(page.plan, ctx.actor.id)).goals;
    const goal = goals.find((g) => g.id === goalId);
    if (!goal) throw notFound('Goal');
    return goal;
  }

  /** An intervention of the plan, or of the caller's pending revision. */
  private findIntervention(
    page: PlanPage,
    ctx: RequestContext,
    itemId: string,
  ): InterventionResponse {
    const target = editTarget(page.plan, ctx.actor.id);
    const item =
      editableContent(page.plan, target).interventions.find((i) => i.id === itemId) ??
      page.plan.interventions.find((i) => i.id === itemId);
    if (!item || !page.can.full) throw notFound('Intervention');
    return item;
  }

  /**
   * A change to goals or interventions: to the plan (a draft; or an active plan, where the
   * service makes a material change the pending revision), or to the caller's own pending
   * revision, after `delivery` (the same items' delivery fields) is applied to the plan.
   */
  private async change(
    ctx: RequestContext,
    page: PlanPage,
    version: number,
    change: UpdatePlanDto,
    delivery?: UpdatePlanDto,
  ): Promise<PlanResponse> {
    const id = page.plan.id;
    if (editTarget(page.plan, ctx.actor.id) !== 'revision')
      return this.plans.update(ctx, id, version, change);
    let current = version;
    if (delivery) current = (await this.plans.update(ctx, id, version, delivery)).version;
    return this.revisions.update(ctx, id, current, {
      goals: change.goals,
      interventions: change.interventions,
    });
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

/** The staff to choose from, with the one named now even if they left the facility. */
function withCurrent(
  staff: { id: string; displayName: string }[],
  current: { id: string; displayName: string } | null,
) {
  return current && !staff.some((s) => s.id === current.id) ? [current, ...staff] : staff;
}
