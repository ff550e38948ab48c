import type { StoredRating } from '../../assessments/assessment-rules.js';
import type { AssessmentResponse } from '../../assessments/dto/assessment.dto.js';
import type {
  InstrumentDefinition,
  InstrumentDomain,
} from '../../instruments/rule-sets/rule-set.types.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

export type TaskStatus = 'not_started' | 'in_progress' | 'completed';

/** A reason the server gives for refusing to submit (`indicative.reasons`, 422 `reasons`). */
export interface SubmitReason {
  code: string;
  message: string;
  item?: string;
  domain?: string;
  field?: string;
}

/** The sections after the domains, in task-list order. */
export const SECTIONS = [
  'formulation',
  'needs',
  'recommendations',
  'participation',
  'judgement',
] as const;
export type Section = (typeof SECTIONS)[number];

const SECTION_TITLE: Record<Section | 'check', MessageKey> = {
  formulation: 'assessment.section.formulation',
  needs: 'assessment.section.needs',
  recommendations: 'assessment.section.recommendations',
  participation: 'assessment.section.participation',
  judgement: 'assessment.section.judgement',
  check: 'assessment.section.check',
};
export const sectionTitle = (section: Section | 'check', t: Translate) => t(SECTION_TITLE[section]);

const STATUS_TAG: Record<TaskStatus, { key: MessageKey; classes?: string }> = {
  not_started: { key: 'assessment.task.notStarted', classes: 'govuk-tag--blue' },
  in_progress: { key: 'assessment.task.inProgress', classes: 'govuk-tag--light-blue' },
  completed: { key: 'assessment.task.completed' },
};

/** A task-list status: a tag while there is work to do, plain text once done (GOV.UK pattern). */
export function statusView(status: TaskStatus, t: Translate) {
  const { key, classes } = STATUS_TAG[status];
  return status === 'completed' ? { text: t(key) } : { tag: { text: t(key), classes } };
}

export const reasonsOf = (a: AssessmentResponse): SubmitReason[] =>
  ((a.indicative?.reasons as SubmitReason[] | undefined) ?? []).filter(Boolean);

export const ratingsOf = (a: AssessmentResponse): Record<string, StoredRating> =>
  (a.ratings as Record<string, StoredRating> | undefined) ?? {};

/** From the ratings: nothing entered, something entered but not yet enough, or done. */
export function itemStatus(
  code: string,
  ratings: Record<string, StoredRating>,
  reasons: SubmitReason[],
): TaskStatus {
  const rating = ratings[code];
  if (!rating) return 'not_started';
  const answered = Boolean(rating.value) || rating.notRated === true;
  return answered && !reasons.some((r) => r.item === code) ? 'completed' : 'in_progress';
}

export function domainStatus(
  domain: InstrumentDomain,
  ratings: Record<string, StoredRating>,
  reasons: SubmitReason[],
): { status: TaskStatus; completed: number } {
  const statuses = domain.items.map((i) => itemStatus(i.code, ratings, reasons));
  const completed = statuses.filter((s) => s === 'completed').length;
  if (statuses.every((s) => s === 'not_started')) return { status: 'not_started', completed };
  const minimumMissed = reasons.some((r) => r.code === 'minimum_rated' && r.domain === domain.code);
  return {
    status: completed === statuses.length && !minimumMissed ? 'completed' : 'in_progress',
    completed,
  };
}

/** The refusals the judgement page puts right. */
const JUDGEMENT_REASONS = [
  'final_level_required',
  'rationale_required',
  'final_rationale_required',
  'provisional_required',
  'judgement_level_required',
  'judgement_rationale_required',
];

/** Whether the instrument asks for each optional section, and each section's status. */
export function sectionStatus(
  section: Section,
  a: AssessmentResponse,
  definition: InstrumentDefinition,
  reasons: SubmitReason[],
): TaskStatus {
  const has = (code: string) => reasons.some((r) => r.code === code);
  switch (section) {
    case 'formulation':
      if (a.formulation?.trim())
        return has('scenarios_required') || has('appraisal_required') ? 'in_progress' : 'completed';
      return (a.scenarios?.length ?? 0) > 0 || a.appraisal ? 'in_progress' : 'not_started';
    case 'needs':
      return (a.needs?.length ?? 0) > 0 ? 'completed' : 'not_started';
    case 'recommendations':
      return a.recommendations.length > 0 ? 'completed' : 'not_started';
    case 'participation':
      return a.prisonerParticipation ? 'completed' : 'not_started';
    case 'judgement': {
      const judged = (definition.judgements?.length ?? 0) > 0;
      if ((definition.levels?.length ?? 0) === 0 && !judged)
        return a.finalRationale?.trim() ? 'completed' : 'not_started';
      const started =
        Boolean(a.finalRiskLevel || a.finalRationale?.trim() || a.provisional) ||
        (a.judgements?.length ?? 0) > 0;
      if (!started) return 'not_started';
      return JUDGEMENT_REASONS.some(has) ? 'in_progress' : 'completed';
    }
  }
}

/** Sections a task list offers for this instrument (Needs only where it rates needs). */
export function sectionsFor(definition: InstrumentDefinition): Section[] {
  const ratesNeeds = definition.domains.some((d) => d.items.some((i) => i.need));
  return SECTIONS.filter((s) => s !== 'needs' || ratesNeeds);
}

/** Sections the submit check asks for: the others are marked optional. */
export function requiredSection(section: Section, definition: InstrumentDefinition): boolean {
  switch (section) {
    case 'formulation':
      return definition.purpose === 'risk';
    case 'needs':
      return definition.purpose === 'needs';
    case 'recommendations':
      return false;
    case 'participation':
      return true;
    case 'judgement':
      return (definition.levels?.length ?? 0) > 0 || (definition.judgements?.length ?? 0) > 0;
  }
}

/**
 * Where a workspace's pages live: a real assessment's under /assessments, a trainee's practice
 * attempt under /training/attempts (the same pages in training mode). Every path helper takes
 * the root; it defaults to the assessment's.
 */
export const assessmentRoot = (id: string) => `/assessments/${id}`;

export const sectionPath = (id: string, section: Section | 'check', root = assessmentRoot(id)) =>
  `${root}/${section}`;
export const itemPath = (id: string, code: string, root = assessmentRoot(id)) =>
  `${root}/items/${code}`;
export const domainPath = (id: string, code: string, root = assessmentRoot(id)) =>
  `${root}/domains/${code}`;

/** The task list of an assessment its assessor is completing. */
export function taskListModel(
  a: AssessmentResponse,
  definition: InstrumentDefinition,
  t: Translate,
  workspace: { root?: string; sections?: Section[] } = {},
) {
  const root = workspace.root ?? assessmentRoot(a.id);
  const ratings = ratingsOf(a);
  const reasons = reasonsOf(a);
  const domains = definition.domains.map((domain) => {
    const { status, completed } = domainStatus(domain, ratings, reasons);
    return {
      title: { text: domain.title },
      href: domainPath(a.id, domain.code, root),
      hint: {
        text: t('assessment.tasks.domainHint', { done: completed, count: domain.items.length }),
      },
      status: statusView(status, t),
      done: status === 'completed',
    };
  });
  const sections = (workspace.sections ?? sectionsFor(definition)).map((section) => {
    const status = sectionStatus(section, a, definition, reasons);
    const required = requiredSection(section, definition);
    return {
      title: { text: sectionTitle(section, t) },
      href: sectionPath(a.id, section, root),
      ...(required ? {} : { hint: { text: t('assessment.tasks.optional') } }),
      status: statusView(status, t),
      done: status === 'completed',
      required,
    };
  });
  const canSubmit = a.indicative?.canSubmit === true;
  const check = {
    title: { text: sectionTitle('check', t) },
    href: sectionPath(a.id, 'check', root),
    status: canSubmit
      ? { tag: { text: t('assessment.task.ready'), classes: 'govuk-tag--green' } }
      : {
          text: t('assessment.task.cannotSubmit'),
          classes: 'govuk-task-list__status--cannot-start-yet',
        },
  };
  // Progress counts the tasks submit needs; optional ones done do not add to it.
  const counted = [...domains, ...sections.filter((s) => s.required)];
  return {
    domains: domains.map(({ done: _, ...rest }) => rest),
    sections: sections.map(({ done: _, required: __, ...rest }) => rest),
    check,
    progress: {
      done: counted.filter((s) => s.done).length,
      total: counted.length,
    },
  };
}

/** Where a refusal is put right: the page and the exact field on it. */
export function reasonHref(
  id: string,
  reason: SubmitReason,
  firstNeed?: string,
  root = assessmentRoot(id),
): string {
  if (reason.item) {
    const field =
      reason.field &&
      ['reason', 'evidenceFor', 'evidenceAgainst', 'sources', 'reliability'].includes(reason.field)
        ? reason.field
        : 'rating';
    return `${itemPath(id, reason.item, root)}#${field}`;
  }
  switch (reason.code) {
    case 'minimum_rated':
      return reason.domain ? domainPath(id, reason.domain, root) : root;
    case 'final_level_required':
      return `${sectionPath(id, 'judgement', root)}#finalRiskLevel`;
    case 'rationale_required':
    case 'final_rationale_required':
      return `${sectionPath(id, 'judgement', root)}#finalRationale`;
    case 'provisional_required':
      return sectionPath(id, 'judgement', root);
    case 'judgement_level_required':
    case 'judgement_rationale_required': {
      const [, code, part] = (reason.field ?? '').split('.');
      return `${sectionPath(id, 'judgement', root)}#judgement-${code}-${part}`;
    }
    case 'scenarios_required':
      return `${sectionPath(id, 'formulation', root)}#scenarios`;
    case 'appraisal_required':
      return `${sectionPath(id, 'formulation', root)}#appraisal-${(reason.field ?? '').split('.')[1]}`;
    case 'formulation_required':
      return `${sectionPath(id, 'formulation', root)}#formulation`;
    case 'needs_required':
      return `${sectionPath(id, 'needs', root)}${firstNeed ? `#need-${firstNeed}` : ''}`;
    case 'participation_required':
      return `${sectionPath(id, 'participation', root)}#informedOn-day`;
    default:
      return root;
  }
}

const ITEM_REASON: Record<string, MessageKey> = {
  unanswered: 'assessment.refusal.unanswered',
  not_rated_reason_required: 'assessment.refusal.notRatedReason',
  'evidence_required:evidenceFor': 'assessment.refusal.evidenceFor',
  'evidence_required:evidenceAgainst': 'assessment.refusal.evidenceAgainst',
  'evidence_required:sources': 'assessment.refusal.sources',
  'evidence_required:reliability': 'assessment.refusal.reliability',
};
const OTHER_REASON: Record<string, MessageKey> = {
  final_level_required: 'assessment.refusal.finalLevel',
  rationale_required: 'assessment.refusal.rationale',
  final_rationale_required: 'assessment.refusal.finalRationale',
  provisional_required: 'assessment.refusal.provisional',
  scenarios_required: 'assessment.refusal.scenarios',
  formulation_required: 'assessment.refusal.formulation',
  needs_required: 'assessment.refusal.needs',
  participation_required: 'assessment.refusal.participation',
  not_assessor: 'assessment.refusal.notAssessor',
  invalid_status: 'assessment.refusal.status',
};

const APPRAISAL_KEY = {
  confidence: 'assessment.appraisal.confidence',
  informationQuality: 'assessment.appraisal.informationQuality',
  limitations: 'assessment.appraisal.limitations',
  indexFacts: 'assessment.appraisal.indexFacts',
} as const satisfies Record<string, MessageKey>;

/** A refusal in the reader's language, naming the item by code and prompt. */
export function reasonText(
  reason: SubmitReason,
  definition: InstrumentDefinition,
  a: AssessmentResponse,
  t: Translate,
): string {
  if (reason.item) {
    const item = definition.domains.flatMap((d) => d.items).find((i) => i.code === reason.item);
    const name = item ? `${item.code} ${item.prompt}` : reason.item;
    const key = ITEM_REASON[`${reason.code}:${reason.field}`] ?? ITEM_REASON[reason.code];
    return key ? t(key, { item: name }) : t('assessment.refusal.invalidItem', { item: name });
  }
  if (reason.code === 'minimum_rated') {
    const domain = definition.domains.find((d) => d.code === reason.domain);
    const result = (
      a.indicative?.domains as { code: string; rated: number; total: number }[]
    )?.find((d) => d.code === reason.domain);
    if (domain && result) {
      return t('assessment.refusal.minimumDomain', {
        domain: domain.title,
        percent: domain.minimumRatedPercent ?? definition.minimumRated.perDomainPercent,
        rated: result.rated,
        total: result.total,
      });
    }
    return t('assessment.refusal.minimumOverall', {
      percent: definition.minimumRated.overallPercent,
    });
  }
  if (
    reason.code === 'judgement_level_required' ||
    reason.code === 'judgement_rationale_required'
  ) {
    const code = (reason.field ?? '').split('.')[1];
    const judgement = definition.judgements?.find((j) => j.code === code)?.label ?? code;
    return t(
      reason.code === 'judgement_level_required'
        ? 'assessment.refusal.judgementLevel'
        : 'assessment.refusal.judgementRationale',
      { judgement },
    );
  }
  if (reason.code === 'appraisal_required') {
    const field = (reason.field ?? '').split('.')[1] as keyof typeof APPRAISAL_KEY;
    return t('assessment.refusal.appraisal', {
      field: APPRAISAL_KEY[field] ? t(APPRAISAL_KEY[field]).toLowerCase() : field,
    });
  }
  const key = OTHER_REASON[reason.code];
  return key ? t(key, { status: a.status }) : reason.message;
}

/** The error summary entries for a list of refusals. */
export function reasonLinks(
  reasons: SubmitReason[],
  definition: InstrumentDefinition,
  a: AssessmentResponse,
  t: Translate,
  root = assessmentRoot(a.id),
) {
  const firstNeed = definition.domains.flatMap((d) => d.items).find((i) => i.need)?.need;
  return reasons.map((reason) => ({
    text: reasonText(reason, definition, a, t),
    href: reasonHref(a.id, reason, firstNeed, root),
  }));
}

/** Side navigation of a domain's items, each with its status in words. */
export function itemNavigation(
  a: AssessmentResponse,
  domain: InstrumentDomain,
  current: string | undefined,
  t: Translate,
  root = assessmentRoot(a.id),
) {
  const ratings = ratingsOf(a);
  const reasons = reasonsOf(a);
  return domain.items.map((item) => {
    const status = itemStatus(item.code, ratings, reasons);
    return {
      code: item.code,
      prompt: item.prompt,
      href: itemPath(a.id, item.code, root),
      active: item.code === current,
      status: t(STATUS_TAG[status].key),
      completed: status === 'completed',
    };
  });
}
