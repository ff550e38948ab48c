import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import { CaseOperations, underPrisoner } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { forbidden } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import type { Handover } from '../plans/plans.repository.js';
import { DisclosuresRepository } from './disclosures.repository.js';
import type {
  CreateDisclosureDto,
  DisclosureResponse,
  ListDisclosuresQueryDto,
} from './dto/disclosure.dto.js';

const today = () => new Date().toISOString().slice(0, 10);
const sameHandover = (a: Handover, b: Handover) =>
  a.agency === b.agency &&
  a.date === b.date &&
  a.sharedWhat === b.sharedWhat &&
  a.legalBasis === b.legalBasis;

/**
 * The disclosure log: every disclosure of a prisoner's records outside the service (police,
 * courts, probation, another prison service), with recipient, lawful basis, purpose, exactly
 * which records and fields, and who approved it. Supervisors record and read it; a plan's release
 * hand-overs write their entries through `recordHandovers`.
 */
@Injectable()
export class DisclosuresService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly disclosures: DisclosuresRepository,
  ) {}

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateDisclosureDto,
  ): Promise<DisclosureResponse> {
    if (dto.disclosedOn > today())
      throw validationProblem([{ path: 'disclosedOn', message: 'cannot be in the future' }]);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'disclosure.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) => underPrisoner(location, 'Disclosure', 'disclosure'),
      apply: async (location, _, m) => {
        const id = await this.disclosures.insert(m, {
          ...location,
          source: 'recorded',
          planId: null,
          recipientType: dto.recipientType,
          recipient: dto.recipient,
          lawfulBasis: dto.lawfulBasis,
          purpose: dto.purpose,
          records: dto.records.map((r) => ({
            recordType: r.recordType,
            recordId: r.recordId ?? null,
            fields: r.fields,
          })),
          disclosedOn: dto.disclosedOn,
          approvedBy: ctx.actor.id,
          recordedBy: ctx.actor.id,
        });
        return {
          entityId: id,
          changedFields: ['recipient', 'lawfulBasis', 'purpose', 'records', 'disclosedOn'],
          details: { recipientType: dto.recipientType, recordCount: dto.records.length },
          respond: async () => (await this.disclosures.find(m, id))!,
        };
      },
    });
  }

  /** A prisoner's disclosures, newest first. */
  async listFor(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<DisclosureResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'disclosure.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => underPrisoner(location, 'Disclosure', 'disclosure'),
      refuse: (location) =>
        ctx.ability.can('read', asSubject('Disclosure', location)) ? undefined : forbidden(),
      respond: async (_, __, m) =>
        toPage(
          await this.disclosures.page(m, { sql: 'TRUE', params: [] }, { prisonerId }, after, limit),
          limit,
          (d) => d.sortKey,
          strip,
        ),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  /** The log across the caller's facilities, newest first. */
  async list(
    ctx: RequestContext,
    query: ListDisclosuresQueryDto,
  ): Promise<Page<DisclosureResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'read', 'Disclosure', {
      facilityId: 'p.facility_id',
    });
    return this.cases.list(ctx, {
      action: 'disclosure.list',
      entityType: 'disclosure',
      facilityIds: query.facilityId ? [query.facilityId] : undefined,
      run: async (m) =>
        toPage(
          await this.disclosures.page(m, scope, { facilityId: query.facilityId }, after, limit),
          limit,
          (d) => d.sortKey,
          strip,
        ),
      details: (page) => ({ facilityId: query.facilityId ?? null, resultCount: page.items.length }),
    });
  }

  /** Every disclosure about a prisoner (the subject-access copy lists them). */
  allOf(m: EntityManager, prisonerId: string): Promise<DisclosureResponse[]> {
    return this.disclosures.allOf(m, prisonerId);
  }

  /**
   * A plan's release hand-overs are disclosures: each hand-over the change adds is logged in the
   * plan change's transaction, naming the plan and who recorded it. Returns how many.
   */
  async recordHandovers(
    m: EntityManager,
    ctx: RequestContext,
    plan: { id: string; prisonerId: string; facilityId: string },
    before: Handover[],
    after: Handover[],
  ): Promise<number> {
    const added = after.filter((h) => !before.some((b) => sameHandover(b, h)));
    for (const h of added) {
      await this.disclosures.insert(m, {
        prisonerId: plan.prisonerId,
        facilityId: plan.facilityId,
        source: 'plan_handover',
        planId: plan.id,
        recipientType: 'other',
        recipient: h.agency,
        lawfulBasis: h.legalBasis,
        purpose: 'release_handover',
        records: [{ recordType: 'plan', recordId: plan.id, fields: [], description: h.sharedWhat }],
        disclosedOn: h.date,
        approvedBy: null,
        recordedBy: ctx.actor.id,
      });
    }
    return added.length;
  }
}

const strip = ({ sortKey: _, ...d }: DisclosureResponse & { sortKey: unknown }) => d;
