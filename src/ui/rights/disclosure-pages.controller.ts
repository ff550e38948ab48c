import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { DisclosuresService } from '../../disclosures/disclosures.service.js';
import {
  CreateDisclosureDto,
  DISCLOSED_RECORD_TYPES,
  RECIPIENT_TYPES,
} from '../../disclosures/dto/disclosure.dto.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, UuidPageParam } from '../common/uuid-page-param.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { disclosureRows, label, RECIPIENT, RECORD_TYPE } from './rights.view.js';

/** The form offers this many record lines; empty ones are left out. */
const RECORD_LINES = 3;

const FIELDS: FieldMessages = {
  recipientType: { id: 'recipientType', message: 'rights.disclosure.errors.recipientType' },
  recipient: { id: 'recipient', message: 'rights.disclosure.errors.recipient' },
  lawfulBasis: { id: 'lawfulBasis', message: 'rights.disclosure.errors.lawfulBasis' },
  purpose: { id: 'purpose', message: 'rights.disclosure.errors.purpose' },
  disclosedOn: { id: 'disclosedOn', message: 'rights.disclosure.errors.disclosedOn' },
  records: { id: 'records-0-recordType', message: 'rights.disclosure.errors.records' },
  ...Object.fromEntries(
    Array.from({ length: RECORD_LINES }, (_, i) => [
      [
        `records[${i}].recordType`,
        { id: `records-${i}-recordType`, message: 'rights.disclosure.errors.recordType' },
      ],
      [
        `records[${i}].recordId`,
        { id: `records-${i}-recordId`, message: 'rights.disclosure.errors.recordId' },
      ],
      [
        `records[${i}].fields`,
        { id: `records-${i}-fields`, message: 'rights.disclosure.errors.fields' },
      ],
    ]).flat(),
  ),
};

type Values = Record<string, string>;

/** The disclosure log as pages: the supervisor's log, a prisoner's disclosures and the form. */
@PageController()
export class DisclosurePagesController {
  constructor(
    private readonly disclosures: DisclosuresService,
    private readonly prisoners: PrisonersService,
  ) {}

  @Get('disclosures')
  @Authorize('read', 'Disclosure')
  async log(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.disclosures.list(ctx, { limit: 25, cursor });
    return render(reply, 'pages/rights/disclosures.njk', {
      rows: disclosureRows(page.items, request.uiPage!.t),
      links: keysetLinks('/disclosures', { cursor }, page.nextCursor),
    });
  }

  @Get('prisoners/:id/disclosures')
  @Authorize('read', 'Disclosure')
  async forPrisoner(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, id);
    const page = await this.disclosures.listFor(ctx, id, { limit: 25, cursor });
    return render(reply, 'pages/rights/disclosures-tab.njk', {
      ...prisonerFrame(prisoner, 'disclosures', ctx.ability, state.grants, state.t),
      canRecord: ctx.ability.can(
        'create',
        asSubject('Disclosure', { prisonerId: id, facilityId: prisoner.facility.id }),
      ),
      rows: disclosureRows(page.items, state.t),
      links: keysetLinks(`/prisoners/${id}/disclosures`, { cursor }, page.nextCursor),
    });
  }

  @Get('prisoners/:id/disclosures/new')
  @Authorize('create', 'Disclosure')
  newForm(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.form(ctx, request, reply, id, {
      disclosedOn: new Date().toISOString().slice(0, 10),
    });
  }

  @Post('prisoners/:id/disclosures')
  @Authorize('create', 'Disclosure')
  async record(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const names = ['recipientType', 'recipient', 'lawfulBasis', 'purpose', 'disclosedOn'];
    const values: Values = Object.fromEntries(names.map((n) => [n, field(body, n)]));
    for (let i = 0; i < RECORD_LINES; i++)
      for (const n of ['recordType', 'recordId', 'fields'])
        values[`records-${i}-${n}`] = field(body, `records-${i}-${n}`);
    // A line counts when any of it is filled in; its fields are a comma-separated list.
    const records = Array.from({ length: RECORD_LINES }, (_, i) => ({
      recordType: values[`records-${i}-recordType`],
      recordId: values[`records-${i}-recordId`].trim() || null,
      fields: values[`records-${i}-fields`]
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    })).filter((r) => r.recordType || r.recordId || r.fields.length);
    return submitForm(CreateDisclosureDto, {
      input: {
        recipientType: values.recipientType,
        recipient: values.recipient.trim(),
        lawfulBasis: values.lawfulBasis.trim(),
        purpose: values.purpose.trim(),
        disclosedOn: values.disclosedOn,
        records,
      },
      save: (value) => this.disclosures.create(ctx, id, value),
      refuse: (found) => this.form(ctx, request, reply, id, values, found),
      refused: (error) => refusedFields(error, 'disclosedOn'),
      done: () => redirect(reply, `/prisoners/${id}/disclosures`),
    });
  }

  private async form(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: Values,
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, id);
    const shown = formErrors(t, errors, FIELDS);
    return render(
      reply,
      'pages/rights/disclosure-new.njk',
      {
        ...prisonerFrame(prisoner, 'disclosures', ctx.ability, state.grants, t),
        currentTab: t('rights.disclosure.recordTitle'),
        values,
        recipientTypes: RECIPIENT_TYPES.map((r) => ({
          value: r,
          text: label(t, RECIPIENT, r),
          checked: values.recipientType === r,
        })),
        lines: Array.from({ length: RECORD_LINES }, (_, i) => ({
          index: i,
          number: i + 1,
          recordType: values[`records-${i}-recordType`] ?? '',
          recordId: values[`records-${i}-recordId`] ?? '',
          fields: values[`records-${i}-fields`] ?? '',
          types: [
            { value: '', text: t('rights.disclosure.chooseRecordType') },
            ...DISCLOSED_RECORD_TYPES.map((r) => ({
              value: r,
              text: label(t, RECORD_TYPE, r),
              selected: values[`records-${i}-recordType`] === r,
            })),
          ],
          errors: {
            recordType: shown.fields[`records[${i}].recordType`],
            recordId: shown.fields[`records[${i}].recordId`],
            fields: shown.fields[`records[${i}].fields`],
          },
        })),
        errors: errors.length ? shown : undefined,
      },
      errors.length ? 422 : 200,
    );
  }
}
