import type { GoalResponse, InterventionResponse } from '../../plans/dto/plan.response.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { compareItems, GOAL_FIELDS, INTERVENTION_FIELDS } from './plan-diff.js';
import {
  frequencyText,
  GOAL_STATUS,
  INTERVENTION_STATUS,
  labelOf,
  PRIORITY,
} from './plan-labels.js';

/** One version of a programme: the goals and interventions of a revision. */
export interface Programme {
  goals: GoalResponse[];
  interventions: InterventionResponse[];
}

const CHANGE: Record<string, MessageKey> = {
  added: 'plans.compare.added',
  removed: 'plans.compare.removed',
  changed: 'plans.compare.changed',
  unchanged: 'plans.compare.unchanged',
};
const CHANGE_TAG: Record<string, string> = {
  added: 'govuk-tag--green',
  removed: 'govuk-tag--red',
  changed: 'govuk-tag--yellow',
  unchanged: 'govuk-tag--grey',
};

const GOAL_LABELS: Record<(typeof GOAL_FIELDS)[number], MessageKey> = {
  needCode: 'plans.compare.need',
  description: 'plans.goals.description',
  priority: 'plans.goals.priority',
  targetDate: 'plans.goals.targetDate',
  status: 'plans.goals.status',
};
const INTERVENTION_LABELS: Record<(typeof INTERVENTION_FIELDS)[number], MessageKey> = {
  catalogueCode: 'plans.compare.catalogueCode',
  goalIds: 'plans.interventions.goals',
  frequency: 'plans.interventions.frequency',
  plannedStart: 'plans.interventionPage.plannedStart',
  plannedEnd: 'plans.interventionPage.plannedEnd',
  responsibleStaff: 'plans.interventions.staff',
  provider: 'plans.interventions.provider',
  location: 'plans.interventions.location',
  status: 'plans.interventions.status',
  consent: 'plans.interventions.consent',
};

/**
 * Two programmes side by side: each goal and intervention of either, with every field's value
 * before and after and which differ. Dates stay ISO (`kind: 'date'`) for the template to format.
 */
export function sideBySide(before: Programme, after: Programme, t: Translate) {
  const goalNumber = (programme: Programme) =>
    new Map(programme.goals.map((g, i) => [g.id, `${i + 1}. ${g.description}`]));
  const numbersBefore = goalNumber(before);
  const numbersAfter = goalNumber(after);

  const goalValue = (g: GoalResponse | undefined, field: (typeof GOAL_FIELDS)[number]) => {
    if (!g) return { text: '' };
    switch (field) {
      case 'needCode':
        return { text: g.needLabel };
      case 'priority':
        return { text: labelOf(t, PRIORITY, g.priority) || t('plans.priority.none') };
      case 'status':
        return { text: labelOf(t, GOAL_STATUS, g.status) };
      case 'targetDate':
        return { date: g.targetDate };
      default:
        return { text: g.description };
    }
  };
  const interventionValue = (
    i: InterventionResponse | undefined,
    field: (typeof INTERVENTION_FIELDS)[number],
    numbers: Map<string, string>,
  ) => {
    if (!i) return { text: '' };
    switch (field) {
      case 'catalogueCode':
        return { text: i.title ?? i.catalogueCode };
      case 'goalIds':
        return { text: (i.goalIds ?? []).map((id) => numbers.get(id) ?? id).join('; ') };
      case 'frequency':
        return { text: frequencyText(t, i.frequency) };
      case 'plannedStart':
      case 'plannedEnd':
        return { date: i[field] };
      case 'responsibleStaff':
        return { text: i.responsibleStaff?.displayName ?? '' };
      case 'status':
        return { text: labelOf(t, INTERVENTION_STATUS, i.status) };
      case 'consent':
        return {
          text: !i.consent
            ? ''
            : i.consent.given
              ? t('plans.consent.given')
              : t('plans.consent.refused'),
          date: i.consent?.recordedOn,
        };
      default:
        return { text: i[field] ?? '' };
    }
  };

  const goals = compareItems(before.goals, after.goals, GOAL_FIELDS).map((row) => ({
    title: (row.after ?? row.before)!.description,
    change: t(CHANGE[row.change]),
    changeClass: CHANGE_TAG[row.change],
    moved: row.moved,
    fields: GOAL_FIELDS.map((field) => ({
      label: t(GOAL_LABELS[field]),
      before: goalValue(row.before, field),
      after: goalValue(row.after, field),
      changed: row.fields.includes(field),
    })),
  }));
  // Goals are compared through their text, not their ids, for an intervention's goals served.
  const comparable = (programme: Programme, numbers: Map<string, string>) =>
    programme.interventions.map((i) => ({
      ...i,
      goalIds: (i.goalIds ?? []).map((id) => numbers.get(id) ?? id),
      responsibleStaff: i.responsibleStaff?.displayName ?? null,
      consent: i.consent ? [i.consent.given, i.consent.recordedOn, i.consent.note] : null,
    }));
  const rows = compareItems(
    comparable(before, numbersBefore),
    comparable(after, numbersAfter),
    INTERVENTION_FIELDS,
  );
  const find = (programme: Programme, id: string) =>
    programme.interventions.find((i) => i.id === id);
  const interventions = rows.map((row) => {
    const b = find(before, row.id);
    const a = find(after, row.id);
    return {
      title: (a ?? b)!.title ?? (a ?? b)!.catalogueCode,
      change: t(CHANGE[row.change]),
      changeClass: CHANGE_TAG[row.change],
      moved: row.moved,
      fields: INTERVENTION_FIELDS.map((field) => ({
        label: t(INTERVENTION_LABELS[field]),
        before: interventionValue(b, field, numbersBefore),
        after: interventionValue(a, field, numbersAfter),
        changed: row.fields.includes(field),
      })),
    };
  });
  return {
    goals,
    interventions,
    changes:
      goals.filter((g) => g.changeClass !== CHANGE_TAG.unchanged).length +
      interventions.filter((i) => i.changeClass !== CHANGE_TAG.unchanged).length,
  };
}
