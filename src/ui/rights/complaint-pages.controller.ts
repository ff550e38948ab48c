import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSubject } from '../../access/ability.factory.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ComplaintsService } from '../../complaints/complaints.service.js';
import {
  AnswerComplaintDto,
  COMPLAINT_MADE_BY,
  COMPLAINT_OUTCOMES,
  COMPLAINT_SUBJECTS,
  CreateComplaintDto,
  REFERRAL_AUTHORITIES,
  ReferComplaintDto,
  type ComplaintResponse,
} from '../../complaints/dto/complaint.dto.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { keysetLinks } from '../common/pagination.js';
import { PageController } from '../common/page-controller.js';
import { problemCode, refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { submitForm } from '../common/submit-form.js';
import { field, fields, optional, UuidPageParam } from '../common/uuid-page-param.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import {
  COMPLAINT_CHANNEL_LABEL,
  COMPLAINT_MADE_BY_LABEL,
  COMPLAINT_OUTCOME_LABEL,
  COMPLAINT_STATUS_LABEL,
  COMPLAINT_SUBJECT_LABEL,
  complaintRows,
  label,
  REFERRAL_AUTHORITY_LABEL,
  WATCH_KIND_LABEL,
} from './rights.view.js';

const RECORD_FIELDS: FieldMessages = {
  receivedOn: { id: 'receivedOn', message: 'rights.complaint.errors.receivedOn' },
  madeBy: { id: 'madeBy', message: 'rights.complaint.errors.madeBy' },
  subject: { id: 'subject', message: 'rights.complaint.errors.subject' },
  allegesIllTreatment: { id: 'allegesIllTreatment', message: 'rights.complaint.errors.alleges' },
  words: { id: 'words', message: 'rights.complaint.errors.words' },
  concernsStaffIds: { id: 'concernsStaffIds', message: 'rights.complaint.errors.concerns' },
  assignedToId: { id: 'handler', message: 'rights.complaint.errors.handler' },
};
const ANSWER_FIELDS: FieldMessages = {
  outcome: { id: 'outcome', message: 'rights.complaint.errors.outcome' },
  response: { id: 'response', message: 'rights.complaint.errors.response' },
  referral: { id: 'outcome', message: 'rights.complaint.errors.referralRequired' },
};
const REFERRAL_FIELDS: FieldMessages = {
  authority: { id: 'authority', message: 'rights.referral.errors.authority' },
  authorityName: { id: 'authorityName', message: 'rights.referral.errors.authorityName' },
  referredOn: { id: 'referredOn', message: 'rights.referral.errors.referredOn' },
  reference: { id: 'reference', message: 'rights.referral.errors.reference' },
};

const today = () => new Date().toISOString().slice(0, 10);

interface RecordValues {
  receivedOn: string;
  madeBy: string;
  subject: string;
  allegesIllTreatment: string;
  words: string;
  concernsStaffIds: string[];
}
interface ReferralValues {
  authority: string;
  authorityName: string;
  referredOn: string;
  reference: string;
}
interface ComplaintForms {
  answer?: { values: { outcome: string; response: string }; errors: FieldError[] };
  referral?: { values: ReferralValues; errors: FieldError[] };
}

/** Every error on an item of `concernsStaffIds` shows on the list as a whole. */
const concernsAsOne = (errors: FieldError[]): FieldError[] =>
  errors.map((e) =>
    e.path.startsWith('concernsStaffIds[') ? { ...e, path: 'concernsStaffIds' } : e,
  );

/**
 * Complaints as pages: a prisoner's complaints (and the form staff, or an inspector, record one
 * with), the queue of complaints assigned to the caller, and one complaint with its referrals,
 * the answer and the anti-retaliation watch. The same service as the API, so each role sees
 * exactly its API view, and confidential complaints only inspectors.
 */
@PageController()
export class ComplaintPagesController {
  constructor(
    private readonly complaints: ComplaintsService,
    private readonly prisoners: PrisonersService,
  ) {}

  @Get('prisoners/:id/complaints')
  @Authorize('read', 'Complaint')
  async forPrisoner(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const prisoner = await this.prisoners.get(ctx, id);
    const page = await this.complaints.listFor(ctx, id, { limit: 25, cursor });
    const inspector = ctx.actor.roles.includes('inspector');
    return render(reply, 'pages/rights/complaints-tab.njk', {
      ...prisonerFrame(prisoner, 'complaints', ctx.ability, state.grants, state.t),
      canRecord: ctx.ability.can(
        'create',
        asSubject('Complaint', {
          prisonerId: id,
          facilityId: prisoner.facility.id,
          confidential: inspector,
        }),
      ),
      recordTitle: state.t(
        inspector ? 'rights.complaint.recordConfidentialTitle' : 'rights.complaint.recordTitle',
      ),
      rows: complaintRows(page.items, state.t),
      links: keysetLinks(`/prisoners/${id}/complaints`, { cursor }, page.nextCursor),
    });
  }

  @Get('prisoners/:id/complaints/new')
  @Authorize('create', 'Complaint')
  async recordForm(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.form(ctx, request, reply, id, {
      receivedOn: today(),
      madeBy: '',
      subject: '',
      allegesIllTreatment: '',
      words: '',
      concernsStaffIds: [],
    });
  }

  @Post('prisoners/:id/complaints')
  @Authorize('create', 'Complaint')
  async record(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values: RecordValues = {
      receivedOn: field(body, 'receivedOn'),
      madeBy: field(body, 'madeBy'),
      subject: field(body, 'subject'),
      allegesIllTreatment: field(body, 'allegesIllTreatment'),
      words: field(body, 'words'),
      concernsStaffIds: fields(body, 'concernsStaffIds'),
    };
    const alleges = { yes: true, no: false }[values.allegesIllTreatment];
    return submitForm(CreateComplaintDto, {
      input: {
        receivedOn: values.receivedOn,
        madeBy: values.madeBy,
        subject: values.subject,
        allegesIllTreatment: alleges,
        words: values.words.trim() ? values.words : '',
        concernsStaffIds: values.concernsStaffIds,
      },
      save: (value) => this.complaints.create(ctx, id, value),
      refuse: (errors) => this.form(ctx, request, reply, id, values, concernsAsOne(errors)),
      refused: (error) =>
        problemCode(error) === 'no_impartial_handler'
          ? [{ path: 'assignedToId', message: 'handler' }]
          : refusedFields(error, 'words'),
      done: (created) => redirect(reply, `/complaints/${created.id}`),
    });
  }

  @Get('complaints')
  @Authorize('read', 'Complaint')
  async queue(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('show') show?: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const shown = show === 'open' || show === 'answered' ? show : 'mine';
    const page = await this.complaints.list(ctx, {
      limit: 25,
      cursor,
      ...(shown === 'mine' ? { assignedToMe: 'true', status: 'open' } : { status: shown }),
    });
    return render(reply, 'pages/rights/complaints.njk', {
      tabs: (['mine', 'open', 'answered'] as const).map((s) => ({
        text: t(`rights.complaints.tab.${s}`),
        href: s === 'mine' ? '/complaints' : `/complaints?show=${s}`,
        active: s === shown,
      })),
      shown,
      rows: complaintRows(page.items, t),
      links: keysetLinks(
        '/complaints',
        { show: shown === 'mine' ? undefined : shown, cursor },
        page.nextCursor,
      ),
    });
  }

  @Get('complaints/:id')
  @Authorize('read', 'Complaint')
  async view(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    return this.complaintPage(ctx, request, reply, await this.complaints.get(ctx, id));
  }

  @Post('complaints/:id/answer')
  @Authorize('answer', 'Complaint')
  async answer(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = { outcome: field(body, 'outcome'), response: field(body, 'response') };
    return submitForm(AnswerComplaintDto, {
      input: { outcome: values.outcome, response: values.response.trim() ? values.response : '' },
      save: (value) => this.complaints.answer(ctx, id, value),
      refuse: async (found) =>
        this.complaintPage(ctx, request, reply, await this.complaints.get(ctx, id), {
          answer: { values, errors: found },
        }),
      refused: (error) =>
        problemCode(error) === 'referral_required'
          ? [{ path: 'referral', message: 'referral' }]
          : refusedFields(error, 'response'),
      done: () => redirect(reply, `/complaints/${id}`),
    });
  }

  @Post('complaints/:id/referrals')
  @Authorize('refer', 'Complaint')
  async refer(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values: ReferralValues = {
      authority: field(body, 'authority'),
      authorityName: field(body, 'authorityName'),
      referredOn: field(body, 'referredOn'),
      reference: field(body, 'reference'),
    };
    return submitForm(ReferComplaintDto, {
      input: {
        authority: values.authority,
        authorityName: values.authorityName.trim(),
        referredOn: values.referredOn,
        reference: optional(values.reference),
      },
      save: (value) => this.complaints.refer(ctx, id, value),
      refuse: async (found) =>
        this.complaintPage(ctx, request, reply, await this.complaints.get(ctx, id), {
          referral: { values, errors: found },
        }),
      refused: (error) => refusedFields(error, 'referredOn'),
      done: () => redirect(reply, `/complaints/${id}#referrals`),
    });
  }

  private async complaintPage(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    c: ComplaintResponse,
    forms: ComplaintForms = {},
  ): Promise<void> {
    const t = request.uiPage!.t;
    const canAnswer = c.status === 'open' && (await this.complaints.may(ctx, 'answer', c));
    const canRefer = await this.complaints.may(ctx, 'refer', c);
    const answer = forms.answer ?? { values: { outcome: '', response: '' }, errors: [] };
    const referral = forms.referral ?? {
      values: { authority: '', authorityName: '', referredOn: today(), reference: '' },
      errors: [],
    };
    const failed = forms.answer?.errors ?? forms.referral?.errors ?? [];
    const failedFields = forms.answer ? ANSWER_FIELDS : forms.referral ? REFERRAL_FIELDS : {};
    const fieldsOf = (errors: FieldError[], messages: FieldMessages) =>
      errors.length ? formErrors(t, errors, messages).fields : undefined;
    return render(
      reply,
      'pages/rights/complaint.njk',
      {
        complaint: {
          ...c,
          prisonerHref: `/prisoners/${c.prisonerId}`,
          channelText: label(t, COMPLAINT_CHANNEL_LABEL, c.channel),
          madeByText: label(t, COMPLAINT_MADE_BY_LABEL, c.madeBy),
          subjectText: label(t, COMPLAINT_SUBJECT_LABEL, c.subject),
          statusText: label(t, COMPLAINT_STATUS_LABEL, c.status),
          outcomeText: label(t, COMPLAINT_OUTCOME_LABEL, c.outcome),
          concerned: (c.concernedStaff ?? []).map((s) => s.displayName).join(', '),
          full: c.view === 'full',
        },
        referrals: c.referrals.map((r) => ({
          ...r,
          title: t('rights.referral.itemTitle', {
            authority: label(t, REFERRAL_AUTHORITY_LABEL, r.authority),
            name: r.authorityName,
          }),
          authorityText: label(t, REFERRAL_AUTHORITY_LABEL, r.authority),
        })),
        watch: (c.watch ?? []).map((w) => ({
          ...w,
          what: `${label(t, WATCH_KIND_LABEL, w.kind)}: ${w.type}`,
        })),
        canAnswer,
        outcomes: COMPLAINT_OUTCOMES.map((o) => ({
          value: o,
          text: label(t, COMPLAINT_OUTCOME_LABEL, o),
          checked: answer.values.outcome === o,
        })),
        values: answer.values,
        answerErrors: fieldsOf(answer.errors, ANSWER_FIELDS),
        canRefer,
        referral: {
          values: referral.values,
          authorities: REFERRAL_AUTHORITIES.map((a) => ({
            value: a,
            text: label(t, REFERRAL_AUTHORITY_LABEL, a),
            checked: referral.values.authority === a,
          })),
          errors: fieldsOf(referral.errors, REFERRAL_FIELDS),
        },
        errors: failed.length ? formErrors(t, failed, failedFields) : undefined,
      },
      failed.length ? 422 : 200,
    );
  }

  private async form(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisonerId: string,
    values: RecordValues,
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, prisonerId);
    const inspector = ctx.actor.roles.includes('inspector');
    const staff = await this.complaints.staffChoices(ctx, prisonerId);
    const radios = (codes: readonly string[], labels: Record<string, MessageKey>, chosen: string) =>
      codes.map((code) => ({
        value: code,
        text: label(t, labels, code),
        checked: chosen === code,
      }));
    return render(
      reply,
      'pages/rights/complaint-new.njk',
      {
        ...prisonerFrame(prisoner, 'complaints', ctx.ability, state.grants, t),
        currentTab: t(
          inspector ? 'rights.complaint.recordConfidentialTitle' : 'rights.complaint.recordTitle',
        ),
        inspector,
        madeBy: radios(COMPLAINT_MADE_BY, COMPLAINT_MADE_BY_LABEL, values.madeBy),
        subjects: radios(COMPLAINT_SUBJECTS, COMPLAINT_SUBJECT_LABEL, values.subject),
        alleges: [
          {
            value: 'yes',
            text: t('rights.complaint.yes'),
            checked: values.allegesIllTreatment === 'yes',
          },
          {
            value: 'no',
            text: t('rights.complaint.no'),
            checked: values.allegesIllTreatment === 'no',
          },
        ],
        staff: staff.map((s) => ({
          value: s.id,
          text: s.displayName,
          checked: values.concernsStaffIds.includes(s.id),
        })),
        values,
        errors: errors.length ? formErrors(t, errors, RECORD_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }
}
