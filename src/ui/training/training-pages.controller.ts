import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound, ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { TRAINING_RELIABILITIES, TRAINING_SOURCES } from '../../training/training-scoring.js';
import { TrainingService, type AttemptView } from '../../training/training.service.js';
import { PageController } from '../common/page-controller.js';
import { problemCode, refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, fields, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import type { Translate } from '../i18n/catalogue.js';

const NOT_RATED = 'not_rated';
const NEED_CODES = [
  'identity_belonging',
  'grievance',
  'ideology',
  'social_network',
  'family',
  'education',
  'employment',
  'mental_health',
  'practical_reintegration',
] as const;
type NeedCode = (typeof NEED_CODES)[number];
/** Needs with a label in the catalogues; another instrument's needs show their code. */
const NEED_KEYS = new Set<string>(NEED_CODES);

/** Field errors as the error summary and the fields show them; ids are the form's own. */
function errorModel(errors: FieldError[]) {
  const idOf = (path: string) =>
    path
      .replace(/^ratings\.([A-Z0-9_]+)\.value$/, 'rating-$1')
      .replace(/^ratings\.([A-Z0-9_]+)\.notRated$/, 'rating-$1')
      .replace(/^ratings\.([A-Z0-9_]+)\.(\w+)$/, '$2-$1')
      .replace(/^ratings\.([A-Z0-9_]+)$/, 'rating-$1')
      .replace(/^finalNeeds\[(\d+)\].*$/, 'finalNeeds')
      .replace(/^ratings$/, 'ratings');
  const byId: Record<string, { text: string }> = {};
  for (const e of errors) byId[idOf(e.path)] ??= { text: e.message };
  return {
    summary: errors.map((e) => ({ text: e.message, href: `#${idOf(e.path)}` })),
    fields: byId,
  };
}

/**
 * Training on fictional practice cases: the list, the case file, a rating form per domain (the
 * same item model as an assessment: rating or not rated with a reason, evidence for and against,
 * sources, reliability), the final judgement, and after submission the item-by-item comparison
 * with the reference. Supervisors get the calibration overview. Every page carries the
 * "Training: fictional case" banner (the layout of pages/training).
 */
@PageController('training')
export class TrainingPagesController {
  constructor(
    private readonly training: TrainingService,
    private readonly instruments: InstrumentsService,
  ) {}

  @Get()
  @Authorize('read', 'PracticeCase')
  async list(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    const [cases, progress] = await Promise.all([
      this.training.listCases(ctx),
      this.training.progress(ctx),
    ]);
    await render(reply, 'pages/training/list.njk', { cases, progress });
  }

  @Get('cases/:id')
  @Authorize('read', 'PracticeCase')
  async caseFile(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const t = reply.request.uiPage!.t;
    const practiceCase = await this.training.getCase(ctx, id);
    const sections = practiceCase.sections.map((s) => ({
      ...s,
      typeLabel: t(`training.section.${s.type}`),
    }));
    await render(reply, 'pages/training/case.njk', {
      practiceCase: { ...practiceCase, sections },
    });
  }

  @Post('cases/:id/attempts')
  @Authorize('create', 'TrainingAttempt')
  async start(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    try {
      const attempt = await this.training.startAttempt(ctx, id);
      return redirect(reply, `/training/attempts/${attempt.id}`);
    } catch (error) {
      if (problemCode(error) !== 'attempt_open') throw error;
      const open = (error as ProblemException).body as { attemptId?: string };
      return redirect(reply, `/training/attempts/${open.attemptId}`);
    }
  }

  @Get('attempts/:id')
  @Authorize('read', 'TrainingAttempt')
  async attempt(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const attempt = await this.training.getAttempt(ctx, id);
    const definition = await this.definition(attempt);
    if (attempt.status === 'submitted')
      return render(
        reply,
        'pages/training/results.njk',
        this.resultsModel(request.uiPage!.t, attempt, definition),
      );
    return render(
      reply,
      'pages/training/attempt.njk',
      this.taskListModel(request.uiPage!.t, attempt, definition),
    );
  }

  @Get('attempts/:id/domains/:domain')
  @Authorize('update', 'TrainingAttempt')
  async domain(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Param('domain') code: string,
  ): Promise<void> {
    const attempt = await this.training.getAttempt(ctx, id);
    if (attempt.status !== 'draft') return redirect(reply, `/training/attempts/${id}`);
    const definition = await this.definition(attempt);
    const model = this.domainModel(reply.request.uiPage!.t, attempt, definition, code, undefined);
    await render(reply, 'pages/training/domain.njk', model);
  }

  @Post('attempts/:id/domains/:domain')
  @Authorize('update', 'TrainingAttempt')
  async saveDomain(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Param('domain') code: string,
    @Body() body: unknown,
  ): Promise<void> {
    const attempt = await this.training.getAttempt(ctx, id);
    const definition = await this.definition(attempt);
    const domain = definition.domains.find((d) => d.code === code);
    if (!domain) throw notFound('Domain');
    const ratings: Record<string, unknown> = {};
    for (const item of domain.items) {
      const choice = field(body, `rating-${item.code}`);
      const text = (name: string) => field(body, `${name}-${item.code}`).trim() || null;
      const rating = {
        value: choice && choice !== NOT_RATED ? choice : null,
        notRated: choice === NOT_RATED ? true : null,
        reason: choice === NOT_RATED ? text('reason') : null,
        evidenceFor: text('evidenceFor'),
        evidenceAgainst: text('evidenceAgainst'),
        sources: fields(body, `sources-${item.code}`),
        reliability: text('reliability'),
      };
      const empty = !choice && !rating.evidenceFor && !rating.evidenceAgainst;
      ratings[item.code] = empty ? null : rating;
    }
    try {
      await this.training.updateAttempt(ctx, id, postedVersion(body), { ratings });
    } catch (error) {
      const refused = refusedFields(error, 'ratings');
      const stale = problemCode(error) === 'version_conflict';
      if (!refused && !stale) throw error;
      const errors = refused ?? [
        { path: 'ratings', message: reply.request.uiPage!.t('training.errors.stale') },
      ];
      const model = this.domainModel(reply.request.uiPage!.t, attempt, definition, code, body);
      return render(
        reply,
        'pages/training/domain.njk',
        { ...model, errors: errorModel(errors) },
        422,
      );
    }
    return redirect(reply, `/training/attempts/${id}`);
  }

  @Get('attempts/:id/judgement')
  @Authorize('update', 'TrainingAttempt')
  async judgement(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const attempt = await this.training.getAttempt(ctx, id);
    if (attempt.status !== 'draft') return redirect(reply, `/training/attempts/${id}`);
    const definition = await this.definition(attempt);
    await render(
      reply,
      'pages/training/judgement.njk',
      this.judgementModel(reply.request.uiPage!.t, attempt, definition),
    );
  }

  @Post('attempts/:id/judgement')
  @Authorize('update', 'TrainingAttempt')
  async saveJudgement(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const attempt = await this.training.getAttempt(ctx, id);
    const definition = await this.definition(attempt);
    const needs = [...new Set(definition.domains.flatMap((d) => d.items.map((i) => i.need)))]
      .filter((n): n is string => !!n)
      .map((code) => ({ code, priority: field(body, `need-${code}`) }))
      .filter((n) => n.priority !== '');
    try {
      await this.training.updateAttempt(ctx, id, postedVersion(body), {
        finalLevel: field(body, 'finalLevel') || null,
        finalNeeds: definition.purpose === 'needs' ? needs : null,
        finalRationale: field(body, 'finalRationale').trim() || null,
      });
    } catch (error) {
      const refused = refusedFields(error, 'finalRationale');
      if (!refused && problemCode(error) !== 'version_conflict') throw error;
      const errors = refused ?? [
        { path: 'finalRationale', message: reply.request.uiPage!.t('training.errors.stale') },
      ];
      return render(
        reply,
        'pages/training/judgement.njk',
        {
          ...this.judgementModel(reply.request.uiPage!.t, attempt, definition),
          errors: errorModel(errors),
        },
        422,
      );
    }
    return redirect(reply, `/training/attempts/${id}`);
  }

  @Post('attempts/:id/submit')
  @Authorize('submit', 'TrainingAttempt')
  async submit(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    try {
      await this.training.submitAttempt(ctx, id, postedVersion(body));
    } catch (error) {
      const refused = refusedFields(error, 'ratings');
      if (!refused && problemCode(error) !== 'version_conflict') throw error;
      const attempt = await this.training.getAttempt(ctx, id);
      const definition = await this.definition(attempt);
      const errors = refused ?? [
        { path: 'ratings', message: request.uiPage!.t('training.errors.stale') },
      ];
      return render(
        reply,
        'pages/training/attempt.njk',
        {
          ...this.taskListModel(request.uiPage!.t, attempt, definition),
          errors: this.submitErrors(errors, id, definition),
        },
        422,
      );
    }
    return redirect(reply, `/training/attempts/${id}`);
  }

  @Get('overview')
  @Authorize('read', 'TrainingOverview')
  async overview(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    const t = reply.request.uiPage!.t;
    const found = await this.training.overview(ctx);
    const overview = {
      ...found,
      people: found.people.map((p) => ({
        ...p,
        instruments: p.instruments.map((i) => ({
          ...i,
          statusLabel: t(`training.status.${i.status}`),
        })),
      })),
    };
    const instrumentKeys = [
      ...new Set(overview.people.flatMap((p) => p.instruments.map((i) => i.instrumentKey))),
    ];
    await render(reply, 'pages/training/overview.njk', { ...overview, instrumentKeys });
  }

  // ---------------------------------------------------------------- models

  private async definition(attempt: AttemptView): Promise<InstrumentDefinition> {
    const version = await this.instruments.getVersion(
      attempt.instrument.key,
      attempt.instrument.version,
    );
    return version!.definition as InstrumentDefinition;
  }

  /** Submit errors link to the domain page of the item they are about. */
  private submitErrors(errors: FieldError[], id: string, definition: InstrumentDefinition) {
    const domainOf = new Map(
      definition.domains.flatMap((d) => d.items.map((i) => [i.code, d.code] as const)),
    );
    return {
      summary: errors.map((e) => {
        const item = /^ratings\.([A-Z][A-Z0-9_]*)/.exec(e.path)?.[1];
        const href = item
          ? `/training/attempts/${id}/domains/${domainOf.get(item)}#rating-${item}`
          : e.path.startsWith('final')
            ? `/training/attempts/${id}/judgement`
            : '#tasks';
        return { text: item ? `${item}: ${e.message}` : e.message, href };
      }),
      fields: {},
    };
  }

  private taskListModel(t: Translate, attempt: AttemptView, definition: InstrumentDefinition) {
    const rated = new Map(attempt.ratings.map((r) => [r.item, r]));
    const domains = definition.domains.map((d) => {
      const done = d.items.filter((i) => rated.get(i.code)?.value || rated.get(i.code)?.notRated);
      return {
        code: d.code,
        title: d.title,
        href: `/training/attempts/${attempt.id}/domains/${d.code}`,
        status:
          done.length === d.items.length
            ? t('training.status.completed')
            : done.length === 0
              ? t('training.status.notStarted')
              : t('training.status.inProgress', { done: done.length, total: d.items.length }),
        completed: done.length === d.items.length,
      };
    });
    const judged =
      definition.purpose === 'needs' ? attempt.finalNeeds.length > 0 : !!attempt.finalLevel;
    return { attempt, definition, domains, judged, indicative: attempt.indicative };
  }

  private domainModel(
    t: Translate,
    attempt: AttemptView,
    definition: InstrumentDefinition,
    code: string,
    posted: unknown,
  ) {
    const domain = definition.domains.find((d) => d.code === code);
    if (!domain) throw notFound('Domain');
    const rated = new Map(attempt.ratings.map((r) => [r.item, r]));
    const scales = new Map(definition.scales.map((s) => [s.code, s]));
    const items = domain.items.map((item) => {
      const stored = rated.get(item.code);
      const value = (name: string, fallback: string | undefined) =>
        posted === undefined ? (fallback ?? '') : field(posted, `${name}-${item.code}`);
      return {
        code: item.code,
        prompt: item.prompt,
        guidance: item.guidance,
        note: item.nonDiscriminationNote,
        options: scales.get(item.scale)!.options.map((o) => ({ value: o.code, text: o.label })),
        scaleLabel: scales.get(item.scale)!.label,
        values: {
          rating: value('rating', stored?.notRated ? NOT_RATED : stored?.value),
          reason: value('reason', stored?.reason),
          evidenceFor: value('evidenceFor', stored?.evidenceFor),
          evidenceAgainst: value('evidenceAgainst', stored?.evidenceAgainst),
          sources:
            posted === undefined ? (stored?.sources ?? []) : fields(posted, `sources-${item.code}`),
          reliability: value('reliability', stored?.reliability),
        },
      };
    });
    return {
      attempt,
      domain: { code: domain.code, title: domain.title, description: domain.description },
      items,
      notRated: NOT_RATED,
      sources: TRAINING_SOURCES.map((value) => ({ value, text: t(`training.source.${value}`) })),
      reliabilities: TRAINING_RELIABILITIES.map((value) => ({
        value,
        text: t(`training.reliability.${value}`),
      })),
      version: attempt.version,
    };
  }

  private judgementModel(t: Translate, attempt: AttemptView, definition: InstrumentDefinition) {
    const needs = [...new Set(definition.domains.flatMap((d) => d.items.map((i) => i.need)))]
      .filter((n): n is string => !!n)
      .map((code) => ({
        code,
        priority: attempt.finalNeeds.find((n) => n.code === code)?.priority ?? '',
        label: NEED_KEYS.has(code) ? t(`training.need.${code as NeedCode}`) : code,
      }));
    return {
      attempt,
      purpose: definition.purpose,
      levels: (definition.levels ?? []).map((l) => ({ value: l.code, text: l.label })),
      priorities: (definition.needPriorities?.priorities ?? []).map((p) => ({
        value: p.code,
        text: p.label,
      })),
      needs,
      indicativeLevel: attempt.indicative.level,
      values: {
        finalLevel: attempt.finalLevel ?? '',
        finalRationale: attempt.finalRationale ?? '',
      },
    };
  }

  private resultsModel(t: Translate, attempt: AttemptView, definition: InstrumentDefinition) {
    const labels = new Map(
      definition.scales.flatMap((s) => s.options.map((o) => [`${s.code}:${o.code}`, o.label])),
    );
    const scaleOf = new Map(
      definition.domains.flatMap((d) => d.items.map((i) => [i.code, i.scale] as const)),
    );
    const label = (item: string, value: string | null) =>
      value ? (labels.get(`${scaleOf.get(item)}:${value}`) ?? value) : null;
    const levelLabel = (code: string | null) =>
      code ? (definition.levels?.find((l) => l.code === code)?.label ?? code) : null;
    const agreement = attempt.agreement!;
    return {
      attempt,
      agreement,
      items: agreement.items.map((i) => ({
        ...i,
        traineeLabel: label(i.item, i.trainee.value),
        referenceLabel: label(i.item, i.reference.value),
        outcomeLabel: t(`training.outcome.${i.outcome}`),
      })),
      final: {
        trainee: levelLabel(agreement.finalJudgement.trainee),
        reference: levelLabel(agreement.finalJudgement.reference),
      },
      percent: (rate: number | null) => (rate === null ? null : Math.round(rate * 100)),
      certification: attempt.certification,
    };
  }
}
