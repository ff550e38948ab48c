import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_ACTIONS } from '../../audit/audit-actions.js';
import { AuditQueryService } from '../../audit/audit-query.service.js';
import { AuditQueryDto } from '../../audit/dto/audit-query.dto.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { notFound, ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { formErrors, validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { keysetLinks } from '../common/pagination.js';
import { field } from '../common/uuid-page-param.js';
import { render } from '../common/render.js';
import type { Translate } from '../i18n/catalogue.js';
import { labelOf } from '../plans/plan-labels.js';
import { OUTCOME, trailState, verificationModel } from './oversight.view.js';
import { nextDay, startOfDay } from './zoned-date.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date that exists (2026-02-30 does not). */
const isDate = (value: string) => {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
};
const PAGE_SIZE = 50;

const FILTER_FIELDS: FieldMessages = {
  person: { id: 'person', message: 'oversight.audit.errors.person' },
  actorId: { id: 'person', message: 'oversight.audit.errors.person' },
  prisoner: { id: 'prisoner', message: 'oversight.audit.errors.prisoner' },
  prisonerId: { id: 'prisoner', message: 'oversight.audit.errors.prisoner' },
  action: { id: 'action', message: 'oversight.audit.errors.action' },
  outcome: { id: 'outcome', message: 'oversight.audit.errors.outcome' },
  from: { id: 'from', message: 'oversight.audit.errors.date' },
  to: { id: 'to', message: 'oversight.audit.errors.date' },
  range: { id: 'to', message: 'oversight.audit.errors.range' },
  cursor: { id: 'person', message: 'oversight.audit.errors.cursor' },
};

/** The search as typed: a username or id, a prison number or id, dates as calendar days. */
interface Filters {
  person: string;
  prisoner: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * The supervisors' audit pages: search with filters (a GET form, so it works without
 * JavaScript) and keyset pages, an event's detail, export of the filtered set as CSV or NDJSON,
 * and verification of the whole trail with its result in words. Every query, export and
 * verification is itself audited by AuditQueryService.
 */
@PageController('audit')
export class AuditPagesController {
  constructor(
    private readonly audit: AuditQueryService,
    private readonly prisoners: PrisonersService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Authorize('read', 'AuditEvent')
  async search(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const filters = filtersOf(query);
    const cursor = text(query.cursor) || undefined;
    const resolved = await this.resolve(ctx, filters);
    const base = { filters, options: this.options(filters, t), exports: exportLinks(filters) };
    if ('errors' in resolved)
      return render(
        reply,
        'pages/oversight/audit.njk',
        { ...base, errors: formErrors(t, resolved.errors, FILTER_FIELDS) },
        400,
      );
    let page;
    try {
      page = await this.audit.events(ctx, { ...resolved.query, limit: PAGE_SIZE, cursor });
    } catch (error) {
      if (!(error instanceof ProblemException && error.getStatus() === 400)) throw error;
      const errors = [{ path: 'cursor', message: 'cursor' }];
      return render(
        reply,
        'pages/oversight/audit.njk',
        { ...base, errors: formErrors(t, errors, FILTER_FIELDS) },
        400,
      );
    }
    return render(reply, 'pages/oversight/audit.njk', {
      ...base,
      searched: Object.values(filters).some(Boolean),
      rows: page.items.map((e) => ({
        seq: e.seq,
        href: `/audit/events/${e.seq}`,
        occurredAt: e.occurredAt,
        actor: e.actor.username ?? t('oversight.audit.system'),
        action: e.action,
        entity: [e.entityType, e.entityId].filter(Boolean).join(' '),
        outcome: labelOf(t, OUTCOME, e.outcome),
        outcomeCode: e.outcome,
        purpose: e.purpose ?? '',
      })),
      links: keysetLinks('/audit', { ...filters, cursor }, page.nextCursor),
    });
  }

  @Get('export')
  @Authorize('read', 'AuditEvent')
  async export(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const filters = filtersOf(query);
    const format = query.format === 'csv' ? 'csv' : query.format === 'ndjson' ? 'ndjson' : null;
    const resolved = await this.resolve(ctx, filters);
    if (!format || 'errors' in resolved) {
      const errors = 'errors' in resolved ? resolved.errors : [];
      return render(
        reply,
        'pages/oversight/audit.njk',
        {
          filters,
          options: this.options(filters, t),
          exports: exportLinks(filters),
          errors: formErrors(
            t,
            errors.length
              ? errors
              : [{ path: 'format', message: t('oversight.audit.errors.format') }],
            FILTER_FIELDS,
          ),
        },
        400,
      );
    }
    const stream = await this.audit.export(ctx, { ...resolved.query, format });
    await reply
      .header(
        'content-type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="audit-events.${format}"`)
      .send(stream);
  }

  @Get('events/:seq')
  @Authorize('read', 'AuditEvent')
  async event(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('seq') seq: string,
  ): Promise<void> {
    if (!/^\d{1,15}$/.test(seq)) throw notFound();
    const event = await this.audit.event(ctx, Number(seq));
    if (!event) throw notFound('Audit event');
    const t = request.uiPage!.t;
    return render(reply, 'pages/oversight/audit-event.njk', {
      event: {
        ...event,
        outcomeText: labelOf(t, OUTCOME, event.outcome),
        roles: event.actor.roles.join(', '),
        changedFields: (event.changedFields ?? []).join(', '),
        details: event.details ? JSON.stringify(event.details, null, 2) : '',
        prisonerHref: event.prisonerId ? `/prisoners/${event.prisonerId}` : undefined,
      },
    });
  }

  @Get('verify')
  @Authorize('verify', 'AuditEvent')
  async verifyPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.verifyResult(ctx, request, reply, undefined);
  }

  @Post('verify')
  @Authorize('verify', 'AuditEvent')
  async verify(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    // As the API: what arrived since the last verified, signed mark, unless the whole is asked for.
    const result = await this.audit.verify(
      ctx,
      field(body, 'full') === 'true' ? 'full' : 'incremental',
    );
    return this.verifyResult(ctx, request, reply, verificationModel(result, request.uiPage!.t));
  }

  private async verifyResult(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    result: ReturnType<typeof verificationModel> | undefined,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const state = trailState(await this.audit.state(ctx), t);
    return render(reply, 'pages/oversight/verify.njk', {
      result,
      state,
      checkpoints: await this.audit.checkpoints(10),
    });
  }

  /**
   * The search in the service's terms: a username or prison number becomes an id (a prison
   * number is looked up among the prisoners the caller may see), dates become the instants
   * their days start in the interface's time zone; each is checked with the API's DTO.
   */
  private async resolve(
    ctx: RequestContext,
    filters: Filters,
  ): Promise<{ query: AuditQueryDto } | { errors: FieldError[] }> {
    const errors: FieldError[] = [];
    const zone = this.config.env.UI_TIME_ZONE;
    let actorId: string | undefined;
    if (filters.person) {
      actorId = UUID.test(filters.person)
        ? filters.person
        : await this.audit.actorIdOf(filters.person.toLowerCase());
      if (!actorId) errors.push({ path: 'person', message: 'unknown' });
    }
    let prisonerId: string | undefined;
    if (filters.prisoner) {
      if (UUID.test(filters.prisoner)) prisonerId = filters.prisoner;
      else if (filters.prisoner.length <= 100) {
        const found = await this.prisoners.list(ctx, { q: filters.prisoner, limit: 20 });
        prisonerId = found.items.find(
          (p) => p.prisonNumber.toLowerCase() === filters.prisoner.toLowerCase(),
        )?.id;
      }
      if (!prisonerId) errors.push({ path: 'prisoner', message: 'unknown' });
    }
    for (const key of ['from', 'to'] as const)
      if (filters[key] && !isDate(filters[key])) errors.push({ path: key, message: 'date' });
    if (isDate(filters.from) && isDate(filters.to) && filters.to < filters.from)
      errors.push({ path: 'range', message: 'range' });
    const candidate = {
      actorId,
      prisonerId,
      action: filters.action || undefined,
      outcome: filters.outcome || undefined,
      from: isDate(filters.from) ? startOfDay(filters.from, zone) : undefined,
      to: isDate(filters.to) ? startOfDay(nextDay(filters.to), zone) : undefined,
    };
    const { value, errors: invalid } = await validateForm(AuditQueryDto, candidate);
    errors.push(...invalid.filter((e) => !errors.some((x) => x.path === e.path)));
    return errors.length ? { errors } : { query: value };
  }

  private options(filters: Filters, t: Translate) {
    return {
      actions: [
        { value: '', text: t('oversight.audit.anyAction'), selected: !filters.action },
        ...AUDIT_ACTIONS.map((a) => ({ value: a, text: a, selected: a === filters.action })),
      ],
      outcomes: [
        { value: '', text: t('oversight.audit.anyOutcome'), selected: !filters.outcome },
        ...Object.keys(OUTCOME).map((o) => ({
          value: o,
          text: labelOf(t, OUTCOME, o),
          selected: o === filters.outcome,
        })),
      ],
    };
  }
}

function filtersOf(query: Record<string, unknown>): Filters {
  return {
    person: text(query.person),
    prisoner: text(query.prisoner),
    action: text(query.action),
    outcome: text(query.outcome),
    from: text(query.from),
    to: text(query.to),
  };
}

function exportLinks(filters: Filters) {
  const params = new URLSearchParams(
    Object.entries(filters).filter(([, v]) => v) as [string, string][],
  );
  const href = (format: string) => {
    const all = new URLSearchParams(params);
    all.set('format', format);
    return `/audit/export?${all.toString()}`;
  };
  return { csv: href('csv'), ndjson: href('ndjson') };
}
