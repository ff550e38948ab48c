import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import { CaseOperations, type CaseTarget } from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { conflict, type FieldError } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type {
  CreateMeasureDto,
  EndMeasureDto,
  HealthObjectionDto,
  ListAlertsQueryDto,
  ListMeasuresQueryDto,
  MeasureAlertResponse,
  MeasureResponse,
  RecordDayDto,
  RecordReviewDto,
  SolitaryCountResponse,
} from './dto/restrictive-measure.dto.js';
import { MeasureClock } from './measure-clock.js';
import {
  RestrictiveMeasuresRepository,
  type DayRow,
  type HealthObjectionRow,
  type MeasureRow,
  type ReviewRow,
} from './restrictive-measures.repository.js';
import {
  addDays,
  countSolitary,
  solitaryOn,
  PROLONGED_AFTER_DAYS,
  SOLITARY_HOURS,
  type CountedMeasure,
} from './solitary-counter.js';

/** A prisoner's measures with their records: what the solitary count and the answers need. */
interface History {
  measures: MeasureRow[];
  days: DayRow[];
  reviews: ReviewRow[];
  objections: HealthObjectionRow[];
}

const measureTarget = (row: MeasureRow): CaseTarget => {
  const location = { prisonerId: row.prisonerId, facilityId: row.currentFacilityId };
  return {
    subject: 'RestrictiveMeasure',
    fields: location,
    location,
    entity: { type: 'restrictive_measure', id: row.id },
  };
};

/** Changes: the prisoner must be visible (else 404), then the role must record measures (403). */
const changeTarget = (row: MeasureRow): CaseTarget => ({
  ...measureTarget(row),
  readAs: {
    subject: 'Prisoner',
    fields: { id: row.prisonerId, facilityId: row.currentFacilityId },
  },
});

/**
 * Restrictive measures (Mandela Rules 36-46): separation, solitary confinement and other special
 * regimes, each with its legal basis, authorising officer, dates, family-contact restriction
 * (never a prohibition), daily records of time out of cell, meaningful human contact and
 * health-care visits, and reviews. Security officers record them; supervisors, health staff
 * (psychologists) and inspectors read them and their alerts: from the 13th consecutive day of
 * solitary confinement, a breach after the 15th, and an independent review wanted for a
 * prolonged run (see solitary-counter.ts).
 */
@Injectable()
export class RestrictiveMeasuresService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly measures: RestrictiveMeasuresRepository,
    private readonly clock: MeasureClock,
  ) {}

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateMeasureDto,
  ): Promise<MeasureResponse> {
    const today = this.clock.today();
    const problems: FieldError[] = [];
    if (dto.startsOn > today)
      problems.push({ path: 'startsOn', message: 'startsOn cannot be in the future' });
    if (dto.plannedEndOn && dto.plannedEndOn < dto.startsOn)
      problems.push({ path: 'plannedEndOn', message: 'plannedEndOn must be on or after startsOn' });
    if (dto.type === 'solitary_confinement') {
      if (!dto.plannedEndOn)
        problems.push({
          path: 'plannedEndOn',
          message:
            'plannedEndOn is required for solitary confinement: indefinite solitary confinement is prohibited (Mandela Rule 43(1)(a))',
        });
      else if (dto.plannedEndOn > addDays(dto.startsOn, PROLONGED_AFTER_DAYS - 1))
        problems.push({
          path: 'plannedEndOn',
          message: `plannedEndOn must be within ${PROLONGED_AFTER_DAYS} days of startsOn: prolonged solitary confinement is prohibited (Mandela Rule 43(1)(b))`,
        });
    }
    if (dto.familyContact === 'restricted') {
      if (!dto.familyContactRestrictedUntil)
        problems.push({
          path: 'familyContactRestrictedUntil',
          message:
            'familyContactRestrictedUntil is required: family contact may only be restricted for a limited time (Mandela Rule 43(3))',
        });
      else if (dto.familyContactRestrictedUntil < dto.startsOn)
        problems.push({
          path: 'familyContactRestrictedUntil',
          message: 'familyContactRestrictedUntil must be on or after startsOn',
        });
    } else if (dto.familyContactRestrictedUntil) {
      problems.push({
        path: 'familyContactRestrictedUntil',
        message: 'familyContactRestrictedUntil is only given when familyContact is restricted',
      });
    }
    if (dto.nextReviewOn < dto.startsOn)
      problems.push({ path: 'nextReviewOn', message: 'nextReviewOn must be on or after startsOn' });
    if (problems.length > 0) throw validationProblem(problems);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'restrictive_measure.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) => ({
        subject: 'RestrictiveMeasure',
        fields: location,
        location,
        entity: { type: 'restrictive_measure' },
        readAs: {
          subject: 'Prisoner',
          fields: { id: prisonerId, facilityId: location.facilityId },
        },
      }),
      forbidden:
        'Restrictive measures are recorded by security officers of the prisoner’s facility',
      apply: async (location, _, m) => {
        const id = await this.measures.insert(
          m,
          prisonerId,
          location.facilityId,
          dto,
          ctx.actor.id,
        );
        return {
          entityId: id,
          changedFields: Object.keys(dto).sort(),
          details: { type: dto.type },
          respond: async () => this.respond(m, (await this.measures.find(m, id))!),
        };
      },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<MeasureResponse> {
    return this.cases.read(ctx, {
      name: 'Restrictive measure',
      action: 'restrictive_measure.read',
      load: (m) => this.measures.find(m, id),
      target: measureTarget,
      respond: (row, _, m) => this.respond(m, row),
    });
  }

  async listForPrisoner(
    ctx: RequestContext,
    prisonerId: string,
    query: ListMeasuresQueryDto,
  ): Promise<Page<MeasureResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'restrictive_measure.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => ({
        subject: 'RestrictiveMeasure',
        fields: location,
        location,
        entity: { type: 'restrictive_measure' },
      }),
      respond: async (_, __, m) => {
        const rows = await this.measures.page(m, prisonerId, after, limit);
        const history = await this.history(m, [prisonerId]);
        return toPage(
          rows,
          limit,
          (r) => [r.startsOn, r.id],
          (r) => this.toResponse(r, history),
        );
      },
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  async recordDay(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: RecordDayDto,
  ): Promise<MeasureResponse> {
    const today = this.clock.today();
    return this.change(ctx, id, version, 'restrictive_measure.day', async (row, m) => {
      const last = row.endedOn && row.endedOn < today ? row.endedOn : today;
      if (dto.day < row.startsOn || dto.day > last)
        throw validationProblem([
          {
            path: 'day',
            message: `day must be a day of the measure, from ${row.startsOn} to ${last}`,
          },
        ]);
      if (!(await this.measures.insertDay(m, id, dto, ctx.actor.id)))
        throw conflict('day_recorded', `The day ${dto.day} is recorded already`);
      return { changedFields: ['days'], details: { day: dto.day } };
    });
  }

  async review(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: RecordReviewDto,
  ): Promise<MeasureResponse> {
    const today = this.clock.today();
    return this.change(ctx, id, version, 'restrictive_measure.review', async (row, m) => {
      const problems: FieldError[] = [];
      if (dto.reviewedOn < row.startsOn || dto.reviewedOn > today)
        problems.push({
          path: 'reviewedOn',
          message: `reviewedOn must be from ${row.startsOn} to today`,
        });
      if (dto.nextReviewOn && dto.nextReviewOn <= dto.reviewedOn)
        problems.push({ path: 'nextReviewOn', message: 'nextReviewOn must be after reviewedOn' });
      if (problems.length > 0) throw validationProblem(problems);
      const reviewId = await this.measures.insertReview(m, id, dto, ctx.actor.id);
      return {
        changedFields: dto.nextReviewOn ? ['reviews', 'nextReviewOn'] : ['reviews'],
        details: { reviewId, independent: dto.independent },
      };
    });
  }

  async end(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: EndMeasureDto,
  ): Promise<MeasureResponse> {
    const today = this.clock.today();
    return this.change(ctx, id, version, 'restrictive_measure.end', async (row, m) => {
      if (row.endedOn) throw conflict('measure_ended', `The measure ended on ${row.endedOn}`);
      if (dto.endedOn < row.startsOn || dto.endedOn > today)
        throw validationProblem([
          { path: 'endedOn', message: `endedOn must be from ${row.startsOn} to today` },
        ]);
      await this.measures.end(m, id, dto.endedOn, dto.reason);
      return { changedFields: ['endedOn', 'endReason'] };
    });
  }

  /**
   * A health professional's objection that the measure would worsen the prisoner's disability or
   * mental illness (Rule 45(2)): kept as a fact and a date only, never the diagnosis, so that the
   * security staff who run the measure and the supervisors who are alerted need no health record.
   */
  async healthObjection(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: HealthObjectionDto,
  ): Promise<MeasureResponse> {
    const today = this.clock.today();
    return this.change(
      ctx,
      id,
      version,
      'restrictive_measure.health_objection',
      async (row, m) => {
        const last = row.endedOn && row.endedOn < today ? row.endedOn : today;
        if (dto.objectedOn < row.startsOn || dto.objectedOn > last)
          throw validationProblem([
            {
              path: 'objectedOn',
              message: `objectedOn must be a day of the measure, from ${row.startsOn} to ${last}`,
            },
          ]);
        const objectionId = await this.measures.insertHealthObjection(
          m,
          id,
          dto.objectedOn,
          ctx.actor.id,
        );
        return { changedFields: ['healthObjections'], details: { objectionId } };
      },
      {
        permission: 'object',
        forbidden: 'Health objections are recorded by health staff of the prisoner’s facility',
      },
    );
  }

  /**
   * Alerts in the caller's facilities: solitary runs from day 13, overdue reviews, separation or
   * solitary confinement despite a health objection (Rule 45(2)), and solitary days recorded
   * without the daily health-care visit (Rule 46(1)).
   */
  async alerts(
    ctx: RequestContext,
    query: ListAlertsQueryDto,
  ): Promise<Page<MeasureAlertResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const today = this.clock.today();
    const scope = accessibleWhere(ctx.ability, 'read', 'RestrictiveMeasure', {
      facilityId: 'p.facility_id',
      prisonerId: 'p.id',
    });
    let shown: MeasureAlertResponse[] = [];
    return this.cases.list(ctx, {
      action: 'restrictive_measure.alerts',
      entityType: 'restrictive_measure',
      run: async (m) => {
        const prisoners = await this.measures.prisonersUnderMeasures(
          m,
          scope,
          today,
          query.facilityId,
        );
        const history = await this.history(m, prisoners);
        const alerts = prisoners
          .flatMap((p) => this.alertsOf(p, history, today))
          .sort(
            (a, b) =>
              b.solitary.consecutiveDays - a.solitary.consecutiveDays ||
              (a.measureId < b.measureId ? -1 : 1),
          );
        const start = after
          ? alerts.findIndex(
              (a) =>
                a.solitary.consecutiveDays < Number(after[0]) ||
                (a.solitary.consecutiveDays === Number(after[0]) && a.measureId > String(after[1])),
            )
          : 0;
        const rest = start < 0 ? [] : alerts.slice(start);
        const page = toPage(
          rest.slice(0, limit + 1),
          limit,
          (a) => [a.solitary.consecutiveDays, a.measureId],
          (a) => a,
        );
        shown = page.items;
        return page;
      },
      details: (page) => ({ resultCount: page.items.length }),
      prisonersShown: () =>
        shown.map((a) => ({ prisonerId: a.prisonerId, facilityId: a.facilityId })),
    });
  }

  private alertsOf(prisonerId: string, history: History, today: string): MeasureAlertResponse[] {
    const measures = history.measures.filter((m) => m.prisonerId === prisonerId);
    const solitary = this.solitary(measures, history, today);
    return measures
      .filter((m) => m.startsOn <= today && (m.endedOn === null || m.endedOn >= today))
      .flatMap((m) => {
        const reviewOverdue = m.nextReviewOn < today;
        const independentReviewMissing =
          solitary.level !== 'none' && !solitary.independentReviewRecorded;
        const healthObjection =
          history.objections.some((o) => o.measureId === m.id) &&
          (m.type !== 'special_regime' || solitary.consecutiveDays > 0);
        const missed = this.missedHealthVisits(m, measures, history);
        if (solitary.level === 'none' && !reviewOverdue && !healthObjection && missed.length === 0)
          return [];
        return [
          {
            measureId: m.id,
            prisonerId,
            prisonNumber: m.prisonNumber,
            facilityId: m.currentFacilityId,
            type: m.type,
            startsOn: m.startsOn,
            solitary,
            nextReviewOn: m.nextReviewOn,
            reviewOverdue,
            independentReviewMissing,
            healthObjection,
            missedHealthVisits: missed.length,
            lastMissedHealthVisit: missed[0] ?? null,
          },
        ];
      });
  }

  /**
   * The days of `measure`, newest first, on which the prisoner was in solitary confinement and
   * the day's record says no health-care visit took place (Rule 46(1): daily visits). A day
   * nobody recorded is not counted here; the solitary count already treats it as solitary.
   */
  private missedHealthVisits(
    measure: MeasureRow,
    measures: MeasureRow[],
    history: History,
  ): string[] {
    const counted = this.counted(measures, history);
    const visited = new Set(
      history.days
        .filter((d) => d.healthVisit && measures.some((x) => x.id === d.measureId))
        .map((d) => d.day),
    );
    return history.days
      .filter((d) => d.measureId === measure.id && !d.healthVisit && !visited.has(d.day))
      .filter((d) => solitaryOn(counted, d.day))
      .map((d) => d.day);
  }

  private counted(measures: MeasureRow[], history: History): CountedMeasure[] {
    return measures.map((x) => ({
      type: x.type,
      startsOn: x.startsOn,
      endedOn: x.endedOn,
      days: new Map(history.days.filter((d) => d.measureId === x.id).map((d) => [d.day, d])),
    }));
  }

  /**
   * A change of a measure the caller read at `version` (If-Match): a stale one answers 409, and
   * every change moves the version on by one, so a second writer cannot act on what it never saw.
   */
  private async change(
    ctx: RequestContext,
    id: string,
    version: number,
    action:
      | 'restrictive_measure.day'
      | 'restrictive_measure.review'
      | 'restrictive_measure.end'
      | 'restrictive_measure.health_objection',
    work: (
      row: MeasureRow,
      m: EntityManager,
    ) => Promise<{ changedFields: string[]; details?: Record<string, string | boolean> }>,
    who: { permission: 'update' | 'object'; forbidden: string } = {
      permission: 'update',
      forbidden:
        'Restrictive measures are recorded by security officers of the prisoner’s facility',
    },
  ): Promise<MeasureResponse> {
    return this.cases.change(ctx, {
      name: 'Restrictive measure',
      action,
      permission: who.permission,
      forbidden: who.forbidden,
      load: (m) => this.measures.find(m, id, true),
      target: changeTarget,
      version: { expected: version, current: (row) => row.version },
      apply: async (row, _, m) => {
        const done = await work(row, m);
        await this.measures.touch(m, id);
        return {
          ...done,
          respond: async () => this.respond(m, (await this.measures.find(m, id))!),
        };
      },
    });
  }

  private async history(m: EntityManager, prisonerIds: string[]): Promise<History> {
    const measures = await this.measures.ofPrisoners(m, prisonerIds);
    const ids = measures.map((x) => x.id);
    const days = await this.measures.days(m, ids);
    const reviews = await this.measures.reviews(m, ids);
    const objections = await this.measures.healthObjections(m, ids);
    return { measures, days, reviews, objections };
  }

  private async respond(m: EntityManager, row: MeasureRow): Promise<MeasureResponse> {
    return this.toResponse(row, await this.history(m, [row.prisonerId]));
  }

  private solitary(measures: MeasureRow[], history: History, today: string): SolitaryCountResponse {
    const count = countSolitary(this.counted(measures, history), today);
    const ids = new Set(measures.map((x) => x.id));
    const independentReviewRecorded =
      count.since !== null &&
      history.reviews.some(
        (r) => ids.has(r.measureId) && r.independent && r.reviewedOn >= count.since!,
      );
    return { ...count, independentReviewRecorded };
  }

  private toResponse(row: MeasureRow, history: History): MeasureResponse {
    const today = this.clock.today();
    const ofPrisoner = history.measures.filter((x) => x.prisonerId === row.prisonerId);
    return {
      id: row.id,
      prisonerId: row.prisonerId,
      facilityId: row.facilityId,
      type: row.type,
      legalBasis: row.legalBasis,
      reason: row.reason,
      authorisedBy: { name: row.authorisedByName, position: row.authorisedByPosition },
      startsOn: row.startsOn,
      plannedEndOn: row.plannedEndOn,
      endedOn: row.endedOn,
      endReason: row.endReason,
      familyContact: row.familyContact,
      familyContactRestrictedUntil: row.familyContactRestrictedUntil,
      nextReviewOn: row.nextReviewOn,
      reviewOverdue: row.endedOn === null && row.nextReviewOn < today,
      days: history.days
        .filter((d) => d.measureId === row.id)
        .map((d) => ({
          day: d.day,
          hoursOutOfCell: d.hoursOutOfCell,
          meaningfulContactHours: d.meaningfulContactHours,
          healthVisit: d.healthVisit,
          solitary: 24 - d.meaningfulContactHours >= SOLITARY_HOURS,
          recordedBy: d.recordedBy,
        })),
      reviews: history.reviews
        .filter((r) => r.measureId === row.id)
        .map((r) => ({
          id: r.id,
          reviewedOn: r.reviewedOn,
          reviewerName: r.reviewerName,
          reviewerBody: r.reviewerBody,
          independent: r.independent,
          decision: r.decision,
          nextReviewOn: r.nextReviewOn,
          recordedBy: r.recordedBy,
        })),
      healthObjections: history.objections
        .filter((o) => o.measureId === row.id)
        .map((o) => ({ id: o.id, objectedOn: o.objectedOn, recordedBy: o.recordedBy })),
      solitary: this.solitary(ofPrisoner, history, today),
      recordedBy: row.recordedBy,
      recordedAt: row.recordedAt.toISOString(),
      version: row.version,
    };
  }
}
