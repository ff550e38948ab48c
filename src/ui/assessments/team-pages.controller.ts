import { Body, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject, CONTRIBUTION_CLASSES } from '../../access/ability.factory.js';
import { isEditable } from '../../assessments/assessment-rules.js';
import { ContributionsService } from '../../assessments/team/contributions.service.js';
import { CountersignAssignmentsService } from '../../assessments/team/countersign-assignments.service.js';
import {
  CONTRIBUTION_SOURCES,
  CreateContributionDto,
  CreateCountersignAssignmentDto,
  type RatingSetsResponse,
} from '../../assessments/team/dto/team.dto.js';
import { RatingSetsService } from '../../assessments/team/rating-sets.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound, ProblemException } from '../../errors/problem.exception.js';
import { formErrors, problemFieldErrors, validateForm, type FormErrors } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import type { PageState } from '../common/page-state.js';
import { redirect, render } from '../common/render.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { AssessmentPageData, type LoadedAssessment } from './assessment-page-data.js';
import { formBody, textOf, type FormBody } from './form-body.js';

const AssessmentId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));
const AssignmentId = () =>
  Param('assignment', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

const CONTRIBUTION_FIELDS = {
  observation: { id: 'observation', message: 'team.contributions.errors.observation' },
  source: { id: 'source', message: 'team.contributions.errors.source' },
  observedOn: { id: 'observedOn', message: 'team.contributions.errors.observedOn' },
  confidentiality: { id: 'confidentiality', message: 'team.contributions.errors.confidentiality' },
} as const;
const ASSIGN_FIELDS = {
  assigneeId: { id: 'assigneeId', message: 'team.assign.errors.assignee' },
  reason: { id: 'reason', message: 'team.assign.errors.reason' },
} as const;

const one = (text: string, href: string, field: string): FormErrors => ({
  summary: [{ text, href }],
  fields: { [field]: { text } },
});

/**
 * Team working on an assessment, through the same services as the API: other disciplines'
 * contributions (list and add), the supervisors' countersign assignment, and the two blind
 * rating sets with their comparison and the lead's consensus. No JavaScript needed.
 */
@PageController('assessments')
export class TeamPagesController {
  constructor(
    private readonly data: AssessmentPageData,
    private readonly contributions: ContributionsService,
    private readonly assignments: CountersignAssignmentsService,
    private readonly ratingSets: RatingSetsService,
  ) {}

  // ---------------------------------------------------------------- contributions

  @Get(':id/contributions')
  @Authorize('read', 'Contribution')
  async contributionsPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const done = (request.query as Record<string, string>).done === 'added';
    return this.contributionsForm(ctx, request.uiPage!, reply, id, {}, undefined, done);
  }

  @Post(':id/contributions')
  @Authorize('create', 'Contribution')
  async addContribution(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const body = formBody(raw);
    const values = {
      observation: textOf(body, 'observation'),
      source: textOf(body, 'source'),
      observedOn: textOf(body, 'observedOn'),
      confidentiality: textOf(body, 'confidentiality'),
    };
    const { value, errors } = await validateForm(CreateContributionDto, values);
    let shown = errors.length ? formErrors(state.t, errors, CONTRIBUTION_FIELDS) : undefined;
    if (!shown) {
      try {
        await this.contributions.create(ctx, id, value);
        return await redirect(reply, `/assessments/${id}/contributions?done=added`);
      } catch (error) {
        const code = error instanceof ProblemException ? error.body.code : undefined;
        if (code === 'confidentiality_not_permitted')
          shown = one(
            state.t('team.contributions.errors.notPermitted'),
            '#confidentiality',
            'confidentiality',
          );
        else {
          const fields = problemFieldErrors(error);
          if (!fields) throw error;
          shown = formErrors(state.t, fields, CONTRIBUTION_FIELDS);
        }
      }
    }
    return this.contributionsForm(ctx, state, reply, id, values, shown);
  }

  private async contributionsForm(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    id: string,
    values: Record<string, string>,
    errors?: FormErrors,
    done = false,
  ): Promise<void> {
    const t = state.t;
    const loaded = await this.data.load(ctx, id, state.locale);
    const list = await this.contributions.list(ctx, id);
    const fields = this.fields(loaded);
    const subject = asSubject('Contribution', fields);
    const mayAdd = isEditable(loaded.assessment.status) && ctx.ability.can('create', subject);
    return render(
      reply,
      'pages/assessments/contributions.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        done: done ? t('team.contributions.done') : undefined,
        values,
        errors,
        mayAdd,
        closed: !isEditable(loaded.assessment.status) && ctx.ability.can('create', subject),
        items: list.items.map((c) => ({
          observation: c.observation,
          by: t('team.contributions.by', {
            name: c.author.displayName,
            discipline: c.discipline.replace(/_/g, ' '),
            date: c.observedOn,
          }),
          source: t(`team.contributions.source.${c.source}` as MessageKey),
          confidentiality: t(
            `team.contributions.confidentiality.${c.confidentiality}` as MessageKey,
          ),
        })),
        sources: CONTRIBUTION_SOURCES.map((s) => ({
          value: s,
          text: t(`team.contributions.source.${s}` as MessageKey),
        })),
        classes: CONTRIBUTION_CLASSES.filter((c) => ctx.ability.can('read', subject, c)).map(
          (c) => ({ value: c, text: t(`team.contributions.confidentiality.${c}` as MessageKey) }),
        ),
      },
      errors ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- countersign assignment

  @Get(':id/countersign-assignment')
  @Authorize('assign', 'CountersignAssignment')
  async assignmentPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const done = (request.query as Record<string, string>).done;
    return this.assignmentForm(ctx, request.uiPage!, reply, id, {}, undefined, done);
  }

  @Post(':id/countersign-assignment')
  @Authorize('assign', 'CountersignAssignment')
  async assign(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const body = formBody(raw);
    const values = { assigneeId: textOf(body, 'assigneeId'), reason: textOf(body, 'reason') };
    const { value, errors } = await validateForm(CreateCountersignAssignmentDto, values);
    let shown = errors.length ? formErrors(state.t, errors, ASSIGN_FIELDS) : undefined;
    if (!shown) {
      try {
        await this.assignments.create(ctx, id, value);
        return await redirect(reply, `/assessments/${id}/countersign-assignment?done=assigned`);
      } catch (error) {
        const code = error instanceof ProblemException ? error.body.code : undefined;
        if (code === 'assignment_live')
          shown = one(state.t('team.assign.errors.live'), '#assigneeId', 'assigneeId');
        else {
          const fields = problemFieldErrors(error);
          if (!fields) throw error;
          shown = formErrors(state.t, fields, ASSIGN_FIELDS);
        }
      }
    }
    return this.assignmentForm(ctx, state, reply, id, values, shown);
  }

  @Post(':id/countersign-assignment/:assignment/revoke')
  @Authorize('revoke', 'CountersignAssignment')
  async revoke(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @AssignmentId() assignment: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const version = Number(textOf(formBody(raw), 'version'));
    await this.assignments.revoke(ctx, assignment, Number.isInteger(version) ? version : 0);
    return redirect(reply, `/assessments/${id}/countersign-assignment?done=revoked`);
  }

  private async assignmentForm(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    id: string,
    values: Record<string, string>,
    errors?: FormErrors,
    done?: string,
  ): Promise<void> {
    const t = state.t;
    const loaded = await this.data.load(ctx, id, state.locale);
    const page = await this.assignments.page(ctx, id);
    return render(
      reply,
      'pages/assessments/countersign-assignment.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        done:
          done === 'assigned'
            ? t('team.assign.done')
            : done === 'revoked'
              ? t('team.assign.revoked')
              : undefined,
        values,
        errors,
        live: page.items.some((a) => a.state === 'live'),
        items: page.items.map((a) => ({
          id: a.id,
          version: a.version,
          assignee: a.assignee.displayName,
          state: a.state,
          stateText: t(`team.assign.state.${a.state}` as MessageKey),
          by: t('team.assign.assignedBy', {
            name: a.assignedBy.displayName,
            date: a.assignedAt.slice(0, 10),
          }),
          reason: a.reason,
        })),
        candidates: page.candidates.map((c) => ({
          value: c.id,
          text: c.displayName,
          checked: values.assigneeId === c.id,
        })),
      },
      errors ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- double rating

  @Get(':id/double-rating')
  @Authorize('read', 'Assessment')
  async doubleRatingPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const done = (request.query as Record<string, string>).done === 'saved';
    return this.doubleRatingForm(ctx, request.uiPage!, reply, id, undefined, undefined, done);
  }

  @Post(':id/double-rating/ratings')
  @Authorize('update', 'RatingSet')
  async saveRatings(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const body = formBody(raw);
    const state = request.uiPage!;
    const definition = await this.data.instrumentFor(ctx, id, state.locale);
    const ratings: Record<string, unknown> = {};
    for (const item of definition.domains.flatMap((d) => d.items)) {
      const value = textOf(body, `value-${item.code}`);
      const evidence = textOf(body, `evidence-${item.code}`);
      if (value) ratings[item.code] = { value, ...(evidence ? { evidenceFor: evidence } : {}) };
    }
    const version = Number(textOf(body, 'version')) || 0;
    try {
      await this.ratingSets.update(ctx, id, version, ratings);
      if (textOf(body, 'action') === 'submit') await this.submitOwn(ctx, id);
      return await redirect(reply, `/assessments/${id}/double-rating?done=saved`);
    } catch (error) {
      const code = error instanceof ProblemException ? error.body.code : undefined;
      if (code === 'rating_set_empty')
        return this.doubleRatingForm(
          ctx,
          state,
          reply,
          id,
          body,
          one(state.t('team.double.errors.empty'), '#ratings', 'ratings'),
        );
      const fields = problemFieldErrors(error);
      if (!fields) throw error;
      return this.doubleRatingForm(
        ctx,
        state,
        reply,
        id,
        body,
        one(state.t('team.double.errors.rating'), '#ratings', 'ratings'),
      );
    }
  }

  @Post(':id/double-rating/consensus')
  @Authorize('update', 'Assessment')
  async consensus(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const body = formBody(raw);
    const state = request.uiPage!;
    const sets = await this.ratingSets.get(ctx, id);
    const lead = sets.sets.find((s) => s.lead)?.ratings ?? {};
    const second = sets.sets.find((s) => !s.lead)?.ratings ?? {};
    const ratings: Record<string, unknown> = {};
    for (const code of new Set([...Object.keys(lead), ...Object.keys(second)])) {
      const differs = sets.differences.some((d) => d.item === code);
      const value = differs ? textOf(body, `value-${code}`) : (lead[code] ?? second[code]).value;
      if (!value) continue;
      // The agreed value keeps the evidence of the set that gave it (the lead's first).
      const source = [lead[code], second[code]].find((r) => r?.value === value);
      ratings[code] = { ...(source ?? {}), value };
    }
    const rationale = textOf(body, 'rationale');
    const version = Number(textOf(body, 'version')) || 0;
    const errors: FormErrors = { summary: [], fields: {} };
    if (sets.differences.some((d) => !ratings[d.item])) {
      const text = state.t('team.double.errors.rating');
      errors.summary.push({ text, href: '#consensus' });
      errors.fields.consensus = { text };
    }
    if (rationale.trim().length < 3) {
      const text = state.t('team.double.errors.rationale');
      errors.summary.push({ text, href: '#rationale' });
      errors.fields.rationale = { text };
    }
    if (errors.summary.length === 0) {
      try {
        await this.data.assessments.recordConsensus(ctx, id, version, { ratings, rationale });
        return await redirect(reply, `/assessments/${id}/double-rating?done=saved`);
      } catch (error) {
        const fields = problemFieldErrors(error);
        if (!fields) throw error;
        const text = state.t('team.double.errors.rating');
        errors.summary.push({ text, href: '#consensus' });
        errors.fields.consensus = { text };
      }
    }
    return this.doubleRatingForm(ctx, state, reply, id, body, errors);
  }

  private async submitOwn(ctx: RequestContext, id: string): Promise<void> {
    const now = await this.ratingSets.get(ctx, id);
    await this.ratingSets.submit(ctx, id, now.mine?.version ?? 0);
  }

  private async doubleRatingForm(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    id: string,
    body?: FormBody,
    errors?: FormErrors,
    done = false,
  ): Promise<void> {
    const t = state.t;
    const loaded = await this.data.load(ctx, id, state.locale);
    const sets: RatingSetsResponse = await this.ratingSets.get(ctx, id);
    const definition = loaded.definition;
    const optionsOf = (scale: string) =>
      definition.scales.find((s) => s.code === scale)?.options ?? [];
    const labelOf = (scale: string, value: string | null) =>
      value === null
        ? t('team.double.notRated')
        : value === 'not_rated'
          ? t('team.double.notRated')
          : (optionsOf(scale).find((o) => o.code === value)?.label ?? value);
    const items = definition.domains.flatMap((d) => d.items.map((i) => ({ ...i, domain: d })));
    const mine = sets.mine?.ratings ?? {};
    const lead = sets.sets.find((s) => s.lead)?.ratings ?? {};
    const isLead = sets.mine?.lead === true;
    return render(
      reply,
      'pages/assessments/double-rating.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        done: done ? t('team.double.done') : undefined,
        errors,
        stage: sets.stage,
        consensus: loaded.assessment.consensus
          ? t('team.double.recorded', { name: loaded.assessment.consensus.recordedBy.displayName })
          : undefined,
        rationaleText: loaded.assessment.consensus?.rationale,
        assessmentVersion: loaded.assessment.version,
        mine: sets.mine && {
          version: sets.mine.version,
          submitted: sets.mine.submittedAt !== null,
          editable: sets.mine.submittedAt === null && isEditable(loaded.assessment.status),
          items: items.map((item) => {
            const chosen = body ? textOf(body, `value-${item.code}`) : mine[item.code]?.value;
            return {
              code: item.code,
              prompt: item.prompt,
              value: labelOf(item.scale, mine[item.code]?.value ?? null),
              evidence: body
                ? textOf(body, `evidence-${item.code}`)
                : (mine[item.code]?.evidenceFor ?? ''),
              options: optionsOf(item.scale).map((o) => ({
                value: o.code,
                text: o.label,
                checked: chosen === o.code,
              })),
            };
          }),
        },
        differences: sets.differences.map((d) => {
          const item = items.find((i) => i.code === d.item)!;
          const chosen = body ? textOf(body, `value-${d.item}`) : lead[d.item]?.value;
          return {
            code: d.item,
            prompt: item.prompt,
            lead: labelOf(item.scale, d.lead),
            second: labelOf(item.scale, d.second),
            options: optionsOf(item.scale).map((o) => ({
              value: o.code,
              text: o.label,
              checked: chosen === o.code,
            })),
          };
        }),
        agreedText: t('team.double.agreed', { count: sets.agreed }),
        mayAgree: sets.stage !== 'rating' && isLead && isEditable(loaded.assessment.status),
        rationale: body ? textOf(body, 'rationale') : '',
      },
      errors ? 422 : 200,
    );
  }

  private fields(loaded: LoadedAssessment) {
    return {
      facilityId: loaded.prisoner.facility.id,
      prisonerId: loaded.assessment.prisonerId,
      assessmentId: loaded.assessment.id,
    };
  }
}
