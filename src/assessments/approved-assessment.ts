/** What other features (plans) read of a prisoner's approved assessments. */
export interface ApprovedAssessmentSummary {
  id: string;
  prisonerId: string;
  instrumentVersionId: string;
  instrumentKey: string;
  instrumentVersion: string;
  purpose: 'risk' | 'needs';
  /** The catalogue the instrument's needs map to, when it names one. */
  catalogue: { key: string; version: string } | null;
  finalRiskLevel: string | null;
  /** Final level per judgement the instrument declares. */
  judgements: { code: string; level: string | null }[];
  needs: { code: string; priority: 'high' | 'medium' | 'low' }[];
  approvedAt: string;
  nextReviewDue: string | null;
}
