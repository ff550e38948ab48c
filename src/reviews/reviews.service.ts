import { Injectable } from '@nestjs/common';
import { CaseOperations } from '../access/case-operations.service.js';
import { AssessmentsService } from '../assessments/assessments.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type Page } from '../http/page.js';
import type { DueItem, DueQuery } from './due-item.js';
import type { ReviewsDueQueryDto } from './dto/reviews.dto.js';

/** A source of due items (each feature lists its own, scope-filtered in SQL). */
export type DueSource = (ctx: RequestContext, query: DueQuery) => Promise<DueItem[]>;

/**
 * `GET /reviews/due`: reassessments and plan reviews due for prisoners in the caller's scope,
 * merged in due-date order with one keyset cursor over all sources.
 */
@Injectable()
export class ReviewsService {
  private readonly sources: DueSource[] = [];

  constructor(
    private readonly cases: CaseOperations,
    assessments: AssessmentsService,
  ) {
    this.sources.push((ctx, query) => assessments.dueReassessments(ctx, query));
  }

  /** Lets another feature (plans) add its due items. */
  addSource(source: DueSource): void {
    this.sources.push(source);
  }

  async due(ctx: RequestContext, dto: ReviewsDueQueryDto): Promise<Page<DueItem>> {
    const limit = dto.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = decodeCursor(dto.cursor, 2);
    const before = dto.before ?? new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    const query: DueQuery = {
      facilityId: dto.facilityId,
      before,
      after: cursor ? { dueDate: String(cursor[0]), id: String(cursor[1]) } : undefined,
      limit,
    };
    return this.cases.list(ctx, {
      action: 'review_due.list',
      facilityIds: dto.facilityId ? [dto.facilityId] : undefined,
      run: async () => {
        const lists = await Promise.all(this.sources.map((source) => source(ctx, query)));
        const merged = lists
          .flat()
          .sort((a, b) =>
            a.dueDate === b.dueDate ? (a.id < b.id ? -1 : 1) : a.dueDate < b.dueDate ? -1 : 1,
          );
        const items = merged.slice(0, limit);
        const last = items[items.length - 1];
        return {
          items,
          nextCursor: merged.length > limit ? encodeCursor([last.dueDate, last.id]) : null,
        };
      },
      details: (page) => ({
        facilityId: dto.facilityId ?? null,
        before,
        resultCount: page.items.length,
      }),
      prisonersShown: (page) =>
        page.items.map((i) => ({ prisonerId: i.prisonerId, facilityId: i.facilityId })),
    });
  }
}
