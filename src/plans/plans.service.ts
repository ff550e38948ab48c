import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject, type AppAction } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import { caseDecision, locatePrisoner } from '../access/case-access.js';
import type { ApprovedAssessmentSummary } from '../assessments/approved-assessment.js';
import { ApprovedAssessments } from '../assessments/approved-assessments.service.js';
import { AuditTrail, Denial } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  badRequest,
  conflict,
  forbidden,
  notFound,
  staleVersion,
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
import { InstrumentsService, type InstrumentVersion } from '../instruments/instruments.service.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import { satisfiesRange } from '../instruments/rule-sets/semver.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import type { CreatePlanDto } from './dto/create-plan.dto.js';
import type { ClosePlanDto, CompletePlanDto, SuspendPlanDto } from './dto/plan-transition.dto.js';
import type {
  NeedsChanges,
  PlanResponse,
  PlanRevisionSummary,
  PlanSummaryResponse,
  PlanView,
} from './dto/plan.response.js';
import type {
  GoalInputDto,
  InterventionInputDto,
  ReleaseDto,
  UpdatePlanDto,
} from './dto/update-plan.dto.js';
import {
  grantField,
  planAudit,
  planLocation,
  planSubject,
  planSubjectFields,
} from './plan-access.js';
import {
  consentErrors,
  describeChanges,
  interventionFieldsNeeded,
  itemChanges,
  latestPastDate,
  needsDifference,
  OPEN_PLAN_STATUSES,
  PLAN_REVIEW_INTERVAL,
  proposePlan,
  submissionErrors,
  type Goal,
  type PlanIntervention,
  type PlanStatus,
} from './plan-content.js';
import { assessmentRef, fullPlan, inView, planView, summaryResponse } from './plan-view.js';
import { PlansRepository, type LoadedPlan, type PlanRow } from './plans.repository.js';

export type Transition = 'submit' | 'activate' | 'suspend' | 'complete' | 'close';

const TRANSITIONS: Record<
  Transition,
  { action: AppAction; from: readonly PlanStatus[]; to: PlanStatus; verb: string }
> = {
  submit: { action: 'submit', from: ['draft'], to: 'pending_approval', verb: 'submitted' },
  activate: {
    action: 'approve',
    from: ['pending_approval', 'suspended'],
    to: 'active',
    verb: 'activated',
  },
  suspend: { action: 'suspend', from: ['active'], to: 'suspended', verb: 'suspended' },
  complete: { action: 'complete', from: ['active'], to: 'completed', verb: 'completed' },
  close: { action: 'close', from: OPEN_PLAN_STATUSES, to: 'closed', verb: 'closed' },
};

const today = () => new Date().toISOString().slice(0, 10);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Disengagement programme plans (Handbook module 2; Mandela Rules 94, 65, 107): made from an
 * approved needs assessment, approved by a supervisor who did not write them, revised (never
 * overwritten) once active, delivered and reviewed. Every read and change is audited with
 * field names only.
 */
@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly plans: PlansRepository,
    private readonly assessments: ApprovedAssessments,
    private readonly instruments: InstrumentsService,
  ) {}

  // ------------------------------------------------------------------ create and read

  async create(ctx: RequestContext, prisonerId: string, dto: CreatePlanDto): Promise<PlanResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const [prisoner]: { facility_id: string; expected_release_date: string | null }[] =
        await m.query(
          `SELECT facility_id, to_char(expected_release_date, 'YYYY-MM-DD') AS expected_release_date
           FROM prisoner WHERE id = $1`,
          [prisonerId],
        );
      if (!prisoner) throw notFound('Prisoner');
      const location = { prisonerId, facilityId: prisoner.facility_id };
      const decision = caseDecision(ctx, 'create', 'Plan', location);
      if (decision !== 'allowed') {
        return new Denial(
          decision === 'not_found'
            ? notFound('Prisoner')
            : forbidden('Plans are made by PVE inspectors of the prisoner’s facility'),
          planAudit(ctx, location, 'plan.create', { type: 'plan' }),
        );
      }
      await this.plans.lockPrisonerPlans(m, prisonerId);
      const open = await this.plans.openPlanOf(m, prisonerId);
      if (open) {
        throw conflict(
          'plan_already_open',
          `The prisoner already has an open plan (${open}): change it through a revision, or close it first`,
          { openPlanId: open },
        );
      }
      const basis = await this.basisFor(m, prisonerId, dto.basedOnAssessmentId);
      const catalogue = await this.catalogueFor(basis);
      const risk = await this.assessments.latest(m, prisonerId, 'risk');
      const proposal = proposePlan(basis.needs, catalogueOf(catalogue), today());
      const id = await this.plans.insertPlan(m, {
        prisonerId,
        basedOnAssessmentId: basis.id,
        riskAssessmentId: risk?.id ?? null,
        riskLevel: risk?.finalRiskLevel ?? null,
        catalogueVersionId: catalogue.id,
        expectedReleaseDate: prisoner.expected_release_date,
        authorId: ctx.actor.id,
      });
      await this.plans.saveGoals(m, id, [], proposal.goals);
      await this.plans.saveInterventions(m, id, [], proposal.interventions);
      await this.audit.append(m, ctx, [
        planAudit(
          ctx,
          location,
          'plan.create',
          { type: 'plan', id },
          {
            changedFields: ['basedOnAssessmentId', 'goals', 'interventions', 'release'],
            details: {
              basedOnAssessmentId: basis.id,
              riskAssessmentId: risk?.id ?? null,
              goals: proposal.goals.length,
              interventions: proposal.interventions.length,
            },
          },
        ),
      ]);
      return this.render(m, ctx, id, planView(ctx.ability, asSubject('Plan', location)));
    });
    return this.audit.settle(ctx, result);
  }

  async get(ctx: RequestContext, id: string): Promise<PlanResponse> {
    const m = this.dataSource.manager;
    const row = await this.plans.find(m, id);
    if (!row) throw notFound('Plan');
    const view = await this.readable(ctx, row, 'plan.read');
    const plan = await this.render(m, ctx, id, view);
    await this.audit.append(m, ctx, [
      planAudit(ctx, planLocation(row), 'plan.read', { type: 'plan', id }, { details: { view } }),
    ]);
    return plan;
  }

  async listForPrisoner(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<PlanSummaryResponse>> {
    const m = this.dataSource.manager;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const location = await locatePrisoner(m, prisonerId);
    if (!location) throw notFound('Prisoner');
    const entry = planAudit(ctx, location, 'plan.list', { type: 'plan' });
    if (caseDecision(ctx, 'read', 'Plan', { ...location }) !== 'allowed') {
      return this.audit.refuse(ctx, new Denial(notFound('Prisoner'), entry));
    }
    const rows = await this.plans.listForPrisoner(m, prisonerId, after, limit);
    const page = toPage(rows, limit, (r) => [r.cursor_at, r.id], summaryResponse);
    await this.audit.append(m, ctx, [
      { ...entry, details: { ...entry.details, resultCount: page.items.length } },
    ]);
    return page;
  }

  async listRevisions(
    ctx: RequestContext,
    id: string,
    query: PageQueryDto,
  ): Promise<Page<PlanRevisionSummary>> {
    const m = this.dataSource.manager;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    if (after && !(Number.isInteger(after[0]) && +after[0] >= 1 && +after[0] < 2 ** 31))
      throw badRequest('invalid_cursor', 'cursor is not one this service issued', [
        { path: 'cursor', message: 'cursor is not valid' },
      ]);
    const row = await this.plans.find(m, id);
    if (!row) throw notFound('Plan');
    await this.readable(ctx, row, 'plan_revision.list');
    const rows = await this.plans.revisions(m, row, after?.[0] as number | undefined, limit);
    const page = toPage(
      rows,
      limit,
      (r) => [r.revision],
      (r): PlanRevisionSummary => ({
        revision: r.revision,
        current: r.revision === row.revision,
        startedAt: r.started_at,
        supersededAt: r.superseded_at,
        supersededBy: r.superseded_by
          ? { id: r.superseded_by, displayName: r.superseded_by_name ?? '' }
          : null,
      }),
    );
    await this.audit.append(m, ctx, [
      planAudit(
        ctx,
        planLocation(row),
        'plan_revision.list',
        { type: 'plan', id },
        { details: { resultCount: page.items.length } },
      ),
    ]);
    return page;
  }

  async getRevision(ctx: RequestContext, id: string, revision: number): Promise<PlanResponse> {
    const m = this.dataSource.manager;
    const row = await this.plans.find(m, id);
    if (!row) throw notFound('Plan');
    const view = await this.readable(ctx, row, 'plan_revision.read');
    let plan: PlanResponse;
    if (revision === row.revision) {
      plan = await this.render(m, ctx, id, view);
    } else {
      const stored = revision < row.revision && (await this.plans.revisionContent(m, id, revision));
      if (!stored) throw notFound(`Revision ${revision} of the plan`);
      const content = stored.content as unknown as PlanResponse;
      plan = {
        ...inView(content, view),
        supersededAt: stored.superseded_at,
        ...grantField(ctx, planLocation(row)),
      };
    }
    await this.audit.append(m, ctx, [
      planAudit(
        ctx,
        planLocation(row),
        'plan_revision.read',
        { type: 'plan', id },
        { details: { revision, view } },
      ),
    ]);
    return plan;
  }

  // ------------------------------------------------------------------ change

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdatePlanDto,
  ): Promise<PlanResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const current = await this.plans.load(m, id, true);
      if (!current) throw notFound('Plan');
      const { row } = current;
      const denial = this.deny(ctx, row, 'update', 'plan.update');
      if (denial) return denial;
      if (row.version !== version) throw staleVersion(row.version);
      if (!OPEN_PLAN_STATUSES.includes(row.status)) {
        throw conflict('plan_closed', `A ${row.status} plan cannot be changed`, {
          planStatus: row.status,
        });
      }
      const catalogueVersion = await this.instruments.getById(row.catalogue_version_id, m);
      const catalogue = catalogueOf(catalogueVersion);
      const errors: FieldError[] = [];
      const goals = dto.goals
        ? nextGoals(current.goals, dto.goals, catalogue, errors)
        : current.goals;
      const interventions = dto.interventions
        ? nextInterventions(current.interventions, dto.interventions, goals, catalogue, ctx, errors)
        : current.interventions;
      if (!dto.interventions && dto.goals) danglingGoalErrors(interventions, goals, errors);
      // Staff newly made responsible must be active users; those already named may stay.
      const named = new Map(current.interventions.map((i) => [i.id, i.responsibleStaffId]));
      const newlyNamed = interventions
        .map((item, i) => ({ staff: item.responsibleStaffId, i, was: named.get(item.id) }))
        .filter(({ staff, was }) => staff !== null && staff !== was);
      const known = await this.plans.userExists(
        m,
        newlyNamed.map(({ staff }) => staff!),
      );
      for (const { staff, i } of newlyNamed)
        if (!known.has(staff!))
          errors.push({
            path: `interventions[${i}].responsibleStaffId`,
            message: 'no active staff member has this id',
          });
      const agreement = dto.prisonerAgreement;
      if (agreement && agreement.recordedOn > latestPastDate())
        errors.push({ path: 'prisonerAgreement.recordedOn', message: 'cannot be in the future' });
      if (errors.length > 0) throw validationProblem(errors);

      const goalChanges = itemChanges(current.goals, goals);
      const interventionChanges = itemChanges(current.interventions, interventions);
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
          [row.agreement_response, row.agreement_words, row.agreement_recorded_on],
          [agreement.response, agreement.prisonerWords ?? null, agreement.recordedOn],
        );
      if (agreementChanged) {
        changedFields.push('prisonerAgreement');
        needed.add('prisonerAgreement');
      }
      const release = nextRelease(row, dto.release);
      if (release.changed.length > 0) {
        changedFields.push(...release.changed);
        needed.add('release');
      }
      let basis: ApprovedAssessmentSummary | undefined;
      if (dto.basedOnAssessmentId && dto.basedOnAssessmentId !== row.based_on_assessment_id) {
        changedFields.push('basedOnAssessmentId');
        needed.add('basedOnAssessmentId');
      }
      const subject = planSubject(row);
      const refused = [...needed].filter((field) => !ctx.ability.can('update', subject, field));
      if (refused.length > 0) {
        return new Denial(
          forbidden(
            refused.every((f) => f === 'interventions') &&
              ctx.ability.can('update', subject, 'psychologicalInterventions')
              ? 'You may add, change or remove psychological interventions only; leave the others as they are'
              : `Your role may not change ${refused.join(', ')} of a plan`,
          ),
          planAudit(ctx, planLocation(row), 'plan.update', { type: 'plan', id }, { changedFields }),
        );
      }
      const consent = consentErrors(interventions, catalogue);
      if (consent.length > 0) {
        throw unprocessable('consent_required', consent[0].message, { errors: consent });
      }
      const view = planView(ctx.ability, subject);
      if (changedFields.length === 0) return this.render(m, ctx, id, view);

      if (changedFields.includes('basedOnAssessmentId')) {
        basis = await this.basisFor(m, row.prisoner_id, dto.basedOnAssessmentId!);
        if (
          !basis.catalogue ||
          basis.catalogue.key !== catalogue.key ||
          !satisfiesRange(catalogue.version, basis.catalogue.version)
        ) {
          throw unprocessable(
            'catalogue_mismatch',
            `The assessment maps its needs to another catalogue than the plan’s (${catalogue.key}@${catalogue.version}); close this plan and make a new one`,
            { errors: [{ path: 'basedOnAssessmentId', message: 'uses another catalogue' }] },
          );
        }
      }
      const material = materialItems || basis !== undefined;
      const newRevision = material && ['active', 'suspended'].includes(row.status);
      if (newRevision) {
        const snapshot = fullPlan(current, await this.sources(m, row));
        delete snapshot.lastReviewDate;
        delete snapshot.nextReviewDate;
        await this.plans.archiveRevision(m, row, snapshot, ctx.actor.id);
      }
      // Editing a plan that awaits approval withdraws it: it is submitted again when ready.
      const withdrawn = row.status === 'pending_approval';
      if (withdrawn) changedFields.push('status');
      if (!sameJson(current.goals, goals)) await this.plans.saveGoals(m, id, current.goals, goals);
      if (!sameJson(current.interventions, interventions))
        await this.plans.saveInterventions(m, id, current.interventions, interventions);
      const risk = basis ? await this.assessments.latest(m, row.prisoner_id, 'risk') : undefined;
      await m.query(
        `UPDATE programme_plan SET
           based_on_assessment_id = $2, risk_assessment_id = $3, risk_level = $4,
           agreement_response = $5, agreement_words = $6, agreement_recorded_on = $7,
           agreement_recorded_by = $8, expected_release_date = $9, release_tasks = $10,
           release_handovers = $11, status = $12, submitted_by = $13, submitted_at = $14,
           revision = revision + $15, revised_at = CASE WHEN $15 = 1 THEN now() ELSE revised_at END,
           version = version + 1, updated_at = now()
         WHERE id = $1`,
        [
          id,
          basis?.id ?? row.based_on_assessment_id,
          basis ? (risk?.id ?? null) : row.risk_assessment_id,
          basis ? (risk?.finalRiskLevel ?? null) : row.risk_level,
          agreementChanged ? agreement!.response : row.agreement_response,
          agreementChanged ? (agreement!.prisonerWords ?? null) : row.agreement_words,
          agreementChanged ? agreement!.recordedOn : row.agreement_recorded_on,
          agreementChanged ? ctx.actor.id : row.agreement_recorded_by,
          release.expectedReleaseDate,
          JSON.stringify(release.tasks),
          JSON.stringify(release.handovers),
          withdrawn ? 'draft' : row.status,
          withdrawn ? null : row.submitted_by,
          withdrawn ? null : row.submitted_at,
          newRevision ? 1 : 0,
        ],
      );
      await this.audit.append(m, ctx, [
        planAudit(
          ctx,
          planLocation(row),
          'plan.update',
          { type: 'plan', id },
          {
            changedFields,
            details: {
              revision: row.revision + (newRevision ? 1 : 0),
              newRevision,
              ...(withdrawn ? { from: row.status, to: 'draft' } : {}),
            },
          },
        ),
      ]);
      return this.render(m, ctx, id, view);
    });
    return this.audit.settle(ctx, result);
  }

  async transition(
    ctx: RequestContext,
    id: string,
    transition: Transition,
    dto: SuspendPlanDto | CompletePlanDto | ClosePlanDto | Record<string, never> = {},
  ): Promise<PlanResponse> {
    const rule = TRANSITIONS[transition];
    const result = await this.dataSource.transaction(async (m) => {
      const current = await this.plans.load(m, id, true);
      if (!current) throw notFound('Plan');
      const { row } = current;
      const authorOrSubmitter = [row.author_id, row.submitted_by].includes(ctx.actor.id);
      const denial = this.deny(
        ctx,
        row,
        rule.action,
        'plan.transition',
        rule.action === 'approve' && authorOrSubmitter
          ? 'A plan is approved by a supervisor who did not write or submit it (four eyes)'
          : undefined,
        { from: row.status, to: rule.to },
      );
      if (denial) return denial;
      if (!rule.from.includes(row.status)) {
        throw conflict(
          'invalid_transition',
          `A ${row.status.replace('_', ' ')} plan cannot be ${rule.verb}`,
          { planStatus: row.status },
        );
      }
      const changed = ['status'];
      const params: unknown[] = [id];
      const bind = (value: unknown) => `$${params.push(value)}`;
      const sets: string[] = [`status = ${bind(rule.to)}`];
      switch (transition) {
        case 'submit': {
          const catalogue = catalogueOf(
            await this.instruments.getById(row.catalogue_version_id, m),
          );
          const errors = [
            ...submissionErrors(current.goals, current.interventions, !!row.agreement_response),
            ...consentErrors(current.interventions, catalogue),
          ];
          if (errors.length > 0) {
            throw unprocessable(
              'plan_incomplete',
              'The plan is not ready for approval: see errors',
              { errors },
            );
          }
          sets.push(`submitted_by = ${bind(ctx.actor.id)}`, 'submitted_at = now()');
          changed.push('submittedBy');
          break;
        }
        case 'activate':
          if (row.status === 'pending_approval') {
            sets.push(`approver_id = ${bind(ctx.actor.id)}`, 'approved_at = now()');
            changed.push('approver');
          } else {
            sets.push('suspended_at = NULL', 'suspend_reason = NULL');
            changed.push('suspendReason');
          }
          break;
        case 'suspend':
          sets.push(
            'suspended_at = now()',
            `suspend_reason = ${bind((dto as SuspendPlanDto).reason)}`,
          );
          changed.push('suspendReason');
          break;
        case 'complete': {
          const running = current.interventions
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
          sets.push('completed_at = now()', `completion_note = ${bind(note ?? null)}`);
          if (note) changed.push('completionNote');
          break;
        }
        case 'close':
          sets.push(
            'closed_at = now()',
            `close_reason = ${bind((dto as ClosePlanDto).reason)}`,
            'suspended_at = NULL',
            'suspend_reason = NULL',
          );
          changed.push('closeReason');
          break;
      }
      await m.query(
        `UPDATE programme_plan SET ${sets.join(', ')}, version = version + 1, updated_at = now()
         WHERE id = $1`,
        params,
      );
      await this.audit.append(m, ctx, [
        planAudit(
          ctx,
          planLocation(row),
          'plan.transition',
          { type: 'plan', id },
          { changedFields: changed, details: { from: row.status, to: rule.to } },
        ),
      ]);
      return this.render(m, ctx, id, planView(ctx.ability, planSubject(row)));
    });
    return this.audit.settle(ctx, result);
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
    const params = [...scope.params];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const where = [`pl.status IN ('active', 'suspended')`, scope.sql];
    if (query.facilityId) where.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const outer = [`due_date <= ${bind(query.before)}::date`];
    if (query.after) {
      outer.push(
        `(due_date, item_id COLLATE "C") > (${bind(query.after.dueDate)}::date, ${bind(query.after.id)} COLLATE "C")`,
      );
    }
    const months = Number(/^P(\d+)M$/.exec(PLAN_REVIEW_INTERVAL)![1]);
    // The newest approved needs assessment is read here, in SQL, because the due date it sets
    // must order and page with the others (everywhere else plans use ApprovedAssessments).
    const rows: {
      plan_id: string;
      prisoner_id: string;
      prison_number: string;
      prisoner_name: string;
      facility_id: string;
      due_date: string;
      reason: string;
    }[] = await this.dataSource.query(
      `WITH due AS (
         SELECT pl.id AS plan_id, pl.prisoner_id, p.prison_number,
           p.given_name || ' ' || p.family_name AS prisoner_name, p.facility_id,
           COALESCE(lr.next_review_date,
             ((pl.approved_at AT TIME ZONE 'UTC')::date + make_interval(months => ${bind(months)}))::date)
             AS scheduled,
           CASE WHEN na.approved_at > b.approved_at AND NOT EXISTS (
               SELECT 1 FROM plan_review r
               WHERE r.plan_id = pl.id AND r.date >= (na.approved_at AT TIME ZONE 'UTC')::date)
             THEN (na.approved_at AT TIME ZONE 'UTC')::date END AS needs_changed
         FROM programme_plan pl
         JOIN prisoner p ON p.id = pl.prisoner_id
         JOIN assessment b ON b.id = pl.based_on_assessment_id
         LEFT JOIN LATERAL (
           SELECT r.next_review_date FROM plan_review r WHERE r.plan_id = pl.id
           ORDER BY r.date DESC, r.recorded_at DESC LIMIT 1) lr ON TRUE
         LEFT JOIN LATERAL (
           SELECT a.approved_at FROM assessment a
           JOIN instrument_version iv ON iv.id = a.instrument_version_id
           WHERE a.prisoner_id = pl.prisoner_id AND a.status = 'approved' AND iv.purpose = 'needs'
           ORDER BY a.approved_at DESC LIMIT 1) na ON TRUE
         WHERE ${where.join(' AND ')}
       ), items AS (
         SELECT due.*, 'plan_review:' || plan_id AS item_id,
           LEAST(scheduled, needs_changed) AS due_date,
           CASE WHEN needs_changed IS NOT NULL THEN 'needs_changed' ELSE 'scheduled' END AS reason
         FROM due
       )
       SELECT plan_id, prisoner_id, prison_number, prisoner_name, facility_id,
         to_char(due_date, 'YYYY-MM-DD') AS due_date, reason
       FROM items WHERE ${outer.join(' AND ')}
       ORDER BY due_date, item_id COLLATE "C" LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    const today = new Date().toISOString().slice(0, 10);
    return rows.map((r) => ({
      id: `plan_review:${r.plan_id}`,
      kind: 'plan_review',
      prisonerId: r.prisoner_id,
      prisonNumber: r.prison_number,
      prisonerName: r.prisoner_name,
      facilityId: r.facility_id,
      dueDate: r.due_date,
      overdue: r.due_date < today,
      reason: r.reason,
      planId: r.plan_id,
    }));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The read check of a loaded plan: 404 (audited as denied) when the caller may not read it;
   * else the view they get.
   */
  private async readable(
    ctx: RequestContext,
    row: PlanRow,
    action: 'plan.read' | 'plan_revision.list' | 'plan_revision.read',
  ): Promise<PlanView> {
    if (caseDecision(ctx, 'read', 'Plan', planSubjectFields(row)) !== 'allowed') {
      await this.audit.refuse(
        ctx,
        new Denial(
          notFound('Plan'),
          planAudit(ctx, planLocation(row), action, { type: 'plan', id: row.id }),
        ),
      );
    }
    return planView(ctx.ability, planSubject(row));
  }

  private deny(
    ctx: RequestContext,
    row: PlanRow,
    action: AppAction,
    auditAction: 'plan.update' | 'plan.transition',
    message?: string,
    details?: Record<string, string>,
  ): Denial | undefined {
    const decision = caseDecision(ctx, action, 'Plan', planSubjectFields(row));
    if (decision === 'allowed') return undefined;
    return new Denial(
      decision === 'not_found' ? notFound('Plan') : forbidden(message),
      planAudit(ctx, planLocation(row), auditAction, { type: 'plan', id: row.id }, { details }),
    );
  }

  /** The approved needs assessment a plan is based on: the prisoner's current one. */
  private async basisFor(
    m: EntityManager,
    prisonerId: string,
    assessmentId: string,
  ): Promise<ApprovedAssessmentSummary> {
    const refuse = (code: string, message: string, extra: Record<string, unknown> = {}) =>
      unprocessable(code, message, {
        ...extra,
        errors: [{ path: 'basedOnAssessmentId', message }],
      });
    const assessment = await this.assessments.byId(m, assessmentId);
    if (!assessment)
      throw refuse(
        'assessment_not_approved',
        'A plan starts from an approved needs assessment; this one is not approved',
      );
    if (assessment.prisonerId !== prisonerId)
      throw refuse('assessment_of_another_prisoner', 'The assessment is of another prisoner');
    if (assessment.purpose !== 'needs')
      throw refuse(
        'not_a_needs_assessment',
        `${assessment.instrumentKey} is a ${assessment.purpose} instrument; a plan starts from a needs assessment`,
      );
    const latest = await this.assessments.latest(m, prisonerId, 'needs');
    if (assessment.status !== 'approved' || (latest && latest.id !== assessment.id)) {
      throw refuse(
        'assessment_not_current',
        'A newer approved needs assessment exists; base the plan on it',
        { currentAssessmentId: latest?.id ?? null },
      );
    }
    return assessment;
  }

  /** The imported catalogue version a needs assessment's instrument refers to (active only). */
  private async catalogueFor(basis: ApprovedAssessmentSummary): Promise<InstrumentVersion> {
    const ref = basis.catalogue;
    if (!ref) {
      throw unprocessable(
        'no_catalogue',
        `${basis.instrumentKey}@${basis.instrumentVersion} names no intervention catalogue to plan from`,
      );
    }
    const found = ref.version.startsWith('^')
      ? await this.instruments.newestActive(ref.key)
      : await this.instruments.getVersion(ref.key, ref.version);
    if (
      !found ||
      found.kind !== 'intervention-catalogue' ||
      found.status !== 'active' ||
      !satisfiesRange(found.version, ref.version)
    ) {
      throw unprocessable(
        'catalogue_unavailable',
        `No active version of the intervention catalogue ${ref.key} matching ${ref.version} is imported`,
      );
    }
    return found;
  }

  private async sources(m: EntityManager, row: PlanRow) {
    const [catalogue, basis, risk] = [
      catalogueOf(await this.instruments.getById(row.catalogue_version_id, m)),
      await this.assessments.byId(m, row.based_on_assessment_id),
      row.risk_assessment_id ? await this.assessments.byId(m, row.risk_assessment_id) : undefined,
    ];
    if (!basis) throw new Error(`plan ${row.id}: its needs assessment is no longer approved`);
    return { catalogue, basis, risk };
  }

  /** The plan in `view`, with needs changes (full view) and the caller's emergency grant. */
  private async render(
    m: EntityManager,
    ctx: RequestContext,
    id: string,
    view: PlanView,
  ): Promise<PlanResponse> {
    const plan = (await this.plans.load(m, id))!;
    const sources = await this.sources(m, plan.row);
    const full = fullPlan(plan, sources);
    const grant = grantField(ctx, planLocation(plan.row));
    if (view === 'logistics') return { ...inView(full, view), ...grant };
    return { ...full, ...(await this.needsChanges(m, plan, sources.basis)), ...grant };
  }

  private async needsChanges(
    m: EntityManager,
    plan: LoadedPlan,
    basis: ApprovedAssessmentSummary,
  ): Promise<{ needsChanges: NeedsChanges | null; reviewRequired: boolean }> {
    const none = { needsChanges: null, reviewRequired: false };
    if (!OPEN_PLAN_STATUSES.includes(plan.row.status)) return none;
    const latest = await this.assessments.latest(m, plan.row.prisoner_id, 'needs');
    if (!latest || latest.id === basis.id || latest.approvedAt <= basis.approvedAt) return none;
    const reviewed = !!plan.lastReview && plan.lastReview.date >= latest.approvedAt.slice(0, 10);
    return {
      needsChanges: {
        basedOn: assessmentRef(basis),
        latest: assessmentRef(latest),
        ...needsDifference(basis.needs, latest.needs),
      },
      reviewRequired: !reviewed,
    };
  }
}

function catalogueOf(version: InstrumentVersion | undefined): InterventionCatalogue {
  if (!version || version.definition.kind !== 'intervention-catalogue')
    throw new Error('a plan refers to an intervention catalogue that is not imported');
  return version.definition;
}

/** The goals a PATCH asks for, checked against the plan and its catalogue. */
function nextGoals(
  current: Goal[],
  input: GoalInputDto[],
  catalogue: InterventionCatalogue,
  errors: FieldError[],
): Goal[] {
  const byId = new Map(current.map((g) => [g.id, g]));
  const needs = new Set(catalogue.needs.map((n) => n.code));
  const seen = new Set<string>();
  return input.map((g, i) => {
    const was = g.id === undefined ? undefined : byId.get(g.id);
    if (g.id !== undefined && !was)
      errors.push({
        path: `goals[${i}].id`,
        message: 'no goal of this plan has this id; omit id for a new goal',
      });
    if (g.id !== undefined && seen.has(g.id))
      errors.push({ path: `goals[${i}].id`, message: 'the same goal appears twice' });
    if (g.id !== undefined) seen.add(g.id);
    if (!needs.has(g.needCode))
      errors.push({
        path: `goals[${i}].needCode`,
        message: `${g.needCode} is not a need of the catalogue ${catalogue.key}@${catalogue.version}`,
      });
    return {
      id: was?.id ?? randomUUID(),
      needCode: g.needCode,
      priority: g.priority ?? was?.priority ?? null,
      description: g.description,
      targetDate: g.targetDate ?? null,
      status: g.status ?? was?.status ?? 'not_started',
    };
  });
}

/** The interventions a PATCH asks for; a new consent record is attributed to the caller. */
function nextInterventions(
  current: PlanIntervention[],
  input: InterventionInputDto[],
  goals: Goal[],
  catalogue: InterventionCatalogue,
  ctx: RequestContext,
  errors: FieldError[],
): PlanIntervention[] {
  const byId = new Map(current.map((item) => [item.id, item]));
  const entries = new Map(catalogue.interventions.map((e) => [e.code, e]));
  const goalIds = new Set(goals.map((g) => g.id));
  const seen = new Set<string>();
  const latest = latestPastDate();
  return input.map((item, i) => {
    const path = `interventions[${i}]`;
    const was = item.id === undefined ? undefined : byId.get(item.id);
    if (item.id !== undefined && !was)
      errors.push({
        path: `${path}.id`,
        message: 'no intervention of this plan has this id; omit id for a new one',
      });
    if (item.id !== undefined && seen.has(item.id))
      errors.push({ path: `${path}.id`, message: 'the same intervention appears twice' });
    if (item.id !== undefined) seen.add(item.id);
    const entry = entries.get(item.catalogueCode);
    if (!entry)
      errors.push({
        path: `${path}.catalogueCode`,
        message: `${item.catalogueCode} is not an intervention of the catalogue ${catalogue.key}@${catalogue.version}`,
      });
    item.goalIds.forEach((goalId, j) => {
      if (!goalIds.has(goalId))
        errors.push({ path: `${path}.goalIds[${j}]`, message: 'not a goal of this plan' });
    });
    if (item.plannedEnd && item.plannedEnd < item.plannedStart)
      errors.push({ path: `${path}.plannedEnd`, message: 'must not be before plannedStart' });
    if (item.consent && item.consent.recordedOn > latest)
      errors.push({ path: `${path}.consent.recordedOn`, message: 'cannot be in the future' });
    const recorded = was?.consent ?? null;
    const offered = item.consent && {
      given: item.consent.given,
      recordedOn: item.consent.recordedOn,
      note: item.consent.note ?? null,
    };
    const consent =
      !offered ||
      (recorded &&
        sameJson(offered, {
          given: recorded.given,
          recordedOn: recorded.recordedOn,
          note: recorded.note,
        }))
        ? recorded
        : { ...offered, recordedBy: ctx.actor.id };
    return {
      id: was?.id ?? randomUUID(),
      catalogueCode: item.catalogueCode,
      goalIds: item.goalIds,
      discipline: item.discipline,
      responsibleStaffId: item.responsibleStaffId ?? null,
      provider: item.provider ?? null,
      frequency: item.frequency,
      plannedStart: item.plannedStart,
      plannedEnd: item.plannedEnd ?? null,
      location: item.location ?? null,
      status: item.status,
      consentRequired: entry?.consentRequired ?? true,
      consent,
    };
  });
}

/** The release section a PATCH asks for (parts omitted stay), and the parts it changes. */
function nextRelease(row: PlanRow, input: ReleaseDto | undefined) {
  const before = {
    expectedReleaseDate: row.expected_release_date,
    tasks: row.release_tasks,
    handovers: row.release_handovers,
  };
  const after = {
    expectedReleaseDate:
      input?.expectedReleaseDate !== undefined
        ? input.expectedReleaseDate
        : before.expectedReleaseDate,
    tasks:
      input?.tasks?.map((t) => ({
        description: t.description,
        dueDate: t.dueDate ?? null,
        status: t.status,
      })) ?? before.tasks,
    handovers:
      input?.handovers?.map((h) => ({
        agency: h.agency,
        date: h.date,
        sharedWhat: h.sharedWhat,
        legalBasis: h.legalBasis ?? null,
      })) ?? before.handovers,
  };
  const parts = ['expectedReleaseDate', 'tasks', 'handovers'] as const;
  return {
    ...after,
    changed: parts.filter((p) => !sameJson(before[p], after[p])).map((p) => `release.${p}`),
  };
}

/** Goals removed by a PATCH that leaves interventions serving them are refused, not dropped. */
function danglingGoalErrors(
  interventions: PlanIntervention[],
  goals: Goal[],
  errors: FieldError[],
): void {
  const ids = new Set(goals.map((g) => g.id));
  interventions.forEach((item, i) =>
    item.goalIds.forEach((goalId, j) => {
      if (!ids.has(goalId))
        errors.push({
          path: `interventions[${i}].goalIds[${j}]`,
          message:
            'serves a goal this change removes: send the interventions too, without that goal',
        });
    }),
  );
}
