import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../auth/request-context.js';
import type { PageState } from '../common/page-state.js';

/** A block of the home page: a template under ui/views and the view model it renders. */
export interface HomeSection {
  template: string;
  model: object;
}

/**
 * Builds one section for the signed-in user, or undefined when it does not apply to their
 * roles. `query` is the home page's query string (a section's own paging parameters).
 */
export type HomeSectionSource = (
  ctx: RequestContext,
  state: PageState,
  query: Record<string, string | undefined>,
) => Promise<HomeSection | undefined>;

/**
 * The home page is the sections registered here, in order. A feature adds its own (the
 * psychologist's drafts, returned work and countersignatures; a supervisor's queues) from its
 * module's constructor or onModuleInit: `homeSections.add(50, source)`.
 */
@Injectable()
export class HomeSections {
  private readonly sources: { order: number; source: HomeSectionSource }[] = [];

  add(order: number, source: HomeSectionSource): void {
    this.sources.push({ order, source });
    this.sources.sort((a, b) => a.order - b.order);
  }

  async build(
    ctx: RequestContext,
    state: PageState,
    query: Record<string, string | undefined>,
  ): Promise<HomeSection[]> {
    const sections = await Promise.all(this.sources.map(({ source }) => source(ctx, state, query)));
    return sections.filter((s): s is HomeSection => s !== undefined);
  }
}
