/**
 * Shapes of the rule-set files under `rule-sets/` (see rule-sets/README.md for every field).
 * A validated document is stored as it was written (no defaults are filled in), so these
 * types are also the shape of `instrument_version.content`.
 */

export const RULE_SET_KINDS = ['instrument', 'intervention-catalogue'] as const;
/** Review policy lives inside the instrument (`review`), so there is no third kind. */
export type RuleSetKind = (typeof RULE_SET_KINDS)[number];

export const RULE_SET_STATUSES = ['active', 'retired', 'draft'] as const;
export type RuleSetStatus = (typeof RULE_SET_STATUSES)[number];

export const ITEM_KINDS = ['risk', 'protective', 'motivation'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** current: dynamic, may drive bands; historical: background shown as context, never in bands. */
export const TIMEFRAMES = ['current', 'historical'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const CONFIDENTIALITY_CLASSES = ['standard', 'clinical', 'restricted'] as const;
export type ConfidentialityClass = (typeof CONFIDENTIALITY_CLASSES)[number];

export const EVIDENCE_FIELDS = [
  'evidenceFor',
  'evidenceAgainst',
  'sources',
  'reliability',
] as const;
export type EvidenceField = (typeof EVIDENCE_FIELDS)[number];

export const FLAG_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type FlagSeverity = (typeof FLAG_SEVERITIES)[number];

/** Events that can make a review or reassessment due (`POST /prisoners/:id/events`). */
export const TRIGGER_EVENTS = [
  'transfer',
  'serious_incident',
  'new_information',
  'programme_milestone',
  'legal_status_change',
  'pre_release',
  'parole_review',
  'assessment_challenged',
  'intelligence_received',
  'intervention_refused',
  'disciplinary_finding',
  'self_harm',
  'hunger_strike',
  'separation_order',
  'release_date_change',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const TRIGGER_ACTIONS = ['reassess', 'review'] as const;
export type TriggerAction = (typeof TRIGGER_ACTIONS)[number];

/**
 * The intervention types a catalogue that declares no `types` has (catalogue 1.0.0's). A
 * catalogue may declare its own; plans accept whatever the catalogue version they use declares.
 */
export const INTERVENTION_TYPES = [
  'psychological',
  'cognitive_behavioural',
  'education',
  'vocational',
  'faith_dialogue',
  'creative_arts',
  'sport',
  'family',
  'mentoring',
  'civic_education',
  'reintegration',
] as const;
export type InterventionType = string;

/** The disciplines a catalogue that declares no `disciplines` has (catalogue 1.0.0's). */
export const DISCIPLINES = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'education',
  'vocational',
  'faith_advisor',
  'social_work',
  'health',
  'sport',
  'creative_arts',
  'mentor',
  'probation',
  'community_partner',
] as const;
export type Discipline = string;

/** The staff role that records sessions of a default discipline (the PVE inspector records any). */
export const DEFAULT_DISCIPLINE_ROLES: Readonly<Record<string, string>> = {
  psychologist: 'psychologist',
};

/** Where in a programme an intervention belongs; proposed plans are sequenced in this order. */
export const INTERVENTION_PHASES = ['motivation', 'core_work', 'release', 'aftercare'] as const;
export type InterventionPhase = (typeof INTERVENTION_PHASES)[number];

export const INTERVENTION_FORMATS = ['individual', 'group', 'individual_or_group'] as const;
export type InterventionFormat = (typeof INTERVENTION_FORMATS)[number];

// ---------------------------------------------------------------- translations

/** Languages a rule-set's text may be written or translated in. */
export const RULE_SET_LOCALES = ['en', 'ru', 'kk'] as const;
export type RuleSetLocale = (typeof RULE_SET_LOCALES)[number];

export interface TextTranslation {
  label?: string;
  title?: string;
  description?: string;
  prompt?: string;
  guidance?: string;
  consentNotes?: string;
}

/** Keyed by the code an entry has in the rule-set. */
export type TranslationsByCode = Record<string, TextTranslation>;

/** An instrument's text in one locale; whatever is left out falls back to its `language`. */
export interface InstrumentTranslation {
  title?: string;
  description?: string;
  notice?: string;
  scales?: Record<string, { label?: string; options?: TranslationsByCode }>;
  levels?: TranslationsByCode;
  judgements?: Record<
    string,
    { label?: string; description?: string; levels?: TranslationsByCode }
  >;
  domains?: TranslationsByCode;
  items?: TranslationsByCode;
  flags?: TranslationsByCode;
  needPriorities?: TranslationsByCode;
}

/** A declared type's or discipline's title in one locale. */
export interface TermTranslation {
  title?: string;
}

export interface CatalogueTranslation {
  title?: string;
  description?: string;
  notice?: string;
  needs?: TranslationsByCode;
  interventions?: TranslationsByCode;
  /** Keyed by the codes the catalogue declares in `types`. */
  types?: Record<string, TermTranslation>;
  /** Keyed by the codes the catalogue declares in `disciplines`. */
  disciplines?: Record<string, TermTranslation>;
}

// ---------------------------------------------------------------- instrument

export interface ScaleOption {
  code: string;
  label: string;
  /** Integer used by the CEL rules; strictly increasing in the listed order. */
  score: number;
  description?: string;
}

export interface RatingScale {
  code: string;
  label: string;
  options: ScaleOption[];
}

export interface Level {
  code: string;
  label: string;
  description?: string;
}

export interface InstrumentItem {
  code: string;
  prompt: string;
  guidance: string;
  kind: ItemKind;
  scale: string;
  need?: string;
  confidentiality: ConfidentialityClass;
  nonDiscriminationNote?: string;
  /** CEL expression overriding `contributions.default` for this item. */
  contribution?: string;
  /** Default: the domain's, else `current`. Historical items never reach the bands. */
  timeframe?: Timeframe;
}

export interface InstrumentDomain {
  code: string;
  title: string;
  description?: string;
  /** Overrides `minimumRated.perDomainPercent` for this domain. */
  minimumRatedPercent?: number;
  /** Default time frame of the domain's items. */
  timeframe?: Timeframe;
  items: InstrumentItem[];
}

export interface EvidenceRule {
  /** Option codes this rule applies to (for example moderate and high). */
  options: string[];
  require: EvidenceField[];
  /** Minimum number of sources when `sources` is required (default 1). */
  minSources?: number;
}

export interface EvidenceRequirements {
  notRatedReasonRequired: boolean;
  rules: EvidenceRule[];
}

export interface MinimumRatedRule {
  /** Every item must be rated or marked not rated (with a reason) before submission. */
  requireAllAnswered: boolean;
  overallPercent: number;
  perDomainPercent: number;
}

export interface BandRule {
  level: string;
  when: string;
  description?: string;
}

export interface FlagRule {
  code: string;
  label: string;
  severity: FlagSeverity;
  when: string;
  description?: string;
  nonDiscriminationNote?: string;
  /** Told when the flag first fires: label and date only, never what lies behind it. */
  shareWith?: 'security'[];
  /** A review or reassessment falls due this long after the flag first fires. */
  makesDue?: { action: TriggerAction; within: string };
}

/** One outcome the risk is judged for ("risk of what"), with its own levels. */
export interface JudgementDefinition {
  code: string;
  label: string;
  description?: string;
  /** Lowest first. */
  levels: Level[];
  /** Optional indicative bands for this judgement (current items only). */
  bands?: BandRule[];
}

/** What the report must contain beyond the ratings. */
export interface ReportingRules {
  /** Indicative bands are shown only after the assessor records a provisional judgement. */
  provisionalJudgementFirst?: boolean;
  /** How many complete structured scenarios a submitted assessment needs. */
  scenariosRequired?: number;
  /** Overall confidence, information quality, limitations and index facts are required. */
  appraisalRequired?: boolean;
}

export interface ContributionRules {
  default: string;
}

export interface NeedPriority {
  code: string;
  label: string;
  description?: string;
}

export interface NeedPriorityRule {
  priority: string;
  when: string;
}

export interface NeedPriorityRules {
  priorities: NeedPriority[];
  rules: NeedPriorityRule[];
}

export interface ReviewTrigger {
  event: TriggerEvent;
  action: TriggerAction;
  /** ISO-8601 duration: how soon after the event the review or reassessment is due. */
  within: string;
  /** ISO-8601 duration before the expected release date (pre_release only). */
  leadTime?: string;
  description: string;
}

export interface ReviewPolicy {
  /** Level code -> ISO-8601 duration; required (covering every level) when levels exist. */
  intervals?: Record<string, string>;
  /** One ISO-8601 duration; required when the instrument has no levels. */
  interval?: string;
  triggers: ReviewTrigger[];
}

export interface CatalogueReference {
  key: string;
  /** An exact version (`1.0.0`) or a caret range (`^1.0.0`). */
  version: string;
}

export interface InstrumentDefinition {
  kind: 'instrument';
  key: string;
  version: string;
  title: string;
  description?: string;
  purpose: 'risk' | 'needs';
  status: RuleSetStatus;
  illustrative: boolean;
  notice?: string;
  requiresCertification: boolean;
  catalogue?: CatalogueReference;
  scales: RatingScale[];
  levels?: Level[];
  judgements?: JudgementDefinition[];
  domains: InstrumentDomain[];
  evidence: EvidenceRequirements;
  minimumRated: MinimumRatedRule;
  bands?: BandRule[];
  flags?: FlagRule[];
  contributions?: ContributionRules;
  needPriorities?: NeedPriorityRules;
  review: ReviewPolicy;
  reporting?: ReportingRules;
  team?: TeamRules;
  /** The language of the text above (default en): the fallback for every locale. */
  language?: RuleSetLocale;
  translations?: Partial<Record<RuleSetLocale, InstrumentTranslation>>;
}

/** Roles an instrument's `team` may name. */
export const TEAM_ROLES = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Team working: who assesses and countersigns, and whether two assessors rate blind. */
export interface TeamRules {
  assessors?: TeamRole[];
  countersigners?: TeamRole[];
  doubleRating?: 'off' | 'optional' | 'required';
}

/** An instrument's team with its defaults (psychologists assess and countersign, one rater). */
export function teamOf(instrument: Pick<InstrumentDefinition, 'team'>): Required<TeamRules> {
  return {
    assessors: instrument.team?.assessors ?? ['psychologist'],
    countersigners: instrument.team?.countersigners ?? ['psychologist'],
    doubleRating: instrument.team?.doubleRating ?? 'off',
  };
}

/** The time frame an item has after defaults (its own, its domain's, else current). */
export function timeframeOf(domain: InstrumentDomain, item: InstrumentItem): Timeframe {
  return item.timeframe ?? domain.timeframe ?? 'current';
}

// ---------------------------------------------------------------- intervention catalogue

export interface CatalogueNeed {
  code: string;
  label: string;
  description?: string;
}

export interface Dosage {
  sessions: number;
  /** ISO-8601 duration between sessions (P1W = weekly). */
  frequency: string;
  sessionLength?: string;
  /** ISO-8601 duration of a typical course. */
  duration: string;
}

export interface Intervention {
  code: string;
  title: string;
  description: string;
  type: InterventionType;
  discipline: Discipline;
  supportingDisciplines?: Discipline[];
  format: InterventionFormat;
  consentRequired: boolean;
  consentNotes?: string;
  dosage: Dosage;
  /** Level code (of the risk instrument in use) -> intensity hint (RNR risk principle). */
  intensity?: Record<string, string>;
  needs: string[];
  /** Programme phase: proposed plans start each phase when the one before it ends. */
  phase?: InterventionPhase;
}

/**
 * A type or discipline a catalogue declares: a code and its title in the catalogue's language
 * (other languages in `translations.<locale>.types` / `.disciplines`, like all its text).
 */
export interface CatalogueTerm {
  code: string;
  title: string;
}

export interface CatalogueDiscipline extends CatalogueTerm {
  /** The staff role (besides the PVE inspector) that records sessions this discipline delivers. */
  role?: string;
}

export interface InterventionCatalogue {
  kind: 'intervention-catalogue';
  key: string;
  version: string;
  title: string;
  description?: string;
  status: RuleSetStatus;
  illustrative: boolean;
  notice?: string;
  /** Where RNR intensity comes from: an instrument and (optionally) one of its judgements. */
  intensityFrom?: { instrument: string; judgement?: string };
  needs: CatalogueNeed[];
  /** Intervention types entries may use; when absent, INTERVENTION_TYPES. */
  types?: CatalogueTerm[];
  /** Disciplines entries and plan reviews may use; when absent, DISCIPLINES. */
  disciplines?: CatalogueDiscipline[];
  interventions: Intervention[];
  language?: RuleSetLocale;
  translations?: Partial<Record<RuleSetLocale, CatalogueTranslation>>;
}

const defaultTerm = (code: string): CatalogueTerm => ({
  code,
  title: code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' '),
});

/** The intervention types a catalogue version declares (or the defaults). */
export function catalogueTypes(catalogue: Pick<InterventionCatalogue, 'types'>): CatalogueTerm[] {
  return catalogue.types ?? INTERVENTION_TYPES.map(defaultTerm);
}

/** The disciplines a catalogue version declares (or the defaults, with their recording roles). */
export function catalogueDisciplines(
  catalogue: Pick<InterventionCatalogue, 'disciplines'>,
): CatalogueDiscipline[] {
  return (
    catalogue.disciplines ??
    DISCIPLINES.map((code) => ({
      ...defaultTerm(code),
      ...(DEFAULT_DISCIPLINE_ROLES[code] ? { role: DEFAULT_DISCIPLINE_ROLES[code] } : {}),
    }))
  );
}

export type RuleSetDefinition = InstrumentDefinition | InterventionCatalogue;

// ---------------------------------------------------------------- loading and validation

export interface RuleSetFile {
  /** Path relative to the rule-sets directory, with forward slashes. */
  file: string;
  text: string;
  doc: unknown;
}

export interface RuleSetError {
  file: string;
  /** Like `domains[2].items[0].code`; '' for the whole file. */
  path: string;
  message: string;
  /**
   * Stable name of the check that failed (see rule-sets/README.md, "Validation"). Always set
   * by the loader and the validator; optional so callers can build errors of their own.
   */
  code?: RuleSetErrorCode;
  /** 1-based line in the file, where it could be found. */
  line?: number;
}

export const RULE_SET_ERROR_CODES = [
  'read_error',
  'yaml_syntax',
  'schema',
  'invalid_key',
  'invalid_version',
  'file_name',
  'duplicate_version',
  'notice_required',
  'duplicate_code',
  'scale_order',
  'unknown_scale',
  'unknown_option',
  'unknown_level',
  'unknown_priority',
  'purpose_requirements',
  'catch_all_missing',
  'unreachable_rule',
  'cel_syntax',
  'cel_unknown_reference',
  'cel_type',
  'cel_runtime',
  'review_intervals',
  'invalid_duration',
  'trigger_lead_time',
  'unknown_catalogue',
  'missing_catalogue',
  'need_required',
  'unknown_need',
  'need_without_intervention',
  'consent_required',
  'non_discrimination',
  'historical_in_band',
  /** A catalogue's intensity key, or its intensityFrom judgement, that the instrument lacks. */
  'unknown_intensity_level',
  /** A `team` naming a role outside the clinical team on an instrument with clinical items. */
  'team_roles',
  /** A translation keyed by a code the rule-set does not have. */
  'unknown_translation_code',
  /** A catalogue entry whose type, or discipline, the catalogue does not declare. */
  'unknown_type',
  'unknown_discipline',
  /** For the import: the same key and version already imported with other content. */
  'version_conflict',
] as const;
export type RuleSetErrorCode = (typeof RULE_SET_ERROR_CODES)[number];

export interface ValidatedRuleSet {
  file: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  title: string;
  status: RuleSetStatus;
  /** SHA-256 (hex) over the RFC 8785 canonical JSON of the parsed document. */
  sha256: string;
  definition: InstrumentDefinition | InterventionCatalogue;
}
