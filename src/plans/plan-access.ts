import { asSubject } from '../access/ability.factory.js';
import type { CaseAccess, CaseTarget } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { forbidden } from '../errors/problem.exception.js';
import type { Plan } from './plans.repository.js';

export const FOUR_EYES =
  'A plan or revision is approved by a supervisor who did not write or submit it (four eyes)';

type PlanScope = Pick<Plan, 'id' | 'prisonerId' | 'facilityId' | 'author' | 'submittedBy'>;

/** The fields CASL conditions on a plan refer to (scope, and who wrote and submitted it). */
export const planFields = (plan: PlanScope) => ({
  id: plan.id,
  prisonerId: plan.prisonerId,
  facilityId: plan.facilityId,
  authorId: plan.author.id,
  submittedBy: plan.submittedBy?.id ?? null,
});

export const planSubject = (plan: PlanScope) => asSubject('Plan', planFields(plan));

/**
 * What an operation on a plan acts on. `as` checks the permission on other fields than the
 * plan's (a pending revision's author and submitter, for four eyes) or on another subject (a
 * session: PlanDelivery of its intervention's discipline); visibility is always the plan's.
 * Rows of the plan (`entity` other than the plan) name it in their audit details.
 */
export function planTarget(
  plan: PlanScope,
  options: {
    entity?: { type: string; id?: string };
    as?: Pick<CaseTarget, 'subject' | 'fields'>;
  } = {},
): CaseTarget {
  const fields = planFields(plan);
  const entity = options.entity ?? { type: 'plan', id: plan.id };
  return {
    subject: options.as?.subject ?? 'Plan',
    fields: options.as?.fields ?? fields,
    location: { prisonerId: plan.prisonerId, facilityId: plan.facilityId },
    entity,
    readAs: { subject: 'Plan', fields },
    ...(entity.type === 'plan' ? {} : { details: { planId: plan.id } }),
  };
}

/**
 * Refuses (403, audited with the names of the fields asked for) a change to fields the
 * caller's update rules do not cover: psychologists change psychological interventions only.
 */
export function refuseFields(
  ctx: RequestContext,
  access: CaseAccess,
  subject: Record<string, unknown>,
  needed: Set<string>,
  changedFields: string[],
): void {
  const refused = [...needed].filter((field) => !ctx.ability.can('update', subject, field));
  if (refused.length === 0) return;
  access.refuse(
    forbidden(
      refused.every((f) => f === 'interventions') &&
        ctx.ability.can('update', subject, 'psychologicalInterventions')
        ? 'You may add, change or remove psychological interventions only; leave the others as they are'
        : `Your role may not change ${refused.join(', ')} of a plan`,
    ),
    { changedFields },
  );
}
