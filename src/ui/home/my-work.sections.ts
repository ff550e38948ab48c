import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import type {
  ListedAssessmentResponse,
  SearchAssessmentsQueryDto,
} from '../../assessments/dto/assessment.dto.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { Page } from '../../http/page.js';
import { problemFieldErrors } from '../common/forms.js';
import type { PageState } from '../common/page-state.js';
import { keysetLinks } from '../common/pagination.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { HomeSections, type HomeSection } from './home-sections.js';

const PAGE_SIZE = 10;

interface WorkList {
  order: number;
  id: string;
  /** The home page's query parameter holding this list's page cursor. */
  cursor: string;
  title: MessageKey;
  caption: MessageKey;
  none: MessageKey;
  date: MessageKey;
  query: SearchAssessmentsQueryDto;
  may(ctx: RequestContext): boolean;
  href(id: string): string;
  when(a: ListedAssessmentResponse): string | null;
}

/** The psychologist's own work, before the reviews due (order 100). */
const MY_WORK: WorkList[] = [
  {
    order: 10,
    id: 'drafts',
    cursor: 'draftsCursor',
    title: 'myWork.drafts.title',
    caption: 'myWork.drafts.caption',
    none: 'myWork.drafts.none',
    date: 'myWork.started',
    query: { status: ['draft'], assessor: 'me' },
    may: (ctx: RequestContext) => ctx.ability.can('create', 'Assessment'),
    href: (id: string) => `/assessments/${id}`,
    when: (a: ListedAssessmentResponse) => a.createdAt ?? null,
  },
  {
    order: 20,
    id: 'returned',
    cursor: 'returnedCursor',
    title: 'myWork.returned.title',
    caption: 'myWork.returned.caption',
    none: 'myWork.returned.none',
    date: 'myWork.submitted',
    query: { status: ['returned'], assessor: 'me' },
    may: (ctx: RequestContext) => ctx.ability.can('create', 'Assessment'),
    href: (id: string) => `/assessments/${id}`,
    when: (a: ListedAssessmentResponse) => a.submittedAt ?? null,
  },
  {
    order: 30,
    id: 'countersign',
    cursor: 'countersignCursor',
    title: 'myWork.countersign.title',
    caption: 'myWork.countersign.caption',
    none: 'myWork.countersign.none',
    date: 'myWork.submitted',
    query: { awaitingMyCountersignature: true },
    may: (ctx: RequestContext) => ctx.ability.can('countersign', 'Assessment'),
    href: (id: string) => `/assessments/${id}/countersign`,
    when: (a: ListedAssessmentResponse) => a.submittedAt ?? null,
  },
];

/**
 * "My work" on the home page: the caller's drafts, their assessments returned to them, and
 * others' assessments waiting for their countersignature, each row linking to where the work is
 * done. The lists come from AssessmentsService.list (the API's GET /assessments).
 */
@Injectable()
export class MyWorkSections implements OnModuleInit {
  constructor(
    private readonly sections: HomeSections,
    private readonly assessments: AssessmentsService,
  ) {}

  onModuleInit(): void {
    for (const list of MY_WORK) {
      this.sections.add(list.order, (ctx, state, query) => this.section(list, ctx, state, query));
    }
  }

  private async section(
    list: WorkList,
    ctx: RequestContext,
    state: PageState,
    query: Record<string, string | undefined>,
  ): Promise<HomeSection | undefined> {
    if (!list.may(ctx)) return undefined;
    let cursor = query[list.cursor];
    let page: Page<ListedAssessmentResponse>;
    try {
      page = await this.assessments.list(ctx, { ...list.query, limit: PAGE_SIZE, cursor });
    } catch (error) {
      // A page link this service did not issue: show the first page instead.
      if (!cursor || !problemFieldErrors(error)) throw error;
      cursor = undefined;
      page = await this.assessments.list(ctx, { ...list.query, limit: PAGE_SIZE });
    }
    const t = state.t;
    return {
      template: 'pages/home/my-work.njk',
      model: {
        id: list.id,
        title: t(list.title),
        caption: t(list.caption),
        empty: t(list.none),
        dateLabel: t(list.date),
        rows: page.items.map((a) => ({
          href: list.href(a.id),
          prisonerName: a.prisonerName,
          prisonNumber: a.prisonNumber,
          instrument: `${a.instrument.title} ${a.instrument.version}`,
          revision: a.revision,
          assessor: a.assessor?.displayName ?? '',
          date: list.when(a),
        })),
        showAssessor: list.id === 'countersign',
        links: keysetLinks('/', { [list.cursor]: cursor }, page.nextCursor, list.cursor),
      },
    };
  }
}
