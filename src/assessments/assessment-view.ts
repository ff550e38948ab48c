import { permittedFieldsOf } from '@casl/ability/extra';
import { asSubject, type AppAbility } from '../access/ability.factory.js';
import type { EvaluationResult } from '../instruments/engine/evaluate.js';
import type { InstrumentDefinition } from '../instruments/rule-sets/rule-set.types.js';
import type {
  AssessmentResponse,
  AssessmentView,
  RecommendationDto,
} from './dto/assessment.dto.js';

/** The fields CASL conditions on an assessment refer to. */
export interface AssessmentSubject {
  id: string;
  prisonerId: string;
  facilityId: string;
  assessorId: string;
}

/**
 * The widest view the caller's read rules give on this assessment (DESIGN.md "Views"), or null
 * when they may not read it. Rules without field lists give the full view.
 */
export function assessmentView(ability: AppAbility, row: AssessmentSubject): AssessmentView | null {
  const subject = asSubject('Assessment', row);
  if (!ability.can('read', subject)) return null;
  const fields = permittedFieldsOf(ability, 'read', subject, {
    fieldsFrom: (rule) => rule.fields ?? ['*'],
  });
  if (fields.includes('*')) return 'full';
  if (fields.includes('programme')) return 'programme';
  return 'security';
}

export interface AssessmentRow {
  id: string;
  prisoner_id: string;
  facility_id: string;
  instrument_version_id: string;
  instrument_key: string;
  instrument_version: string;
  instrument_title: string;
  purpose: 'risk' | 'needs';
  revision: number;
  supersedes_id: string | null;
  status: string;
  reason: string;
  trigger: string | null;
  trigger_event_id: string | null;
  assessor_id: string;
  assessor_name: string;
  countersigner_id: string | null;
  countersigner_name: string | null;
  ratings: Record<string, unknown>;
  formulation: string | null;
  scenarios: { title: string; description: string }[];
  needs: { code: string; priority: string }[];
  final_risk_level: string | null;
  final_rationale: string | null;
  recommendations: RecommendationDto[];
  prisoner_participation: Record<string, unknown> | null;
  indicative: EvaluationResult | null;
  engine_version: string | null;
  next_review_due: string | null;
  submitted_at: Date | null;
  approved_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export const subjectOfRow = (row: AssessmentRow): AssessmentSubject => ({
  id: row.id,
  prisonerId: row.prisoner_id,
  facilityId: row.facility_id,
  assessorId: row.assessor_id,
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Domains whose summaries may leave the clinical team: none of their items is clinical. */
function nonClinicalDomains(definition: InstrumentDefinition): Set<string> {
  return new Set(
    definition.domains
      .filter((d) => d.items.every((i) => i.confidentiality === 'standard'))
      .map((d) => d.code),
  );
}

/**
 * Projects a row for a view. Judgements (final level, needs, recommendations) leave the
 * clinical team only once countersigned; evidence, formulation, scenarios, rationale, the
 * prisoner's words and clinical recommendations never do.
 */
export function projectAssessment(
  row: AssessmentRow,
  view: AssessmentView,
  definition: InstrumentDefinition,
  history?: Record<string, unknown>[],
): AssessmentResponse {
  const countersigned = row.status === 'approved' || row.status === 'superseded';
  const base: AssessmentResponse = {
    id: row.id,
    prisonerId: row.prisoner_id,
    status: row.status,
    revision: row.revision,
    version: row.version,
    view,
    instrument: {
      key: row.instrument_key,
      version: row.instrument_version,
      title: row.instrument_title,
      purpose: row.purpose,
    },
    finalRiskLevel: view === 'full' || countersigned ? row.final_risk_level : null,
    nextReviewDue: row.next_review_due,
    approvedAt: iso(row.approved_at),
    recommendations: [],
  };
  if (view === 'security') {
    return {
      ...base,
      recommendations: countersigned ? row.recommendations.filter((r) => r.tag === 'security') : [],
    };
  }
  const programme: AssessmentResponse = {
    ...base,
    reason: row.reason,
    supersedesId: row.supersedes_id,
    assessor: { id: row.assessor_id, displayName: row.assessor_name },
    countersigner: row.countersigner_id
      ? { id: row.countersigner_id, displayName: row.countersigner_name! }
      : null,
    createdAt: row.created_at.toISOString(),
    submittedAt: iso(row.submitted_at),
    cancelledAt: iso(row.cancelled_at),
  };
  if (view === 'programme') {
    const shareable = nonClinicalDomains(definition);
    return {
      ...programme,
      needs: countersigned ? (row.needs as AssessmentResponse['needs']) : [],
      recommendations: countersigned ? row.recommendations.filter((r) => r.tag !== 'clinical') : [],
      indicative:
        countersigned && row.indicative
          ? {
              indicativeLevel: row.indicative.indicativeLevel,
              domains: row.indicative.domains
                .filter((d) => shareable.has(d.code))
                .map((d) => ({
                  code: d.code,
                  rated: d.rated,
                  notRated: d.notRated,
                  summary: d.summary,
                })),
            }
          : null,
    };
  }
  return {
    ...programme,
    needs: row.needs as AssessmentResponse['needs'],
    recommendations: row.recommendations,
    indicative: row.indicative as unknown as Record<string, unknown> | null,
    trigger: row.trigger,
    ratings: row.ratings,
    formulation: row.formulation,
    scenarios: row.scenarios,
    finalRationale: row.final_rationale,
    prisonerParticipation:
      row.prisoner_participation as AssessmentResponse['prisonerParticipation'],
    cancelReason: row.cancel_reason,
    ...(history ? { history } : {}),
  };
}
