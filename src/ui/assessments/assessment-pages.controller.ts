import { Body, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CountersignDto, ReasonDto } from '../../assessments/dto/assessment.dto.js';
import {
  CONFIDENCE,
  INDEX_FACTS,
  SCENARIO_IMMINENCE,
  SCENARIO_SEVERITIES,
  SCENARIO_TYPES,
} from '../../assessments/assessment-rules.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import {
  badRequest,
  forbidden,
  notFound,
  ProblemException,
  type FieldError,
} from '../../errors/problem.exception.js';
import type {
  InstrumentDefinition,
  InstrumentDomain,
  InstrumentItem,
} from '../../instruments/rule-sets/rule-set.types.js';
import {
  fieldId,
  formErrors,
  problemFieldErrors,
  validateForm,
  type FieldMessages,
} from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import type { PageState } from '../common/page-state.js';
import { redirect, render } from '../common/render.js';
import { rawMessage, type Locale, type MessageKey, type Translate } from '../i18n/catalogue.js';
import { formatDateTime, formatTime } from '../i18n/format.js';
import { AssessmentPageData, type LoadedAssessment } from './assessment-page-data.js';
import { itemPageModel, levelChoices } from './item-page.view.js';
import {
  formulationForm,
  itemForm,
  judgementForm,
  MAX_RECOMMENDATIONS,
  MAX_SCENARIOS,
  needsForm,
  optionLabel,
  participationForm,
  PRIORITY_LABEL,
  recommendationsForm,
  rowsIn,
  TAG_LABEL,
  type AssessmentForm,
} from './assessment-forms.js';
import {
  formBody,
  hiddenInputs,
  mergeEdits,
  openedFingerprints,
  textOf,
  type FormBody,
} from './form-body.js';
import {
  indicativeView,
  instrumentNeeds,
  ratingView,
  statusLabel,
  summaryModel,
} from './summary.view.js';
import {
  domainPath,
  itemPath,
  itemStatus,
  ratingsOf,
  reasonLinks,
  reasonsOf,
  sectionPath,
  sectionsFor,
  SECTIONS,
  sectionTitle,
  statusView,
  taskListModel,
  type Section,
  type SubmitReason,
} from './workspace.view.js';

/** An id in a page address; anything but a UUID is a page that does not exist. */
const AssessmentId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));
const ITEM_CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** The sections' pages, one route each (their handlers tell them apart by the last segment). */
const SECTION_ROUTES = SECTIONS.map((s) => `:id/${s}`);
const lastSegment = (request: FastifyRequest) =>
  (request.routeOptions.url ?? '').split('/').pop() ?? '';

const wantsJson = (request: FastifyRequest) =>
  String(request.headers.accept ?? '').includes('application/json');

/** The version the user edited: If-Match from a script, the hidden field from a form. */
function versionOf(request: FastifyRequest, body: FormBody): number | undefined {
  const header = request.headers['if-match'];
  const text = typeof header === 'string' && header ? header : textOf(body, 'version');
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

const problemCode = (error: unknown) =>
  error instanceof ProblemException ? error.body.code : undefined;

/** GOV.UK's character count in the reader's language (its own %{count} placeholders). */
const characterCountTexts = (locale: Locale) => ({
  under: rawMessage(locale, 'assessment.count.under'),
  at: rawMessage(locale, 'assessment.count.at'),
  over: rawMessage(locale, 'assessment.count.over'),
  description: rawMessage(locale, 'assessment.count.description'),
});

/** Messages after a change, shown once on the page the change leads to (`?done=`). */
const DONE: Record<string, MessageKey> = {
  submitted: 'assessment.done.submitted',
  approved: 'assessment.done.approved',
  returned: 'assessment.done.returned',
  cancelled: 'assessment.done.cancelled',
  amended: 'assessment.done.amended',
  started: 'assessment.done.started',
  reviewed: 'assessment.done.reviewed',
};

/** The editing pages with a form, by the last part of their address. */
type FormPage = 'item' | Section;

const SECTION_TEMPLATE: Record<Section, string> = {
  formulation: 'pages/assessments/formulation.njk',
  needs: 'pages/assessments/needs.njk',
  recommendations: 'pages/assessments/recommendations.njk',
  participation: 'pages/assessments/participation.njk',
  judgement: 'pages/assessments/judgement.njk',
};

const COUNTERSIGN_FIELDS: FieldMessages = {
  decision: { id: 'decision', message: 'assessment.countersign.errors.decision' },
  comments: { id: 'comments', message: 'assessment.countersign.errors.comments' },
};
const REASON_FIELDS: FieldMessages = {
  reason: { id: 'reason', message: 'assessment.reasonForm.errors.reason' },
};

/**
 * The psychologist's assessment workspace: the task list, a page per domain and per item, the
 * sections after the ratings, check and submit, countersigning, amending and cancelling; and
 * the read-only assessment for everyone else. Every page calls AssessmentsService as the API
 * does; each form saves with the version the user opened (hidden field, or If-Match from the
 * autosave script), so a change made meanwhile is never overwritten silently.
 */
@PageController('assessments')
export class AssessmentPagesController {
  constructor(
    private readonly data: AssessmentPageData,
    private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------ the assessment

  @Get(':id')
  @Authorize('read', 'Assessment')
  async assessment(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const loaded = await this.data.load(ctx, id, state.locale);
    const actions = this.data.actions(loaded, ctx);
    const common = {
      ...this.data.frame(loaded, ctx, state),
      actions,
      done: done && DONE[done] ? state.t(DONE[done]) : undefined,
    };
    if (actions.edit) {
      const a = loaded.assessment;
      const returned = [...(a.history ?? [])].reverse().find((h) => h.to === 'returned');
      return render(reply, 'pages/assessments/task-list.njk', {
        ...common,
        tasks: taskListModel(a, loaded.definition, state.t),
        returned:
          a.status === 'returned' && returned
            ? { by: returned.actor.displayName, at: returned.at, comments: returned.comments }
            : undefined,
      });
    }
    return render(reply, 'pages/assessments/view.njk', {
      ...common,
      summary: await this.summary(loaded, state.t, state.locale),
    });
  }

  // ------------------------------------------------------------------ a domain and its items

  @Get(':id/domains/:domain')
  @Authorize('read', 'Assessment')
  async domain(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Param('domain') code: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const loaded = await this.editable(ctx, reply, id, request.uiPage!.locale);
    if (!loaded) return;
    const domain = loaded.definition.domains.find((d) => d.code === code);
    if (!domain) throw notFound('Domain');
    const a = loaded.assessment;
    const ratings = ratingsOf(a);
    const reasons = reasonsOf(a);
    const domainReasons = reasons.filter(
      (r) => r.domain === domain.code || domain.items.some((i) => i.code === r.item),
    );
    return render(reply, 'pages/assessments/domain.njk', {
      ...this.data.frame(loaded, ctx, state),
      domain: { code: domain.code, title: domain.title, description: domain.description ?? '' },
      minimumPercent: domain.minimumRatedPercent ?? loaded.definition.minimumRated.perDomainPercent,
      items: domain.items.map((item) => ({
        code: item.code,
        prompt: item.prompt,
        href: itemPath(id, item.code),
        status: statusView(itemStatus(item.code, ratings, reasons), state.t),
        ...ratingView(ratings[item.code], loaded.definition, item.scale, state.t),
      })),
      outstanding: reasonLinks(domainReasons, loaded.definition, a, state.t),
      firstItem: itemPath(id, domain.items[0].code),
    });
  }

  @Get(':id/items/:code')
  @Authorize('read', 'Assessment')
  async item(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Param('code') code: string,
    @Query('from') from?: string,
  ): Promise<void> {
    const loaded = await this.editable(ctx, reply, id, request.uiPage!.locale);
    if (!loaded) return;
    return this.formPage(ctx, request, reply, loaded, 'item', code, { from });
  }

  @Post(':id/items/:code')
  @Authorize('update', 'Assessment')
  saveItem(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Param('code') code: string,
    @Body() body: unknown,
  ): Promise<void> {
    return this.save(ctx, request, reply, id, 'item', code, formBody(body));
  }

  // ------------------------------------------------------------------ sections

  @Get(SECTION_ROUTES)
  @Authorize('read', 'Assessment')
  async section(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Query('from') from?: string,
  ): Promise<void> {
    const section = lastSegment(request) as Section;
    const loaded = await this.editable(ctx, reply, id, request.uiPage!.locale);
    if (!loaded) return;
    if (!sectionsFor(loaded.definition).includes(section)) throw notFound('Section');
    return this.formPage(ctx, request, reply, loaded, section, undefined, { from });
  }

  @Post(SECTION_ROUTES)
  @Authorize('update', 'Assessment')
  saveSection(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const section = lastSegment(request) as Section;
    return this.save(ctx, request, reply, id, section, undefined, formBody(body));
  }

  // ------------------------------------------------------------------ check and submit

  @Get(':id/check')
  @Authorize('read', 'Assessment')
  async check(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const loaded = await this.editable(ctx, reply, id, request.uiPage!.locale);
    if (!loaded) return;
    return this.checkPage(ctx, request.uiPage!, reply, loaded);
  }

  @Post(':id/submit')
  @Authorize('update', 'Assessment')
  async submit(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    try {
      await this.data.assessments.submit(ctx, id);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.body.code !== 'assessment_incomplete')
        throw error;
      const loaded = await this.data.load(ctx, id, request.uiPage!.locale);
      const reasons = (error.body.reasons as SubmitReason[] | undefined) ?? [];
      return this.checkPage(ctx, request.uiPage!, reply, loaded, reasons);
    }
    return redirect(reply, `/assessments/${id}?done=submitted`);
  }

  // ------------------------------------------------------------------ countersign

  @Get(':id/countersign')
  @Authorize('countersign', 'Assessment')
  async countersignPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const loaded = await this.data.load(ctx, id, request.uiPage!.locale);
    this.refuseCountersign(loaded, ctx);
    return this.countersignForm(ctx, request.uiPage!, reply, loaded, {});
  }

  @Post(':id/countersign')
  @Authorize('countersign', 'Assessment')
  async countersign(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const body = formBody(raw);
    const values = { decision: textOf(body, 'decision'), comments: textOf(body, 'comments') };
    const { errors } = await validateForm(CountersignDto, {
      decision: values.decision,
      ...(values.comments.trim() ? { comments: values.comments } : {}),
    });
    let problems: FieldError[] = errors;
    if (problems.length === 0) {
      try {
        await this.data.assessments.countersign(ctx, id, {
          decision: values.decision as 'approve' | 'return',
          ...(values.comments.trim() ? { comments: values.comments } : {}),
        });
        return redirect(
          reply,
          `/assessments/${id}?done=${values.decision === 'approve' ? 'approved' : 'returned'}`,
        );
      } catch (error) {
        const code = problemCode(error);
        if (code === 'certification_required' || code === 'own_assessment') {
          problems = [{ path: 'decision', message: (error as ProblemException).body.detail ?? '' }];
        } else {
          problems = problemFieldErrors(error) ?? [];
          if (problems.length === 0) throw error;
        }
      }
    }
    const loaded = await this.data.load(ctx, id, state.locale);
    return this.countersignForm(ctx, state, reply, loaded, values, problems);
  }

  // ------------------------------------------------------------------ amend and cancel

  @Get([':id/amend', ':id/cancel'])
  @Authorize('read', 'Assessment')
  async reasonPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const kind = lastSegment(request) as 'amend' | 'cancel';
    const loaded = await this.data.load(ctx, id, request.uiPage!.locale);
    const actions = this.data.actions(loaded, ctx);
    if (!actions[kind]) return redirect(reply, `/assessments/${id}`);
    return this.reasonForm(ctx, request.uiPage!, reply, loaded, kind, '');
  }

  @Post(':id/amend')
  @Authorize('create', 'Assessment')
  async amend(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    return this.withReason(ctx, request, reply, id, 'amend', raw, async (dto) => {
      const revision = await this.data.assessments.amend(ctx, id, dto);
      return `/assessments/${revision.id}?done=amended`;
    });
  }

  @Post(':id/cancel')
  @Authorize('update', 'Assessment')
  async cancel(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    return this.withReason(ctx, request, reply, id, 'cancel', raw, async (dto) => {
      await this.data.assessments.cancel(ctx, id, dto);
      return `/assessments/${id}?done=cancelled`;
    });
  }

  // ------------------------------------------------------------------ helpers: pages

  /** The assessment, if the caller is completing it; otherwise the reader goes to its page. */
  private async editable(
    ctx: RequestContext,
    reply: FastifyReply,
    id: string,
    locale: Locale,
  ): Promise<LoadedAssessment | undefined> {
    const loaded = await this.data.load(ctx, id, locale);
    if (this.data.editing(loaded)) return loaded;
    await redirect(reply, `/assessments/${id}`);
    return undefined;
  }

  private async summary(loaded: LoadedAssessment, t: Translate, locale: Locale) {
    return summaryModel(
      loaded.assessment,
      loaded.definition,
      t,
      await this.data.needLabels(loaded.definition, locale),
    );
  }

  private itemOf(definition: InstrumentDefinition, code: string) {
    if (!ITEM_CODE.test(code)) throw notFound('Item');
    for (const domain of definition.domains) {
      const item = domain.items.find((i) => i.code === code);
      if (item) return { domain, item };
    }
    throw notFound('Item');
  }

  private async formFor(
    page: FormPage,
    definition: InstrumentDefinition,
    t: Translate,
    locale: Locale,
    code?: string,
  ): Promise<AssessmentForm> {
    switch (page) {
      case 'item':
        return itemForm(this.itemOf(definition, code!).item, definition, t);
      case 'formulation':
        return formulationForm(t);
      case 'needs': {
        const labels = await this.data.needLabels(definition, locale);
        return needsForm(
          instrumentNeeds(definition).map((c) => ({ code: c, label: labels.get(c) ?? c })),
          t,
        );
      }
      case 'recommendations':
        return recommendationsForm(t);
      case 'participation':
        return participationForm(t);
      case 'judgement':
        return judgementForm(definition, t);
    }
  }

  /**
   * An editing page: what is saved now, or what the user posted (with the version and the
   * fingerprints they opened) when it is shown again with errors.
   */
  private async formPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: LoadedAssessment,
    page: FormPage,
    code: string | undefined,
    options: { from?: string; posted?: FormBody; errors?: FieldError[] },
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const a = loaded.assessment;
    const form = await this.formFor(page, loaded.definition, t, state.locale, code);
    const saved = form.values(a);
    const values = options.posted ?? saved;
    const messages = form.messages(values);
    const errors = options.errors?.length ? formErrors(t, options.errors, messages) : undefined;
    // Each field's message by the id of its element, as the templates name their fields.
    const errorsById = Object.fromEntries(
      Object.entries(errors?.fields ?? {}).map(([path, message]) => [
        messages[path]?.id ?? fieldId(path),
        message,
      ]),
    );
    const from = (options.posted ? textOf(options.posted, 'from') : options.from) === 'check';
    const common = {
      ...this.data.frame(loaded, ctx, state),
      values,
      errors,
      errorsById,
      counts: characterCountTexts(state.locale),
      formState: {
        action: page === 'item' ? itemPath(a.id, code!) : sectionPath(a.id, page),
        version: options.posted ? textOf(options.posted, 'version') : String(a.version),
        opened: options.posted
          ? textOf(options.posted, 'opened')
          : openedFingerprints(form.fields(saved), saved),
        fromCheck: from,
      },
    };
    if (page === 'item') {
      const { domain, item } = this.itemOf(loaded.definition, code!);
      return render(
        reply,
        'pages/assessments/item.njk',
        { ...common, ...this.itemModel(loaded, domain, item, t, state.locale) },
        errors ? 422 : 200,
      );
    }
    return render(
      reply,
      SECTION_TEMPLATE[page],
      {
        ...common,
        title: sectionTitle(page, t),
        ...(await this.sectionModel(loaded, page, values, t, state.locale)),
      },
      errors ? 422 : 200,
    );
  }

  private itemModel(
    loaded: LoadedAssessment,
    domain: InstrumentDomain,
    item: InstrumentItem,
    t: Translate,
    locale: string,
  ) {
    return itemPageModel(loaded.assessment, loaded.definition, domain, item, t, locale);
  }

  private async sectionModel(
    loaded: LoadedAssessment,
    page: Section,
    values: FormBody,
    t: Translate,
    locale: Locale,
  ): Promise<object> {
    const a = loaded.assessment;
    const definition = loaded.definition;
    const rows = (prefix: string, max: number) =>
      Math.min(max, Math.max(rowsIn(values, prefix), rowsIn(form(a), prefix)) + 1);
    const form = (x: typeof a) =>
      page === 'formulation' ? formulationForm(t).values(x) : recommendationsForm(t).values(x);
    switch (page) {
      case 'formulation': {
        const choices = (name: string, codes: readonly string[]) =>
          codes.map((code) => ({ value: code, text: optionLabel(t, name, code) }));
        return {
          rows: Array.from({ length: rows('scenario', MAX_SCENARIOS) }, (_, i) => i + 1),
          factorRows: Array.from({ length: rows('factor', MAX_SCENARIOS) }, (_, i) => i + 1),
          factorRatings: choices('relevance', ['low', 'moderate', 'high']).map((c) => ({
            ...c,
            text: t(`assessment.caseFactors.rating.${c.value}` as MessageKey),
          })),
          scenarioChoices: [
            {
              name: 'type',
              legend: t('assessment.scenarios.type'),
              items: choices('type', SCENARIO_TYPES),
            },
            {
              name: 'severity',
              legend: t('assessment.scenarios.severity'),
              items: choices('severity', SCENARIO_SEVERITIES),
            },
            {
              name: 'imminence',
              legend: t('assessment.scenarios.imminence'),
              items: choices('imminence', SCENARIO_IMMINENCE),
            },
          ],
          scenarioTexts: [
            {
              name: 'likelyTargets',
              label: t('assessment.scenarios.likelyTargets'),
              hint: t('assessment.scenarios.likelyTargetsHint'),
            },
            { name: 'warningSigns', label: t('assessment.scenarios.warningSigns') },
            { name: 'triggers', label: t('assessment.scenarios.triggers') },
            { name: 'managementActions', label: t('assessment.scenarios.managementActions') },
          ],
          appraisal: {
            confidence: choices('confidence', CONFIDENCE),
            indexFacts: choices('indexFacts', INDEX_FACTS),
          },
        };
      }
      case 'recommendations':
        return {
          rows: Array.from(
            { length: rows('recommendation', MAX_RECOMMENDATIONS) },
            (_, i) => i + 1,
          ),
          tags: (['security', 'programme', 'clinical'] as const).map((tag) => ({
            value: tag,
            text: t(TAG_LABEL[tag]),
          })),
        };
      case 'needs': {
        const labels = await this.data.needLabels(definition, locale);
        const indicated = indicativeView(a, definition, t)?.needs ?? [];
        const priorityLabel = (code: string | null | undefined) =>
          code
            ? (definition.needPriorities?.priorities.find((p) => p.code === code)?.label ?? code)
            : '';
        return {
          needs: instrumentNeeds(definition).map((code) => {
            const priority = indicated.find((n) => n.code === code)?.priority;
            return {
              code,
              label: labels.get(code) ?? code,
              indicated: priority ? priorityLabel(priority) : '',
            };
          }),
          priorities: (['high', 'medium', 'low'] as const).map((p) => ({
            value: p,
            text: t(PRIORITY_LABEL[p]),
          })),
        };
      }
      case 'participation':
        return {};
      case 'judgement': {
        return {
          indicative: a.indicative?.withheld ? null : indicativeView(a, definition, t),
          levels: levelChoices(definition, t),
          rationaleRequired: reasonsOf(a).some((r) => r.code === 'rationale_required'),
          ...this.judgementsModel(loaded, t, locale),
        };
      }
    }
  }

  /** The judgement page's provisional step, the provisional record and the judgements. */
  private judgementsModel(loaded: LoadedAssessment, t: Translate, locale: Locale) {
    const a = loaded.assessment;
    const definition = loaded.definition;
    const judgements = definition.judgements ?? [];
    const indicated = a.indicative?.judgements ?? [];
    const labelOf = (list: { code: string; label: string }[], code: string | undefined) =>
      code
        ? (list.find((l) => l.code === code)?.label ?? code)
        : t('assessment.judgement.provisionalNone');
    return {
      withheld: a.indicative?.withheld === true,
      everyRationale: (definition.levels?.length ?? 0) > 0 || judgements.length > 0,
      plainLevels: (definition.levels ?? []).map((l) => ({ value: l.code, text: l.label })),
      provisional: a.provisional
        ? {
            recorded: t('assessment.judgement.provisionalRecorded', {
              date: formatDateTime(a.provisional.recordedAt, locale, this.config.env.UI_TIME_ZONE),
            }),
            rows: [
              ...((definition.levels?.length ?? 0) > 0
                ? [
                    {
                      key: { text: t('assessment.judgement.provisionalLevel') },
                      value: { text: labelOf(definition.levels ?? [], a.provisional.level) },
                    },
                  ]
                : []),
              ...judgements.map((j) => ({
                key: { text: j.label },
                value: { text: labelOf(j.levels, a.provisional?.judgements?.[j.code]) },
              })),
            ],
          }
        : null,
      judgements: judgements.map((j) => {
        const level = indicated.find((x) => x.code === j.code)?.indicativeLevel;
        return {
          code: j.code,
          label: j.label,
          description: j.description ?? '',
          indicative: level
            ? t('assessment.judgement.indicativeOf', { level: labelOf(j.levels, level) })
            : t('assessment.judgement.noIndicative'),
          levels: j.levels.map((l) => ({
            value: l.code,
            text: l.label,
            ...(l.description ? { hint: { text: l.description } } : {}),
          })),
        };
      }),
    };
  }

  private async checkPage(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    loaded: LoadedAssessment,
    refused?: SubmitReason[],
  ): Promise<void> {
    const t = state.t;
    const a = loaded.assessment;
    const reasons = refused ?? reasonsOf(a);
    const links = reasonLinks(reasons, loaded.definition, a, t);
    const sections = sectionsFor(loaded.definition);
    return render(
      reply,
      'pages/assessments/check.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        summary: await this.summary(loaded, t, state.locale),
        outstanding: refused ? [] : links,
        errors: refused ? { summary: links, fields: {} } : undefined,
        canSubmit: a.indicative?.canSubmit === true && !refused?.length,
        changeLinks: {
          item: (code: string) => `${itemPath(a.id, code)}?from=check`,
          sections: Object.fromEntries(
            sections.map((s) => [s, `${sectionPath(a.id, s)}?from=check`]),
          ),
        },
        sectionsShown: sections,
      },
      refused ? 422 : 200,
    );
  }

  private refuseCountersign(loaded: LoadedAssessment, ctx: RequestContext): void {
    const a = loaded.assessment;
    if (a.assessor?.id === ctx.actor.id)
      throw forbidden('A different psychologist must countersign your assessment');
    if (a.status !== 'submitted')
      throw new ProblemException(
        409,
        'invalid_status',
        'Conflict',
        `An assessment that is ${a.status} cannot be countersigned`,
      );
  }

  private async countersignForm(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    loaded: LoadedAssessment,
    values: { decision?: string; comments?: string },
    problems: FieldError[] = [],
  ): Promise<void> {
    return render(
      reply,
      'pages/assessments/countersign.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        summary: await this.summary(loaded, state.t, state.locale),
        values,
        errors: problems.length ? formErrors(state.t, problems, COUNTERSIGN_FIELDS) : undefined,
      },
      problems.length ? 422 : 200,
    );
  }

  private reasonForm(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    loaded: LoadedAssessment,
    kind: 'amend' | 'cancel',
    reason: string,
    errors?: {
      summary: { text: string; href: string }[];
      fields: Record<string, { text: string }>;
    },
  ): Promise<void> {
    return render(
      reply,
      'pages/assessments/reason.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        kind,
        nextRevision: loaded.assessment.revision + 1,
        values: { reason },
        errors,
      },
      errors ? 422 : 200,
    );
  }

  /** Amend or cancel: a reason checked with the API's DTO, then the service's answer. */
  private async withReason(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    kind: 'amend' | 'cancel',
    raw: unknown,
    act: (dto: ReasonDto) => Promise<string>,
  ): Promise<void> {
    const state = request.uiPage!;
    const reason = textOf(formBody(raw), 'reason');
    const { value, errors } = await validateForm(ReasonDto, { reason });
    let summary = errors.length ? formErrors(state.t, errors, REASON_FIELDS) : undefined;
    if (!summary) {
      try {
        return await redirect(reply, await act(value));
      } catch (error) {
        const code = problemCode(error);
        const body = error instanceof ProblemException ? error.body : undefined;
        if (code === 'assessment_in_progress' || code === 'amendment_in_progress') {
          const text = state.t('assessment.reasonForm.errors.inProgress');
          summary = {
            summary: [{ text, href: `/assessments/${String(body!.openAssessmentId)}` }],
            fields: { reason: { text } },
          };
        } else if (code === 'certification_required') {
          const text = state.t('assessment.errors.certification');
          summary = { summary: [{ text, href: '#reason' }], fields: { reason: { text } } };
        } else {
          const fields = problemFieldErrors(error);
          if (!fields) throw error;
          summary = formErrors(state.t, fields, REASON_FIELDS);
        }
      }
    }
    const loaded = await this.data.load(ctx, id, state.locale);
    return this.reasonForm(ctx, state, reply, loaded, kind, reason, summary);
  }

  // ------------------------------------------------------------------ helpers: saving

  /**
   * Saves one editing page. A form post (the save buttons) answers with the next page, or the
   * page again with its errors (422); the autosave script (Accept: application/json) gets the
   * new version and "Saved at" in JSON. A version that moved on is a conflict: the page that
   * explains it (409), never an overwrite.
   */
  private async save(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    page: FormPage,
    code: string | undefined,
    posted: FormBody,
  ): Promise<void> {
    const state = request.uiPage!;
    const json = wantsJson(request);
    const definition = await this.data.instrumentFor(ctx, id, state.locale);
    if (page !== 'item' && !sectionsFor(definition).includes(page)) throw notFound('Section');
    const form = await this.formFor(page, definition, state.t, state.locale, code);
    const version = versionOf(request, posted);
    if (version === undefined) {
      throw badRequest('invalid_version', 'The form carries no record version', [
        { path: 'version', message: 'must be the record version' },
      ]);
    }
    const { patch, errors } = await form.patch(posted);
    if (errors.length > 0)
      return this.refused(ctx, request, reply, id, page, code, form, posted, errors);
    let saved;
    try {
      saved = await this.data.assessments.update(ctx, id, version, patch);
    } catch (error) {
      if (problemCode(error) === 'version_conflict' || problemCode(error) === 'invalid_status')
        return this.conflict(ctx, request, reply, id, page, code, form, posted);
      const fields = problemFieldErrors(error);
      if (fields) return this.refused(ctx, request, reply, id, page, code, form, posted, fields);
      throw error;
    }
    if (json) {
      const now = new Date();
      const values = form.values(saved);
      await reply
        .code(200)
        .type('application/json')
        .send({
          version: saved.version,
          savedAt: now.toISOString(),
          message: state.t('assessment.autosave.savedAt', {
            time: formatTime(now, state.locale, this.config.env.UI_TIME_ZONE),
          }),
          opened: openedFingerprints(form.fields(values, posted), values),
        });
      return;
    }
    return redirect(reply, this.next(definition, id, page, code, posted));
  }

  /** Where "Save and continue", "Save and return" and "Add another" lead. */
  private next(
    definition: InstrumentDefinition,
    id: string,
    page: FormPage,
    code: string | undefined,
    posted: FormBody,
  ): string {
    const choice = textOf(posted, 'next');
    if (choice === 'check') return sectionPath(id, 'check');
    if (choice === 'tasklist') return `/assessments/${id}`;
    if (choice === 'stay') return page === 'item' ? itemPath(id, code!) : sectionPath(id, page);
    if (page === 'item') {
      const { domain } = this.itemOf(definition, code!);
      const index = domain.items.findIndex((i) => i.code === code);
      const following = domain.items[index + 1];
      return following ? itemPath(id, following.code) : domainPath(id, domain.code);
    }
    if (choice === 'add') {
      const prefix = page === 'formulation' ? 'scenario' : 'recommendation';
      const count = rowsIn(posted, prefix);
      return `${sectionPath(id, page)}#${prefix}-${count + 1}-${page === 'formulation' ? 'title' : 'text'}`;
    }
    const order: (Section | 'check')[] = [...sectionsFor(definition), 'check'];
    return sectionPath(id, order[order.indexOf(page) + 1] ?? 'check');
  }

  private async refused(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    page: FormPage,
    code: string | undefined,
    form: AssessmentForm,
    posted: FormBody,
    errors: FieldError[],
  ): Promise<void> {
    const state = request.uiPage!;
    if (wantsJson(request)) {
      const shown = formErrors(state.t, errors, form.messages(posted));
      await reply
        .code(422)
        .type('application/json')
        .send({
          message: state.t('assessment.autosave.invalid', { reason: shown.summary[0]?.text ?? '' }),
          errors: shown.summary,
        });
      return;
    }
    const loaded = await this.data.load(ctx, id, state.locale);
    if (!this.data.editing(loaded)) return redirect(reply, `/assessments/${id}`);
    return this.formPage(ctx, request, reply, loaded, page, code, { posted, errors });
  }

  /**
   * The save was refused because the assessment changed since the page was opened (or is no
   * longer editable): say who changed it and when, show each field that differs between what
   * is saved now and the user's edit, and offer to apply the user's edits to the latest
   * version (only the fields they changed) or to discard them.
   */
  private async conflict(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    page: FormPage,
    code: string | undefined,
    form: AssessmentForm,
    posted: FormBody,
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const { assessment, lastChange } = await this.data.assessments.getWithLastChange(ctx, id);
    const loaded = await this.data.complete(assessment, ctx);
    const editable = this.data.editing(loaded);
    const when = formatDateTime(lastChange.at, state.locale, this.config.env.UI_TIME_ZONE);
    const who = !lastChange.by
      ? t('assessment.conflict.changedAt', { time: when })
      : lastChange.by.id === ctx.actor.id
        ? t('assessment.conflict.byYou', { time: when })
        : t('assessment.conflict.by', { name: lastChange.by.displayName, time: when });
    const pageUrl = page === 'item' ? itemPath(id, code!) : sectionPath(id, page);
    if (wantsJson(request)) {
      await reply
        .code(409)
        .type('application/json')
        .send({
          message: editable
            ? t('assessment.autosave.conflict', { who })
            : t('assessment.autosave.closed', { status: statusLabel(assessment.status, t) }),
          reload: pageUrl,
        });
      return;
    }
    const now = form.values(assessment);
    const fields = form.fields(posted, now);
    const { merged, changes } = mergeEdits(fields, posted, now, textOf(posted, 'opened'));
    const shown = (field: string, value: string | string[]) =>
      form.display(field, value) || t('assessment.conflict.empty');
    return render(
      reply,
      'pages/assessments/conflict.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        who,
        closed: editable ? undefined : statusLabel(assessment.status, t),
        changes: changes.map((c) => ({
          label: form.label(c.field),
          now: shown(c.field, c.now),
          yours: shown(c.field, c.yours),
          both: c.changedSinceOpened && c.editedByYou,
          changedSinceOpened: c.changedSinceOpened,
        })),
        othersChangedHere: changes.some((c) => c.changedSinceOpened),
        reapply: editable
          ? {
              action: pageUrl,
              inputs: hiddenInputs({
                ...merged,
                version: String(assessment.version),
                opened: openedFingerprints(fields, now),
                next: textOf(posted, 'next'),
                from: textOf(posted, 'from'),
              }),
            }
          : undefined,
        reload: editable ? pageUrl : `/assessments/${id}`,
      },
      409,
    );
  }
}
