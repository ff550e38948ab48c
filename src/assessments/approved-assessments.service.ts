import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApprovedAssessmentSummary } from './approved-assessment.js';
import { AssessmentsRepository } from './assessments.repository.js';

/**
 * Approved assessments as other features use them (a plan starts from the needs of one and
 * sets its intensity from the risk level of another). Callers check access to the prisoner.
 */
@Injectable()
export class ApprovedAssessments {
  constructor(private readonly assessments: AssessmentsRepository) {}

  /** The prisoner's current approved assessment of that purpose (newest approval). */
  latest(
    m: EntityManager,
    prisonerId: string,
    purpose: 'risk' | 'needs',
  ): Promise<ApprovedAssessmentSummary | undefined> {
    return this.assessments.latestApproved(m, prisonerId, purpose);
  }

  /**
   * The assessment a plan's RNR intensity comes from: where the catalogue names an instrument
   * (and a judgement), the newest approved assessment of that instrument, its level being that
   * judgement's final level (or its overall one); otherwise the newest approved risk assessment.
   */
  async intensityBasis(
    m: EntityManager,
    prisonerId: string,
    from: { instrument: string; judgement?: string } | undefined,
  ): Promise<ApprovedAssessmentSummary | undefined> {
    if (!from) return this.latest(m, prisonerId, 'risk');
    const found = await this.assessments.latestApprovedOf(m, prisonerId, from.instrument);
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
