import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { badRequest, notFound, type FieldError } from '../../errors/problem.exception.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { TrainingService, type AttemptView } from '../../training/training.service.js';
import { fieldId, formErrors, problemFieldErrors } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { problemCode } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { UuidPageParam } from '../common/uuid-page-param.js';
import { rawMessage, type Locale, type Translate } from '../i18n/catalogue.js';
import { formatTime } from '../i18n/format.js';
import { AssessmentPageData } from '../assessments/assessment-page-data.js';
import {
  itemForm,
  judgementForm,
  needsForm,
  PRIORITY_LABEL,
  type AssessmentForm,
} from '../assessments/assessment-forms.js';
import {
  formBody,
  hiddenInputs,
  mergeEdits,
  openedFingerprints,
  textOf,
  type FormBody,
} from '../assessments/form-body.js';
import { itemPageModel, levelChoices } from '../assessments/item-page.view.js';
import {
  indicativeView,
  instrumentNeeds,
  ratingView,
  summaryModel,
} from '../assessments/summary.view.js';
import {
  domainPath,
  itemPath,
  itemStatus,
  ratingsOf,
  reasonLinks,
  reasonsOf,
  sectionPath,
  sectionTitle,
  statusView,
  taskListModel,
  type Section,
  type SubmitReason,
} from '../assessments/workspace.view.js';
import { resultsModel } from './training-results.view.js';
import {
  attemptChanges,
  attemptRoot,
  trainingFrame,
  trainingSections,
  workspaceRecord,
} from './training-workspace.view.js';

const ITEM_CODE = /^[A-Za-z0-9_-]{1,64}$/;
const SECTION_ROUTES = (['needs', 'judgement'] as const).map((s) => `attempts/:id/${s}`);
const lastSegment = (request: FastifyRequest) =>
  (request.routeOptions.url ?? '').split('/').pop() ?? '';
const wantsJson = (request: FastifyRequest) =>
  String(request.headers.accept ?? '').includes('application/json');

/** The version the trainee edited: If-Match from the autosave script, the hidden field from a form. */
function versionOf(request: FastifyRequest, body: FormBody): number | undefined {
  const header = request.headers['if-match'];
  const text = typeof header === 'string' && header ? header : textOf(body, 'version');
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

const characterCountTexts = (locale: Locale) => ({
  under: rawMessage(locale, 'assessment.count.under'),
  at: rawMessage(locale, 'assessment.count.at'),
  over: rawMessage(locale, 'assessment.count.over'),
  description: rawMessage(locale, 'assessment.count.description'),
});

type FormPage = 'item' | Section;

interface Loaded {
  attempt: AttemptView;
  definition: InstrumentDefinition;
}

/**
 * Training mode of the assessment workspace: a trainee rates a fictional practice case in the
 * same pages as a real assessment (task list, a page per item with autosave, the final
 * judgement, check and submit), built by the workspace's own view builders and forms over the
 * practice attempt. Everything is read and written through TrainingService, so it stays in the
 * training tables; every page carries the "Training: fictional case" banner and the case file
 * in place of a prisoner. Once submitted the attempt's page is the comparison with the
 * reference.
 */
@PageController('training')
export class TrainingWorkspaceController {
  constructor(
    private readonly training: TrainingService,
    private readonly data: AssessmentPageData,
    private readonly config: AppConfig,
  ) {}

  @Get('attempts/:id')
  @Authorize('read', 'TrainingAttempt')
  async attempt(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const { attempt, definition } = await this.load(ctx, id, request);
    if (attempt.status === 'submitted')
      return render(reply, 'pages/training/results.njk', resultsModel(t, attempt, definition));
    const record = workspaceRecord(attempt, definition);
    return render(reply, 'pages/assessments/task-list.njk', {
      ...trainingFrame(attempt, definition, t),
      actions: {},
      tasks: taskListModel(record, definition, t, {
        root: attemptRoot(id),
        sections: trainingSections(definition),
      }),
    });
  }

  @Get('attempts/:id/domains/:domain')
  @Authorize('update', 'TrainingAttempt')
  async domain(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Param('domain') code: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const loaded = await this.editable(ctx, reply, id, request);
    if (!loaded) return;
    const { attempt, definition } = loaded;
    const domain = definition.domains.find((d) => d.code === code);
    if (!domain) throw notFound('Domain');
    const record = workspaceRecord(attempt, definition);
    const root = attemptRoot(id);
    const ratings = ratingsOf(record);
    const reasons = reasonsOf(record);
    const domainReasons = reasons.filter(
      (r) => r.domain === domain.code || domain.items.some((i) => i.code === r.item),
    );
    return render(reply, 'pages/assessments/domain.njk', {
      ...trainingFrame(attempt, definition, t),
      domain: { code: domain.code, title: domain.title, description: domain.description ?? '' },
      minimumPercent: domain.minimumRatedPercent ?? definition.minimumRated.perDomainPercent,
      items: domain.items.map((item) => ({
        code: item.code,
        prompt: item.prompt,
        href: itemPath(id, item.code, root),
        status: statusView(itemStatus(item.code, ratings, reasons), t),
        ...ratingView(ratings[item.code], definition, item.scale, t),
      })),
      outstanding: reasonLinks(domainReasons, definition, record, t, root),
      firstItem: itemPath(id, domain.items[0].code, root),
    });
  }

  @Get('attempts/:id/items/:code')
  @Authorize('update', 'TrainingAttempt')
  async item(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Param('code') code: string,
    @Query('from') from?: string,
  ): Promise<void> {
    const loaded = await this.editable(ctx, reply, id, request);
    if (!loaded) return;
    return this.formPage(request, reply, loaded, 'item', code, { from });
  }

  @Post('attempts/:id/items/:code')
  @Authorize('update', 'TrainingAttempt')
  saveItem(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Param('code') code: string,
    @Body() body: unknown,
  ): Promise<void> {
    return this.save(ctx, request, reply, id, 'item', code, formBody(body));
  }

  @Get(SECTION_ROUTES)
  @Authorize('update', 'TrainingAttempt')
  async section(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('from') from?: string,
  ): Promise<void> {
    const section = lastSegment(request) as Section;
    const loaded = await this.editable(ctx, reply, id, request);
    if (!loaded) return;
    if (!trainingSections(loaded.definition).includes(section)) throw notFound('Section');
    return this.formPage(request, reply, loaded, section, undefined, { from });
  }

  @Post(SECTION_ROUTES)
  @Authorize('update', 'TrainingAttempt')
  saveSection(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const section = lastSegment(request) as Section;
    return this.save(ctx, request, reply, id, section, undefined, formBody(body));
  }

  @Get('attempts/:id/check')
  @Authorize('update', 'TrainingAttempt')
  async check(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const loaded = await this.editable(ctx, reply, id, request);
    if (!loaded) return;
    return this.checkPage(request.uiPage!.t, reply, loaded);
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
    const t = request.uiPage!.t;
    const version = versionOf(request, formBody(body)) ?? -1;
    try {
      await this.training.submitAttempt(ctx, id, version);
    } catch (error) {
      const code = problemCode(error);
      if (code !== 'not_ready' && code !== 'version_conflict') throw error;
      const loaded = await this.load(ctx, id, request);
      if (loaded.attempt.status !== 'draft') return redirect(reply, attemptRoot(id));
      const record = workspaceRecord(loaded.attempt, loaded.definition);
      const refused: SubmitReason[] =
        code === 'version_conflict'
          ? [{ code: 'stale', message: t('training.errors.stale') }]
          : reasonsOf(record).length > 0
            ? reasonsOf(record)
            : (problemFieldErrors(error) ?? []).map((e) => ({
                code: 'refused',
                message: `${e.path}: ${e.message}`,
              }));
      return this.checkPage(t, reply, loaded, refused);
    }
    return redirect(reply, attemptRoot(id));
  }

  // ------------------------------------------------------------------ helpers: pages

  /** The attempt and its instrument, the instrument's text in the page's language. */
  private async load(ctx: RequestContext, id: string, request: FastifyRequest): Promise<Loaded> {
    const attempt = await this.training.getAttempt(ctx, id);
    return {
      attempt,
      definition: await this.data.definition(attempt.instrument, request.uiPage!.locale),
    };
  }

  /** The attempt while it is a draft; once submitted, its page is the comparison. */
  private async editable(
    ctx: RequestContext,
    reply: FastifyReply,
    id: string,
    request: FastifyRequest,
  ): Promise<Loaded | undefined> {
    const loaded = await this.load(ctx, id, request);
    if (loaded.attempt.status === 'draft') return loaded;
    await redirect(reply, attemptRoot(id));
    return undefined;
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
    code?: string,
  ): Promise<AssessmentForm> {
    if (page === 'item') return itemForm(this.itemOf(definition, code!).item, definition, t);
    if (page === 'needs') {
      const labels = await this.data.needLabels(definition);
      return needsForm(
        instrumentNeeds(definition).map((c) => ({ code: c, label: labels.get(c) ?? c })),
        t,
      );
    }
    if (page === 'judgement') return judgementForm(definition, t);
    throw notFound('Section');
  }

  private async formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    page: FormPage,
    code: string | undefined,
    options: { from?: string; posted?: FormBody; errors?: FieldError[] },
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const { attempt, definition } = loaded;
    const record = workspaceRecord(attempt, definition);
    const root = attemptRoot(attempt.id);
    const form = await this.formFor(page, definition, t, code);
    const saved = form.values(record);
    const values = options.posted ?? saved;
    const messages = form.messages(values);
    const errors = options.errors?.length ? formErrors(t, options.errors, messages) : undefined;
    const errorsById = Object.fromEntries(
      Object.entries(errors?.fields ?? {}).map(([path, message]) => [
        messages[path]?.id ?? fieldId(path),
        message,
      ]),
    );
    const from = (options.posted ? textOf(options.posted, 'from') : options.from) === 'check';
    const common = {
      ...trainingFrame(attempt, definition, t),
      values,
      errors,
      errorsById,
      counts: characterCountTexts(state.locale),
      formState: {
        action:
          page === 'item' ? itemPath(attempt.id, code!, root) : sectionPath(attempt.id, page, root),
        version: options.posted ? textOf(options.posted, 'version') : String(attempt.version),
        opened: options.posted
          ? textOf(options.posted, 'opened')
          : openedFingerprints(form.fields(saved), saved),
        fromCheck: from,
      },
    };
    const status = errors ? 422 : 200;
    if (page === 'item') {
      const { domain, item } = this.itemOf(definition, code!);
      return render(
        reply,
        'pages/assessments/item.njk',
        {
          ...common,
          ...itemPageModel(record, definition, domain, item, t, state.locale, {
            root,
            relevance: false,
          }),
        },
        status,
      );
    }
    if (page === 'needs') {
      const labels = await this.data.needLabels(definition);
      const indicated = indicativeView(record, definition, t)?.needs ?? [];
      const priorityLabel = (p: string | null | undefined) =>
        p ? (definition.needPriorities?.priorities.find((x) => x.code === p)?.label ?? p) : '';
      return render(
        reply,
        'pages/assessments/needs.njk',
        {
          ...common,
          title: sectionTitle('needs', t),
          needs: instrumentNeeds(definition).map((need) => ({
            code: need,
            label: labels.get(need) ?? need,
            indicated: priorityLabel(indicated.find((n) => n.code === need)?.priority),
          })),
          priorities: (['high', 'medium', 'low'] as const).map((p) => ({
            value: p,
            text: t(PRIORITY_LABEL[p]),
          })),
        },
        status,
      );
    }
    return render(
      reply,
      'pages/assessments/judgement.njk',
      {
        ...common,
        title: sectionTitle('judgement', t),
        indicative: indicativeView(record, definition, t),
        levels: levelChoices(definition, t),
        rationaleRequired: reasonsOf(record).some((r) => r.code === 'rationale_required'),
        withheld: false,
        everyRationale: false,
        plainLevels: [],
        provisional: null,
        // Judgements per outcome are not part of a practice attempt: the final level and rationale are.
        judgements: [],
      },
      status,
    );
  }

  private async checkPage(
    t: Translate,
    reply: FastifyReply,
    loaded: Loaded,
    refused?: SubmitReason[],
  ): Promise<void> {
    const { attempt, definition } = loaded;
    const record = workspaceRecord(attempt, definition);
    const root = attemptRoot(attempt.id);
    const reasons = refused ?? reasonsOf(record);
    const links = reasonLinks(reasons, definition, record, t, root);
    const sections = trainingSections(definition);
    const summary = summaryModel(record, definition, t, await this.data.needLabels(definition));
    return render(
      reply,
      'pages/assessments/check.njk',
      {
        ...trainingFrame(attempt, definition, t),
        summary: { ...summary, recommendations: undefined, history: undefined },
        outstanding: refused ? [] : links,
        errors: refused ? { summary: links, fields: {} } : undefined,
        canSubmit: record.indicative?.canSubmit === true && !refused?.length,
        changeLinks: {
          item: (code: string) => `${itemPath(attempt.id, code, root)}?from=check`,
          sections: Object.fromEntries(
            sections.map((s) => [s, `${sectionPath(attempt.id, s, root)}?from=check`]),
          ),
        },
        sectionsShown: sections,
      },
      refused ? 422 : 200,
    );
  }

  // ------------------------------------------------------------------ helpers: saving

  /**
   * Saves one page of the practice attempt as the real workspace saves an assessment's: a form
   * post answers with the next page (or the page again with its errors, 422); the autosave
   * script gets the new version and "Saved at" in JSON; a version that moved on is the conflict
   * page (409), never an overwrite.
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
    const t = state.t;
    const json = wantsJson(request);
    const loaded = await this.load(ctx, id, request);
    const { definition } = loaded;
    if (page !== 'item' && !trainingSections(definition).includes(page)) throw notFound('Section');
    const form = await this.formFor(page, definition, t, code);
    const version = versionOf(request, posted);
    if (version === undefined)
      throw badRequest('invalid_version', 'The form carries no record version', [
        { path: 'version', message: 'must be the record version' },
      ]);
    const { patch, errors } = await form.patch(posted);
    if (errors.length > 0)
      return this.refused(request, reply, loaded, page, code, form, posted, errors);
    let saved: AttemptView;
    try {
      saved = await this.training.updateAttempt(ctx, id, version, attemptChanges(patch));
    } catch (error) {
      const problem = problemCode(error);
      if (problem === 'version_conflict' || problem === 'attempt_submitted')
        return this.conflict(ctx, request, reply, id, page, code, form, posted);
      const fields = problemFieldErrors(error);
      if (fields) return this.refused(request, reply, loaded, page, code, form, posted, fields);
      throw error;
    }
    if (json) {
      const now = new Date();
      const values = form.values(workspaceRecord(saved, definition));
      await reply
        .code(200)
        .type('application/json')
        .send({
          version: saved.version,
          savedAt: now.toISOString(),
          message: t('assessment.autosave.savedAt', {
            time: formatTime(now, state.locale, this.config.env.UI_TIME_ZONE),
          }),
          opened: openedFingerprints(form.fields(values, posted), values),
        });
      return;
    }
    return redirect(reply, this.next(definition, id, page, code, posted));
  }

  /** Where "Save and continue" and "Save and return" lead. */
  private next(
    definition: InstrumentDefinition,
    id: string,
    page: FormPage,
    code: string | undefined,
    posted: FormBody,
  ): string {
    const root = attemptRoot(id);
    const choice = textOf(posted, 'next');
    if (choice === 'check') return sectionPath(id, 'check', root);
    if (choice === 'tasklist') return root;
    if (choice === 'stay')
      return page === 'item' ? itemPath(id, code!, root) : sectionPath(id, page, root);
    if (page === 'item') {
      const { domain } = this.itemOf(definition, code!);
      const index = domain.items.findIndex((i) => i.code === code);
      const following = domain.items[index + 1];
      return following ? itemPath(id, following.code, root) : domainPath(id, domain.code, root);
    }
    const order: (Section | 'check')[] = [...trainingSections(definition), 'check'];
    return sectionPath(id, order[order.indexOf(page) + 1] ?? 'check', root);
  }

  private async refused(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    page: FormPage,
    code: string | undefined,
    form: AssessmentForm,
    posted: FormBody,
    errors: FieldError[],
  ): Promise<void> {
    const t = request.uiPage!.t;
    if (wantsJson(request)) {
      const shown = formErrors(t, errors, form.messages(posted));
      await reply
        .code(422)
        .type('application/json')
        .send({
          message: t('assessment.autosave.invalid', { reason: shown.summary[0]?.text ?? '' }),
          errors: shown.summary,
        });
      return;
    }
    if (loaded.attempt.status !== 'draft') return redirect(reply, attemptRoot(loaded.attempt.id));
    return this.formPage(request, reply, loaded, page, code, { posted, errors });
  }

  /**
   * The save was refused because the attempt changed since the page was opened (another tab)
   * or was submitted meanwhile: the fields that differ, and the choice to apply the trainee's
   * edits to the latest version or to reload.
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
    const t = request.uiPage!.t;
    const { attempt, definition } = await this.load(ctx, id, request);
    const editable = attempt.status === 'draft';
    const root = attemptRoot(id);
    const pageUrl = page === 'item' ? itemPath(id, code!, root) : sectionPath(id, page, root);
    const who = t('training.workspace.changedElsewhere');
    if (wantsJson(request)) {
      await reply
        .code(409)
        .type('application/json')
        .send({
          message: editable
            ? t('assessment.autosave.conflict', { who })
            : t('assessment.autosave.closed', { status: t('assessment.status.submitted') }),
          reload: editable ? pageUrl : root,
        });
      return;
    }
    const now = form.values(workspaceRecord(attempt, definition));
    const fields = form.fields(posted, now);
    const { merged, changes } = mergeEdits(fields, posted, now, textOf(posted, 'opened'));
    const shown = (field: string, value: string | string[]) =>
      form.display(field, value) || t('assessment.conflict.empty');
    return render(
      reply,
      'pages/assessments/conflict.njk',
      {
        ...trainingFrame(attempt, definition, t),
        who,
        closed: editable ? undefined : t('assessment.status.submitted'),
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
                version: String(attempt.version),
                opened: openedFingerprints(fields, now),
                next: textOf(posted, 'next'),
                from: textOf(posted, 'from'),
              }),
            }
          : undefined,
        reload: editable ? pageUrl : root,
      },
      409,
    );
  }
}
