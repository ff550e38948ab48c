import { Injectable } from '@nestjs/common';
import { AuditQueryService } from '../../audit/audit-query.service.js';
import { EmergencyAccessService } from '../../emergency-access/emergency-access.service.js';
import { PlansService } from '../../plans/plans.service.js';
import { ReviewsService } from '../../reviews/reviews.service.js';
import { HomeSections } from '../home/home-sections.js';
import { AuthService } from '../../auth/auth.service.js';
import { approvalRows, grantRows, overdueRows, trailState } from './oversight.view.js';

/** The supervisor's queues come first on their home page. */
const OVERSIGHT_ORDER = 10;
const SHOWN = 10;

export const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
export const today = () => new Date().toISOString().slice(0, 10);

/**
 * The supervisor's oversight on the home page: plans and revisions awaiting approval,
 * emergency-access grants awaiting review, overdue reassessments and plan reviews across their
 * facilities, and the audit trail's state (last verification and its result, the newest event
 * and signed checkpoint). Each list links to its full page.
 */
@Injectable()
export class OversightHome {
  constructor(
    sections: HomeSections,
    plans: PlansService,
    grants: EmergencyAccessService,
    reviews: ReviewsService,
    audit: AuditQueryService,
    auth: AuthService,
  ) {
    sections.add(OVERSIGHT_ORDER, async (ctx, state) => {
      const t = state.t;
      const approving = ctx.ability.can('approve', 'Plan');
      const reviewing = ctx.ability.can('review', 'EmergencyAccess');
      const auditing = ctx.ability.can('read', 'AuditEvent');
      if (!approving && !reviewing && !auditing) return undefined;
      const approvals = approving
        ? await plans.work(ctx, {
            statuses: ['pending_approval'],
            proposalStatuses: ['submitted'],
            limit: SHOWN,
          })
        : undefined;
      const pending = reviewing
        ? await grants.list(ctx, { status: 'pending', limit: SHOWN })
        : undefined;
      const overdue = await reviews.due(ctx, { before: yesterday(), limit: SHOWN });
      const profile = await auth.profile(ctx.actor.id);
      const facilities = new Map(profile.facilities.map((f) => [f.id, f.name]));
      return {
        template: 'pages/oversight/home.njk',
        model: {
          approvals: approvals && {
            rows: approvalRows(approvals.items, ctx.actor.id, t),
            more: approvals.nextCursor !== null,
          },
          grants: pending && {
            rows: grantRows(pending.items, t),
            more: pending.nextCursor !== null,
          },
          overdue: {
            rows: overdueRows(overdue.items, facilities, t, today()),
            more: overdue.nextCursor !== null,
          },
          trail: auditing ? trailState(await audit.state(ctx), t) : undefined,
        },
      };
    });
  }
}
