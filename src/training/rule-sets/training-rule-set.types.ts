/**
 * Shapes of the training rule-set files: fictional practice cases (`kind: practice-case`) and
 * the certification rule of an instrument (`kind: certification-rule`). They live in the same
 * rule-sets folder as instruments but are imported by the training feature, into its own table.
 */

export const TRAINING_RULE_SET_KINDS = ['practice-case', 'certification-rule'] as const;
export type TrainingRuleSetKind = (typeof TRAINING_RULE_SET_KINDS)[number];

export const CASE_SECTION_TYPES = [
  'background',
  'interview',
  'incident_report',
  'file_note',
  'third_party',
  'observation',
] as const;
export type CaseSectionType = (typeof CASE_SECTION_TYPES)[number];

export interface CaseSection {
  type: CaseSectionType;
  title: string;
  date?: string;
  source?: string;
  text: string;
}

export interface ReferenceRating {
  value?: string;
  notRated?: true;
  reason?: string;
  reasoning: string;
}

export interface ReferenceJudgement {
  level?: string;
  needs?: { code: string; priority: string }[];
  rationale: string;
}

export interface PracticeCaseDefinition {
  kind: 'practice-case';
  key: string;
  version: string;
  title: string;
  status: 'active' | 'retired' | 'draft';
  fictional: true;
  notice: string;
  language: string;
  instrument: { key: string; version: string };
  author: { name: string; role: string };
  reviewer: { name: string; role: string; approvedOn: string };
  caseFile: { summary: string; sections: CaseSection[] };
  reference: {
    ratings: Record<string, ReferenceRating>;
    finalJudgement: ReferenceJudgement;
  };
}

export const AGREEMENT_STATISTICS = [
  'weighted_kappa_linear',
  'weighted_kappa_quadratic',
  'kappa',
] as const;
export type AgreementStatistic = (typeof AGREEMENT_STATISTICS)[number];

export interface CertificationRuleDefinition {
  kind: 'certification-rule';
  /** The instrument key it certifies for. */
  key: string;
  version: string;
  title: string;
  description?: string;
  status: 'active' | 'retired' | 'draft';
  minimumCases: number;
  agreement: { statistic: AgreementStatistic; minimum: number };
  finalJudgementWithin: number;
  validFor: string;
  recalibrationNotice: string;
}

export type TrainingRuleSetDefinition = PracticeCaseDefinition | CertificationRuleDefinition;

/** A file (already parsed) is a training rule-set when its `kind` says so. */
export function isTrainingRuleSet(file: { doc: unknown }): boolean {
  const doc = file.doc as { kind?: unknown } | null;
  return (
    typeof doc === 'object' &&
    doc !== null &&
    (TRAINING_RULE_SET_KINDS as readonly unknown[]).includes(doc.kind)
  );
}
