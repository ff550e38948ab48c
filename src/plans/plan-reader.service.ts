import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApprovedAssessmentSummary } from '../assessments/approved-assessment.js';
import { ApprovedAssessments } from '../assessments/approved-assessments.service.js';
import { unprocessable, type FieldError } from '../errors/problem.exception.js';
import { InstrumentsService, type InstrumentVersion } from '../instruments/instruments.service.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import { satisfiesRange } from '../instruments/rule-sets/semver.js';
import type { NeedsChanges, PlanResponse, PlanView } from './dto/plan.response.js';
import {
  goalsWithDelivery,
  interventionsWithDelivery,
  needsDifference,
  OPEN_PLAN_STATUSES,
  type Goal,
  type PlanIntervention,
} from './plan-content.js';
import {
  assessmentRef,
  fullPlan,
  logisticsPlan,
  pendingRevisionResponse,
  type PlanSources,
} from './plan-view.js';
import {
  PlansRepository,
  type InterventionNames,
  type LoadedPlan,
  type Plan,
  type Proposal,
} from './plans.repository.js';

export function catalogueOf(version: InstrumentVersion | undefined): InterventionCatalogue {
  if (!version || version.definition.kind !== 'intervention-catalogue')
    throw new Error('a plan refers to an intervention catalogue that is not imported');
  return version.definition;
}

/**
 * What a plan refers to (its catalogue, its needs and risk assessments) and the plan as a
 * caller sees it. Access is decided before any of this is called.
 */
@Injectable()
export class PlanReader {
  constructor(
    private readonly plans: PlansRepository,
    private readonly assessments: ApprovedAssessments,
    private readonly instruments: InstrumentsService,
  ) {}

  async catalogue(m: EntityManager, plan: Pick<Plan, 'catalogueVersionId'>) {
    return catalogueOf(await this.instruments.getById(plan.catalogueVersionId, m));
  }

  /** The approved assessment and level the plan's RNR intensity follows (see the catalogue). */
  latestRisk(m: EntityManager, prisonerId: string, catalogue?: InterventionCatalogue) {
    return this.assessments.intensityBasis(m, prisonerId, catalogue?.intensityFrom);
  }

  /**
   * The approved needs assessment a plan is based on: the prisoner's current one. An id that
   * is not an approved assessment of this prisoner gets one answer, whether it does not exist,
   * is not approved, or belongs to another prisoner (in the caller's scope or not), so that
   * the answer reveals nothing about records the caller may not see.
   */
  async basisFor(
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
    if (!assessment || assessment.prisonerId !== prisonerId)
      throw refuse(
        'assessment_not_found',
        'No approved assessment of this prisoner has this id; a plan starts from the prisoner’s current approved needs assessment',
      );
    if (assessment.purpose !== 'needs')
      throw refuse(
        'not_a_needs_assessment',
        `${assessment.instrumentKey} is a ${assessment.purpose} instrument; a plan starts from a needs assessment`,
      );
    const configured = await this.assessments.planNeedsInstrument(m);
    if (
      configured &&
      (assessment.instrumentKey !== configured.key ||
        !configured.versions.includes(assessment.instrumentVersion))
    )
      throw refuse(
        'not_the_plan_instrument',
        `Plans here start from a ${configured.key}${configured.range ? `@${configured.range}` : ''} needs assessment, not ${assessment.instrumentKey}@${assessment.instrumentVersion}`,
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
  async catalogueFor(basis: ApprovedAssessmentSummary): Promise<InstrumentVersion> {
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

  /**
   * Re-basing a plan on the prisoner's current needs assessment, whose needs must map to the
   * plan's catalogue: the new basis, and the latest risk assessment that sets the intensity.
   */
  async rebase(
    m: EntityManager,
    prisonerId: string,
    assessmentId: string,
    catalogue: InterventionCatalogue,
  ) {
    const basis = await this.basisFor(m, prisonerId, assessmentId);
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
    const risk = await this.latestRisk(m, prisonerId, catalogue);
    return {
      basedOnAssessmentId: basis.id,
      riskAssessmentId: risk?.id ?? null,
      riskLevel: risk?.finalRiskLevel ?? null,
    };
  }

  async sources(
    m: EntityManager,
    refs: Pick<Plan, 'id' | 'catalogueVersionId' | 'basedOnAssessmentId' | 'riskAssessmentId'>,
  ): Promise<PlanSources> {
    const catalogue = await this.catalogue(m, refs);
    const basis = await this.assessments.byId(m, refs.basedOnAssessmentId);
    const risk = refs.riskAssessmentId
      ? await this.assessments.byId(m, refs.riskAssessmentId)
      : undefined;
    if (!basis) throw new Error(`plan ${refs.id}: its needs assessment is no longer approved`);
    return { catalogue, basis, risk };
  }

  /**
   * A pending revision as it would be approved: its goals and interventions, with the delivery
   * recorded on the current revision (status, consent, staff, place) for the items both have.
   */
  proposed(
    loaded: LoadedPlan,
    proposal: Proposal,
  ): { goals: Goal[]; interventions: PlanIntervention[] } {
    return {
      goals: goalsWithDelivery(proposal.goals, loaded.goals),
      interventions: interventionsWithDelivery(proposal.interventions, loaded.interventions),
    };
  }

  /** Staff newly made responsible must be active users; those already named may stay. */
  async staffErrors(
    m: EntityManager,
    before: PlanIntervention[],
    after: PlanIntervention[],
    errors: FieldError[],
  ): Promise<void> {
    const named = new Map(before.map((i) => [i.id, i.responsibleStaffId]));
    const newlyNamed = after
      .map((item, i) => ({ staff: item.responsibleStaffId, i, was: named.get(item.id) }))
      .filter(({ staff, was }) => staff !== null && staff !== was);
    const known = await this.plans.activeUsers(
      m,
      newlyNamed.map(({ staff }) => staff!),
    );
    for (const { staff, i } of newlyNamed)
      if (!known.has(staff!))
        errors.push({
          path: `interventions[${i}].responsibleStaffId`,
          message: 'no active staff member has this id',
        });
  }

  /** The plan in `view`, with needs changes and the pending revision (full view only). */
  async render(
    m: EntityManager,
    id: string,
    view: PlanView,
    grant: { emergencyAccessId?: string } = {},
    known?: Plan,
  ): Promise<PlanResponse> {
    const loaded = (await this.plans.load(m, id, false, known))!;
    const sources = await this.sources(m, loaded.plan);
    const full = fullPlan(loaded, sources);
    if (view === 'logistics') return { ...logisticsPlan(full), ...grant };
    return {
      ...full,
      ...(await this.needsChanges(m, loaded, sources.basis)),
      pendingRevision: loaded.proposal && (await this.pending(m, loaded, loaded.proposal)),
      ...grant,
    };
  }

  private async pending(m: EntityManager, loaded: LoadedPlan, proposal: Proposal) {
    const shown = this.proposed(loaded, proposal);
    const sources = await this.sources(m, {
      id: loaded.plan.id,
      catalogueVersionId: loaded.plan.catalogueVersionId,
      basedOnAssessmentId: proposal.basedOnAssessmentId,
      riskAssessmentId: proposal.riskAssessmentId,
    });
    const added = shown.interventions.filter((item) => !loaded.names.has(item.id));
    const people = await this.plans.displayNames(
      m,
      added
        .flatMap((item) => [item.responsibleStaffId, item.consent?.recordedBy ?? null])
        .filter((id): id is string => id !== null),
    );
    const names = new Map<string, InterventionNames>(loaded.names);
    for (const item of added)
      names.set(item.id, {
        responsibleStaff: item.responsibleStaffId
          ? (people.get(item.responsibleStaffId) ?? null)
          : null,
        consentRecordedBy: item.consent?.recordedBy
          ? (people.get(item.consent.recordedBy) ?? null)
          : null,
      });
    return pendingRevisionResponse(proposal, shown, names, sources);
  }

  private async needsChanges(
    m: EntityManager,
    loaded: LoadedPlan,
    basis: ApprovedAssessmentSummary,
  ): Promise<{ needsChanges: NeedsChanges | null; reviewRequired: boolean }> {
    const none = { needsChanges: null, reviewRequired: false };
    if (!OPEN_PLAN_STATUSES.includes(loaded.plan.status)) return none;
    const latest = await this.assessments.latest(m, loaded.plan.prisonerId, 'needs');
    if (!latest || latest.id === basis.id || latest.approvedAt <= basis.approvedAt) return none;
    const reviewed =
      !!loaded.lastReview && loaded.lastReview.date >= latest.approvedAt.slice(0, 10);
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
