import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { AuthService } from '../../auth/auth.service.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { FacilitiesService } from '../../facilities/facilities.service.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import { logisticsPlan } from '../../plans/plan-view.js';
import { PlansService } from '../../plans/plans.service.js';
import {
  CreatePrisonerDto,
  DISCHARGE_REASONS,
  DischargePrisonerDto,
  ReadmitPrisonerDto,
  TransferPrisonerDto,
  UpdatePrisonerDto,
  type PrisonerResponse,
} from '../../prisoners/dto/prisoner.dto.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { CreatePrisonerEventDto } from '../../reviews/dto/reviews.dto.js';
import { PrisonerEventsService } from '../../reviews/prisoner-events.service.js';
import { formErrors, validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { problemCode, refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { field, optional, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';
import { AssessmentPageData } from '../assessments/assessment-page-data.js';
import { zonedInstant } from '../oversight/zoned-date.js';
import { labelOf } from '../plans/plan-labels.js';
import { planModel } from '../plans/plan.view.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import {
  DISCHARGE_REASON,
  EVENT_TYPE,
  eventTypeOptions,
  RECORD_FIELDS,
  recordOptions,
  recordValues,
  shownValue,
  type RecordValues,
} from './records.view.js';

const RECORD_MESSAGES: FieldMessages = {
  prisonNumber: { id: 'prisonNumber', message: 'records.errors.prisonNumber' },
  givenName: { id: 'givenName', message: 'records.errors.givenName' },
  familyName: { id: 'familyName', message: 'records.errors.familyName' },
  dateOfBirth: { id: 'dateOfBirth', message: 'records.errors.dateOfBirth' },
  sex: { id: 'sex', message: 'records.errors.sex' },
  legalStatus: { id: 'legalStatus', message: 'records.errors.legalStatus' },
  facilityId: { id: 'facilityId', message: 'records.errors.facility' },
  expectedReleaseDate: { id: 'expectedReleaseDate', message: 'records.errors.release' },
  prisonNumberTaken: { id: 'prisonNumber', message: 'records.errors.numberTaken' },
  prisonNumberUnavailable: { id: 'prisonNumber', message: 'records.errors.numberUnavailable' },
};
const TRANSFER_MESSAGES: FieldMessages = {
  facilityId: { id: 'facilityId', message: 'records.transfer.errors.facility' },
  reason: { id: 'reason', message: 'records.transfer.errors.reason' },
};
const DISCHARGE_MESSAGES: FieldMessages = {
  dischargedOn: { id: 'dischargedOn', message: 'records.discharge.errors.date' },
  reason: { id: 'reason', message: 'records.discharge.errors.reason' },
  note: { id: 'note', message: 'records.discharge.errors.note' },
  version: { id: 'dischargedOn', message: 'records.discharge.errors.version' },
};
const READMIT_MESSAGES: FieldMessages = {
  readmittedOn: { id: 'readmittedOn', message: 'records.readmit.errors.date' },
  note: { id: 'note', message: 'records.readmit.errors.note' },
  version: { id: 'readmittedOn', message: 'records.discharge.errors.version' },
};
const EVENT_MESSAGES: FieldMessages = {
  type: { id: 'type', message: 'records.event.errors.type' },
  date: { id: 'date', message: 'records.event.errors.date' },
  time: { id: 'time', message: 'records.event.errors.time' },
  occurredAt: { id: 'date', message: 'records.event.errors.when' },
  note: { id: 'note', message: 'records.event.errors.note' },
};

const OPEN = ['draft', 'pending_approval', 'active', 'suspended'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;

/** A record's fields from a posted form, each as text. */
const postedRecord = (body: unknown): RecordValues => ({
  prisonNumber: field(body, 'prisonNumber').trim(),
  givenName: field(body, 'givenName').trim(),
  familyName: field(body, 'familyName').trim(),
  dateOfBirth: field(body, 'dateOfBirth'),
  sex: field(body, 'sex'),
  legalStatus: field(body, 'legalStatus'),
  facilityId: field(body, 'facilityId'),
  expectedReleaseDate: field(body, 'expectedReleaseDate'),
});

/** `saving`, with a refusal of problem `code` taken as done (a form posted twice). */
const settledUnless = <T>(saving: Promise<T>, code: string): Promise<T | null> =>
  saving.catch((error: unknown) => {
    if (problemCode(error) === code) return null;
    throw error;
  });

/** A stale form's version, or the service's field errors (else `fallback`'s). */
const versionOr = (error: unknown, fallback: string) =>
  problemCode(error) === 'version_conflict'
    ? [{ path: 'version', message: 'version' }]
    : refusedFields(error, fallback);

/**
 * Work on prisoner records: record a prisoner (no religion, ethnicity or political opinion:
 * Mandela Rule 2), correct a record with the version it was read at (a
 * conflict shows both versions), transfer with a reason after a check, record events and see
 * what each makes due, and the risk summary: the security view of the latest approved
 * assessment beside the plan's logistics view; and the supervisor's discharge and readmission.
 */
@PageController('prisoners')
export class RecordPagesController {
  constructor(
    private readonly prisoners: PrisonersService,
    private readonly events: PrisonerEventsService,
    private readonly assessments: AssessmentsService,
    private readonly plans: PlansService,
    private readonly facilities: FacilitiesService,
    private readonly instruments: InstrumentsService,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly data: AssessmentPageData,
  ) {}

  // ---------------------------------------------------------------- a new record

  @Get('new')
  @Authorize('create', 'Prisoner')
  async newRecord(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const facilities = await this.ownFacilities(ctx);
    return this.createForm(request, reply, facilities, {
      prisonNumber: '',
      givenName: '',
      familyName: '',
      dateOfBirth: '',
      sex: '',
      legalStatus: '',
      facilityId: facilities.length === 1 ? facilities[0].id : '',
      expectedReleaseDate: '',
    });
  }

  @Post('new')
  @Authorize('create', 'Prisoner')
  async create(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    const values = postedRecord(body);
    const facilities = await this.ownFacilities(ctx);
    return submitForm(CreatePrisonerDto, {
      input: { ...values, expectedReleaseDate: optional(values.expectedReleaseDate) },
      save: (value) => this.prisoners.create(ctx, value),
      refuse: (found) => this.createForm(request, reply, facilities, values, found),
      refused: (error) => numberTaken(error) ?? refusedFields(error, 'prisonNumber'),
      done: (created) => redirect(reply, `/prisoners/${created.id}`),
    });
  }

  private createForm(
    request: FastifyRequest,
    reply: FastifyReply,
    facilities: { id: string; name: string; code: string }[],
    values: RecordValues,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    return render(
      reply,
      'pages/records/new.njk',
      {
        values,
        ...recordOptions(values, t),
        facilities: [
          { value: '', text: t('records.chooseFacility'), selected: !values.facilityId },
          ...facilities.map((f) => ({
            value: f.id,
            text: `${f.name} (${f.code})`,
            selected: f.id === values.facilityId,
          })),
        ],
        errors: errors.length ? formErrors(t, errors, RECORD_MESSAGES) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- correction

  @Get(':id/edit')
  @Authorize('update', 'Prisoner')
  async edit(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    return this.editForm(ctx, request, reply, prisoner, recordValues(prisoner), prisoner.version);
  }

  @Post(':id/edit')
  @Authorize('update', 'Prisoner')
  async correct(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = postedRecord(body);
    const version = postedVersion(body);
    const { value, errors } = await validateForm(UpdatePrisonerDto, {
      prisonNumber: values.prisonNumber,
      givenName: values.givenName,
      familyName: values.familyName,
      dateOfBirth: values.dateOfBirth,
      sex: values.sex,
      legalStatus: values.legalStatus,
      expectedReleaseDate: optional(values.expectedReleaseDate) ?? null,
    });
    if (errors.length > 0) {
      const prisoner = await this.prisoners.get(ctx, id);
      return this.editForm(ctx, request, reply, prisoner, values, version, errors);
    }
    try {
      await this.prisoners.update(ctx, id, version, value);
    } catch (error) {
      if (problemCode(error) === 'version_conflict') {
        // Someone else changed the record: both versions side by side, to resubmit or leave.
        const current = await this.prisoners.get(ctx, id);
        return this.editForm(ctx, request, reply, current, values, current.version, [], true);
      }
      const refused = numberTaken(error) ?? refusedFields(error, 'prisonNumber');
      if (!refused) throw error;
      const prisoner = await this.prisoners.get(ctx, id);
      return this.editForm(ctx, request, reply, prisoner, values, version, refused);
    }
    return redirect(reply, `/prisoners/${id}`);
  }

  private editForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisoner: PrisonerResponse,
    values: RecordValues,
    version: number,
    errors: FieldError[] = [],
    conflict = false,
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const current = recordValues(prisoner);
    return render(
      reply,
      'pages/records/edit.njk',
      {
        ...prisonerFrame(prisoner, 'overview', ctx.ability, state.grants, t),
        currentTab: t('records.edit.title'),
        values,
        version,
        ...recordOptions(values, t),
        conflict: conflict && {
          rows: RECORD_FIELDS.map((f) => ({
            label: t(`records.field.${f}`),
            mine: shownValue(f, values[f], t),
            theirs: shownValue(f, current[f], t),
            differs: values[f] !== current[f],
          })),
          updatedAt: prisoner.updatedAt,
        },
        errors: errors.length ? formErrors(t, errors, RECORD_MESSAGES) : undefined,
      },
      conflict ? 409 : errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- transfer

  @Get(':id/transfer')
  @Authorize('transfer', 'Prisoner')
  async transferPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    return this.transferForm(ctx, request, reply, prisoner, { facilityId: '', reason: '' });
  }

  @Post(':id/transfer')
  @Authorize('transfer', 'Prisoner')
  async transfer(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    const values = { facilityId: field(body, 'facilityId'), reason: field(body, 'reason').trim() };
    const { value, errors } = await validateForm(TransferPrisonerDto, values);
    if (errors.length > 0) return this.transferForm(ctx, request, reply, prisoner, values, errors);
    const to = (await this.allFacilities()).find((f) => f.id === value.facilityId);
    if (!to || to.id === prisoner.facility.id)
      return this.transferForm(ctx, request, reply, prisoner, values, [
        { path: 'facilityId', message: 'facility' },
      ]);
    const state = request.uiPage!;
    // A transfer is checked before it is made: the page shows from, to and why.
    if (field(body, 'confirm') !== 'yes') {
      return render(reply, 'pages/records/transfer-check.njk', {
        ...prisonerFrame(prisoner, 'overview', ctx.ability, state.grants, state.t),
        currentTab: state.t('records.transfer.checkTitle'),
        values,
        from: `${prisoner.facility.name} (${prisoner.facility.code})`,
        to: `${to.name} (${to.code})`,
      });
    }
    try {
      await this.prisoners.transfer(ctx, id, value);
    } catch (error) {
      const refused = refusedFields(error, 'facilityId');
      if (!refused) throw error;
      return this.transferForm(ctx, request, reply, prisoner, values, refused);
    }
    // The record may now be outside the officer's facilities: the confirmation says so.
    return render(reply, 'pages/records/transferred.njk', {
      prisonNumber: prisoner.prisonNumber,
      name: `${prisoner.givenName} ${prisoner.familyName}`,
      to: `${to.name} (${to.code})`,
      href: ctx.actor.facilityIds.includes(to.id) ? `/prisoners/${id}` : undefined,
    });
  }

  private async transferForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisoner: PrisonerResponse,
    values: { facilityId: string; reason: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const facilities = (await this.allFacilities()).filter((f) => f.id !== prisoner.facility.id);
    return render(
      reply,
      'pages/records/transfer.njk',
      {
        ...prisonerFrame(prisoner, 'overview', ctx.ability, state.grants, t),
        currentTab: t('records.transfer.title'),
        values,
        from: `${prisoner.facility.name} (${prisoner.facility.code})`,
        facilities: [
          { value: '', text: t('records.chooseFacility'), selected: !values.facilityId },
          ...facilities.map((f) => ({
            value: f.id,
            text: `${f.name} (${f.code})`,
            selected: f.id === values.facilityId,
          })),
        ],
        errors: errors.length ? formErrors(t, errors, TRANSFER_MESSAGES) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- discharge, readmission

  @Get(':id/discharge')
  @Authorize('discharge', 'Prisoner')
  async dischargePage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    if (prisoner.dischargedOn !== null) return redirect(reply, `/prisoners/${id}`);
    const values = { dischargedOn: new Date().toISOString().slice(0, 10), reason: '', note: '' };
    return this.dischargeForm(ctx, request, reply, prisoner, values, prisoner.version);
  }

  @Post(':id/discharge')
  @Authorize('discharge', 'Prisoner')
  async discharge(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const version = postedVersion(body);
    const values = {
      dischargedOn: field(body, 'dischargedOn').trim(),
      reason: field(body, 'reason'),
      note: field(body, 'note').trim(),
    };
    return submitForm(DischargePrisonerDto, {
      input: {
        dischargedOn: values.dischargedOn,
        reason: values.reason,
        ...(values.note ? { note: values.note } : {}),
      },
      // Discharged already (the form posted twice): the prisoner's page says so.
      save: (value) =>
        settledUnless(this.prisoners.discharge(ctx, id, version, value), 'already_discharged'),
      refuse: async (errors) => {
        const prisoner = await this.prisoners.get(ctx, id);
        return this.dischargeForm(ctx, request, reply, prisoner, values, prisoner.version, errors);
      },
      refused: (error) => versionOr(error, 'dischargedOn'),
      done: () => redirect(reply, `/prisoners/${id}`),
    });
  }

  private dischargeForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisoner: PrisonerResponse,
    values: { dischargedOn: string; reason: string; note: string },
    version: number,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    return render(
      reply,
      'pages/records/discharge.njk',
      {
        ...prisonerFrame(prisoner, 'overview', ctx.ability, request.uiPage!.grants, t),
        currentTab: t('records.discharge.title'),
        values,
        version,
        reasons: DISCHARGE_REASONS.map((reason) => ({
          value: reason,
          text: t(DISCHARGE_REASON[reason]),
          checked: reason === values.reason,
        })),
        errors: errors.length ? formErrors(t, errors, DISCHARGE_MESSAGES) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  @Get(':id/readmit')
  @Authorize('discharge', 'Prisoner')
  async readmitPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    if (prisoner.dischargedOn === null) return redirect(reply, `/prisoners/${id}`);
    const values = { readmittedOn: new Date().toISOString().slice(0, 10), note: '' };
    return this.readmitForm(ctx, request, reply, prisoner, values, prisoner.version);
  }

  @Post(':id/readmit')
  @Authorize('discharge', 'Prisoner')
  async readmit(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const version = postedVersion(body);
    const values = {
      readmittedOn: field(body, 'readmittedOn').trim(),
      note: field(body, 'note').trim(),
    };
    return submitForm(ReadmitPrisonerDto, {
      input: {
        readmittedOn: values.readmittedOn,
        ...(values.note ? { note: values.note } : {}),
      },
      // On the roll already (the form posted twice): the prisoner's page says so.
      save: (value) =>
        settledUnless(this.prisoners.readmit(ctx, id, version, value), 'not_discharged'),
      refuse: async (errors) => {
        const prisoner = await this.prisoners.get(ctx, id);
        return this.readmitForm(ctx, request, reply, prisoner, values, prisoner.version, errors);
      },
      refused: (error) => versionOr(error, 'readmittedOn'),
      done: () => redirect(reply, `/prisoners/${id}`),
    });
  }

  private readmitForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisoner: PrisonerResponse,
    values: { readmittedOn: string; note: string },
    version: number,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    return render(
      reply,
      'pages/records/readmit.njk',
      {
        ...prisonerFrame(prisoner, 'overview', ctx.ability, request.uiPage!.grants, t),
        currentTab: t('records.readmit.title'),
        values,
        version,
        errors: errors.length ? formErrors(t, errors, READMIT_MESSAGES) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- events

  @Get(':id/events/new')
  @Authorize('create', 'PrisonerEvent')
  async eventPage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const prisoner = await this.prisoners.get(ctx, id);
    return this.eventForm(ctx, request, reply, prisoner, {
      type: '',
      date: new Date().toISOString().slice(0, 10),
      time: '',
      note: '',
    });
  }

  @Post(':id/events')
  @Authorize('create', 'PrisonerEvent')
  async recordEvent(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const values = {
      type: field(body, 'type'),
      date: field(body, 'date'),
      time: field(body, 'time'),
      note: field(body, 'note'),
    };
    const errors: FieldError[] = [];
    if (!DATE.test(values.date)) errors.push({ path: 'date', message: 'date' });
    if (!TIME.test(values.time)) errors.push({ path: 'time', message: 'time' });
    let occurredAt = '';
    if (errors.length === 0) {
      try {
        occurredAt = zonedInstant(values.date, values.time, this.config.env.UI_TIME_ZONE);
      } catch {
        errors.push({ path: 'date', message: 'date' });
      }
    }
    const { value, errors: invalid } = await validateForm(CreatePrisonerEventDto, {
      type: values.type,
      occurredAt,
      note: optional(values.note),
    });
    errors.push(...invalid.filter((e) => e.path !== 'occurredAt' || errors.length === 0));
    const refuse = async (found: FieldError[]) =>
      this.eventForm(ctx, request, reply, await this.prisoners.get(ctx, id), values, found);
    if (errors.length > 0) return refuse(errors);
    let recorded;
    try {
      recorded = await this.events.record(ctx, id, value);
    } catch (error) {
      const refused = refusedFields(error, 'date');
      if (!refused) throw error;
      return refuse(refused);
    }
    const prisoner = await this.prisoners.get(ctx, id);
    return render(reply, 'pages/records/event-recorded.njk', {
      ...prisonerFrame(prisoner, 'events', ctx.ability, state.grants, state.t),
      currentTab: state.t('records.event.recordedTitle'),
      event: {
        type: labelOf(state.t, EVENT_TYPE, recorded.type),
        occurredAt: recorded.occurredAt,
      },
      makesDue: (recorded.makesDue ?? []).map((d) => ({
        instrument: d.instrumentKey,
        action: state.t(d.action === 'review' ? 'records.event.review' : 'records.event.reassess'),
        dueDate: d.dueDate,
      })),
    });
  }

  private eventForm(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    prisoner: PrisonerResponse,
    values: { type: string; date: string; time: string; note: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    return render(
      reply,
      'pages/records/event.njk',
      {
        ...prisonerFrame(prisoner, 'events', ctx.ability, state.grants, t),
        currentTab: t('records.event.title'),
        values,
        types: eventTypeOptions(values.type, t),
        errors: errors.length ? formErrors(t, errors, EVENT_MESSAGES) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- risk summary

  @Get(':id/risk-summary')
  @Authorize('read', 'Assessment')
  async riskSummary(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, id);
    const assessments = await this.assessments.listForPrisoner(ctx, id, { limit: 100 });
    const approved = assessments.items
      .filter((a) => a.status === 'approved' && a.instrument.purpose === 'risk' && a.approvedAt)
      .sort((a, b) => (a.approvedAt! < b.approvedAt! ? 1 : -1));
    const risk = await Promise.all(
      [...new Map(approved.map((a) => [a.instrument.key, a])).values()].map(async (a) => {
        // The instrument's own words in the page's language, where it or a version with the
        // same text translates them.
        const definition = await this.data.definition(a.instrument, state.locale);
        return {
          instrument: `${definition.title} ${a.instrument.version}`,
          level: a.finalRiskLevel
            ? (definition.levels?.find((l) => l.code === a.finalRiskLevel)?.label ??
              a.finalRiskLevel)
            : '',
          approvedAt: a.approvedAt,
          nextReviewDue: a.nextReviewDue,
          // This page is the security summary: security recommendations only.
          recommendations: a.recommendations.filter((r) => r.tag === 'security').map((r) => r.text),
        };
      }),
    );
    let plan;
    if (ctx.ability.can('read', 'Plan')) {
      const plans = await this.plans.listForPrisoner(ctx, id, { limit: 20 });
      const open = plans.items.find((p) => OPEN.includes(p.status));
      if (open) {
        // The risk summary shows every role the plan's logistics: what happens where and when.
        const read = await this.plans.get(ctx, open.id);
        plan = planModel(
          {
            plan: read.view === 'logistics' ? read : logisticsPlan(read),
            prisoner,
            catalogue: undefined,
            riskLevelLabel: null,
            titles: await this.titles(),
            can: noAbilities,
          },
          ctx.actor.id,
          t,
        );
      }
    }
    return render(reply, 'pages/records/risk-summary.njk', {
      ...prisonerFrame(prisoner, 'overview', ctx.ability, state.grants, t),
      currentTab: t('records.summary.title'),
      risk,
      plan,
    });
  }

  // ---------------------------------------------------------------- shared

  private async ownFacilities(ctx: RequestContext) {
    return (await this.auth.profile(ctx.actor.id)).facilities;
  }

  /** Every facility (names and codes: not case content), for transfers between them. */
  private async allFacilities() {
    const page = await this.facilities.list({ limit: 500 });
    return page.items;
  }

  private async titles(): Promise<Map<string, string>> {
    const titles = new Map<string, string>();
    for (const summary of await this.instruments.list()) {
      if (summary.kind !== 'intervention-catalogue') continue;
      const v = await this.instruments.getVersion(summary.key, summary.versions[0].version);
      const def = v?.definition as { interventions?: { code: string; title: string }[] };
      for (const i of def?.interventions ?? [])
        if (!titles.has(i.code)) titles.set(i.code, i.title);
    }
    return titles;
  }
}

const noAbilities = {
  full: false,
  editProgramme: false,
  submit: false,
  approve: false,
  resume: false,
  deliver: false,
  review: false,
  suspend: false,
  complete: false,
  close: false,
  approveRevision: false,
  withdrawRevision: false,
};

/** A prison number already in use (409): said on the number's field. */
function numberTaken(error: unknown): FieldError[] | undefined {
  if (!(error instanceof ProblemException)) return undefined;
  if (error.body.code === 'prison_number_taken')
    return [{ path: 'prisonNumberTaken', message: 'taken' }];
  if (error.body.code === 'prison_number_unavailable')
    return [{ path: 'prisonNumberUnavailable', message: 'unavailable' }];
  return undefined;
}
