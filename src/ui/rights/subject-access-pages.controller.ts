import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import {
  CreateSubjectAccessDto,
  RedactDto,
  SUBJECT_ACCESS_KINDS,
  type SubjectAccessBundle,
  type SubjectAccessResponse,
} from '../../subject-access/dto/subject-access.dto.js';
import { SubjectAccessService } from '../../subject-access/subject-access.service.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import type { PageState } from '../common/page-state.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { layoutModel, redirect, render } from '../common/render.js';
import { field, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import { formatDateTime } from '../i18n/format.js';
import { PdfRenderer, PdfUnavailable } from '../pdf/pdf-renderer.service.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { uiPaths } from '../ui-root.js';
import {
  copyRecords,
  FIELD,
  GROUND,
  label,
  RECORD_TYPE,
  requestRows,
  SAR_KIND,
  SAR_STATUS,
} from './rights.view.js';

const REQUEST_FIELDS: FieldMessages = {
  kind: { id: 'kind', message: 'rights.sar.errors.kind' },
  receivedOn: { id: 'receivedOn', message: 'rights.sar.errors.receivedOn' },
  note: { id: 'note', message: 'rights.sar.errors.note' },
};
const REDACT_FIELDS: FieldMessages = {
  element: { id: 'element', message: 'rights.sar.errors.element' },
  ground: { id: 'ground', message: 'rights.sar.errors.ground' },
  note: { id: 'redaction-note', message: 'rights.sar.errors.note' },
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * Subject access as pages, for supervisors: a prisoner's requests and the form to record one,
 * the list by due date, one request with its contents, redaction register and release, and the
 * released copy as print view, PDF (Chromium) and JSON, all from the stored bundle.
 */
@PageController()
export class SubjectAccessPagesController {
  private css?: string;

  constructor(
    private readonly subjectAccess: SubjectAccessService,
    private readonly prisoners: PrisonersService,
    private readonly pdf: PdfRenderer,
    private readonly config: AppConfig,
  ) {}

  @Get('subject-access')
  @Authorize('read', 'SubjectAccess')
  async list(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('status') status?: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const shown = status === 'released' ? 'released' : 'open';
    const statuses = shown === 'released' ? ['released'] : ['received', 'in_preparation'];
    const pages = await Promise.all(
      statuses.map((s) =>
        this.subjectAccess.list(ctx, {
          status: s as 'received',
          limit: 50,
          ...(statuses.length === 1 ? { cursor } : {}),
        }),
      ),
    );
    const items = pages
      .flatMap((p) => p.items)
      .sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));
    return render(reply, 'pages/rights/subject-access.njk', {
      tabs: (['open', 'released'] as const).map((s) => ({
        text: t(`rights.sar.tab.${s}`),
        href: s === 'open' ? '/subject-access' : '/subject-access?status=released',
        active: s === shown,
      })),
      rows: requestRows(items, t),
      links:
        statuses.length === 1
          ? keysetLinks('/subject-access', { status: 'released', cursor }, pages[0].nextCursor)
          : {},
    });
  }

  @Get('prisoners/:id/subject-access')
  @Authorize('read', 'SubjectAccess')
  async forPrisoner(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('kind') kind?: string,
  ): Promise<void> {
    // `?kind=release_copy` (the link of a due official copy on release) chooses that kind and
    // gives the expected release date as the date.
    const release = kind === 'release_copy';
    return this.prisonerTab(
      ctx,
      request,
      reply,
      id,
      { kind: release ? 'release_copy' : 'request', receivedOn: '', note: '' },
      [],
      release,
    );
  }

  @Post('prisoners/:id/subject-access')
  @Authorize('create', 'SubjectAccess')
  async create(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      kind: field(body, 'kind'),
      receivedOn: field(body, 'receivedOn'),
      note: field(body, 'note'),
    };
    return submitForm(CreateSubjectAccessDto, {
      input: { kind: values.kind, receivedOn: values.receivedOn, note: values.note.trim() || null },
      save: (value) => this.subjectAccess.create(ctx, id, value),
      refuse: (found) => this.prisonerTab(ctx, request, reply, id, values, found),
      refused: (error) => refusedFields(error, 'receivedOn'),
      done: (created) => redirect(reply, `/subject-access/${created.id}`),
    });
  }

  @Get('subject-access/:id')
  @Authorize('read', 'SubjectAccess')
  async view(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.requestPage(ctx, request, reply, id, { element: '', ground: '', note: '' });
  }

  @Post('subject-access/:id/redactions')
  @Authorize('update', 'SubjectAccess')
  async redact(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      element: field(body, 'element'),
      ground: field(body, 'ground'),
      note: field(body, 'note'),
    };
    return submitForm(RedactDto, {
      input: { element: values.element, ground: values.ground, note: values.note.trim() || null },
      save: (value) => this.subjectAccess.redact(ctx, id, value),
      refuse: (found) => this.requestPage(ctx, request, reply, id, values, found),
      refused: (error) => refusedFields(error, 'element'),
      done: () => redirect(reply, `/subject-access/${id}#register`),
    });
  }

  @Post('subject-access/:id/redactions/:redactionId/withdraw')
  @Authorize('update', 'SubjectAccess')
  async withdraw(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @UuidPageParam('redactionId') redactionId: string,
  ): Promise<void> {
    await this.subjectAccess.withdraw(ctx, id, redactionId);
    return redirect(reply, `/subject-access/${id}#register`);
  }

  @Post('subject-access/:id/release')
  @Authorize('release', 'SubjectAccess')
  async release(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.subjectAccess.release(ctx, id, postedVersion(body));
    return redirect(reply, `/subject-access/${id}`);
  }

  @Get('subject-access/:id/copy')
  @Authorize('read', 'SubjectAccess')
  async print(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const { bundle, request: sar } = await this.subjectAccess.bundle(ctx, id, 'print');
    return render(
      reply,
      'print/subject-access.njk',
      this.copyModel(bundle, sar, request.uiPage!, false),
    );
  }

  @Get('subject-access/:id/copy.pdf')
  @Authorize('read', 'SubjectAccess')
  async downloadPdf(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const state = request.uiPage!;
    if (!this.pdf.available()) return this.unavailable(reply, id);
    const { bundle, request: sar } = await this.subjectAccess.bundle(ctx, id, 'pdf');
    const html = await reply.viewAsync('print/subject-access.njk', {
      ...layoutModel(state),
      ...this.copyModel(bundle, sar, state, true),
    });
    let pdf: Buffer;
    try {
      pdf = await this.pdf.render(html, { footerTemplate: this.footer(bundle, sar, state) });
    } catch (error) {
      if (error instanceof PdfUnavailable) return this.unavailable(reply, id);
      throw error;
    }
    const name = `subject-access-${bundle.prisoner.prisonNumber}-${bundle.receivedOn}`.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    );
    await reply
      .code(200)
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${name}.pdf"`)
      .send(pdf);
  }

  @Get('subject-access/:id/copy.json')
  @Authorize('read', 'SubjectAccess')
  async downloadJson(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const { bundle } = await this.subjectAccess.bundle(ctx, id, 'json');
    const name = `subject-access-${bundle.prisoner.prisonNumber}-${bundle.receivedOn}`.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    );
    await reply
      .code(200)
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.json"`)
      .send(JSON.stringify(bundle, null, 2));
  }

  private unavailable(reply: FastifyReply, id: string): Promise<void> {
    return render(
      reply,
      'pages/rights/pdf-unavailable.njk',
      { printHref: `/subject-access/${id}/copy`, backHref: `/subject-access/${id}` },
      503,
    );
  }

  private async prisonerTab(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: { kind: string; receivedOn: string; note: string },
    errors: FieldError[] = [],
    releaseDate = false,
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, id);
    if (releaseDate && prisoner.expectedReleaseDate)
      values = { ...values, receivedOn: prisoner.expectedReleaseDate };
    const page = await this.subjectAccess.list(ctx, { prisonerId: id, limit: 100 });
    return render(
      reply,
      'pages/rights/subject-access-tab.njk',
      {
        ...prisonerFrame(prisoner, 'subject-access', ctx.ability, state.grants, t),
        rows: requestRows(page.items, t),
        canCreate: ctx.ability.can('create', 'SubjectAccess'),
        kinds: SUBJECT_ACCESS_KINDS.map((k) => ({
          value: k,
          text: label(t, SAR_KIND, k),
          hint: { text: t(`rights.sar.kindHint.${k}`) },
          checked: values.kind === k,
        })),
        period: Math.floor(this.config.env.SUBJECT_ACCESS_PERIOD / 86400),
        values,
        errors: errors.length ? formErrors(t, errors, REQUEST_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  private async requestPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: { element: string; ground: string; note: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const sar = await this.subjectAccess.get(ctx, id);
    const contents = await this.subjectAccess.preview(ctx, id);
    const records = copyRecords(contents.records, t);
    const released = sar.status === 'released';
    const redacted = new Set(sar.register.filter((x) => !x.withdrawnAt).map((x) => x.element));
    const elementName = (element: string) => {
      const [type, recordId, name] = element.split('/');
      const record = contents.records.find((r) => r.type === type && r.id === recordId);
      const base = `${label(t, RECORD_TYPE, type)}${record?.date ? ` ${record.date.slice(0, 10)}` : ''}`;
      return name
        ? `${base}: ${label(t, FIELD, name)}`
        : t('rights.sar.wholeRecord', { record: base });
    };
    return render(
      reply,
      'pages/rights/subject-access-request.njk',
      {
        sar: {
          ...sar,
          kindText: label(t, SAR_KIND, sar.kind),
          statusText: label(t, SAR_STATUS, sar.status),
          prisonerHref: `/prisoners/${sar.prisonerId}`,
          released,
        },
        register: sar.register.map((x) => ({
          ...x,
          elementName: elementName(x.element),
          groundText: label(t, GROUND, x.ground),
          withdrawHref: `/subject-access/${sar.id}/redactions/${x.id}/withdraw`,
        })),
        records,
        elements: [
          { value: '', text: t('rights.sar.chooseElement') },
          ...contents.records
            .flatMap((r) => [
              {
                value: r.element,
                text: elementName(r.element),
                selected: values.element === r.element,
              },
              ...r.fields.map((f) => ({
                value: f.element,
                text: elementName(f.element),
                selected: values.element === f.element,
              })),
            ])
            .filter((o) => !redacted.has(o.value)),
        ],
        grounds: [
          { value: '', text: t('rights.sar.chooseGround') },
          ...contents.grounds.map((g) => ({
            value: g,
            text: label(t, GROUND, g),
            selected: values.ground === g,
          })),
        ],
        values,
        errors: errors.length ? formErrors(t, errors, REDACT_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  private copyModel(
    bundle: SubjectAccessBundle,
    sar: SubjectAccessResponse,
    state: PageState,
    forPdf: boolean,
  ) {
    const t = state.t;
    return {
      bundle,
      sha256: sar.bundleSha256,
      records: copyRecords(bundle.records, t),
      register: bundle.register.map((x) => ({ ...x, groundText: label(t, GROUND, x.ground) })),
      backHref: `/subject-access/${sar.id}`,
      pdfHref: `/subject-access/${sar.id}/copy.pdf`,
      inlineCss: forPdf ? this.stylesheet() : undefined,
    };
  }

  private stylesheet(): string {
    if (this.css === undefined) {
      const file = join(uiPaths().publicDir, 'app.css');
      this.css = existsSync(file) ? readFileSync(file, 'utf8') : '';
    }
    return this.css;
  }

  /** Every page's footer: page X of Y, prison number, that it is the prisoner's copy, its hash. */
  private footer(
    bundle: SubjectAccessBundle,
    sar: SubjectAccessResponse,
    state: PageState,
  ): string {
    const t = state.t;
    const pageOf = escapeHtml(t('rights.copy.pageOf', { page: '\u0001', pages: '\u0002' }))
      .replace('\u0001', '<span class="pageNumber"></span>')
      .replace('\u0002', '<span class="totalPages"></span>');
    const released = escapeHtml(
      t('rights.copy.releasedAt', {
        time: formatDateTime(
          new Date(bundle.releasedAt),
          state.locale,
          this.config.env.UI_TIME_ZONE,
        ),
      }),
    );
    return `<div style="font-family: 'Liberation Sans', Arial, sans-serif; font-size: 8pt; width: 100%; margin: 0 15mm; color: #0b0c0c;">
  <div style="display: flex; justify-content: space-between; gap: 8px;">
    <span>${escapeHtml(bundle.prisoner.prisonNumber)} · ${escapeHtml(t(bundle.official ? 'rights.copy.official' : 'rights.copy.title'))}</span><span>${pageOf}</span>
  </div>
  <div style="display: flex; justify-content: space-between; gap: 8px;">
    <span>SHA-256 ${escapeHtml(sar.bundleSha256 ?? '')}</span><span>${released}</span>
  </div>
</div>`;
  }
}
