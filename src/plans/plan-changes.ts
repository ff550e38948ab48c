import { randomUUID } from 'node:crypto';
import type { FieldError } from '../errors/problem.exception.js';
import type { InterventionCatalogue } from '../instruments/rule-sets/rule-set.types.js';
import type { GoalInputDto, InterventionInputDto, ReleaseDto } from './dto/update-plan.dto.js';
import { latestPastDate, type Goal, type PlanIntervention } from './plan-content.js';
import type { Plan } from './plans.repository.js';

/** What a change asks for, checked against the plan and its catalogue: pure, no SQL. */

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The goals a change asks for (each part given replaces that part; ids keep goals). */
export function nextGoals(
  current: Goal[],
  input: GoalInputDto[],
  catalogue: InterventionCatalogue,
  errors: FieldError[],
): Goal[] {
  const byId = new Map(current.map((g) => [g.id, g]));
  const needs = new Set(catalogue.needs.map((n) => n.code));
  const seen = new Set<string>();
  return input.map((g, i) => {
    const was = g.id === undefined ? undefined : byId.get(g.id);
    if (g.id !== undefined && !was)
      errors.push({
        path: `goals[${i}].id`,
        message: 'no goal of this plan has this id; omit id for a new goal',
      });
    if (g.id !== undefined && seen.has(g.id))
      errors.push({ path: `goals[${i}].id`, message: 'the same goal appears twice' });
    if (g.id !== undefined) seen.add(g.id);
    if (!needs.has(g.needCode))
      errors.push({
        path: `goals[${i}].needCode`,
        message: `${g.needCode} is not a need of the catalogue ${catalogue.key}@${catalogue.version}`,
      });
    return {
      id: was?.id ?? randomUUID(),
      needCode: g.needCode,
      // Omitted: unchanged; null: none.
      priority: g.priority === undefined ? (was?.priority ?? null) : g.priority,
      description: g.description,
      targetDate: g.targetDate ?? null,
      status: g.status ?? was?.status ?? 'not_started',
    };
  });
}

/**
 * The interventions a change asks for. The discipline is the catalogue entry's, never the
 * client's: it decides who may change the intervention and record its sessions, so a
 * different one is refused, naming the field. A new consent record is attributed to `actorId`.
 */
export function nextInterventions(
  current: PlanIntervention[],
  input: InterventionInputDto[],
  goals: Goal[],
  catalogue: InterventionCatalogue,
  actorId: string,
  errors: FieldError[],
): PlanIntervention[] {
  const byId = new Map(current.map((item) => [item.id, item]));
  const entries = new Map(catalogue.interventions.map((e) => [e.code, e]));
  const goalIds = new Set(goals.map((g) => g.id));
  const seen = new Set<string>();
  const latest = latestPastDate();
  return input.map((item, i) => {
    const path = `interventions[${i}]`;
    const was = item.id === undefined ? undefined : byId.get(item.id);
    if (item.id !== undefined && !was)
      errors.push({
        path: `${path}.id`,
        message: 'no intervention of this plan has this id; omit id for a new one',
      });
    if (item.id !== undefined && seen.has(item.id))
      errors.push({ path: `${path}.id`, message: 'the same intervention appears twice' });
    if (item.id !== undefined) seen.add(item.id);
    const entry = entries.get(item.catalogueCode);
    if (!entry)
      errors.push({
        path: `${path}.catalogueCode`,
        message: `${item.catalogueCode} is not an intervention of the catalogue ${catalogue.key}@${catalogue.version}`,
      });
    if (entry && item.discipline !== undefined && item.discipline !== entry.discipline)
      errors.push({
        path: `${path}.discipline`,
        message: `set by the catalogue: ${entry.code} is delivered by ${entry.discipline}; omit discipline or send ${entry.discipline}`,
      });
    item.goalIds.forEach((goalId, j) => {
      if (!goalIds.has(goalId))
        errors.push({ path: `${path}.goalIds[${j}]`, message: 'not a goal of this plan' });
    });
    if (item.plannedEnd && item.plannedEnd < item.plannedStart)
      errors.push({ path: `${path}.plannedEnd`, message: 'must not be before plannedStart' });
    if (item.consent === null && was?.consent)
      errors.push({
        path: `${path}.consent`,
        message: 'a consent record is never erased: record a withdrawal with given: false',
      });
    if (item.consent && item.consent.recordedOn > latest)
      errors.push({ path: `${path}.consent.recordedOn`, message: 'cannot be in the future' });
    const recorded = was?.consent ?? null;
    const offered = item.consent && {
      given: item.consent.given,
      recordedOn: item.consent.recordedOn,
      note: item.consent.note ?? null,
    };
    const consent =
      !offered ||
      (recorded &&
        sameJson(offered, {
          given: recorded.given,
          recordedOn: recorded.recordedOn,
          note: recorded.note,
        }))
        ? recorded
        : { ...offered, recordedBy: actorId };
    return {
      id: was?.id ?? randomUUID(),
      catalogueCode: item.catalogueCode,
      goalIds: item.goalIds,
      discipline: entry?.discipline ?? was?.discipline ?? '',
      // Omitted: unchanged (a GET shows the staff as responsibleStaff); null: none.
      responsibleStaffId:
        item.responsibleStaffId === undefined
          ? (was?.responsibleStaffId ?? null)
          : item.responsibleStaffId,
      provider: item.provider ?? null,
      frequency: item.frequency,
      plannedStart: item.plannedStart,
      plannedEnd: item.plannedEnd ?? null,
      location: item.location ?? null,
      status: item.status,
      consentRequired: entry?.consentRequired ?? true,
      consent,
    };
  });
}

/** Goals removed by a change that leaves interventions serving them are refused, not dropped. */
export function danglingGoalErrors(
  interventions: PlanIntervention[],
  goals: Goal[],
  errors: FieldError[],
): void {
  const ids = new Set(goals.map((g) => g.id));
  interventions.forEach((item, i) =>
    item.goalIds.forEach((goalId, j) => {
      if (!ids.has(goalId))
        errors.push({
          path: `interventions[${i}].goalIds[${j}]`,
          message:
            'serves a goal this change removes: send the interventions too, without that goal',
        });
    }),
  );
}

/** The release section a change asks for (parts omitted stay), and the parts it changes. */
export function nextRelease(plan: Plan, input: ReleaseDto | undefined) {
  const before = plan.release;
  const after = {
    expectedReleaseDate:
      input?.expectedReleaseDate !== undefined
        ? input.expectedReleaseDate
        : before.expectedReleaseDate,
    tasks:
      input?.tasks?.map((t) => ({
        description: t.description,
        dueDate: t.dueDate ?? null,
        status: t.status,
      })) ?? before.tasks,
    handovers:
      input?.handovers?.map((h) => ({
        agency: h.agency,
        date: h.date,
        sharedWhat: h.sharedWhat,
        legalBasis: h.legalBasis ?? null,
      })) ?? before.handovers,
  };
  const parts = ['expectedReleaseDate', 'tasks', 'handovers'] as const;
  return {
    ...after,
    changed: parts.filter((p) => !sameJson(before[p], after[p])).map((p) => `release.${p}`),
  };
}
