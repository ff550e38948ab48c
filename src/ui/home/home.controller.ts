import { Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ReviewsService } from '../../reviews/reviews.service.js';
import { PageController } from '../common/page-controller.js';
import { keysetLinks } from '../common/pagination.js';
import { render } from '../common/render.js';
import { dueItemRows } from './due-items.view.js';
import { HomeSections } from './home-sections.js';

/** Order of the sections this module adds; other features place theirs around them. */
const REVIEWS_DUE_ORDER = 100;

@PageController()
export class HomeController {
  constructor(
    private readonly sections: HomeSections,
    reviews: ReviewsService,
  ) {
    sections.add(REVIEWS_DUE_ORDER, async (ctx, state, query) => {
      if (!ctx.ability.can('read', 'ReviewDue')) return undefined;
      const cursor = query.dueCursor;
      const page = await reviews.due(ctx, { limit: 25, cursor });
      return {
        template: 'pages/home/reviews-due.njk',
        model: {
          rows: dueItemRows(page.items, state.t),
          links: keysetLinks('/', { dueCursor: cursor }, page.nextCursor, 'dueCursor'),
        },
      };
    });
  }

  @Get()
  @Authenticated()
  async home(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, string | undefined>,
  ): Promise<void> {
    const state = request.uiPage!;
    const sections = await this.sections.build(ctx, state, query);
    return render(reply, 'pages/home/home.njk', {
      sections,
      caseAccess: ctx.ability.can('read', 'Prisoner'),
    });
  }
}
