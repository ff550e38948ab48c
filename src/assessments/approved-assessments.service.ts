import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApprovedAssessmentSummary } from './approved-assessment.js';

const SUMMARY = `
  SELECT a.id, a.prisoner_id AS "prisonerId", a.instrument_version_id AS "instrumentVersionId",
    iv.key AS "instrumentKey", iv.version AS "instrumentVersion", iv.purpose,
    iv.content->'catalogue' AS catalogue, a.final_risk_level AS "finalRiskLevel", a.needs,
    to_char(a.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "approvedAt",
    to_char(a.next_review_due, 'YYYY-MM-DD') AS "nextReviewDue"
  FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id`;

/**
 * Approved assessments as other features use them (a plan starts from the needs of one and
 * sets its intensity from the risk level of another). Callers check access to the prisoner.
 */
@Injectable()
export class ApprovedAssessments {
  /** The prisoner's current approved assessment of that purpose (newest approval). */
  async latest(
    m: EntityManager,
    prisonerId: string,
    purpose: 'risk' | 'needs',
  ): Promise<ApprovedAssessmentSummary | undefined> {
    const [row] = await m.query(
      `${SUMMARY} WHERE a.prisoner_id = $1 AND a.status = 'approved' AND iv.purpose = $2
       ORDER BY a.approved_at DESC LIMIT 1`,
      [prisonerId, purpose],
    );
    return row;
  }

  /** One assessment, if it is approved (or was, and has since been superseded). */
  async byId(
    m: EntityManager,
    id: string,
  ): Promise<(ApprovedAssessmentSummary & { status: string }) | undefined> {
    const [row] = await m.query(
      `${SUMMARY.replace('SELECT a.id,', 'SELECT a.id, a.status,')}
       WHERE a.id = $1 AND a.status IN ('approved', 'superseded')`,
      [id],
    );
    return row;
  }
}
