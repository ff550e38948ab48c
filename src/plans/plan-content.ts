import { randomUUID } from 'node:crypto';
import type { FieldError } from '../errors/problem.exception.js';
import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import {
  INTERVENTION_PHASES,
  type Intervention,
  type InterventionCatalogue,
  type InterventionPhase,
} from '../instruments/rule-sets/rule-set.types.js';

/** Plan content as the service works with it: pure data, no Nest, no SQL. */

export const PLAN_STATUSES = [
  'draft',
  'pending_approval',
  'active',
  'suspended',
  'completed',
  'closed',
] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export const OPEN_PLAN_STATUSES: readonly PlanStatus[] = [
  'draft',
  'pending_approval',
  'active',
  'suspended',
];

export const GOAL_STATUSES = [
  'not_started',
  'in_progress',
  'achieved',
  'not_achieved',
  'withdrawn',
] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const INTERVENTION_STATUSES = [
  'proposed',
  'scheduled',
  'in_progress',
  'completed',
  'stopped',
] as const;
export type InterventionStatus = (typeof INTERVENTION_STATUSES)[number];
/** Statuses an intervention may have without the prisoner's consent (nothing is delivered). */
export const UNDELIVERED: readonly InterventionStatus[] = ['proposed', 'stopped'];

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Goal {
  id: string;
  needCode: string;
  priority: Priority | null;
  description: string;
  targetDate: string | null;
  status: GoalStatus;
}

export interface Consent {
  given: boolean;
  recordedOn: string;
  note: string | null;
  recordedBy: string | null;
}

export interface PlanIntervention {
  id: string;
  catalogueCode: string;
  goalIds: string[];
  discipline: string;
  responsibleStaffId: string | null;
  provider: string | null;
  frequency: string;
  plannedStart: string;
  plannedEnd: string | null;
  location: string | null;
  status: InterventionStatus;
  consentRequired: boolean;
  consent: Consent | null;
}

export const PSYCHOLOGICAL_DISCIPLINE = 'psychologist';

const rank = (priority: Priority | null) =>
  priority === null ? PRIORITIES.length : PRIORITIES.indexOf(priority);

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The draft a plan starts from (Mandela Rule 94; risk-need-responsivity): one goal per assessed
 * need (at its highest priority), highest priority first, and every catalogue intervention mapped to one of those needs,
 * serving all the goals it maps to, ordered by the most pressing goal it serves. Everything is
 * `proposed`: nothing is scheduled before the team and the prisoner have discussed it.
 */
export function proposePlan(
  needs: { code: string; priority: Priority }[],
  catalogue: InterventionCatalogue,
  today: string,
  newId: () => string = randomUUID,
): { goals: Goal[]; interventions: PlanIntervention[] } {
  const labels = new Map(catalogue.needs.map((n) => [n.code, n.label]));
  const seen = new Set<string>();
  const goals: Goal[] = needs
    .map((n, i) => ({ n, i }))
    .sort((a, b) => rank(a.n.priority) - rank(b.n.priority) || a.i - b.i)
    .filter(({ n }) => !seen.has(n.code) && seen.add(n.code))
    .map(({ n }) => ({
      id: newId(),
      needCode: n.code,
      priority: n.priority,
      description: labels.get(n.code) ?? n.code,
      targetDate: null,
      status: 'not_started',
    }));
  const chosen = catalogue.interventions
    .map((entry, index) => {
      const served = goals.filter((g) => entry.needs.includes(g.needCode));
      return { entry, index, served };
    })
    .filter(({ served }) => served.length > 0)
    .sort(
      (a, b) =>
        phaseRank(a.entry) - phaseRank(b.entry) ||
        Math.min(...a.served.map((g) => rank(g.priority))) -
          Math.min(...b.served.map((g) => rank(g.priority))) ||
        a.index - b.index,
    );
  const starts = phaseStarts(
    chosen.map(({ entry }) => entry),
    today,
  );
  const interventions = chosen.map(({ entry, served }) => {
    const start = entry.phase ? starts.get(entry.phase)! : today;
    return {
      id: newId(),
      catalogueCode: entry.code,
      goalIds: served.map((g) => g.id),
      discipline: entry.discipline,
      responsibleStaffId: null,
      provider: null,
      frequency: entry.dosage.frequency,
      plannedStart: start,
      plannedEnd: isoDate(addIsoDuration(new Date(`${start}T00:00:00Z`), entry.dosage.duration)),
      location: null,
      status: 'proposed' as const,
      consentRequired: entry.consentRequired,
      consent: null,
    };
  });
  return { goals, interventions };
}

/** Entries with a phase in phase order; entries without one first (they start at once). */
const phaseRank = (entry: Intervention) =>
  entry.phase ? INTERVENTION_PHASES.indexOf(entry.phase) + 1 : 0;

/**
 * When each phase starts in a proposed plan: the first at once, each later one when the
 * longest entry of the phase before it is planned to end (a phase with no entries takes no
 * time). The team moves dates as the work goes; these are a sequence, not a timetable.
 */
export function phaseStarts(
  entries: Intervention[],
  today: string,
): Map<InterventionPhase, string> {
  const starts = new Map<InterventionPhase, string>();
  let start = today;
  for (const phase of INTERVENTION_PHASES) {
    starts.set(phase, start);
    const ends = entries
      .filter((entry) => entry.phase === phase)
      .map((entry) =>
        isoDate(addIsoDuration(new Date(`${start}T00:00:00Z`), entry.dosage.duration)),
      );
    if (ends.length > 0) start = ends.sort().at(-1)!;
  }
  return starts;
}

/** The catalogue's intensity hint for the plan's risk level (RNR), or null without one. */
export function intensityFor(entry: Intervention | undefined, riskLevel: string | null) {
  if (!entry || riskLevel === null) return null;
  return entry.intensity?.[riskLevel] ?? null;
}

/**
 * Mandela Rules 65(3) and 32(1)(b): an intervention whose catalogue entry requires consent is
 * not scheduled, delivered or completed without the prisoner's recorded consent, and a recorded
 * refusal is respected for every intervention. One error per offending intervention.
 */
export function consentErrors(
  interventions: PlanIntervention[],
  catalogue: InterventionCatalogue,
): FieldError[] {
  const titles = new Map(catalogue.interventions.map((i) => [i.code, i.title]));
  return interventions.flatMap((item, i): FieldError[] => {
    if (UNDELIVERED.includes(item.status)) return [];
    const what = titles.get(item.catalogueCode) ?? item.catalogueCode;
    if (item.consent?.given === false) {
      return [
        {
          path: `interventions[${i}].status`,
          message: `The prisoner declined ${what}; the refusal is respected, so it can only be proposed or stopped (record new consent first if they change their mind)`,
        },
      ];
    }
    if (item.consentRequired && item.consent?.given !== true) {
      return [
        {
          path: `interventions[${i}].status`,
          message: `${what} needs the prisoner's recorded consent (consent.given: true) before it is ${item.status.replace('_', ' ')} (Mandela Rules 65(3), 32(1)(b))`,
        },
      ];
    }
    return [];
  });
}

/** What must be true before a plan goes to a supervisor for approval. */
export function submissionErrors(
  goals: Goal[],
  interventions: PlanIntervention[],
  agreementRecorded: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  if (goals.length === 0)
    errors.push({ path: 'goals', message: 'A plan needs at least one goal before submission' });
  interventions.forEach((item, i) => {
    if (item.goalIds.length === 0)
      errors.push({
        path: `interventions[${i}].goalIds`,
        message: 'Every intervention must serve at least one goal of the plan',
      });
  });
  if (!agreementRecorded)
    errors.push({
      path: 'prisonerAgreement',
      message:
        'Record the prisoner’s response to the plan (agreed, disagreed or could_not_answer) before submission',
    });
  return errors;
}

/**
 * Fields of an item that make a change to it material: once the plan is active, such a change
 * is a pending revision that a supervisor approves. The other fields record delivery (progress,
 * consent, who, where) and change the current revision at once.
 */
const MATERIAL_GOAL_FIELDS = ['needCode', 'description', 'targetDate'] as const;
const MATERIAL_INTERVENTION_FIELDS = [
  'catalogueCode',
  'goalIds',
  'discipline',
  'frequency',
  'plannedStart',
  'plannedEnd',
] as const;
const DELIVERY_GOAL_FIELDS = ['priority', 'status'] as const;
const DELIVERY_INTERVENTION_FIELDS = [
  'responsibleStaffId',
  'provider',
  'location',
  'status',
  'consent',
] as const;

/** `base` with the delivery fields of the items `from` also has taken from `from`. */
function withDelivery<T extends { id: string }>(
  base: T[],
  from: T[],
  fields: readonly (keyof T)[],
): T[] {
  const source = new Map(from.map((item) => [item.id, item]));
  return base.map((item) => {
    const other = source.get(item.id);
    if (!other) return item;
    const merged = { ...item };
    for (const field of fields) merged[field] = other[field];
    return merged;
  });
}

/**
 * Goals of `base` with the delivery fields (priority, status) of the same goals in `from`:
 * the current goals with a change's delivery part, or a pending revision's goals with the
 * delivery recorded on the current revision since it was proposed.
 */
export const goalsWithDelivery = (base: Goal[], from: Goal[]) =>
  withDelivery(base, from, DELIVERY_GOAL_FIELDS);

/** As goalsWithDelivery, for interventions (staff, provider, place, status, consent). */
export const interventionsWithDelivery = (base: PlanIntervention[], from: PlanIntervention[]) =>
  withDelivery(base, from, DELIVERY_INTERVENTION_FIELDS);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface ItemChanges<T> {
  added: T[];
  removed: T[];
  /** Items present before and after, with the names of the fields that differ. */
  changed: { before: T; after: T; fields: string[] }[];
}

export function diffItems<T extends { id: string }>(before: T[], after: T[]): ItemChanges<T> {
  const old = new Map(before.map((item) => [item.id, item]));
  const next = new Set(after.map((item) => item.id));
  const changes: ItemChanges<T> = { added: [], removed: [], changed: [] };
  after.forEach((item) => {
    const was = old.get(item.id);
    if (!was) return changes.added.push(item);
    const fields = Object.keys(item).filter((k) => !same(was[k as keyof T], item[k as keyof T]));
    if (fields.length > 0) changes.changed.push({ before: was, after: item, fields });
  });
  changes.removed = before.filter((item) => !next.has(item.id));
  return changes;
}

/** Whether the order changed among the items kept (positions are part of the plan). */
const reordered = <T extends { id: string }>(before: T[], after: T[]) => {
  const kept = new Set(after.map((i) => i.id));
  const a = before.filter((i) => kept.has(i.id)).map((i) => i.id);
  const b = after.filter((i) => a.includes(i.id)).map((i) => i.id);
  return !same(a, b);
};

/**
 * Names of what a change touched (`goals` for goals added, removed or reordered,
 * `goals.<field>` for fields of kept goals; the same for interventions), and whether it is
 * material: goals or interventions added or removed, or their substance changed. Statuses,
 * consent, staff, provider and place are delivery, not a new plan.
 */
export function describeChanges(
  goals: ItemChanges<Goal> & { reordered: boolean },
  interventions: ItemChanges<PlanIntervention> & { reordered: boolean },
): { changedFields: string[]; material: boolean } {
  const names = new Set<string>();
  let material = false;
  for (const [name, changes, materialFields] of [
    ['goals', goals, MATERIAL_GOAL_FIELDS],
    ['interventions', interventions, MATERIAL_INTERVENTION_FIELDS],
  ] as const) {
    if (changes.added.length > 0 || changes.removed.length > 0 || changes.reordered) {
      names.add(name);
      material = true;
    }
    for (const c of changes.changed) {
      for (const field of c.fields) {
        names.add(`${name}.${field}`);
        if ((materialFields as readonly string[]).includes(field)) material = true;
      }
    }
  }
  return { changedFields: [...names], material };
}

export function itemChanges<T extends { id: string }>(before: T[], after: T[]) {
  return { ...diffItems(before, after), reordered: reordered(before, after) };
}

/** How the needs assessed since the plan was made differ from those it was based on. */
export function needsDifference(
  basis: { code: string; priority: string }[],
  latest: { code: string; priority: string }[],
): {
  added: string[];
  resolved: string[];
  changed: { code: string; from: string; to: string }[];
} {
  const before = new Map(basis.map((n) => [n.code, n.priority]));
  const after = new Map(latest.map((n) => [n.code, n.priority]));
  return {
    added: [...after.keys()].filter((code) => !before.has(code)),
    resolved: [...before.keys()].filter((code) => !after.has(code)),
    changed: [...after.entries()]
      .filter(([code, priority]) => before.has(code) && before.get(code) !== priority)
      .map(([code, to]) => ({ code, from: before.get(code)!, to })),
  };
}

/**
 * The update field an interventions change needs (CASL fields of `update Plan`): changes that
 * only add, change or remove psychological interventions (delivered by a psychologist before
 * and after) need `psychologicalInterventions`; anything else needs `interventions`.
 */
export function interventionFieldsNeeded(
  changes: ItemChanges<PlanIntervention> & { reordered: boolean },
): Set<'interventions' | 'psychologicalInterventions'> {
  const psychological = (item: PlanIntervention) => item.discipline === PSYCHOLOGICAL_DISCIPLINE;
  const needed = new Set<'interventions' | 'psychologicalInterventions'>();
  const mark = (ok: boolean) => needed.add(ok ? 'psychologicalInterventions' : 'interventions');
  if (changes.reordered) needed.add('interventions');
  changes.added.forEach((item) => mark(psychological(item)));
  changes.removed.forEach((item) => mark(psychological(item)));
  changes.changed.forEach((c) => mark(psychological(c.before) && psychological(c.after)));
  return needed;
}

/** The latest date a past event may carry: today, with a day's grace for time zones ahead of UTC. */
export function latestPastDate(now = new Date()): string {
  return new Date(now.getTime() + 86400e3).toISOString().slice(0, 10);
}

/** Without a review that sets the next date, a plan is reviewed this long after approval. */
export const PLAN_REVIEW_INTERVAL = 'P3M';
