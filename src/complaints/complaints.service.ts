import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  CaseOperations,
  underPrisoner,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { conflict, forbidden } from '../errors/problem.exception.js';
import type { FieldError } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import {
  complaintEntityType,
  complaintResponse,
  complaintSubject,
  complaintView,
} from './complaint-view.js';
import {
  ComplaintsRepository,
  SCOPE_FIRST_PARAM,
  type Complaint,
  type StaffName,
  type WatchScope,
} from './complaints.repository.js';
import {
  WATCH_KINDS,
  type AnswerComplaintDto,
  type ComplaintResponse,
  type CreateComplaintDto,
  type ListComplaintsQueryDto,
  type ReferComplaintDto,
} from './dto/complaint.dto.js';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Prisoners' complaints (Mandela Rules 8(d), 56, 57). A complaint made to staff is recorded by
 * any staff role and routed to a supervisor of the facility whom it does not concern; one made to
 * an inspector in an inspection is confidential: it exists only for inspectors of its facility
 * (lists, reads, due items, the audit trail), and the inspector handles it. An allegation of
 * torture or ill-treatment is referred to an independent authority before it may be answered.
 * The full view lists decisions about the complainant taken after the complaint (the
 * anti-retaliation watch), flagging those of the staff it concerns.
 */
@Injectable()
export class ComplaintsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CaseOperations,
    private readonly complaints: ComplaintsRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * The watch as the caller may see it: decisions of the kinds their roles read at all (a PVE
   * inspector reads no restrictive measures, so none are listed or counted for them).
   */
  private watchOf(ctx: RequestContext): WatchScope {
    return {
      period: this.config.env.COMPLAINT_WATCH_PERIOD,
      kinds: WATCH_KINDS.filter(
        (kind) =>
          kind === 'prisoner_event' ||
          ctx.ability.can(
            'read',
            kind === 'restrictive_measure' ? 'RestrictiveMeasure' : 'Assessment',
          ),
      ),
    };
  }

  private target(ctx: RequestContext, c: Complaint): CaseTarget {
    return {
      subject: 'Complaint',
      fields: complaintSubject(c),
      location: { prisonerId: c.prisonerId, facilityId: c.facilityId },
      entity: { type: complaintEntityType(c.confidential, ctx.actor.roles), id: c.id },
    };
  }

  private respond(ctx: RequestContext, c: Complaint): ComplaintResponse {
    return complaintResponse(c, complaintView(ctx.ability, ctx.actor.id, c) ?? 'summary');
  }

  private async find(ctx: RequestContext, m: EntityManager, id: string, lock = false) {
    return this.complaints.find(m, id, this.watchOf(ctx), lock);
  }

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateComplaintDto,
  ): Promise<ComplaintResponse> {
    // Who records it decides where it was made: an inspector in an inspection (confidentially),
    // or any member of staff.
    const channel = ctx.actor.roles.includes('inspector') ? 'inspector' : 'staff';
    const entityType = complaintEntityType(channel === 'inspector', ctx.actor.roles);
    const concerns = dto.concernsStaffIds ?? [];
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'complaint.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) =>
        underPrisoner(location, 'Complaint', entityType, { confidential: channel === 'inspector' }),
      forbidden: 'Your role does not record complaints',
      apply: async (location, _, m) => {
        const errors: FieldError[] = [];
        if (dto.receivedOn > today())
          errors.push({ path: 'receivedOn', message: 'cannot be in the future' });
        const staff = await this.complaints.staffOf(m, location.facilityId, concerns);
        concerns.forEach((id, i) => {
          if (!staff.has(id))
            errors.push({
              path: `concernsStaffIds[${i}]`,
              message: 'is not an active member of staff of the prisoner’s facility',
            });
        });
        let assignedTo: string | undefined;
        if (channel === 'inspector') {
          if (dto.assignedToId !== undefined && dto.assignedToId !== ctx.actor.id)
            errors.push({
              path: 'assignedToId',
              message: 'a complaint made to an inspector is handled by that inspector',
            });
          assignedTo = ctx.actor.id;
        } else {
          const handlers = await this.complaints.impartialHandlers(
            m,
            location.facilityId,
            concerns,
          );
          if (dto.assignedToId !== undefined && !handlers.includes(dto.assignedToId))
            errors.push({
              path: 'assignedToId',
              message:
                'must be an active supervisor of the prisoner’s facility whom the complaint does not concern',
            });
          assignedTo = dto.assignedToId ?? handlers[0];
        }
        if (errors.length > 0) throw validationProblem(errors);
        if (!assignedTo)
          throw conflict(
            'no_impartial_handler',
            'No active supervisor of this facility whom the complaint does not concern can handle it',
          );
        const id = await this.complaints.insert(m, {
          ...location,
          receivedOn: dto.receivedOn,
          madeBy: dto.madeBy,
          channel,
          subject: dto.subject,
          allegesIllTreatment: dto.allegesIllTreatment,
          words: dto.words,
          concernsStaffIds: concerns,
          assignedTo,
          responsePeriod: this.config.env.COMPLAINT_RESPONSE_PERIOD,
          recordedBy: ctx.actor.id,
        });
        return {
          entityId: id,
          changedFields: [
            'receivedOn',
            'madeBy',
            'subject',
            'allegesIllTreatment',
            'words',
            ...(concerns.length > 0 ? ['concernedStaff'] : []),
            'assignedTo',
          ],
          details: {
            channel,
            subject: dto.subject,
            madeBy: dto.madeBy,
            allegesIllTreatment: dto.allegesIllTreatment,
            concernedStaffCount: concerns.length,
            assignedTo,
          },
          respond: async () => this.respond(ctx, (await this.find(ctx, m, id))!),
        };
      },
    });
  }

  /** One complaint; in the full view with its anti-retaliation watch. */
  async get(ctx: RequestContext, id: string): Promise<ComplaintResponse> {
    return this.cases.read(ctx, {
      name: 'Complaint',
      action: 'complaint.read',
      load: (m) => this.find(ctx, m, id),
      target: (c) => this.target(ctx, c),
      respond: async (c, _, m) => {
        const view = complaintView(ctx.ability, ctx.actor.id, c) ?? 'summary';
        const watch =
          view === 'full' ? await this.complaints.watch(m, c.id, this.watchOf(ctx)) : undefined;
        return complaintResponse(c, view, watch);
      },
      details: (_, answer) => ({ view: answer.view }),
    });
  }

  async answer(
    ctx: RequestContext,
    id: string,
    dto: AnswerComplaintDto,
  ): Promise<ComplaintResponse> {
    return this.cases.change(ctx, {
      name: 'Complaint',
      action: 'complaint.answer',
      permission: 'answer',
      load: (m) => this.find(ctx, m, id, true),
      target: (c) => this.target(ctx, c),
      forbidden: 'Only the one the complaint is assigned to answers it',
      apply: async (c, _, m) => {
        if (c.status === 'answered')
          throw conflict('already_answered', 'This complaint has been answered already');
        if (c.allegesIllTreatment && c.referrals.length === 0)
          throw conflict(
            'referral_required',
            'The complaint alleges ill-treatment: record its referral to an independent authority before answering it (Mandela Rule 57(3))',
          );
        await this.complaints.answer(m, id, {
          outcome: dto.outcome,
          response: dto.response,
          by: ctx.actor.id,
        });
        return {
          changedFields: ['outcome', 'response'],
          details: { outcome: dto.outcome, overdue: c.respondBy < today() },
          respond: async () => this.respond(ctx, (await this.find(ctx, m, id))!),
        };
      },
    });
  }

  async refer(ctx: RequestContext, id: string, dto: ReferComplaintDto): Promise<ComplaintResponse> {
    return this.cases.change(ctx, {
      name: 'Complaint',
      action: 'complaint.refer',
      permission: 'refer',
      load: (m) => this.find(ctx, m, id, true),
      target: (c) => this.target(ctx, c),
      forbidden:
        'Only the one the complaint is assigned to, or a supervisor of the facility, refers it',
      // Nobody a complaint concerns records that it went to an independent authority (which
      // would let them clear the way to answering an allegation against themselves).
      refuse: async (c) =>
        c.concernedStaff.some((s) => s.id === ctx.actor.id)
          ? forbidden('Staff a complaint concerns do not refer it')
          : undefined,
      apply: async (c, _, m) => {
        if (dto.referredOn > today())
          throw validationProblem([{ path: 'referredOn', message: 'cannot be in the future' }]);
        if (dto.referredOn < c.receivedOn)
          throw validationProblem([
            {
              path: 'referredOn',
              message: `cannot be before the complaint was received (${c.receivedOn})`,
            },
          ]);
        const referralId = await this.complaints.insertReferral(m, {
          complaintId: c.id,
          authority: dto.authority,
          authorityName: dto.authorityName,
          referredOn: dto.referredOn,
          reference: dto.reference ?? null,
          recordedBy: ctx.actor.id,
        });
        return {
          changedFields: [
            'authority',
            'authorityName',
            'referredOn',
            ...(dto.reference !== undefined ? ['reference'] : []),
          ],
          details: { referralId, authority: dto.authority },
          respond: async () => this.respond(ctx, (await this.find(ctx, m, id))!),
        };
      },
    });
  }

  /**
   * The staff a complaint about this prisoner may name (`concernsStaffIds`): the active staff of
   * the prisoner's facility, for a caller who may record a complaint there (others: 403, or 404
   * out of scope). Audited like a complaint list, so an inspector preparing one leaves no trace
   * that staff can read.
   */
  async staffChoices(ctx: RequestContext, prisonerId: string): Promise<StaffName[]> {
    const inspector = ctx.actor.roles.includes('inspector');
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'complaint.staff_list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) =>
        underPrisoner(location, 'Complaint', complaintEntityType(false, ctx.actor.roles), {
          confidential: inspector,
        }),
      refuse: (location) =>
        ctx.ability.can('create', asSubject('Complaint', { ...location, confidential: inspector }))
          ? undefined
          : forbidden('Your role does not record complaints'),
      respond: (location, _, m) => this.complaints.staffList(m, location.facilityId),
      details: (_, staff) => ({ resultCount: staff.length }),
    });
  }

  /** Whether the caller may answer or refer this complaint (the page offers the forms then). */
  async may(
    ctx: RequestContext,
    action: 'answer' | 'refer',
    c: ComplaintResponse,
  ): Promise<boolean> {
    const subject = asSubject('Complaint', {
      id: c.id,
      prisonerId: c.prisonerId,
      facilityId: c.facilityId,
      confidential: c.confidential,
      recordedById: c.recordedBy.id,
      assignedToId: c.assignedTo.id,
    });
    if (!ctx.ability.can(action, subject)) return false;
    // Staff a complaint concerns neither answer nor refer it.
    const row = await this.find(ctx, this.dataSource.manager, c.id);
    return row !== undefined && !row.concernedStaff.some((s) => s.id === ctx.actor.id);
  }

  /** A prisoner's complaints the caller may read, newest first. */
  async listFor(
    ctx: RequestContext,
    prisonerId: string,
    query: ListComplaintsQueryDto,
  ): Promise<Page<ComplaintResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'complaint.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) =>
        underPrisoner(location, 'Prisoner', complaintEntityType(false, ctx.actor.roles)),
      respond: async (_, __, m) => this.page(ctx, m, { prisonerId, ...query }, after, limit),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  /** Complaints in the caller's scope (their own to answer with `assignedToMe`), newest first. */
  async list(ctx: RequestContext, query: ListComplaintsQueryDto): Promise<Page<ComplaintResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const inspected = [
      ...new Set((ctx.actor.appointments ?? []).flatMap((a) => a.facilityIds)),
    ].sort();
    return this.cases.list(ctx, {
      action: 'complaint.list',
      entityType: complaintEntityType(false, ctx.actor.roles),
      // An inspector's list is on record for the inspectors of the facilities they inspect.
      ...(ctx.actor.roles.includes('inspector') && inspected.length > 0
        ? { facilityIds: inspected }
        : {}),
      run: (m) => this.page(ctx, m, query, after, limit),
      details: (page) => ({
        status: query.status ?? null,
        assignedToMe: query.assignedToMe === 'true',
        resultCount: page.items.length,
      }),
      prisonersShown: (page) =>
        page.items.map((c) => ({ prisonerId: c.prisonerId, facilityId: c.facilityId })),
    });
  }

  private async page(
    ctx: RequestContext,
    m: EntityManager,
    query: ListComplaintsQueryDto & { prisonerId?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Page<ComplaintResponse>> {
    const rows = await this.complaints.page(
      m,
      this.watchOf(ctx),
      this.scope(ctx),
      {
        prisonerId: query.prisonerId,
        status: query.status,
        assignedTo: query.assignedToMe === 'true' ? ctx.actor.id : undefined,
      },
      after,
      limit,
    );
    return toPage(
      rows,
      limit,
      (c) => c.sortKey,
      (c) => this.respond(ctx, c),
    );
  }

  private scope(ctx: RequestContext) {
    return accessibleWhere(
      ctx.ability,
      'read',
      'Complaint',
      {
        facilityId: 'p.facility_id',
        prisonerId: 'c.prisoner_id',
        confidential: ['c.confidential', 'boolean'],
        recordedById: 'c.recorded_by',
        assignedToId: 'c.assigned_to',
      },
      SCOPE_FIRST_PARAM,
    );
  }

  /**
   * Open complaints by their deadline, and ill-treatment allegations not yet referred (due the
   * day received), for `GET /reviews/due`: the complaint's readers see them.
   */
  async dueItems(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    const rows = await this.complaints.due(
      this.dataSource.manager,
      this.watchOf(ctx),
      this.scope(ctx),
      query,
    );
    const now = today();
    return rows.map(({ item_id, kind, due_date, complaint: c }) => ({
      id: item_id,
      kind,
      prisonerId: c.prisonerId,
      prisonNumber: c.prisonNumber,
      prisonerName: c.prisonerName,
      facilityId: c.facilityId,
      dueDate: due_date,
      overdue: due_date < now,
      reason: kind === 'complaint_response' ? 'complaint' : 'ill_treatment_allegation',
      complaintId: c.id,
    }));
  }
}
