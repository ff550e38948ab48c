import { Injectable } from '@nestjs/common';
import { PlansService } from '../../plans/plans.service.js';
import { HomeSections } from '../home/home-sections.js';
import { keysetLinks } from '../common/pagination.js';
import type { Translate } from '../i18n/catalogue.js';
import { labelOf, PENDING_STATUS, PLAN_STATUS, STATUS_TAG } from './plan-labels.js';

/** Where the PVE inspector's sections sit on the home page (reviews due are at 100). */
const MY_PLANS_ORDER = 40;
const READY_ORDER = 45;
const PAGE_SIZE = 15;

type Listed = Awaited<ReturnType<PlansService['work']>>['items'][number];

/** What is waiting on a plan: returned, awaiting approval, a draft, or a revision's state. */
function planRow(p: Listed, t: Translate) {
  const returned = p.status === 'draft' && p.returnedAt !== null;
  const pending = p.proposal;
  return {
    href: `/plans/${p.id}`,
    prisonerHref: `/prisoners/${p.prisonerId}`,
    prisonNumber: p.prisonNumber,
    prisonerName: p.prisonerName,
    status: returned ? t('plans.home.returned') : labelOf(t, PLAN_STATUS, p.status),
    statusClass: returned ? STATUS_TAG.returned : (STATUS_TAG[p.status] ?? ''),
    revision: pending
      ? t('plans.home.revision', {
          revision: pending.revision,
          status: labelOf(t, PENDING_STATUS, pending.status),
        })
      : '',
    author: p.authorName,
    updatedAt: p.updatedAt,
  };
}

/**
 * The PVE inspector's work on the home page: plans in draft, returned or awaiting approval (and
 * active plans with a revision in progress), and prisoners whose approved needs assessment has
 * no plan yet. Plan reviews due are in the reviews-due section, which links them to the plan.
 */
@Injectable()
export class PlansHome {
  constructor(sections: HomeSections, plans: PlansService) {
    sections.add(MY_PLANS_ORDER, async (ctx, state, query) => {
      if (!ctx.ability.can('create', 'Plan')) return undefined;
      const cursor = query.plansCursor;
      const page = await plans.work(ctx, {
        statuses: ['draft', 'pending_approval'],
        proposalStatuses: ['draft', 'submitted', 'returned'],
        limit: PAGE_SIZE,
        cursor,
      });
      return {
        template: 'pages/plans/home-plans.njk',
        model: {
          rows: page.items.map((p) => planRow(p, state.t)),
          links: keysetLinks('/', { plansCursor: cursor }, page.nextCursor, 'plansCursor'),
        },
      };
    });
    sections.add(READY_ORDER, async (ctx, _state, query) => {
      if (!ctx.ability.can('create', 'Plan')) return undefined;
      const cursor = query.readyCursor;
      const page = await plans.readyForPlan(ctx, { limit: PAGE_SIZE, cursor });
      return {
        template: 'pages/plans/home-ready.njk',
        model: {
          rows: page.items.map((r) => ({
            href: `/prisoners/${r.prisonerId}/plan/new`,
            prisonNumber: r.prisonNumber,
            prisonerName: r.prisonerName,
            instrument: `${r.instrumentKey} ${r.instrumentVersion}`,
            approvedAt: r.approvedAt,
          })),
          links: keysetLinks('/', { readyCursor: cursor }, page.nextCursor, 'readyCursor'),
        },
      };
    });
  }
}
