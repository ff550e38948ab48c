import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeploymentInstruments } from '../instruments/deployment/deployment-instruments.service.js';
import type { ApprovedAssessmentSummary } from './approved-assessment.js';
import { AssessmentsRepository } from './assessments.repository.js';

/**
 * Approved assessments as other features use them (a plan starts from the needs of one and
 * sets its intensity from the risk level of another). Callers check access to the prisoner.
 */
@Injectable()
export class ApprovedAssessments {
  constructor(
    private readonly assessments: AssessmentsRepository,
    private readonly deployment: DeploymentInstruments,
  ) {}

  /**
   * The prisoner's current approved assessment of that purpose (newest approval); for needs, of
   * the instrument the deployment plans from (INSTRUMENT_FOR_PLAN_NEEDS) when it names one.
   */
  async latest(
    m: EntityManager,
    prisonerId: string,
    purpose: 'risk' | 'needs',
  ): Promise<ApprovedAssessmentSummary | undefined> {
    const configured =
      purpose === 'needs' ? await this.deployment.resolve('planNeeds', m) : undefined;
    if (configured)
      return this.assessments.latestApprovedOf(m, prisonerId, configured.key, configured.versions);
    return this.assessments.latestApproved(m, prisonerId, purpose);
  }

  /** The instrument plans start from, when the deployment names one. */
  planNeedsInstrument(m: EntityManager) {
    return this.deployment.resolve('planNeeds', m);
  }

  /**
   * The assessment a plan's RNR intensity comes from: the instrument (and judgement) the
   * deployment configures (INSTRUMENT_FOR_PLAN_INTENSITY), else the one the catalogue names,
   * the newest approved assessment of it, its level being that judgement's final level (or its
   * overall one); with neither, the newest approved risk assessment.
   */
  async intensityBasis(
    m: EntityManager,
    prisonerId: string,
    catalogueFrom: { instrument: string; judgement?: string } | undefined,
  ): Promise<ApprovedAssessmentSummary | undefined> {
    const configured = await this.deployment.resolve('planIntensity', m);
    const from = configured
      ? {
          instrument: configured.key,
          judgement: configured.judgement,
          versions: configured.versions,
        }
      : catalogueFrom && { ...catalogueFrom, versions: undefined };
    if (!from) return this.assessments.latestApproved(m, prisonerId, 'risk');
    const found = await this.assessments.latestApprovedOf(
      m,
      prisonerId,
      from.instrument,
      from.versions,
    );
    if (!found || !from.judgement) return found;
    const level = found.judgements.find((j) => j.code === from.judgement)?.level ?? null;
    return { ...found, finalRiskLevel: level };
  }

  /** One assessment, if it is approved (or was, and has since been superseded). */
  byId(
    m: EntityManager,
    id: string,
  ): Promise<(ApprovedAssessmentSummary & { status: string }) | undefined> {
    return this.assessments.approvedById(m, id);
  }
}
