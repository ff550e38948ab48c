import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseOperations, underPrisoner } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import type { ReviewTrigger } from '../instruments/rule-sets/rule-set.types.js';
import type { CreatePrisonerEventDto, PrisonerEventResponse } from './dto/reviews.dto.js';

interface EventRow {
  id: string;
  prisoner_id: string;
  type: string;
  occurred_at: Date;
  note: string | null;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  sort_occurred: string;
}

const SELECT = `
  SELECT e.id, e.prisoner_id, e.type, e.occurred_at, e.note, e.recorded_by, u.display_name AS recorder_name,
    e.recorded_at, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_occurred
  FROM prisoner_event e JOIN app_user u ON u.id = e.recorded_by`;

const toResponse = (e: EventRow): PrisonerEventResponse => ({
  id: e.id,
  prisonerId: e.prisoner_id,
  type: e.type,
  occurredAt: e.occurred_at.toISOString(),
  note: e.note,
  recordedBy: { id: e.recorded_by, displayName: e.recorder_name },
  recordedAt: e.recorded_at.toISOString(),
});

/**
 * Events in a prisoner's custody that make a reassessment or review due under the instruments'
 * policies (transfer, serious incident, new information, ...). Transfers made through the
 * prisoner record are recorded here by PrisonersService.
 */
@Injectable()
export class PrisonerEventsService {
  constructor(private readonly cases: CaseOperations) {}

  async record(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreatePrisonerEventDto,
  ): Promise<PrisonerEventResponse> {
    const occurredAt = new Date(dto.occurredAt);
    if (occurredAt.getTime() > Date.now() + 5 * 60_000) {
      throw validationProblem([
        { path: 'occurredAt', message: 'occurredAt cannot be in the future' },
      ]);
    }
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'prisoner_event.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) => underPrisoner(location, 'PrisonerEvent', 'prisoner_event'),
      apply: async (location, _, m) => {
        const id = await this.insert(
          m,
          prisonerId,
          location.facilityId,
          dto.type,
          occurredAt,
          dto.note ?? null,
          ctx.actor.id,
        );
        return {
          entityId: id,
          changedFields: ['type', 'occurredAt', ...(dto.note ? ['note'] : [])],
          details: { type: dto.type },
          respond: async () => {
            const [row]: EventRow[] = await m.query(`${SELECT} WHERE e.id = $1`, [id]);
            return {
              ...toResponse(row),
              makesDue: await this.makesDue(m, prisonerId, dto.type, occurredAt),
            };
          },
        };
      },
    });
  }

  /** Records an event in the caller's transaction (used for transfers). */
  async insert(
    m: EntityManager,
    prisonerId: string,
    facilityId: string,
    type: string,
    occurredAt: Date,
    note: string | null,
    recordedBy: string,
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, note, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [prisonerId, facilityId, type, occurredAt, note, recordedBy],
    );
    return id;
  }

  async list(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<PrisonerEventResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'prisoner_event.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => underPrisoner(location, 'Prisoner', 'prisoner_event'),
      respond: async (_, __, m) => {
        const rows: EventRow[] = await m.query(
          `${SELECT} WHERE e.prisoner_id = $1 AND ($2::timestamptz IS NULL OR (e.occurred_at, e.id) < ($2, $3::uuid))
           ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4`,
          [prisonerId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
        );
        return toPage(rows, limit, (e) => [e.sort_occurred, e.id], toResponse);
      },
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  /** What the event makes due under the triggers of the prisoner's current approved assessments. */
  private async makesDue(m: EntityManager, prisonerId: string, type: string, occurredAt: Date) {
    const rows: { key: string; triggers: ReviewTrigger[] }[] = await m.query(
      `SELECT DISTINCT ON (iv.key) iv.key, iv.content -> 'review' -> 'triggers' AS triggers
       FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
       WHERE a.prisoner_id = $1 AND a.status = 'approved' ORDER BY iv.key, a.approved_at DESC`,
      [prisonerId],
    );
    return rows.flatMap((r) =>
      r.triggers
        .filter((t) => t.event === type && type !== 'pre_release')
        .map((t) => ({
          instrumentKey: r.key,
          action: t.action,
          dueDate: addIsoDuration(occurredAt, t.within).toISOString().slice(0, 10),
        })),
    );
  }
}
