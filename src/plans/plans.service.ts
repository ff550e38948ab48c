import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject, type AppAction } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  CaseOperations,
  underPrisoner,
  type Applied,
  type CaseAccess,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  badRequest,
  conflict,
  notFound,
  preconditionRequired,
  unprocessable,
  type FieldError,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import { DisclosuresService } from '../disclosures/disclosures.service.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import type { CreatePlanDto } from './dto/create-plan.dto.js';
import type {
  ClosePlanDto,
  CompletePlanDto,
  ReturnRevisionDto,
  SuspendPlanDto,
} from './dto/plan-transition.dto.js';
import type {
  PlanResponse,
  PlanRevisionSummary,
  PlanSummaryResponse,
} from './dto/plan.response.js';
import type { UpdatePlanDto } from './dto/update-plan.dto.js';
import { FOUR_EYES, planSubject, planTarget, refuseFields } from './plan-access.js';
import { danglingGoalErrors, nextGoals, nextInterventions, nextRelease } from './plan-changes.js';
import {
  consentErrors,
  describeChanges,
  goalsWithDelivery,
  interventionFieldsNeeded,
  interventionsWithDelivery,
  itemChanges,
  latestPastDate,
  OPEN_PLAN_STATUSES,
  PLAN_REVIEW_INTERVAL,
  proposePlan,
  submissionErrors,
  type PlanIntervention,
  type PlanStatus,
} from './plan-content.js';
import { catalogueOf, PlanReader } from './plan-reader.service.js';
import { inView, planView, summaryResponse } from './plan-view.js';
import {
  NOW,
  PlansRepository,
  type ListedPlan,
  type LoadedPlan,
  type PlanChanges,
  type ProposalStatus,
  type ReadyForPlan,
  type StaffName,
} from './plans.repository.js';

export type Transition = 'submit' | 'activate' | 'return' | 'suspend' | 'complete' | 'close';

const TRANSITIONS: Record<
  Transition,
  {
    action: AppAction;
    from: readonly PlanStatus[];
    to: PlanStatus;
    verb: string;
    /** Tied to the version the caller saw: `If-Match` is required. */
    ifMatch: boolean;
  }
> = {
  submit: {
    action: 'submit',
    from: ['draft'],
    to: 'pending_approval',
    verb: 'submitted',
    ifMatch: true,
  },
  activate: {
    action: 'approve',
    from: ['pending_approval', 'suspended'],
    to: 'active',
    verb: 'activated',
    ifMatch: true,
  },
  return: {
    action: 'approve',
    from: ['pending_approval'],
    to: 'draft',
    verb: 'returned',
    ifMatch: true,
  },
  suspend: {
    action: 'suspend',
    from: ['active'],
    to: 'suspended',
    verb: 'suspended',
    ifMatch: false,
  },
  complete: {
    action: 'complete',
    from: ['active'],
    to: 'completed',
    verb: 'completed',
    ifMatch: false,
  },
  close: {
    action: 'close',
    from: OPEN_PLAN_STATUSES,
    to: 'closed',
    verb: 'closed',
    ifMatch: false,
  },
};

const today = () => new Date().toISOString().slice(0, 10);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const delivering: readonly PlanStatus[] = ['active', 'suspended'];

/**
 * Disengagement programme plans (Handbook module 2; Mandela Rules 94, 65, 107): made from an
 * approved needs assessment, approved by a supervisor who did not write them, changed
 * materially once active only through a pending revision a supervisor approves (see
 * PlanRevisionsService), delivered and reviewed. Every read and change goes through
 * CaseOperations: audited, with field names only.
 */
@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CaseOperations,
    private readonly plans: PlansRepository,
    private readonly reader: PlanReader,
    private readonly disclosures: DisclosuresService,
  ) {}

  // ------------------------------------------------------------------ create and read

  async create(ctx: RequestContext, prisonerId: string, dto: CreatePlanDto): Promise<PlanResponse> {
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'plan.create',
      permission: 'create',
      forbidden: 'Plans are made by PVE inspectors of the prisoner’s facility',
      load: (m) => this.plans.prisoner(m, prisonerId),
      target: ({ facilityId }) => underPrisoner({ prisonerId, facilityId }, 'Plan', 'plan'),
      apply: async (prisoner, access, m) => {
        await this.plans.lockPrisonerPlans(m, prisonerId);
        const open = await this.plans.openPlanOf(m, prisonerId);
        if (open) {
          throw conflict(
            'plan_already_open',
            `The prisoner already has an open plan (${open}): change it through a revision, or close it first`,
            { openPlanId: open },
          );
        }
        const basis = await this.reader.basisFor(m, prisonerId, dto.basedOnAssessmentId);
        const catalogue = await this.reader.catalogueFor(basis);
        const risk = await this.reader.latestRisk(m, prisonerId, catalogueOf(catalogue));
        const proposal = proposePlan(basis.needs, catalogueOf(catalogue), today());
        const id = await this.plans.insertPlan(m, {
          prisonerId,
          basedOnAssessmentId: basis.id,
          riskAssessmentId: risk?.id ?? null,
          riskLevel: risk?.finalRiskLevel ?? null,
          catalogueVersionId: catalogue.id,
          expectedReleaseDate: prisoner.expectedReleaseDate,
          authorId: ctx.actor.id,
        });
        await this.plans.saveGoals(m, id, [], proposal.goals);
        await this.plans.saveInterventions(m, id, [], proposal.interventions);
        const view = planView(
          ctx.ability,
          asSubject('Plan', { prisonerId, facilityId: prisoner.facilityId }),
        );
        return {
          entityId: id,
          changedFields: ['basedOnAssessmentId', 'goals', 'interventions', 'release'],
          details: {
            basedOnAssessmentId: basis.id,
            riskAssessmentId: risk?.id ?? null,
            goals: proposal.goals.length,
            interventions: proposal.interventions.length,
          },
          respond: () => this.reader.render(m, id, view, access.grantField),
        };
      },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<PlanResponse> {
    return this.cases.read(ctx, {
      name: 'Plan',
      action: 'plan.read',
      load: (m) => this.plans.find(m, id),
      target: (plan) => planTarget(plan),
      respond: (plan, access, m) =>
        this.reader.render(
          m,
          id,
          planView(ctx.ability, planSubject(plan)),
          access.grantField,
          plan,
        ),
      details: (_, plan) => ({ view: plan.view }),
    });
  }

  /**
   * Plans across the caller's scope (work lists): those with one of `statuses`, or with a
   * pending revision in one of `proposalStatuses`; most recently changed first. No content:
   * prisoner, status, who wrote and submitted it. Filtered in SQL from the caller's read rules.
   */
  async work(
    ctx: RequestContext,
    query: {
      statuses: readonly PlanStatus[];
      proposalStatuses?: readonly ProposalStatus[];
      limit?: number;
      cursor?: string;
    },
  ): Promise<Page<Omit<ListedPlan, 'cursorAt'>>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'read', 'Plan', {
      facilityId: 'p.facility_id',
      prisonerId: 'pl.prisoner_id',
    });
    let shown: ListedPlan[] = [];
    return this.cases.list(ctx, {
      action: 'plan.list',
      entityType: 'plan',
      run: async (m) => {
        const rows = await this.plans.search(m, {
          scope,
          statuses: query.statuses,
          proposalStatuses: query.proposalStatuses ?? [],
          after,
          limit,
        });
        shown = rows.slice(0, limit);
        return toPage(
          rows,
          limit,
          (r) => [r.cursorAt, r.id],
          ({ cursorAt: _, ...r }) => r,
        );
      },
      details: (page) => ({
        status: [...query.statuses],
        pendingRevisionStatus: [...(query.proposalStatuses ?? [])],
        cursor: query.cursor ? true : false,
        resultCount: page.items.length,
      }),
      prisonersShown: () =>
        shown.map((r) => ({ prisonerId: r.prisonerId, facilityId: r.facilityId })),
    });
  }

  /**
   * Prisoners the caller may make a plan for who have an approved needs assessment and no open
   * plan: each prisoner's current needs assessment, newest first (audited as a list of
   * assessments).
   */
  async readyForPlan(
    ctx: RequestContext,
    query: { limit?: number; cursor?: string },
  ): Promise<Page<ReadyForPlan>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'create', 'Plan', {
      facilityId: 'p.facility_id',
      prisonerId: 'p.id',
    });
    return this.cases.list(ctx, {
      action: 'assessment.list',
      entityType: 'assessment',
      run: async (m) =>
        toPage(
          await this.plans.readyForPlan(m, scope, after, limit),
          limit,
          (r) => [r.cursorAt, r.assessmentId],
          ({ cursorAt: _, ...r }) => r,
        ),
      details: (page) => ({
        withoutOpenPlan: true,
        cursor: query.cursor ? true : false,
        resultCount: page.items.length,
      }),
    });
  }

  /**
   * Who may be made responsible for an intervention in a facility (active PVE inspectors and
   * psychologists of it): names only, for those who may change plans there.
   */
  async staffOptions(ctx: RequestContext, facilityId: string): Promise<StaffName[]> {
    if (!ctx.ability.can('update', asSubject('Plan', { facilityId }))) return [];
    return this.plans.staffOf(this.dataSource.manager, facilityId);
  }

  async listForPrisoner(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<PlanSummaryResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'plan.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => ({
        subject: 'Plan',
        fields: location,
        location,
        entity: { type: 'plan' },
      }),
      respond: async (_, __, m) =>
        toPage(
          await this.plans.listForPrisoner(m, prisonerId, after, limit),
          limit,
          (p) => [p.cursorAt, p.id],
          summaryResponse,
        ),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  async listRevisions(
    ctx: RequestContext,
    id: string,
    query: PageQueryDto,
  ): Promise<Page<PlanRevisionSummary>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    if (after && !(Number.isInteger(after[0]) && +after[0] >= 1 && +after[0] < 2 ** 31))
      throw badRequest('invalid_cursor', 'cursor is not one this service issued', [
        { path: 'cursor', message: 'cursor is not valid' },
      ]);
    return this.cases.read(ctx, {
      name: 'Plan',
      action: 'plan_revision.list',
      load: (m) => this.plans.find(m, id),
      target: (plan) => planTarget(plan),
      respond: async (plan, _, m) =>
        toPage(
          await this.plans.revisions(m, plan, after?.[0] as number | undefined, limit),
          limit,
          (r) => [r.revision],
          (r): PlanRevisionSummary => ({
            revision: r.revision,
            current: r.revision === plan.revision,
            startedAt: r.startedAt,
            supersededAt: r.supersededAt,
            supersededBy: r.supersededBy && { ...r.supersededBy },
          }),
        ),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  async getRevision(ctx: RequestContext, id: string, revision: number): Promise<PlanResponse> {
    return this.cases.read(ctx, {
      name: 'Plan',
      action: 'plan_revision.read',
      load: (m) => this.plans.find(m, id),
      target: (plan) => planTarget(plan),
      respond: async (plan, access, m) => {
        const view = planView(ctx.ability, planSubject(plan));
        if (revision === plan.revision) return this.reader.render(m, id, view, access.grantField);
        const stored =
          revision < plan.revision ? await this.plans.revisionContent(m, id, revision) : undefined;
        if (!stored) throw notFound(`Revision ${revision} of the plan`);
        return {
          ...inView(stored.content as unknown as PlanResponse, view),
          supersededAt: stored.supersededAt,
          ...access.grantField,
        };
      },
      details: (_, plan) => ({ revision, view: plan.view }),
    });
  }

  // ------------------------------------------------------------------ change

  /**
   * Each part given replaces that part. On an active or suspended plan, a material change
   * (see describeChanges) becomes the pending revision, which waits for a supervisor's
   * approval; its delivery part (statuses, consent, staff, place, the prisoner's agreement,
   * release) applies at once.
   */
  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdatePlanDto,
  ): Promise<PlanResponse> {
    return this.cases.change(ctx, {
      name: 'Plan',
      action: 'plan.update',
      permission: 'update',
      load: (m) => this.plans.load(m, id, true),
      target: (loaded) => planTarget(loaded.plan),
      version: { expected: version, current: (loaded) => loaded.plan.version },
      apply: (loaded, access, m) => this.applyUpdate(ctx, loaded, dto, access, m),
    });
  }

  private async applyUpdate(
    ctx: RequestContext,
    loaded: LoadedPlan,
    dto: UpdatePlanDto,
    access: CaseAccess,
    m: EntityManager,
  ): Promise<Applied<PlanResponse>> {
    const { plan } = loaded;
    if (!OPEN_PLAN_STATUSES.includes(plan.status)) {
      throw conflict('plan_closed', `A ${plan.status} plan cannot be changed`, {
        planStatus: plan.status,
      });
    }
    const catalogue = await this.reader.catalogue(m, plan);
    const errors: FieldError[] = [];
    const goals = dto.goals ? nextGoals(loaded.goals, dto.goals, catalogue, errors) : loaded.goals;
    const interventions = dto.interventions
      ? nextInterventions(
          loaded.interventions,
          dto.interventions,
          goals,
          catalogue,
          ctx.actor.id,
          errors,
        )
      : loaded.interventions;
    if (!dto.interventions && dto.goals) danglingGoalErrors(interventions, goals, errors);
    await this.reader.staffErrors(m, loaded.interventions, interventions, errors);
    // null (what a GET shows while none is recorded) changes nothing; a record is never erased.
    const agreement = dto.prisonerAgreement ?? undefined;
    if (dto.prisonerAgreement === null && plan.agreement)
      errors.push({
        path: 'prisonerAgreement',
        message: 'a recorded agreement is never erased: record the prisoner’s new response instead',
      });
    if (agreement && agreement.recordedOn > latestPastDate())
      errors.push({ path: 'prisonerAgreement.recordedOn', message: 'cannot be in the future' });
    if (errors.length > 0) throw validationProblem(errors);

    const goalChanges = itemChanges(loaded.goals, goals);
    const interventionChanges = itemChanges(loaded.interventions, interventions);
    const { changedFields, material: materialItems } = describeChanges(
      goalChanges,
      interventionChanges,
    );
    const needed = new Set<string>();
    if (changedFields.some((f) => f.startsWith('goals'))) needed.add('goals');
    interventionFieldsNeeded(interventionChanges).forEach((f) => needed.add(f));
    const agreementChanged =
      agreement !== undefined &&
      !sameJson(
        [plan.agreement?.response, plan.agreement?.prisonerWords, plan.agreement?.recordedOn],
        [agreement.response, agreement.prisonerWords ?? null, agreement.recordedOn],
      );
    if (agreementChanged) needed.add('prisonerAgreement');
    const release = nextRelease(plan, dto.release);
    if (release.changed.length > 0) needed.add('release');
    const rebasing =
      dto.basedOnAssessmentId !== undefined && dto.basedOnAssessmentId !== plan.basedOnAssessmentId;
    if (rebasing) needed.add('basedOnAssessmentId');
    refuseFields(ctx, access, planSubject(plan), needed, [
      ...changedFields,
      ...(agreementChanged ? ['prisonerAgreement'] : []),
      ...release.changed,
      ...(rebasing ? ['basedOnAssessmentId'] : []),
    ]);

    const proposing = (materialItems || rebasing) && delivering.includes(plan.status);
    if (proposing && loaded.proposal) {
      throw conflict(
        'revision_pending',
        `Revision ${loaded.proposal.revision} of this plan awaits approval: change it (PATCH /plans/${plan.id}/pending-revision) or withdraw it first`,
        { pendingRevision: loaded.proposal.revision },
      );
    }
    // What changes the current revision now; on an active plan, a material change waits.
    const current = proposing
      ? {
          goals: goalsWithDelivery(loaded.goals, goals),
          interventions: interventionsWithDelivery(loaded.interventions, interventions),
        }
      : { goals, interventions };
    const consent = [
      ...consentErrors(interventions, catalogue),
      ...(proposing
        ? inputPaths(consentErrors(current.interventions, catalogue), current, interventions)
        : []),
    ].filter((e, i, all) => all.findIndex((x) => x.path === e.path) === i);
    if (consent.length > 0)
      throw unprocessable('consent_required', consent[0].message, { errors: consent });
    const basis = rebasing
      ? await this.reader.rebase(m, plan.prisonerId, dto.basedOnAssessmentId!, catalogue)
      : undefined;

    const direct = proposing
      ? describeChanges(
          itemChanges(loaded.goals, current.goals),
          itemChanges(loaded.interventions, current.interventions),
        ).changedFields
      : changedFields;
    const proposed = proposing
      ? [
          ...describeChanges(
            itemChanges(current.goals, goals),
            itemChanges(current.interventions, interventions),
          ).changedFields,
          ...(rebasing ? ['basedOnAssessmentId'] : []),
        ]
      : [];
    const changes: PlanChanges = {};
    if (agreementChanged) {
      changes.agreementResponse = agreement.response;
      changes.agreementWords = agreement.prisonerWords ?? null;
      changes.agreementRecordedOn = agreement.recordedOn;
      changes.agreementRecordedBy = ctx.actor.id;
    }
    if (release.changed.length > 0) {
      changes.expectedReleaseDate = release.expectedReleaseDate;
      changes.releaseTasks = release.tasks;
      changes.releaseHandovers = release.handovers;
    }
    if (basis && !proposing) Object.assign(changes, basis);
    // Editing a plan that awaits approval withdraws it: it is submitted again when ready.
    const withdrawn =
      plan.status === 'pending_approval' && (direct.length > 0 || Object.keys(changes).length > 0);
    if (withdrawn)
      Object.assign(changes, { status: 'draft', submittedBy: null, submittedAt: null });
    const names = [
      ...direct,
      ...(agreementChanged ? ['prisonerAgreement'] : []),
      ...release.changed,
      ...(basis && !proposing ? ['basedOnAssessmentId'] : []),
      ...proposed.map((f) => `pendingRevision.${f}`),
      ...(withdrawn ? ['status'] : []),
    ];
    const view = planView(ctx.ability, planSubject(plan));
    const respond = () => this.reader.render(m, plan.id, view, access.grantField);
    if (names.length === 0) return { changedFields: [], respond };

    if (!sameJson(loaded.goals, current.goals))
      await this.plans.saveGoals(m, plan.id, loaded.goals, current.goals);
    if (!sameJson(loaded.interventions, current.interventions))
      await this.plans.saveInterventions(m, plan.id, loaded.interventions, current.interventions);
    if (proposing) {
      await this.plans.insertProposal(m, plan, {
        basedOnAssessmentId: basis?.basedOnAssessmentId ?? plan.basedOnAssessmentId,
        riskAssessmentId: basis ? basis.riskAssessmentId : plan.riskAssessmentId,
        riskLevel: basis ? basis.riskLevel : plan.riskLevel,
        goals,
        interventions,
        changedFields: proposed,
        authorId: ctx.actor.id,
      });
    }
    await this.plans.update(m, plan.id, changes);
    // Each release hand-over added is a disclosure outside the service: it goes in the log.
    const handoversLogged = release.changed.includes('release.handovers')
      ? await this.disclosures.recordHandovers(
          m,
          ctx,
          plan,
          plan.release.handovers,
          release.handovers,
        )
      : 0;
    return {
      changedFields: names,
      details: {
        ...(handoversLogged > 0 ? { disclosuresLogged: handoversLogged } : {}),
        revision: plan.revision,
        ...(proposing ? { pendingRevision: plan.revision + 1 } : {}),
        ...(withdrawn ? { from: plan.status, to: 'draft' } : {}),
      },
      respond,
    };
  }

  /**
   * A lifecycle step. `submit` and `activate` carry the version the caller saw (`If-Match`),
   * so that an approval is tied to what the approver read.
   */
  async transition(
    ctx: RequestContext,
    id: string,
    transition: Transition,
    dto:
      | SuspendPlanDto
      | CompletePlanDto
      | ClosePlanDto
      | ReturnRevisionDto
      | Record<string, never> = {},
    version?: number,
  ): Promise<PlanResponse> {
    const rule = TRANSITIONS[transition];
    if (rule.ifMatch && version === undefined) throw preconditionRequired();
    return this.cases.change(ctx, {
      name: 'Plan',
      action: 'plan.transition',
      permission: rule.action,
      forbidden: ({ plan }) =>
        rule.action === 'approve' && [plan.author.id, plan.submittedBy?.id].includes(ctx.actor.id)
          ? FOUR_EYES
          : undefined,
      load: (m) => this.plans.load(m, id, true),
      target: ({ plan }) => ({
        ...planTarget(plan),
        details: { from: plan.status, to: rule.to },
      }),
      ...(version === undefined
        ? {}
        : { version: { expected: version, current: (l: LoadedPlan) => l.plan.version } }),
      apply: async (loaded, access, m) => {
        const { plan } = loaded;
        if (!rule.from.includes(plan.status)) {
          throw conflict(
            'invalid_transition',
            `A ${plan.status.replace('_', ' ')} plan cannot be ${rule.verb}`,
            { planStatus: plan.status },
          );
        }
        const changed = ['status'];
        const changes: PlanChanges = { status: rule.to };
        switch (transition) {
          case 'submit': {
            const catalogue = await this.reader.catalogue(m, plan);
            const errors = [
              ...submissionErrors(loaded.goals, loaded.interventions, !!plan.agreement),
              ...consentErrors(loaded.interventions, catalogue),
            ];
            if (errors.length > 0) {
              throw unprocessable(
                'plan_incomplete',
                'The plan is not ready for approval: see errors',
                { errors },
              );
            }
            Object.assign(changes, { submittedBy: ctx.actor.id, submittedAt: NOW });
            changed.push('submittedBy');
            break;
          }
          case 'activate':
            if (plan.status === 'pending_approval') {
              Object.assign(changes, { approverId: ctx.actor.id, approvedAt: NOW });
              changed.push('approver');
            } else {
              Object.assign(changes, { suspendedAt: null, suspendReason: null });
              changed.push('suspendReason');
            }
            break;
          case 'return':
            // Back to its author with what to change; submitted again once changed.
            Object.assign(changes, {
              submittedBy: null,
              submittedAt: null,
              returnedBy: ctx.actor.id,
              returnedAt: NOW,
              returnComments: (dto as ReturnRevisionDto).comments,
            });
            changed.push('returnComments');
            break;
          case 'suspend':
            Object.assign(changes, {
              suspendedAt: NOW,
              suspendReason: (dto as SuspendPlanDto).reason,
            });
            changed.push('suspendReason');
            break;
          case 'complete': {
            if (loaded.proposal) {
              throw conflict(
                'revision_pending',
                `Revision ${loaded.proposal.revision} of this plan awaits approval: approve or withdraw it before completing the plan`,
                { pendingRevision: loaded.proposal.revision },
              );
            }
            const running = loaded.interventions
              .map((item, i) => ({ item, i }))
              .filter(({ item }) => ['scheduled', 'in_progress'].includes(item.status));
            if (running.length > 0) {
              throw unprocessable(
                'interventions_running',
                'Complete or stop every scheduled or running intervention before completing the plan',
                {
                  errors: running.map(({ i }) => ({
                    path: `interventions[${i}].status`,
                    message: 'still scheduled or in progress',
                  })),
                },
              );
            }
            const note = (dto as CompletePlanDto).note;
            Object.assign(changes, { completedAt: NOW, completionNote: note ?? null });
            if (note) changed.push('completionNote');
            break;
          }
          case 'close':
            Object.assign(changes, {
              closedAt: NOW,
              closeReason: (dto as ClosePlanDto).reason,
              suspendedAt: null,
              suspendReason: null,
            });
            changed.push('closeReason');
            // A closed plan is not revised: its pending revision ends with it.
            if (loaded.proposal) {
              await this.plans.updateProposal(m, loaded.proposal.id, {
                status: 'withdrawn',
                withdrawnBy: ctx.actor.id,
                withdrawnAt: NOW,
                withdrawReason: 'The plan was closed',
              });
              changed.push('pendingRevision');
            }
            break;
        }
        await this.plans.update(m, id, changes);
        const view = planView(ctx.ability, planSubject(plan));
        return {
          changedFields: changed,
          respond: () => this.reader.render(m, id, view, access.grantField),
        };
      },
    });
  }

  // ------------------------------------------------------------------ reviews due

  /**
   * Plan reviews due for `GET /reviews/due`: active and suspended plans of prisoners in the
   * caller's scope (filtered in SQL from their read rules), due on the last review's next date
   * (or approval + PLAN_REVIEW_INTERVAL), or at once when a needs assessment approved after the
   * plan's basis has not been reviewed yet. Ordered by (dueDate, id); at most limit + 1 items.
   */
  async duePlanReviews(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    const scope = accessibleWhere(ctx.ability, 'read', 'Plan', {
      facilityId: 'p.facility_id',
      prisonerId: 'pl.prisoner_id',
    });
    const months = Number(/^P(\d+)M$/.exec(PLAN_REVIEW_INTERVAL)![1]);
    const due = await this.plans.dueReviews(this.dataSource.manager, scope, query, months);
    const now = today();
    return due.map((d) => ({
      id: `plan_review:${d.planId}`,
      kind: 'plan_review',
      prisonerId: d.prisonerId,
      prisonNumber: d.prisonNumber,
      prisonerName: d.prisonerName,
      facilityId: d.facilityId,
      dueDate: d.dueDate,
      overdue: d.dueDate < now,
      reason: d.reason,
      planId: d.planId,
    }));
  }
}

/** Errors about `items` (by index), renamed to the index the same item has in `input`. */
function inputPaths(
  errors: FieldError[],
  items: { interventions: PlanIntervention[] },
  input: PlanIntervention[],
): FieldError[] {
  return errors.map((e) => {
    const match = /^interventions\[(\d+)\](.*)$/.exec(e.path);
    if (!match) return e;
    const index = input.findIndex((x) => x.id === items.interventions[Number(match[1])]?.id);
    return index < 0 ? e : { ...e, path: `interventions[${index}]${match[2]}` };
  });
}
