import { Injectable } from '@nestjs/common';
import type { AppAction } from '../access/ability.factory.js';
import {
  CaseOperations,
  type Applied,
  type CaseAccess,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { AuditDetails } from '../audit/audit-event.js';
import type { RequestContext } from '../auth/request-context.js';
import type { EntityManager } from 'typeorm';
import {
  conflict,
  forbidden,
  notFound,
  unprocessable,
  type FieldError,
  type ProblemException,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import type { PlanResponse } from './dto/plan.response.js';
import type { ReturnRevisionDto, WithdrawRevisionDto } from './dto/plan-transition.dto.js';
import type { UpdateRevisionDto } from './dto/update-plan.dto.js';
import { FOUR_EYES, planFields, planSubject, planTarget, refuseFields } from './plan-access.js';
import { danglingGoalErrors, nextGoals, nextInterventions } from './plan-changes.js';
import {
  consentErrors,
  describeChanges,
  goalsWithDelivery,
  interventionFieldsNeeded,
  interventionsWithDelivery,
  itemChanges,
  submissionErrors,
} from './plan-content.js';
import { PlanReader } from './plan-reader.service.js';
import { fullPlan, planView } from './plan-view.js';
import {
  NOW,
  PlansRepository,
  type LoadedPlan,
  type PlanChanges,
  type Proposal,
  type ProposalStatus,
} from './plans.repository.js';

type Decision = 'submit' | 'approve' | 'return' | 'withdraw';

const DECISIONS: Record<Decision, { from: readonly ProposalStatus[]; to: string }> = {
  submit: { from: ['draft', 'returned'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  return: { from: ['submitted'], to: 'returned' },
  withdraw: { from: ['draft', 'submitted', 'returned'], to: 'withdrawn' },
};

/** What a step did: field names for the audit, and what it changes on the plan itself. */
interface Step {
  changedFields: string[];
  plan?: PlanChanges;
  newRevision?: boolean;
  details?: AuditDetails;
}

const pendingOf = (loaded: LoadedPlan): Proposal => {
  if (!loaded.proposal) throw notFound('A pending revision of the plan');
  return loaded.proposal;
};

/**
 * The pending revision of an active or suspended plan: a material change (PATCH /plans/:id)
 * waits here while the current revision governs delivery. Its author edits it until it is
 * submitted; a supervisor who neither wrote nor submitted it approves it, and it becomes the
 * current revision (the old one is archived), or returns it with comments. Every step carries
 * the plan version the caller saw (`If-Match`), so an approval is tied to what was read.
 */
@Injectable()
export class PlanRevisionsService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly plans: PlansRepository,
    private readonly reader: PlanReader,
  ) {}

  /** Its author changes it until it is submitted (or after it is returned). */
  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdateRevisionDto,
  ): Promise<PlanResponse> {
    return this.cases.change(ctx, {
      name: 'Plan',
      action: 'plan.update',
      permission: 'update',
      load: (m) => this.plans.load(m, id, true),
      target: (loaded) => revisionTarget(loaded),
      refuse: async ({ proposal }) =>
        proposal && proposal.author.id !== ctx.actor.id
          ? forbidden(
              'Only its author changes a pending revision; return it with comments, or withdraw it',
            )
          : undefined,
      version: { expected: version, current: (loaded) => loaded.plan.version },
      apply: (loaded, access, m) => this.applyUpdate(ctx, loaded, dto, access, m),
    });
  }

  private async applyUpdate(
    ctx: RequestContext,
    loaded: LoadedPlan,
    dto: UpdateRevisionDto,
    access: CaseAccess,
    m: EntityManager,
  ): Promise<Applied<PlanResponse>> {
    const { plan } = loaded;
    const proposal = pendingOf(loaded);
    if (!DECISIONS.submit.from.includes(proposal.status))
      throw conflict(
        'revision_submitted',
        'The pending revision has been submitted: a supervisor approves it or returns it to its author',
        { pendingRevision: proposal.revision },
      );
    const catalogue = await this.reader.catalogue(m, plan);
    const base = this.reader.proposed(loaded, proposal);
    const errors: FieldError[] = [];
    const goals = dto.goals ? nextGoals(base.goals, dto.goals, catalogue, errors) : base.goals;
    const input = dto.interventions
      ? nextInterventions(
          base.interventions,
          dto.interventions,
          goals,
          catalogue,
          ctx.actor.id,
          errors,
        )
      : base.interventions;
    if (!dto.interventions && dto.goals) danglingGoalErrors(input, goals, errors);
    await this.reader.staffErrors(m, base.interventions, input, errors);
    if (errors.length > 0) throw validationProblem(errors);
    // Delivery of the interventions the current revision has is recorded there, not here.
    const next = {
      goals: goalsWithDelivery(goals, loaded.goals),
      interventions: interventionsWithDelivery(input, loaded.interventions),
    };
    const goalChanges = itemChanges(base.goals, next.goals);
    const interventionChanges = itemChanges(base.interventions, next.interventions);
    const { changedFields } = describeChanges(goalChanges, interventionChanges);
    const rebasing =
      dto.basedOnAssessmentId !== undefined &&
      dto.basedOnAssessmentId !== proposal.basedOnAssessmentId;
    const names = [...changedFields, ...(rebasing ? ['basedOnAssessmentId'] : [])];
    const needed = new Set<string>(interventionFieldsNeeded(interventionChanges));
    if (changedFields.some((f) => f.startsWith('goals'))) needed.add('goals');
    if (rebasing) needed.add('basedOnAssessmentId');
    refuseFields(
      ctx,
      access,
      planSubject(plan),
      needed,
      names.map((f) => `pendingRevision.${f}`),
    );
    const consent = consentErrors(next.interventions, catalogue);
    if (consent.length > 0)
      throw unprocessable('consent_required', consent[0].message, { errors: consent });
    const basis = rebasing
      ? await this.reader.rebase(m, plan.prisonerId, dto.basedOnAssessmentId!, catalogue)
      : undefined;
    const respond = () => this.reader.render(m, plan.id, 'full', access.grantField);
    if (names.length === 0) return { changedFields: [], respond };
    const basedOn = basis?.basedOnAssessmentId ?? proposal.basedOnAssessmentId;
    await this.plans.updateProposal(m, proposal.id, {
      ...basis,
      goals: next.goals,
      interventions: next.interventions,
      changedFields: [
        ...describeChanges(
          itemChanges(loaded.goals, next.goals),
          itemChanges(loaded.interventions, next.interventions),
        ).changedFields,
        ...(basedOn !== plan.basedOnAssessmentId ? ['basedOnAssessmentId'] : []),
      ],
    });
    // The plan's full view shows its pending revision: its representation changed.
    await this.plans.update(m, plan.id, {});
    return {
      changedFields: names.map((f) => `pendingRevision.${f}`),
      details: { pendingRevision: proposal.revision },
      respond,
    };
  }

  /** Sent for approval (PVE inspectors), complete and with the consent it needs. */
  async submit(ctx: RequestContext, id: string, version: number): Promise<PlanResponse> {
    return this.decide(ctx, id, version, 'submit', async (loaded, proposal, m) => {
      const catalogue = await this.reader.catalogue(m, loaded.plan);
      const proposed = this.reader.proposed(loaded, proposal);
      const errors = [
        ...(proposal.changedFields.length === 0
          ? [{ path: 'pendingRevision', message: 'It changes nothing: withdraw it' }]
          : []),
        ...submissionErrors(proposed.goals, proposed.interventions, !!loaded.plan.agreement),
        ...consentErrors(proposed.interventions, catalogue),
      ];
      if (errors.length > 0)
        throw unprocessable(
          'revision_incomplete',
          'The pending revision is not ready for approval: see errors',
          { errors },
        );
      await this.plans.updateProposal(m, proposal.id, {
        status: 'submitted',
        submittedBy: ctx.actor.id,
        submittedAt: NOW,
      });
      return { changedFields: ['pendingRevision.status', 'pendingRevision.submittedBy'] };
    });
  }

  /**
   * Approved by a supervisor who neither wrote nor submitted it: it becomes the current
   * revision, keeping the delivery recorded meanwhile; the revision it ends is archived.
   */
  async approve(ctx: RequestContext, id: string, version: number): Promise<PlanResponse> {
    return this.decide(ctx, id, version, 'approve', async (loaded, proposal, m) => {
      const { plan } = loaded;
      if (
        plan.revision !== proposal.basedOnRevision ||
        !['active', 'suspended'].includes(plan.status)
      )
        throw conflict(
          'revision_outdated',
          'The plan has changed since this revision was proposed; withdraw it and propose again',
        );
      if (proposal.basedOnAssessmentId !== plan.basedOnAssessmentId)
        await this.reader.basisFor(m, plan.prisonerId, proposal.basedOnAssessmentId);
      const catalogue = await this.reader.catalogue(m, plan);
      const merged = this.reader.proposed(loaded, proposal);
      const errors = [
        ...submissionErrors(merged.goals, merged.interventions, !!plan.agreement),
        ...consentErrors(merged.interventions, catalogue),
      ];
      if (errors.length > 0)
        throw unprocessable(
          'revision_incomplete',
          'The pending revision no longer fits the plan’s delivery: return it to its author; see errors',
          { errors },
        );
      const snapshot = fullPlan(loaded, await this.reader.sources(m, plan));
      delete snapshot.lastReviewDate;
      delete snapshot.nextReviewDate;
      await this.plans.archiveRevision(m, plan, snapshot, ctx.actor.id);
      await this.plans.saveGoals(m, plan.id, loaded.goals, merged.goals);
      await this.plans.saveInterventions(m, plan.id, loaded.interventions, merged.interventions);
      await this.plans.updateProposal(m, proposal.id, {
        status: 'approved',
        approverId: ctx.actor.id,
        approvedAt: NOW,
      });
      return {
        changedFields: [...proposal.changedFields, 'revision'],
        plan: {
          basedOnAssessmentId: proposal.basedOnAssessmentId,
          riskAssessmentId: proposal.riskAssessmentId,
          riskLevel: proposal.riskLevel,
        },
        newRevision: true,
        details: { revision: proposal.revision },
      };
    });
  }

  /** Back to its author with comments (a supervisor who neither wrote nor submitted it). */
  async return(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: ReturnRevisionDto,
  ): Promise<PlanResponse> {
    return this.decide(ctx, id, version, 'return', async (_, proposal, m) => {
      await this.plans.updateProposal(m, proposal.id, {
        status: 'returned',
        returnedBy: ctx.actor.id,
        returnedAt: NOW,
        returnComments: dto.comments,
      });
      return { changedFields: ['pendingRevision.status', 'pendingRevision.returnComments'] };
    });
  }

  /** Dropped: by its author, or by a PVE inspector or supervisor of the prisoner's facility. */
  async withdraw(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: WithdrawRevisionDto,
  ): Promise<PlanResponse> {
    return this.decide(ctx, id, version, 'withdraw', async (_, proposal, m) => {
      await this.plans.updateProposal(m, proposal.id, {
        status: 'withdrawn',
        withdrawnBy: ctx.actor.id,
        withdrawnAt: NOW,
        withdrawReason: dto.reason,
      });
      return { changedFields: ['pendingRevision.status', 'pendingRevision.withdrawReason'] };
    });
  }

  /** A step of the pending revision's workflow, on the plan version the caller saw. */
  private decide(
    ctx: RequestContext,
    id: string,
    version: number,
    decision: Decision,
    work: (loaded: LoadedPlan, proposal: Proposal, m: EntityManager) => Promise<Step>,
  ): Promise<PlanResponse> {
    const rule = DECISIONS[decision];
    const permission: AppAction =
      decision === 'submit' ? 'submit' : decision === 'withdraw' ? 'read' : 'approve';
    const byAuthorOrSubmitter = ({ proposal }: LoadedPlan) =>
      !!proposal && [proposal.author.id, proposal.submittedBy?.id].includes(ctx.actor.id);
    return this.cases.change<LoadedPlan, PlanResponse>(ctx, {
      name: 'Plan',
      action: 'plan.transition',
      permission,
      forbidden: (loaded) =>
        permission === 'approve' && byAuthorOrSubmitter(loaded) ? FOUR_EYES : undefined,
      load: (m) => this.plans.load(m, id, true),
      target: (loaded) => ({
        ...revisionTarget(loaded, permission === 'approve'),
        details: {
          ...(loaded.proposal
            ? {
                pendingRevision: loaded.proposal.revision,
                from: loaded.proposal.status,
                to: rule.to,
              }
            : {}),
        },
      }),
      refuse: async (loaded): Promise<ProblemException | undefined> =>
        decision === 'withdraw' &&
        loaded.proposal &&
        loaded.proposal.author.id !== ctx.actor.id &&
        !ctx.ability.can('close', planSubject(loaded.plan))
          ? forbidden(
              'A pending revision is withdrawn by its author, or by a PVE inspector or supervisor of the prisoner’s facility',
            )
          : undefined,
      version: { expected: version, current: (loaded) => loaded.plan.version },
      apply: async (loaded, access, m) => {
        const proposal = pendingOf(loaded);
        if (!rule.from.includes(proposal.status))
          throw conflict(
            'invalid_transition',
            `The pending revision is ${proposal.status}: it cannot be ${rule.to} now`,
            { pendingRevision: proposal.revision, revisionStatus: proposal.status },
          );
        const step = await work(loaded, proposal, m);
        // The plan's full view shows its pending revision: its representation changes too.
        await this.plans.update(m, loaded.plan.id, step.plan ?? {}, step.newRevision);
        const view = planView(ctx.ability, planSubject(loaded.plan));
        return {
          changedFields: step.changedFields,
          ...(step.details ? { details: step.details } : {}),
          respond: () => this.reader.render(m, loaded.plan.id, view, access.grantField),
        };
      },
    });
  }
}

/**
 * A pending revision's operations act on the plan; approving or returning it is decided on its
 * own author and submitter (four eyes), not the plan's.
 */
function revisionTarget(loaded: LoadedPlan, byRevisionAuthors = false): CaseTarget {
  const { plan, proposal } = loaded;
  if (!byRevisionAuthors || !proposal) return planTarget(plan);
  return planTarget(plan, {
    as: {
      subject: 'Plan',
      fields: {
        ...planFields(plan),
        authorId: proposal.author.id,
        submittedBy: proposal.submittedBy?.id ?? null,
      },
    },
  });
}
