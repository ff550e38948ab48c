import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  CaseOperations,
  decide,
  type CaseAccess,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { conflict, unprocessable } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import { PrisonerEventsService } from '../reviews/prisoner-events.service.js';
import { SubjectAccessService } from '../subject-access/subject-access.service.js';
import type {
  CreatePrisonerDto,
  DischargePrisonerDto,
  ListPrisonersQueryDto,
  ReadmitPrisonerDto,
  PrisonerResponse,
  TransferPrisonerDto,
  UpdatePrisonerDto,
} from './dto/prisoner.dto.js';
import {
  PRISONER_COLUMNS,
  PrisonersRepository,
  type Prisoner,
  type PrisonerDetail,
  type PrisonerField,
} from './prisoners.repository.js';

const target = (p: Prisoner): CaseTarget => ({
  subject: 'Prisoner',
  fields: { id: p.id, facilityId: p.facility.id },
  location: { prisonerId: p.id, facilityId: p.facility.id },
  entity: { type: 'prisoner', id: p.id },
});

function toResponse(p: Prisoner): PrisonerResponse {
  return {
    id: p.id,
    prisonNumber: p.prisonNumber,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    legalStatus: p.legalStatus,
    facility: p.facility,
    expectedReleaseDate: p.expectedReleaseDate,
    dischargedOn: p.dischargedOn,
    dischargeReason: p.dischargeReason,
    flags: { under18: p.under18, remand: p.legalStatus === 'remand' },
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const detailResponse = (p: PrisonerDetail, grant: { emergencyAccessId?: string } = {}) => ({
  ...toResponse(p),
  facilityHistory: p.facilityHistory,
  ...grant,
});

/** Prisoner records: identity, legal status, facility and its history. No protected characteristics. */
@Injectable()
export class PrisonersService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly prisoners: PrisonersRepository,
    private readonly events: PrisonerEventsService,
    private readonly subjectAccess: SubjectAccessService,
  ) {}

  async create(ctx: RequestContext, dto: CreatePrisonerDto): Promise<PrisonerResponse> {
    checkDates(dto);
    return this.cases.change(ctx, {
      name: 'Facility',
      action: 'prisoner.create',
      permission: 'create',
      forbidden: 'You may only record prisoners in your own facilities',
      load: async (m) => {
        if (!(await this.prisoners.facilityExists(m, dto.facilityId)))
          throw validationProblem([{ path: 'facilityId', message: 'facility does not exist' }]);
        return { facilityId: dto.facilityId };
      },
      target: ({ facilityId }) => ({
        subject: 'Prisoner',
        fields: { facilityId },
        location: { prisonerId: null, facilityId },
        entity: { type: 'prisoner' },
        readAs: false,
      }),
      apply: async (_, access, m) => {
        await this.refuseTakenNumber(ctx, m, dto.prisonNumber, access.refuse);
        const id = await this.prisoners.insert(m, {
          prisonNumber: dto.prisonNumber,
          givenName: dto.givenName,
          familyName: dto.familyName,
          dateOfBirth: dto.dateOfBirth,
          sex: dto.sex,
          legalStatus: dto.legalStatus,
          facilityId: dto.facilityId,
          expectedReleaseDate: dto.expectedReleaseDate ?? null,
          recordedBy: ctx.actor.id,
        });
        return {
          entityId: id,
          changedFields: Object.keys(dto).filter(
            (k) => dto[k as keyof CreatePrisonerDto] !== undefined,
          ),
          respond: async () => detailResponse((await this.prisoners.detail(m, id))!),
        };
      },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<PrisonerResponse> {
    return this.cases.read<PrisonerDetail, PrisonerResponse>(ctx, {
      name: 'Prisoner',
      action: 'prisoner.read',
      load: (m) => this.prisoners.detail(m, id),
      target,
      respond: (p, access) => detailResponse(p, access.grantField),
    });
  }

  async list(ctx: RequestContext, query: ListPrisonersQueryDto): Promise<Page<PrisonerResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 3);
    const scope = accessibleWhere(ctx.ability, 'read', 'Prisoner', {
      facilityId: 'p.facility_id',
      id: 'p.id',
    });
    let shown: Prisoner[] = [];
    return this.cases.list(ctx, {
      action: 'prisoner.list',
      entityType: 'prisoner',
      facilityIds: query.facilityId ? [query.facilityId] : ctx.actor.facilityIds,
      run: async (m) => {
        const rows = await this.prisoners.search(m, {
          scope,
          facilityId: query.facilityId,
          q: query.q,
          onRoll: query.onRoll === 'all' ? undefined : query.onRoll !== 'false',
          after,
          limit,
        });
        shown = rows.slice(0, limit);
        return toPage(rows, limit, (p) => p.sortKey, toResponse);
      },
      details: (page) => ({
        q: query.q ?? null,
        facilityId: query.facilityId ?? null,
        onRoll: query.onRoll ?? 'true',
        cursor: query.cursor ? true : false,
        resultCount: page.items.length,
      }),
      prisonersShown: () => shown.map((p) => ({ prisonerId: p.id, facilityId: p.facility.id })),
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdatePrisonerDto,
  ): Promise<PrisonerResponse> {
    checkDates(dto);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'prisoner.update',
      permission: 'update',
      load: (m) => this.prisoners.lock(m, id),
      target,
      version: { expected: version, current: (p) => p.version },
      apply: async (current, access, m) => {
        const fields = Object.keys(PRISONER_COLUMNS) as PrisonerField[];
        const changes = Object.fromEntries(
          fields
            .filter((f) => dto[f] !== undefined && dto[f] !== current[f])
            .map((f) => [f, dto[f]]),
        ) as Partial<Record<PrisonerField, unknown>>;
        if (changes.prisonNumber !== undefined)
          await this.refuseTakenNumber(ctx, m, dto.prisonNumber!, access.refuse);
        if (Object.keys(changes).length > 0) await this.prisoners.update(m, id, changes);
        // The official copy on release is due on the release date: one not yet given moves with it.
        const moved =
          typeof changes.expectedReleaseDate === 'string'
            ? await this.subjectAccess.followReleaseDate(m, id, changes.expectedReleaseDate)
            : [];
        return {
          changedFields: Object.keys(changes),
          ...(moved.length > 0 ? { details: { releaseCopyRequestIds: moved } } : {}),
          respond: async () =>
            detailResponse((await this.prisoners.detail(m, id))!, access.grantField),
        };
      },
    });
  }

  async transfer(
    ctx: RequestContext,
    id: string,
    dto: TransferPrisonerDto,
  ): Promise<PrisonerResponse> {
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'prisoner.transfer',
      permission: 'transfer',
      load: (m) => this.prisoners.lock(m, id),
      target,
      apply: async (p, _, m) => {
        if (p.dischargedOn !== null) throw alreadyDischarged();
        if (!(await this.prisoners.facilityExists(m, dto.facilityId)))
          throw validationProblem([{ path: 'facilityId', message: 'facility does not exist' }]);
        if (dto.facilityId === p.facility.id)
          throw unprocessable('same_facility', 'The prisoner is already held in that facility');
        await this.prisoners.transfer(m, id, dto.facilityId, dto.reason, ctx.actor.id);
        // A transfer makes reviews due under the instruments' policies, in the receiving facility.
        await this.events.insert(m, id, dto.facilityId, 'transfer', new Date(), null, ctx.actor.id);
        return {
          changedFields: ['facilityId'],
          details: { fromFacilityId: p.facility.id, toFacilityId: dto.facilityId },
          respond: async () => detailResponse((await this.prisoners.detail(m, id))!),
        };
      },
    });
  }

  /**
   * Discharge from custody (Rule 7(c)): the prisoner leaves the roll; reassessments and plan
   * reviews stop being due, and once released the official copy on release is due that day.
   */
  async discharge(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: DischargePrisonerDto,
  ): Promise<PrisonerResponse> {
    const today = new Date().toISOString().slice(0, 10);
    if (dto.dischargedOn > today)
      throw validationProblem([
        { path: 'dischargedOn', message: 'dischargedOn cannot be in the future' },
      ]);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'prisoner.discharge',
      permission: 'discharge',
      load: (m) => this.prisoners.lock(m, id),
      target,
      version: { expected: version, current: (p) => p.version },
      apply: async (p, access, m) => {
        if (p.dischargedOn !== null) throw alreadyDischarged();
        if (dto.dischargedOn < p.createdAt.toISOString().slice(0, 10))
          throw validationProblem([
            {
              path: 'dischargedOn',
              message: 'dischargedOn cannot be before the prisoner was recorded',
            },
          ]);
        await this.prisoners.discharge(m, id, {
          dischargedOn: dto.dischargedOn,
          reason: dto.reason,
          note: dto.note ?? null,
        });
        // Released: the official copy on release is due that day, whatever was expected.
        const moved =
          dto.reason === 'released'
            ? await this.subjectAccess.followReleaseDate(m, id, dto.dischargedOn)
            : [];
        return {
          changedFields: ['dischargedOn', 'dischargeReason'],
          details: {
            reason: dto.reason,
            facilityId: p.facility.id,
            ...(moved.length > 0 ? { releaseCopyRequestIds: moved } : {}),
          },
          respond: async () =>
            detailResponse((await this.prisoners.detail(m, id))!, access.grantField),
        };
      },
    });
  }

  /** Back on the roll: a discharge recorded in error, or a return to custody. */
  async readmit(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: ReadmitPrisonerDto,
  ): Promise<PrisonerResponse> {
    const today = new Date().toISOString().slice(0, 10);
    if (dto.readmittedOn > today)
      throw validationProblem([
        { path: 'readmittedOn', message: 'readmittedOn cannot be in the future' },
      ]);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'prisoner.readmit',
      permission: 'discharge',
      load: (m) => this.prisoners.lock(m, id),
      target,
      version: { expected: version, current: (p) => p.version },
      apply: async (p, access, m) => {
        if (p.dischargedOn === null)
          throw conflict('not_discharged', 'The prisoner is on the roll: nothing to readmit');
        if (dto.readmittedOn < p.dischargedOn)
          throw validationProblem([
            { path: 'readmittedOn', message: 'readmittedOn cannot be before the discharge' },
          ]);
        await this.prisoners.readmit(
          m,
          id,
          p.facility.id,
          dto.readmittedOn,
          dto.note ?? null,
          ctx.actor.id,
        );
        return {
          changedFields: ['dischargedOn', 'dischargeReason'],
          details: { previousReason: p.dischargeReason, facilityId: p.facility.id },
          respond: async () =>
            detailResponse((await this.prisoners.detail(m, id))!, access.grantField),
        };
      },
    });
  }

  /**
   * Prison numbers are unique across the service. A number held by a record the caller may see
   * is named as a conflict; one held out of their scope is refused without saying where or by
   * whom (the attempt is audited against that record, so its facility's supervisors see it).
   */
  private async refuseTakenNumber(
    ctx: RequestContext,
    m: EntityManager,
    prisonNumber: string,
    refuse: CaseAccess['refuse'],
  ): Promise<void> {
    const holder = await this.prisoners.holderOf(m, prisonNumber);
    if (!holder) return;
    const visible =
      decide(ctx, 'read', {
        subject: 'Prisoner',
        fields: { id: holder.prisonerId, facilityId: holder.facilityId },
      }) === 'allowed';
    if (visible)
      throw conflict('prison_number_taken', `Prison number ${prisonNumber} is already recorded`, {
        existingPrisonerId: holder.prisonerId,
      });
    refuse(
      conflict(
        'prison_number_unavailable',
        'This prison number cannot be used for a new record. If the prisoner is held elsewhere, ' +
          'the holding facility transfers the record.',
      ),
      { prisonerId: holder.prisonerId, facilityId: holder.facilityId },
    );
  }
}

const alreadyDischarged = () =>
  conflict('already_discharged', 'The prisoner has been discharged from custody');

function checkDates(dto: { dateOfBirth?: string; expectedReleaseDate?: string | null }): void {
  const today = new Date().toISOString().slice(0, 10);
  const errors = [];
  if (dto.dateOfBirth && (dto.dateOfBirth >= today || dto.dateOfBirth < '1900-01-01')) {
    errors.push({ path: 'dateOfBirth', message: 'dateOfBirth must be a past date after 1900' });
  }
  if (dto.expectedReleaseDate && dto.dateOfBirth && dto.expectedReleaseDate <= dto.dateOfBirth) {
    errors.push({
      path: 'expectedReleaseDate',
      message: 'expectedReleaseDate must be after dateOfBirth',
    });
  }
  if (errors.length > 0) throw validationProblem(errors);
}
