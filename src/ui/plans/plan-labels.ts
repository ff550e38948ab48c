import {
  isRuleSetLocale,
  localizeCatalogue,
} from '../../instruments/rule-sets/localize-rule-set.js';
import {
  catalogueDisciplines,
  catalogueTypes,
  type CatalogueTerm,
  type InterventionCatalogue,
} from '../../instruments/rule-sets/rule-set.types.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

/** Catalogue keys of the plans' closed vocabularies; a value without one is shown as it is. */
export const PLAN_STATUS: Record<string, MessageKey> = {
  draft: 'plan.status.draft',
  pending_approval: 'plan.status.pending_approval',
  active: 'plan.status.active',
  suspended: 'plan.status.suspended',
  completed: 'plan.status.completed',
  closed: 'plan.status.closed',
};
export const GOAL_STATUS: Record<string, MessageKey> = {
  not_started: 'plans.goalStatus.not_started',
  in_progress: 'plans.goalStatus.in_progress',
  achieved: 'plans.goalStatus.achieved',
  not_achieved: 'plans.goalStatus.not_achieved',
  withdrawn: 'plans.goalStatus.withdrawn',
};
export const INTERVENTION_STATUS: Record<string, MessageKey> = {
  proposed: 'plans.interventionStatus.proposed',
  scheduled: 'plans.interventionStatus.scheduled',
  in_progress: 'plans.interventionStatus.in_progress',
  completed: 'plans.interventionStatus.completed',
  stopped: 'plans.interventionStatus.stopped',
};
export const PRIORITY: Record<string, MessageKey> = {
  high: 'plans.priority.high',
  medium: 'plans.priority.medium',
  low: 'plans.priority.low',
};
export const AGREEMENT: Record<string, MessageKey> = {
  agreed: 'plans.agreement.agreed',
  disagreed: 'plans.agreement.disagreed',
  could_not_answer: 'plans.agreement.could_not_answer',
};
export const ATTENDANCE: Record<string, MessageKey> = {
  attended: 'plans.attendance.attended',
  absent: 'plans.attendance.absent',
  refused: 'plans.attendance.refused',
  cancelled: 'plans.attendance.cancelled',
};
export const TASK_STATUS: Record<string, MessageKey> = {
  open: 'plans.taskStatus.open',
  done: 'plans.taskStatus.done',
  cancelled: 'plans.taskStatus.cancelled',
};
export const PENDING_STATUS: Record<string, MessageKey> = {
  draft: 'plans.pending.status.draft',
  submitted: 'plans.pending.status.submitted',
  returned: 'plans.pending.status.returned',
};
export const DISCIPLINE: Record<string, MessageKey> = {
  psychologist: 'plans.discipline.psychologist',
  pve_inspector: 'plans.discipline.pve_inspector',
  security_officer: 'plans.discipline.security_officer',
  education: 'plans.discipline.education',
  vocational: 'plans.discipline.vocational',
  faith_advisor: 'plans.discipline.faith_advisor',
  social_work: 'plans.discipline.social_work',
  health: 'plans.discipline.health',
  sport: 'plans.discipline.sport',
  creative_arts: 'plans.discipline.creative_arts',
  mentor: 'plans.discipline.mentor',
  probation: 'plans.discipline.probation',
  community_partner: 'plans.discipline.community_partner',
};
export const INTERVENTION_TYPE: Record<string, MessageKey> = {
  psychological: 'plans.type.psychological',
  cognitive_behavioural: 'plans.type.cognitive_behavioural',
  education: 'plans.type.education',
  vocational: 'plans.type.vocational',
  faith_dialogue: 'plans.type.faith_dialogue',
  creative_arts: 'plans.type.creative_arts',
  sport: 'plans.type.sport',
  family: 'plans.type.family',
  mentoring: 'plans.type.mentoring',
  civic_education: 'plans.type.civic_education',
  reintegration: 'plans.type.reintegration',
};

/** Tag colours: the words carry the meaning, the colour only repeats it. */
export const STATUS_TAG: Record<string, string> = {
  draft: 'govuk-tag--grey',
  pending_approval: 'govuk-tag--blue',
  active: 'govuk-tag--green',
  suspended: 'govuk-tag--orange',
  completed: 'govuk-tag--grey',
  closed: 'govuk-tag--grey',
  proposed: 'govuk-tag--grey',
  scheduled: 'govuk-tag--blue',
  in_progress: 'govuk-tag--light-blue',
  stopped: 'govuk-tag--red',
  submitted: 'govuk-tag--blue',
  returned: 'govuk-tag--orange',
};

/** A value's label in one vocabulary; '' for none, the value itself when the vocabulary lacks it. */
export function labelOf(
  t: Translate,
  vocabulary: Record<string, MessageKey>,
  value: string | null | undefined,
): string {
  if (value === null || value === undefined || value === '') return '';
  return vocabulary[value] ? t(vocabulary[value]) : value;
}

/** How a plan page names intervention types and disciplines. */
export interface TermLabels {
  type: (code: string | null | undefined) => string;
  discipline: (code: string | null | undefined) => string;
}

/**
 * Intervention types and disciplines are declared by the catalogue: a code the message
 * catalogue has is shown in its words, any other by the catalogue's title in the page's
 * language (its translations, else its own title), else as it is. Without the catalogue, the
 * defaults' titles apply. The catalogue may come localized already: localizing twice changes
 * nothing.
 */
export function termLabels(
  t: Translate,
  catalogue: InterventionCatalogue | undefined,
  locale: string,
): TermLabels {
  const shown =
    catalogue && isRuleSetLocale(locale) ? localizeCatalogue(catalogue, locale) : catalogue;
  const label =
    (vocabulary: Record<string, MessageKey>, terms: CatalogueTerm[]) =>
    (code: string | null | undefined): string => {
      if (code === null || code === undefined || code === '') return '';
      if (vocabulary[code]) return t(vocabulary[code]);
      return terms.find((x) => x.code === code)?.title ?? code;
    };
  return {
    type: label(INTERVENTION_TYPE, catalogueTypes(shown ?? {})),
    discipline: label(DISCIPLINE, catalogueDisciplines(shown ?? {})),
  };
}

/** Options for a select or radios over a vocabulary, with `selected` (or `checked`) set. */
export function optionsOf(
  t: Translate,
  vocabulary: Record<string, MessageKey>,
  selected: string | null | undefined,
  mark: 'selected' | 'checked' = 'selected',
) {
  return Object.entries(vocabulary).map(([value, key]) => ({
    value,
    text: t(key),
    [mark]: value === selected,
  }));
}

const FREQUENCY = /^P(\d+)([DWM])$/;

/** "Weekly", "Every 2 weeks": how often an intervention meets, from its ISO-8601 duration. */
export function frequencyText(t: Translate, value: string): string {
  const match = FREQUENCY.exec(value);
  if (!match) return t('plans.frequency.other', { value });
  const count = Number(match[1]);
  const unit = match[2];
  if (count === 1)
    return t(
      unit === 'D'
        ? 'plans.frequency.P1D'
        : unit === 'W'
          ? 'plans.frequency.P1W'
          : 'plans.frequency.P1M',
    );
  return t(
    unit === 'D'
      ? 'plans.frequency.days'
      : unit === 'W'
        ? 'plans.frequency.weeks'
        : 'plans.frequency.months',
    { count },
  );
}

/** The frequencies offered in forms, and the current one if it is another. */
export function frequencyOptions(t: Translate, current: string | undefined) {
  const offered = ['P1D', 'P1W', 'P2W', 'P1M'];
  const values = current && !offered.includes(current) ? [...offered, current] : offered;
  return values.map((value) => ({
    value,
    text: frequencyText(t, value),
    selected: value === current,
  }));
}

export const INTERVENTION_PHASE: Record<string, MessageKey> = {
  motivation: 'plans.phase.motivation',
  core_work: 'plans.phase.core_work',
  release: 'plans.phase.release',
  aftercare: 'plans.phase.aftercare',
};
