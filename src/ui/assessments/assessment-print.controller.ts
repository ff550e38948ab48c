import { Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { notFound } from '../../errors/problem.exception.js';
import { PageController } from '../common/page-controller.js';
import type { PageState } from '../common/page-state.js';
import { layoutModel, render } from '../common/render.js';
import { formatDateTime } from '../i18n/format.js';
import { PdfRenderer, PdfUnavailable } from '../pdf/pdf-renderer.service.js';
import { uiPaths } from '../ui-root.js';
import { AssessmentPageData, type LoadedAssessment } from './assessment-page-data.js';
import { summaryModel } from './summary.view.js';

const AssessmentId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The print view of an assessment in the caller's view, and the same page as a PDF rendered by
 * Chromium: one template, so the PDF never drifts from what the print view shows. Each is read
 * through the service as an export, so every copy that leaves the screen is audited.
 */
@PageController('assessments')
export class AssessmentPrintController {
  private css?: string;

  constructor(
    private readonly data: AssessmentPageData,
    private readonly pdf: PdfRenderer,
    private readonly config: AppConfig,
  ) {}

  @Get(':id/print')
  @Authorize('read', 'Assessment')
  async print(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const loaded = await this.data.complete(
      await this.data.assessments.export(ctx, id, 'print'),
      ctx,
      state.locale,
    );
    return render(reply, 'print/assessment.njk', await this.model(loaded, ctx, state, false));
  }

  @Get(':id/pdf')
  @Authorize('read', 'Assessment')
  async download(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const state = request.uiPage!;
    // Checked before the read, so that no export is recorded for a PDF that cannot be made.
    if (!this.pdf.available()) return this.unavailable(reply, id);
    const loaded = await this.data.complete(
      await this.data.assessments.export(ctx, id, 'pdf'),
      ctx,
      state.locale,
    );
    const html = await reply.viewAsync('print/assessment.njk', {
      ...layoutModel(state),
      ...(await this.model(loaded, ctx, state, true)),
    });
    let pdf: Buffer;
    try {
      pdf = await this.pdf.render(html, { footerTemplate: this.footer(loaded, state) });
    } catch (error) {
      if (error instanceof PdfUnavailable) return this.unavailable(reply, id);
      throw error;
    }
    const a = loaded.assessment;
    const name = `assessment-${loaded.prisoner.prisonNumber}-r${a.revision}`.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    );
    await reply
      .code(200)
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${name}.pdf"`)
      .send(pdf);
  }

  private unavailable(reply: FastifyReply, id: string): Promise<void> {
    return render(
      reply,
      'pages/assessments/pdf-unavailable.njk',
      { printHref: `/assessments/${id}/print`, backHref: `/assessments/${id}` },
      503,
    );
  }

  private async model(
    loaded: LoadedAssessment,
    ctx: RequestContext,
    state: PageState,
    forPdf: boolean,
  ) {
    const summary = summaryModel(
      loaded.assessment,
      loaded.definition,
      state.t,
      await this.data.needLabels(loaded.definition, state.locale),
    );
    return {
      ...this.data.frame(loaded, ctx, state),
      summary,
      notice: loaded.definition.notice ?? '',
      printedBy: ctx.actor.displayName,
      printedAt: new Date().toISOString(),
      pdfHref: `/assessments/${loaded.assessment.id}/pdf`,
      backHref: `/assessments/${loaded.assessment.id}`,
      inlineCss: forPdf ? this.stylesheet() : undefined,
      // On paper nothing can be opened: the contributions table is printed expanded.
      openContributions: true,
    };
  }

  /** The compiled stylesheet, inlined into the PDF's page (which may load nothing). */
  private stylesheet(): string {
    if (this.css === undefined) {
      const file = join(uiPaths().publicDir, 'app.css');
      this.css = existsSync(file) ? readFileSync(file, 'utf8') : '';
    }
    return this.css;
  }

  /**
   * Every page's footer: page X of Y, prison number, revision, instrument version, that the
   * indicative results are illustrative, and the handling marking.
   */
  private footer(loaded: LoadedAssessment, state: PageState): string {
    const t = state.t;
    const a = loaded.assessment;
    const pageOf = escapeHtml(t('assessment.print.pageOf', { page: '\u0001', pages: '\u0002' }))
      .replace('\u0001', '<span class="pageNumber"></span>')
      .replace('\u0002', '<span class="totalPages"></span>');
    const left = [
      loaded.prisoner.prisonNumber,
      t('assessment.frame.revision', { revision: a.revision }),
      `${a.instrument.key} ${t('assessment.frame.version', { version: a.instrument.version })}`,
    ]
      .map(escapeHtml)
      .join(' · ');
    const printed = escapeHtml(
      t('assessment.print.printedAt', {
        time: formatDateTime(new Date(), state.locale, this.config.env.UI_TIME_ZONE),
      }),
    );
    return `<div style="font-family: 'Liberation Sans', Arial, sans-serif; font-size: 8pt; width: 100%; margin: 0 15mm; color: #0b0c0c;">
  <div style="font-weight: bold; text-align: center;">${escapeHtml(t('assessment.print.marking'))}</div>
  <div style="display: flex; justify-content: space-between; gap: 8px;">
    <span>${left}</span><span>${pageOf}</span>
  </div>
  <div style="display: flex; justify-content: space-between; gap: 8px;">
    <span>${escapeHtml(t('assessment.print.illustrative'))}</span><span>${printed}</span>
  </div>
</div>`;
  }
}
