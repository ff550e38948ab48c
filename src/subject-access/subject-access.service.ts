import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  CaseOperations,
  underPrisoner,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { canonicalSha256 } from '../crypto/canonical-json.js';
import { conflict, notFound } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import {
  applyRegister,
  elementsOf,
  fieldKey,
  isClinical,
  recordKey,
  type CopyRecord,
  type CopyRecordType,
} from './copy.js';
import type {
  CopyPreviewResponse,
  CreateSubjectAccessDto,
  ListSubjectAccessQueryDto,
  RedactDto,
  SubjectAccessBundle,
  SubjectAccessResponse,
} from './dto/subject-access.dto.js';
import {
  SubjectAccessRepository,
  type Redaction,
  type SubjectAccessRequest,
} from './subject-access.repository.js';

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);

const requestTarget = (r: SubjectAccessRequest): CaseTarget => ({
  subject: 'SubjectAccess',
  fields: { prisonerId: r.prisonerId, facilityId: r.facilityId },
  location: { prisonerId: r.prisonerId, facilityId: r.facilityId },
  entity: { type: 'subject_access_request', id: r.id },
});

const toResponse = (r: SubjectAccessRequest, register: Redaction[]): SubjectAccessResponse => ({
  id: r.id,
  prisonerId: r.prisonerId,
  prisonNumber: r.prisonNumber,
  prisonerName: r.prisonerName,
  facilityId: r.facilityId,
  kind: r.kind,
  receivedOn: r.receivedOn,
  dueOn: r.dueOn,
  overdue: r.status !== 'released' && r.dueOn < today(),
  status: r.status,
  note: r.note,
  recordedBy: r.recordedBy,
  recordedAt: r.recordedAt,
  releasedBy: r.releasedBy,
  releasedAt: r.releasedAt,
  bundleSha256: r.bundleSha256,
  register,
  version: r.version,
});

const active = (register: Redaction[]) => register.filter((x) => x.withdrawnAt === null);

/**
 * Subject access (Mandela Rule 9): a prisoner's request for their records, and the official copy
 * on release from custody. A supervisor prepares the copy (every record about the prisoner),
 * withholds or redacts elements on a legal ground in the register, and releases it: the JSON
 * bundle is stored with its SHA-256, and the PDF is rendered from that same bundle.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CaseOperations,
    private readonly requests: SubjectAccessRepository,
    private readonly config: AppConfig,
  ) {}

  /** The legal grounds a redaction may give (REDACTION_GROUNDS). */
  grounds(): string[] {
    return this.config.env.REDACTION_GROUNDS.split(',');
  }

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateSubjectAccessDto,
  ): Promise<SubjectAccessResponse> {
    const kind = dto.kind ?? 'request';
    if (kind === 'request' && dto.receivedOn > today())
      throw validationProblem([{ path: 'receivedOn', message: 'cannot be in the future' }]);
    const period = Math.floor(this.config.env.SUBJECT_ACCESS_PERIOD / 86400);
    const dueOn =
      kind === 'request'
        ? new Date(Date.parse(`${dto.receivedOn}T00:00:00Z`) + period * DAY)
            .toISOString()
            .slice(0, 10)
        : dto.receivedOn;
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'subject_access.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) => underPrisoner(location, 'SubjectAccess', 'subject_access_request'),
      apply: async (location, _, m) => {
        const id = await this.requests.insert(m, {
          ...location,
          kind,
          receivedOn: dto.receivedOn,
          dueOn,
          note: dto.note ?? null,
          recordedBy: ctx.actor.id,
        });
        return {
          entityId: id,
          changedFields: ['kind', 'receivedOn', 'dueOn', ...(dto.note ? ['note'] : [])],
          details: { kind },
          respond: () => this.answer(m, id),
        };
      },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<SubjectAccessResponse> {
    return this.cases.read(ctx, {
      name: 'Subject access request',
      action: 'subject_access.read',
      load: (m) => this.requests.find(m, id),
      target: requestTarget,
      respond: async (r, _, m) => toResponse(r, await this.requests.register(m, r.id)),
    });
  }

  async list(
    ctx: RequestContext,
    query: ListSubjectAccessQueryDto,
  ): Promise<Page<SubjectAccessResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'read', 'SubjectAccess', {
      facilityId: 'p.facility_id',
    });
    return this.cases.list(ctx, {
      action: 'subject_access.list',
      entityType: 'subject_access_request',
      run: async (m) => {
        const rows = await this.requests.page(
          m,
          scope,
          { status: query.status, prisonerId: query.prisonerId, kind: query.kind },
          after,
          limit,
        );
        const page = toPage(
          rows,
          limit,
          (r) => r.sortKey,
          (r) => r,
        );
        const items = await Promise.all(
          page.items.map(async (r) => toResponse(r, await this.requests.register(m, r.id))),
        );
        return { items, nextCursor: page.nextCursor };
      },
      details: (page) => ({
        status: query.status ?? null,
        ...(query.kind ? { kind: query.kind } : {}),
        resultCount: page.items.length,
      }),
    });
  }

  /**
   * The official copies on release due and not yet requested, for `GET /reviews/due`: listed
   * RELEASE_COPY_LEAD before each expected release date (or once it has passed) to those who may
   * record the request, until a release-copy request exists.
   */
  async dueReleaseCopies(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    const scope = accessibleWhere(ctx.ability, 'create', 'SubjectAccess', {
      facilityId: 'p.facility_id',
    });
    if (scope.sql === 'FALSE') return [];
    const now = today();
    const rows = await this.requests.releaseCopiesDue(
      this.dataSource.manager,
      scope,
      query,
      now,
      this.config.env.RELEASE_COPY_LEAD,
    );
    return rows.map((r) => ({
      id: `release_copy:${r.prisonerId}`,
      kind: 'release_copy',
      prisonerId: r.prisonerId,
      prisonNumber: r.prisonNumber,
      prisonerName: r.prisonerName,
      facilityId: r.facilityId,
      dueDate: r.dueOn,
      overdue: r.dueOn < now,
      reason: r.released
        ? 'released'
        : r.dueOn < now
          ? 'release_date_passed'
          : 'release_approaching',
    }));
  }

  /**
   * In the caller's transaction (a change of the prisoner's expected release date): the official
   * copy on release not yet given is due on the new date. Returns the requests moved.
   */
  followReleaseDate(m: EntityManager, prisonerId: string, releaseDate: string): Promise<string[]> {
    return this.requests.followReleaseDate(m, prisonerId, releaseDate);
  }

  /**
   * The copy as it stands, for its preparer: every record and field with the redactions applied
   * and marked; clinical fields listed without their content (the preparer is not a clinician).
   * Once released, the records are those of the released bundle.
   */
  async preview(ctx: RequestContext, id: string): Promise<CopyPreviewResponse> {
    return this.cases.read(ctx, {
      name: 'Subject access request',
      action: 'subject_access.read',
      load: (m) => this.requests.find(m, id),
      target: requestTarget,
      respond: async (r, _, m) => {
        const records =
          r.status === 'released'
            ? ((await this.requests.bundle(m, r.id)) as SubjectAccessBundle).records
            : applyRegister(
                await this.requests.records(m, r.prisonerId),
                active(await this.requests.register(m, r.id)),
              );
        return {
          records: records.map((rec) => ({
            ...rec,
            fields: rec.fields.map((f) =>
              isClinical(rec.type as CopyRecordType, f.name)
                ? { ...f, value: null, clinical: true }
                : f,
            ),
          })),
          grounds: this.grounds(),
        };
      },
      details: (r) => ({ part: 'contents', status: r.status }),
    });
  }

  async redact(ctx: RequestContext, id: string, dto: RedactDto): Promise<SubjectAccessResponse> {
    return this.cases.change(ctx, {
      name: 'Subject access request',
      action: 'subject_access.redact',
      permission: 'update',
      load: (m) => this.requests.find(m, id, true),
      target: requestTarget,
      apply: async (r, _, m) => {
        if (r.status === 'released')
          throw conflict('already_released', 'This copy has been released: its register is closed');
        const errors = [];
        if (!this.grounds().includes(dto.ground))
          errors.push({
            path: 'ground',
            message: `must be one of ${this.grounds().join(', ')}`,
          });
        const records = await this.requests.records(m, r.prisonerId);
        if (!elementsOf(records).has(dto.element))
          errors.push({ path: 'element', message: 'is not an element of this prisoner’s copy' });
        if (errors.length > 0) throw validationProblem(errors);
        if (active(await this.requests.register(m, r.id)).some((x) => x.element === dto.element))
          throw conflict(
            'already_redacted',
            'This element is redacted already: withdraw that first',
          );
        const redactionId = await this.requests.redact(m, r.id, {
          element: dto.element,
          ground: dto.ground,
          note: dto.note ?? null,
          by: ctx.actor.id,
        });
        return {
          changedFields: ['register'],
          details: { redactionId, element: dto.element, ground: dto.ground },
          respond: () => this.answer(m, id),
        };
      },
    });
  }

  async withdraw(
    ctx: RequestContext,
    id: string,
    redactionId: string,
  ): Promise<SubjectAccessResponse> {
    return this.cases.change(ctx, {
      name: 'Subject access request',
      action: 'subject_access.unredact',
      permission: 'update',
      load: (m) => this.requests.find(m, id, true),
      target: requestTarget,
      apply: async (r, _, m) => {
        if (r.status === 'released')
          throw conflict('already_released', 'This copy has been released: its register is closed');
        if (!(await this.requests.withdraw(m, r.id, redactionId, ctx.actor.id)))
          throw notFound('Redaction');
        return {
          changedFields: ['register'],
          details: { redactionId },
          respond: () => this.answer(m, id),
        };
      },
    });
  }

  /**
   * Releases the copy: the bundle (records with the register applied, and the register's
   * grounds) is stored with its SHA-256, and never changes after.
   */
  async release(ctx: RequestContext, id: string, version: number): Promise<SubjectAccessResponse> {
    return this.cases.change(ctx, {
      name: 'Subject access request',
      action: 'subject_access.release',
      permission: 'release',
      load: (m) => this.requests.find(m, id, true),
      target: requestTarget,
      version: { expected: version, current: (r) => r.version },
      apply: async (r, _, m) => {
        if (r.status === 'released')
          throw conflict('already_released', 'This copy has been released already');
        const records = await this.requests.records(m, r.prisonerId);
        const register = active(await this.requests.register(m, r.id));
        const releasedAt = new Date();
        const bundle = this.bundleOf(r, records, register, releasedAt, ctx.actor.displayName);
        const sha256 = canonicalSha256(bundle);
        await this.requests.release(m, r.id, ctx.actor.id, releasedAt, bundle, sha256);
        return {
          changedFields: ['status', 'bundle'],
          details: {
            recordCount: records.length,
            redactionCount: register.length,
            bundleSha256: sha256,
          },
          respond: () => this.answer(m, id),
        };
      },
    });
  }

  /** The released bundle (the prisoner's copy), read as an export. */
  async bundle(
    ctx: RequestContext,
    id: string,
    format: 'json' | 'pdf' | 'print',
  ): Promise<{ bundle: SubjectAccessBundle; request: SubjectAccessResponse }> {
    return this.cases.read(ctx, {
      name: 'Subject access request',
      action: 'subject_access.export',
      load: (m) => this.requests.find(m, id),
      target: requestTarget,
      refuse: (r) =>
        r.status === 'released'
          ? undefined
          : conflict('not_released', 'The copy is released before it can be exported'),
      respond: async (r, _, m) => ({
        bundle: (await this.requests.bundle(m, r.id)) as SubjectAccessBundle,
        request: toResponse(r, await this.requests.register(m, r.id)),
      }),
      details: (r) => ({ format, bundleSha256: r.bundleSha256 }),
    });
  }

  private bundleOf(
    r: SubjectAccessRequest,
    records: CopyRecord[],
    register: Redaction[],
    releasedAt: Date,
    releasedBy: string,
  ): SubjectAccessBundle {
    const known = new Set(
      records.flatMap((rec) => [recordKey(rec), ...rec.fields.map((f) => fieldKey(rec, f.name))]),
    );
    const applied = register.filter((x) => known.has(x.element));
    return {
      format: 'vep-subject-access-copy/1',
      requestId: r.id,
      kind: r.kind,
      official: r.kind === 'release_copy',
      prisoner: { id: r.prisonerId, prisonNumber: r.prisonNumber, name: r.prisonerName },
      receivedOn: r.receivedOn,
      releasedAt: releasedAt.toISOString(),
      releasedBy,
      records: applyRegister(records, applied),
      register: applied.map((x) => ({
        element: x.element,
        ground: x.ground,
        decidedBy: x.decidedBy.displayName,
        decidedAt: x.decidedAt,
      })),
    };
  }

  private async answer(m: EntityManager, id: string): Promise<SubjectAccessResponse> {
    const r = (await this.requests.find(m, id))!;
    return toResponse(r, await this.requests.register(m, id));
  }
}
