/**
 * One line of `GET /reviews/due`: a reassessment (from assessments) or a plan review (from
 * plans), for a prisoner in the caller's scope. Each feature lists its own, scope-filtered in
 * SQL and ordered by `(dueDate, id)`; ReviewsService merges them.
 */
export interface DueItem {
  /**
   * Stable and unique: `reassessment:<prisonerId>:<instrumentKey>`, `plan_review:<planId>`,
   * `release_copy:<prisonerId>`, ...
   */
  id: string;
  kind:
    | 'reassessment'
    | 'plan_review'
    | 'challenge_response'
    | 'amendment'
    | 'release_copy'
    | 'complaint_response'
    | 'ill_treatment_referral';
  prisonerId: string;
  prisonNumber: string;
  prisonerName: string;
  facilityId: string;
  /** YYYY-MM-DD */
  dueDate: string;
  overdue: boolean;
  /** Why it is due: scheduled | event | pre_release | intake | flag | needs_changed | ... */
  reason: string;
  /** Reassessments: a new assessment (`reassess`) or a review of the current one (`review`). */
  action?: 'reassess' | 'review';
  instrumentKey?: string;
  assessmentId?: string;
  inProgressAssessmentId?: string;
  planId?: string;
  /**
   * A challenge to answer, or whose upholding (or an outside authority's on its escalation) made
   * an amendment due (challenges feature).
   */
  challengeId?: string;
  /** A complaint to answer, or whose ill-treatment allegation awaits referral (complaints). */
  complaintId?: string;
  event?: { id: string; type: string; occurredAt: string };
}

export interface DueQuery {
  facilityId?: string;
  /** Items due on or before this date (YYYY-MM-DD). */
  before: string;
  /** Keyset: only items after this (dueDate, id). */
  after?: { dueDate: string; id: string };
  limit: number;
}
