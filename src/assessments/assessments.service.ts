import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  canReadPrisoner,
  caseAuditFields,
  emergencyGrantFor,
  locatePrisoner,
} from '../access/case-access.js';
import type { AuditAction } from '../audit/audit-actions.js';
import type { AuditEntry } from '../audit/audit-event.js';
import { AuditTrail, Denial } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { prepared } from '../database/prepared.js';
import {
  conflict,
  forbidden,
  notFound,
  ProblemException,
  staleVersion,
  unprocessable,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import type { FieldError } from '../errors/problem.exception.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import { evaluate, ENGINE_VERSION } from '../instruments/engine/evaluate.js';
import { InstrumentsService, type InstrumentVersion } from '../instruments/instruments.service.js';
import type { InstrumentDefinition } from '../instruments/rule-sets/rule-set.types.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import {
  engineRatings,
  mergeRatings,
  needCodes,
  nextReviewDue,
  submitReasons,
  type StoredRatings,
} from './assessment-rules.js';
import {
  assessmentView,
  projectAssessment,
  subjectOfRow,
  type AssessmentRow,
} from './assessment-view.js';
import type {
  AssessmentResponse,
  AssessmentView,
  CountersignDto,
  CreateAssessmentDto,
  ReasonDto,
  RiskTimelineResponse,
  UpdateAssessmentDto,
} from './dto/assessment.dto.js';

const SELECT = `
  SELECT a.*, to_char(a.next_review_due, 'YYYY-MM-DD') AS next_review_due, p.facility_id,
    iv.key AS instrument_key, iv.version AS instrument_version, iv.title AS instrument_title, iv.purpose,
    au.display_name AS assessor_name, cu.display_name AS countersigner_name
  FROM assessment a
  JOIN prisoner p ON p.id = a.prisoner_id
  JOIN instrument_version iv ON iv.id = a.instrument_version_id
  JOIN app_user au ON au.id = a.assessor_id
  LEFT JOIN app_user cu ON cu.id = a.countersigner_id`;

/** One assessment with its transitions (who moved it when, with comments), in one statement. */
const DETAIL_SELECT = SELECT.replace(
  'FROM assessment a',
  `, (SELECT json_agg(json_build_object('from', t.from_status, 'to', t.to_status,
        'actor', json_build_object('id', tu.id, 'displayName', tu.display_name),
        'at', to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'comments', t.comments) ORDER BY t.id)
      FROM assessment_transition t JOIN app_user tu ON tu.id = t.actor_id
      WHERE t.assessment_id = a.id) AS history
   FROM assessment a`,
);

const EDITABLE = ['draft', 'returned'];
const OPEN = ['draft', 'submitted', 'returned'];

/** Columns a PATCH may write, by DTO field. */
const JSON_FIELDS: Record<string, string> = {
  scenarios: 'scenarios',
  needs: 'needs',
  recommendations: 'recommendations',
  prisonerParticipation: 'prisoner_participation',
};
const TEXT_FIELDS: Record<string, string> = {
  formulation: 'formulation',
  finalRiskLevel: 'final_risk_level',
  finalRationale: 'final_rationale',
};

const locationOf = (row: { prisoner_id: string; facility_id: string }) => ({
  prisonerId: row.prisoner_id,
  facilityId: row.facility_id,
});

/**
 * Structured professional judgement assessments (Handbook module 1): a psychologist rates a
 * pinned instrument version with evidence, the engine computes the indicative result on every
 * save, the assessor records the final judgement, a second certified psychologist
 * countersigns, and approved revisions are only ever superseded, never changed.
 */
@Injectable()
export class AssessmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly instruments: InstrumentsService,
  ) {}

  // ------------------------------------------------------------------ create

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateAssessmentDto,
  ): Promise<AssessmentResponse> {
    if (dto.reason === 'event' && !dto.trigger && !dto.triggerEventId) {
      throw validationProblem([
        {
          path: 'trigger',
          message: 'an event-driven assessment names its trigger (trigger or triggerEventId)',
        },
      ]);
    }
    const result = await this.dataSource.transaction(async (m) => {
      const [prisoner]: { facility_id: string }[] = await m.query(
        `SELECT facility_id FROM prisoner WHERE id = $1 FOR SHARE`,
        [prisonerId],
      );
      if (!prisoner) throw notFound('Prisoner');
      const location = { prisonerId, facilityId: prisoner.facility_id };
      const entry: AuditEntry = {
        action: 'assessment.create',
        entityType: 'assessment',
        ...caseAuditFields(ctx, location),
      };
      if (
        !ctx.ability.can(
          'read',
          asSubject('Prisoner', { id: prisonerId, facilityId: prisoner.facility_id }),
        )
      ) {
        return new Denial(notFound('Prisoner'), entry);
      }
      if (!ctx.ability.can('create', asSubject('Assessment', location)))
        return new Denial(forbidden(), entry);
      const instrument = await this.pickVersion(m, dto);
      const certification = await this.certificationProblem(m, ctx, instrument);
      if (certification) return new Denial(certification, entry);
      if (dto.triggerEventId) {
        const [event] = await m.query(
          `SELECT 1 FROM prisoner_event WHERE id = $1 AND prisoner_id = $2`,
          [dto.triggerEventId, prisonerId],
        );
        if (!event)
          throw validationProblem([
            { path: 'triggerEventId', message: 'no such event recorded for this prisoner' },
          ]);
      }
      const [open]: { id: string }[] = await m.query(
        `SELECT a.id FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
         WHERE a.prisoner_id = $1 AND iv.key = $2 AND a.status = ANY($3::text[]) LIMIT 1`,
        [prisonerId, instrument.key, OPEN],
      );
      if (open) {
        throw conflict(
          'assessment_in_progress',
          `An assessment with ${instrument.key} is already in progress for this prisoner`,
          {
            openAssessmentId: open.id,
          },
        );
      }
      const evaluation = evaluate(
        instrument.definition as InstrumentDefinition,
        {},
        { cacheKey: instrument.id },
      );
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO assessment (prisoner_id, instrument_version_id, reason, trigger, trigger_event_id, assessor_id,
           indicative, engine_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          prisonerId,
          instrument.id,
          dto.reason,
          dto.trigger ?? null,
          dto.triggerEventId ?? null,
          ctx.actor.id,
          evaluation,
          ENGINE_VERSION,
        ],
      );
      await this.transition(m, id, null, 'draft', ctx.actor.id, null);
      await this.audit.append(m, ctx, [
        {
          ...entry,
          entityId: id,
          changedFields: [
            'instrument',
            'reason',
            ...(dto.trigger ? ['trigger'] : []),
            ...(dto.triggerEventId ? ['triggerEventId'] : []),
          ],
        },
      ]);
      return this.respond(m, ctx, id, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  private async pickVersion(
    m: EntityManager,
    dto: CreateAssessmentDto,
  ): Promise<InstrumentVersion> {
    const instrument = dto.instrumentVersion
      ? await this.instruments.getVersion(dto.instrumentKey, dto.instrumentVersion, m)
      : await this.instruments.newestActive(dto.instrumentKey, m);
    if (!instrument || instrument.kind !== 'instrument') {
      throw unprocessable(
        'unknown_instrument',
        `No ${dto.instrumentVersion ? `version ${dto.instrumentVersion} of ` : 'active version of '}instrument ${dto.instrumentKey}`,
      );
    }
    if (instrument.status !== 'active') {
      throw unprocessable(
        'instrument_not_active',
        `${instrument.key} ${instrument.version} is ${instrument.status}: new assessments use an active version`,
      );
    }
    return instrument;
  }

  /** A refusal when the instrument needs certified assessors and the caller is not certified. */
  private async certificationProblem(
    m: EntityManager,
    ctx: RequestContext,
    instrument: InstrumentVersion,
  ): Promise<ProblemException | undefined> {
    if (!(instrument.definition as InstrumentDefinition).requiresCertification) return undefined;
    const [valid] = await m.query(
      `SELECT 1 FROM certification WHERE user_id = $1 AND instrument_key = $2 AND valid_until >= current_date`,
      [ctx.actor.id, instrument.key],
    );
    if (valid) return undefined;
    return new ProblemException(
      403,
      'certification_required',
      'Forbidden',
      `${instrument.title} may only be used by assessors with a current certification for ${instrument.key}`,
    );
  }

  // ------------------------------------------------------------------ reads

  async get(ctx: RequestContext, id: string): Promise<AssessmentResponse> {
    const [row] = await prepared<AssessmentRow & { history: Record<string, unknown>[] }>(
      this.dataSource.manager,
      'assessment-detail',
      `${DETAIL_SELECT} WHERE a.id = $1`,
      [id],
    );
    if (!row) throw notFound('Assessment');
    const entry: AuditEntry = {
      action: 'assessment.read',
      entityType: 'assessment',
      entityId: id,
      ...caseAuditFields(ctx, locationOf(row)),
    };
    const view = assessmentView(ctx.ability, subjectOfRow(row));
    if (!view) return this.audit.refuse(ctx, new Denial(notFound('Assessment'), entry));
    const instrument = await this.instruments.pinned(row.instrument_version_id);
    await this.audit.append(this.dataSource.manager, ctx, [
      { ...entry, details: { ...(entry.details ?? {}), view } },
    ]);
    const history = view === 'full' ? (row.history ?? []) : undefined;
    return this.withGrant(
      ctx,
      row,
      projectAssessment(row, view, instrument!.definition as InstrumentDefinition, history),
    );
  }

  async listForPrisoner(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<AssessmentResponse>> {
    const prisoner = await this.readablePrisoner(ctx, prisonerId, 'assessment.list');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    const scope = accessibleWhere(ctx.ability, 'read', 'Assessment', {
      facilityId: 'p.facility_id',
      prisonerId: 'a.prisoner_id',
      assessorId: 'a.assessor_id',
      id: 'a.id',
    });
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const where = [scope.sql, `a.prisoner_id = ${bind(prisonerId)}::uuid`];
    if (after)
      where.push(
        `(a.created_at, a.id) < (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`,
      );
    const rows: AssessmentRow[] = await this.dataSource.query(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    const definitions = await this.definitions(rows);
    const page = toPage(
      rows,
      limit,
      (r) => [r.created_at.toISOString(), r.id],
      (r) =>
        projectAssessment(
          r,
          assessmentView(ctx.ability, subjectOfRow(r))!,
          definitions.get(r.instrument_version_id)!,
        ),
    );
    await this.audit.append(this.dataSource.manager, ctx, [
      {
        action: 'assessment.list',
        entityType: 'assessment',
        ...caseAuditFields(ctx, prisoner, { resultCount: page.items.length }),
      },
    ]);
    return page;
  }

  async riskTimeline(ctx: RequestContext, prisonerId: string): Promise<RiskTimelineResponse> {
    const prisoner = await this.readablePrisoner(ctx, prisonerId, 'risk_timeline.read');
    const scope = accessibleWhere(
      ctx.ability,
      'read',
      'Assessment',
      {
        facilityId: 'p.facility_id',
        prisonerId: 'a.prisoner_id',
        assessorId: 'a.assessor_id',
        id: 'a.id',
      },
      2,
    );
    const rows: AssessmentRow[] = await this.dataSource.query(
      `${SELECT} WHERE a.prisoner_id = $1 AND a.status IN ('approved', 'superseded') AND ${scope.sql}
       ORDER BY a.approved_at, a.id LIMIT 500`,
      [prisonerId, ...scope.params],
    );
    const views = rows.map((r) => assessmentView(ctx.ability, subjectOfRow(r))!);
    const view: AssessmentView = views.includes('full')
      ? 'full'
      : views.includes('programme')
        ? 'programme'
        : views.length
          ? 'security'
          : assessmentViewForPrisoner(ctx, prisoner);
    const definitions = await this.definitions(rows);
    await this.audit.append(this.dataSource.manager, ctx, [
      {
        action: 'risk_timeline.read',
        entityType: 'prisoner',
        entityId: prisonerId,
        ...caseAuditFields(ctx, prisoner, { resultCount: rows.length }),
      },
    ]);
    return {
      prisonerId,
      view,
      entries: rows.map((r, i) => {
        const projected = projectAssessment(r, views[i], definitions.get(r.instrument_version_id)!);
        return {
          assessmentId: r.id,
          approvedAt: r.approved_at!.toISOString(),
          instrument: projected.instrument,
          revision: r.revision,
          status: r.status,
          indicativeLevel: views[i] === 'security' ? null : (r.indicative?.indicativeLevel ?? null),
          finalRiskLevel: r.final_risk_level,
          ...(views[i] === 'security'
            ? {}
            : {
                domains:
                  (projected.indicative?.domains as Record<string, unknown>[] | undefined) ?? [],
              }),
        };
      }),
    };
  }

  // ------------------------------------------------------------------ edits and transitions

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdateAssessmentDto,
  ): Promise<AssessmentResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      const denial = this.deny(ctx, row, 'update', 'assessment.update');
      if (denial) return denial;
      if (row.version !== version) throw staleVersion(row.version);
      if (!EDITABLE.includes(row.status)) throw this.wrongStatus(row.status, 'edited');
      const instrument = (await this.instruments.getById(row.instrument_version_id, m))!;
      const definition = instrument.definition as InstrumentDefinition;
      const errors: FieldError[] = [];
      let ratings = row.ratings as StoredRatings;
      if (dto.ratings) {
        const merged = mergeRatings(definition, ratings, dto.ratings);
        errors.push(...merged.errors);
        ratings = merged.ratings;
      }
      const needs = needCodes(definition);
      dto.needs?.forEach((n, i) => {
        if (!needs.has(n.code))
          errors.push({
            path: `needs[${i}].code`,
            message: `${n.code} is not a need of ${definition.key}`,
          });
        if (dto.needs!.findIndex((o) => o.code === n.code) !== i)
          errors.push({ path: `needs[${i}].code`, message: `${n.code} is listed twice` });
      });
      if (dto.finalRiskLevel) {
        const levels = (definition.levels ?? []).map((l) => l.code);
        if (!levels.includes(dto.finalRiskLevel)) {
          errors.push({
            path: 'finalRiskLevel',
            message: levels.length
              ? `finalRiskLevel must be one of ${levels.join(', ')}`
              : `${definition.key} records no level`,
          });
        }
      }
      if (errors.length > 0) throw validationProblem(errors);

      const evaluation = evaluate(definition, engineRatings(ratings), { cacheKey: instrument.id });
      const params: unknown[] = [
        id,
        JSON.stringify(ratings),
        JSON.stringify(evaluation),
        ENGINE_VERSION,
      ];
      const sets = ['ratings = $2', 'indicative = $3', 'engine_version = $4'];
      const changed: string[] = Object.keys(dto.ratings ?? {}).map((code) => `ratings.${code}`);
      for (const [field, column] of Object.entries(TEXT_FIELDS)) {
        const value = dto[field as keyof UpdateAssessmentDto];
        if (value === undefined) continue;
        sets.push(`${column} = $${params.push(value)}`);
        changed.push(field);
      }
      for (const [field, column] of Object.entries(JSON_FIELDS)) {
        const value = dto[field as keyof UpdateAssessmentDto];
        if (value === undefined) continue;
        sets.push(`${column} = $${params.push(value === null ? null : JSON.stringify(value))}`);
        changed.push(field);
      }
      await m.query(
        `UPDATE assessment SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
        params,
      );
      await this.audit.append(m, ctx, [
        {
          action: 'assessment.update',
          entityType: 'assessment',
          entityId: id,
          changedFields: changed,
          ...caseAuditFields(ctx, locationOf(row)),
        },
      ]);
      return this.respond(m, ctx, id, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  async submit(ctx: RequestContext, id: string): Promise<AssessmentResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      const denial = this.deny(ctx, row, 'update', 'assessment.submit');
      if (denial) return denial;
      if (!EDITABLE.includes(row.status)) throw this.wrongStatus(row.status, 'submitted');
      const instrument = (await this.instruments.getById(row.instrument_version_id, m))!;
      const definition = instrument.definition as InstrumentDefinition;
      const evaluation = evaluate(definition, engineRatings(row.ratings as StoredRatings), {
        cacheKey: instrument.id,
      });
      const reasons = submitReasons(definition, evaluation, {
        finalRiskLevel: row.final_risk_level,
        finalRationale: row.final_rationale,
        formulation: row.formulation,
        needs: row.needs,
        prisonerParticipation: row.prisoner_participation,
      });
      if (reasons.length > 0) {
        throw unprocessable(
          'assessment_incomplete',
          `The assessment cannot be submitted yet: ${reasons.length} thing${reasons.length === 1 ? '' : 's'} to complete`,
          { reasons },
        );
      }
      await m.query(
        `UPDATE assessment SET status = 'submitted', submitted_at = now(), indicative = $2, engine_version = $3,
           version = version + 1, updated_at = now() WHERE id = $1`,
        [id, JSON.stringify(evaluation), ENGINE_VERSION],
      );
      await this.transition(m, id, row.status, 'submitted', ctx.actor.id, null);
      await this.audit.append(m, ctx, [
        {
          action: 'assessment.submit',
          entityType: 'assessment',
          entityId: id,
          changedFields: ['status'],
          ...caseAuditFields(ctx, locationOf(row)),
        },
      ]);
      return this.respond(m, ctx, id, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  async countersign(
    ctx: RequestContext,
    id: string,
    dto: CountersignDto,
  ): Promise<AssessmentResponse> {
    if (dto.decision === 'return' && !dto.comments?.trim()) {
      throw validationProblem([
        {
          path: 'comments',
          message: 'say what the author must address when returning an assessment',
        },
      ]);
    }
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      const denial = this.deny(ctx, row, 'countersign', 'assessment.countersign');
      if (denial) return denial;
      const entry: AuditEntry = {
        action: 'assessment.countersign',
        entityType: 'assessment',
        entityId: id,
        ...caseAuditFields(ctx, locationOf(row)),
      };
      if (row.assessor_id === ctx.actor.id) {
        return new Denial(
          new ProblemException(
            403,
            'own_assessment',
            'Forbidden',
            'A different psychologist must countersign your assessment',
          ),
          entry,
        );
      }
      const instrument = (await this.instruments.getById(row.instrument_version_id, m))!;
      const certification = await this.certificationProblem(m, ctx, instrument);
      if (certification) return new Denial(certification, entry);
      if (row.status !== 'submitted') throw this.wrongStatus(row.status, 'countersigned');
      if (dto.decision === 'approve') {
        const definition = instrument.definition as InstrumentDefinition;
        const due = nextReviewDue(definition, row.final_risk_level, new Date());
        await m.query(
          `UPDATE assessment SET status = 'approved', approved_at = now(), countersigner_id = $2, next_review_due = $3,
             version = version + 1, updated_at = now() WHERE id = $1`,
          [id, ctx.actor.id, due],
        );
        if (row.supersedes_id) {
          await m.query(
            `UPDATE assessment SET status = 'superseded', version = version + 1, updated_at = now()
             WHERE id = $1 AND status = 'approved'`,
            [row.supersedes_id],
          );
          await this.transition(m, row.supersedes_id, 'approved', 'superseded', ctx.actor.id, null);
        }
        await this.transition(m, id, 'submitted', 'approved', ctx.actor.id, dto.comments ?? null);
      } else {
        await m.query(
          `UPDATE assessment SET status = 'returned', version = version + 1, updated_at = now() WHERE id = $1`,
          [id],
        );
        await this.transition(m, id, 'submitted', 'returned', ctx.actor.id, dto.comments!);
      }
      await this.audit.append(m, ctx, [
        {
          ...entry,
          changedFields:
            dto.decision === 'approve' ? ['status', 'countersigner', 'nextReviewDue'] : ['status'],
          details: { ...(entry.details ?? {}), decision: dto.decision },
        },
      ]);
      return this.respond(m, ctx, id, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  async amend(ctx: RequestContext, id: string, dto: ReasonDto): Promise<AssessmentResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      const entry: AuditEntry = {
        action: 'assessment.amend',
        entityType: 'assessment',
        entityId: id,
        ...caseAuditFields(ctx, locationOf(row)),
      };
      if (!assessmentView(ctx.ability, subjectOfRow(row)))
        return new Denial(notFound('Assessment'), entry);
      if (!ctx.ability.can('create', asSubject('Assessment', locationOf(row))))
        return new Denial(forbidden(), entry);
      const instrument = (await this.instruments.getById(row.instrument_version_id, m))!;
      const certification = await this.certificationProblem(m, ctx, instrument);
      if (certification) return new Denial(certification, entry);
      if (row.status !== 'approved') throw this.wrongStatus(row.status, 'amended');
      const [open]: { id: string }[] = await m.query(
        `SELECT id FROM assessment WHERE supersedes_id = $1 AND status = ANY($2::text[])`,
        [id, OPEN],
      );
      if (open)
        throw conflict(
          'amendment_in_progress',
          'An amendment of this assessment is already in progress',
          { openAssessmentId: open.id },
        );
      const [{ id: newId }]: { id: string }[] = await m.query(
        `INSERT INTO assessment (prisoner_id, instrument_version_id, revision, supersedes_id, reason, trigger,
           trigger_event_id, assessor_id, ratings, formulation, scenarios, needs, final_risk_level, final_rationale,
           recommendations, prisoner_participation, indicative, engine_version)
         SELECT prisoner_id, instrument_version_id, revision + 1, id, reason, trigger, trigger_event_id, $2, ratings,
           formulation, scenarios, needs, final_risk_level, final_rationale, recommendations, prisoner_participation,
           indicative, engine_version
         FROM assessment WHERE id = $1 RETURNING id`,
        [id, ctx.actor.id],
      );
      await this.transition(m, newId, null, 'draft', ctx.actor.id, dto.reason);
      await this.audit.append(m, ctx, [
        {
          ...entry,
          entityId: newId,
          changedFields: ['revision'],
          details: { ...(entry.details ?? {}), supersedes: id },
        },
      ]);
      return this.respond(m, ctx, newId, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  async cancel(ctx: RequestContext, id: string, dto: ReasonDto): Promise<AssessmentResponse> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.lock(m, id);
      const denial = this.deny(ctx, row, 'update', 'assessment.cancel');
      if (denial) return denial;
      if (!OPEN.includes(row.status)) throw this.wrongStatus(row.status, 'cancelled');
      await m.query(
        `UPDATE assessment SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2,
           version = version + 1, updated_at = now() WHERE id = $1`,
        [id, dto.reason],
      );
      await this.transition(m, id, row.status, 'cancelled', ctx.actor.id, dto.reason);
      await this.audit.append(m, ctx, [
        {
          action: 'assessment.cancel',
          entityType: 'assessment',
          entityId: id,
          changedFields: ['status', 'cancelReason'],
          ...caseAuditFields(ctx, locationOf(row)),
        },
      ]);
      return this.respond(m, ctx, id, 'full');
    });
    return this.audit.settle(ctx, result);
  }

  // ------------------------------------------------------------------ reassessments due

  /** Reassessments due for prisoners in the caller's scope (see DueItem), keyset-paginated. */
  async dueReassessments(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    const scope = accessibleWhere(ctx.ability, 'read', 'Assessment', {
      facilityId: 'p.facility_id',
      prisonerId: 'p.id',
    });
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const prisonerFilter = [scope.sql];
    if (query.facilityId) prisonerFilter.push(`p.facility_id = ${bind(query.facilityId)}::uuid`);
    const before = bind(query.before);
    const afterDue = bind(query.after?.dueDate ?? '0001-01-01');
    const afterId = bind(query.after?.id ?? '');
    const limit = bind(query.limit + 1);
    const rows: {
      id: string;
      prisoner_id: string;
      key: string | null;
      assessment_id: string | null;
      due: string;
      reason: string;
      prison_number: string;
      name: string;
      facility_id: string;
      in_progress_id: string | null;
      event_id: string | null;
      event_type: string | null;
      event_at: Date | null;
    }[] = await this.dataSource.query(
      `WITH scoped AS (
         SELECT p.id, p.prison_number, p.given_name || ' ' || p.family_name AS name, p.facility_id,
           p.expected_release_date, p.created_at
         FROM prisoner p WHERE ${prisonerFilter.join(' AND ')}),
       latest AS (
         SELECT DISTINCT ON (a.prisoner_id, iv.key) a.id, a.prisoner_id, iv.key, iv.content, a.approved_at,
           a.next_review_due
         FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
         JOIN scoped s ON s.id = a.prisoner_id
         WHERE a.status = 'approved'
         ORDER BY a.prisoner_id, iv.key, a.approved_at DESC),
       items AS (
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key AS id, l.prisoner_id, l.key, l.id AS assessment_id,
           l.next_review_due AS due, 'scheduled' AS reason, NULL::uuid AS event_id
         FROM latest l WHERE l.next_review_due IS NOT NULL
         UNION ALL
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key || ':event:' || e.id, l.prisoner_id, l.key, l.id,
           (e.occurred_at + (t ->> 'within')::interval)::date, 'event', e.id
         FROM latest l
         JOIN prisoner_event e ON e.prisoner_id = l.prisoner_id AND e.occurred_at > l.approved_at
         CROSS JOIN LATERAL jsonb_array_elements(l.content -> 'review' -> 'triggers') t
         WHERE t ->> 'event' = e.type AND e.type <> 'pre_release'
         UNION ALL
         SELECT 'reassessment:' || l.prisoner_id || ':' || l.key || ':pre_release', l.prisoner_id, l.key, l.id,
           (s.expected_release_date - (t ->> 'leadTime')::interval)::date, 'pre_release', NULL
         FROM latest l JOIN scoped s ON s.id = l.prisoner_id
         CROSS JOIN LATERAL jsonb_array_elements(l.content -> 'review' -> 'triggers') t
         WHERE t ->> 'event' = 'pre_release' AND t ? 'leadTime' AND s.expected_release_date IS NOT NULL
           AND s.expected_release_date - (t ->> 'leadTime')::interval > l.approved_at
         UNION ALL
         SELECT 'reassessment:' || s.id || ':intake', s.id, NULL, NULL, s.created_at::date, 'intake', NULL
         FROM scoped s
         WHERE NOT EXISTS (
           SELECT 1 FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
           WHERE a.prisoner_id = s.id AND iv.purpose = 'risk' AND a.status <> 'cancelled'))
       SELECT i.id, i.prisoner_id, i.key, i.assessment_id, to_char(i.due, 'YYYY-MM-DD') AS due, i.reason,
         s.prison_number, s.name, s.facility_id, e.id AS event_id, e.type AS event_type, e.occurred_at AS event_at,
         (SELECT a.id FROM assessment a JOIN instrument_version iv ON iv.id = a.instrument_version_id
          WHERE a.prisoner_id = i.prisoner_id AND (i.key IS NULL AND iv.purpose = 'risk' OR iv.key = i.key)
            AND a.status IN ('draft', 'submitted', 'returned')
          ORDER BY a.created_at DESC LIMIT 1) AS in_progress_id
       FROM items i JOIN scoped s ON s.id = i.prisoner_id LEFT JOIN prisoner_event e ON e.id = i.event_id
       WHERE i.due <= ${before}::date
         AND (i.due, i.id COLLATE "C") > (${afterDue}::date, ${afterId}::text COLLATE "C")
       ORDER BY i.due, i.id COLLATE "C" LIMIT ${limit}`,
      params,
    );
    const today = new Date().toISOString().slice(0, 10);
    return rows.map((r) => ({
      id: r.id,
      kind: 'reassessment',
      prisonerId: r.prisoner_id,
      prisonNumber: r.prison_number,
      prisonerName: r.name,
      facilityId: r.facility_id,
      dueDate: r.due,
      overdue: r.due < today,
      reason: r.reason,
      ...(r.key ? { instrumentKey: r.key } : {}),
      ...(r.assessment_id ? { assessmentId: r.assessment_id } : {}),
      ...(r.in_progress_id ? { inProgressAssessmentId: r.in_progress_id } : {}),
      ...(r.event_id
        ? { event: { id: r.event_id, type: r.event_type!, occurredAt: r.event_at!.toISOString() } }
        : {}),
    }));
  }

  // ------------------------------------------------------------------ helpers

  private async lock(m: EntityManager, id: string): Promise<AssessmentRow> {
    const [row]: AssessmentRow[] = await m.query(`${SELECT} WHERE a.id = $1 FOR UPDATE OF a`, [id]);
    if (!row) throw notFound('Assessment');
    return row;
  }

  /** 404 when the caller may not read it, 403 when they may read it but not take `action`. */
  private deny(
    ctx: RequestContext,
    row: AssessmentRow,
    action: 'update' | 'countersign',
    auditAction: AuditAction,
  ): Denial | undefined {
    const entry: AuditEntry = {
      action: auditAction,
      entityType: 'assessment',
      entityId: row.id,
      ...caseAuditFields(ctx, locationOf(row)),
    };
    if (!assessmentView(ctx.ability, subjectOfRow(row)))
      return new Denial(notFound('Assessment'), entry);
    if (!ctx.ability.can(action, asSubject('Assessment', subjectOfRow(row)))) {
      return new Denial(
        forbidden(
          action === 'update'
            ? 'Only the assessor may change or submit this assessment'
            : undefined,
        ),
        entry,
      );
    }
    return undefined;
  }

  private wrongStatus(status: string, what: string): ProblemException {
    return conflict('invalid_status', `An assessment that is ${status} cannot be ${what}`, {
      currentStatus: status,
    });
  }

  private async transition(
    m: EntityManager,
    id: string,
    from: string | null,
    to: string,
    actorId: string,
    comments: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_transition (assessment_id, from_status, to_status, actor_id, comments)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, from, to, actorId, comments],
    );
  }

  private async respond(
    m: EntityManager,
    ctx: RequestContext,
    id: string,
    view: AssessmentView,
  ): Promise<AssessmentResponse> {
    const [row]: (AssessmentRow & { history: Record<string, unknown>[] | null })[] = await m.query(
      `${DETAIL_SELECT} WHERE a.id = $1`,
      [id],
    );
    const instrument = (await this.instruments.pinned(row.instrument_version_id, m))!;
    return this.withGrant(
      ctx,
      row,
      projectAssessment(
        row,
        view,
        instrument.definition as InstrumentDefinition,
        row.history ?? [],
      ),
    );
  }

  private withGrant(
    ctx: RequestContext,
    row: AssessmentRow,
    response: AssessmentResponse,
  ): AssessmentResponse {
    const grant = emergencyGrantFor(ctx, locationOf(row));
    return grant ? { ...response, emergencyAccessId: grant.id } : response;
  }

  private async definitions(rows: AssessmentRow[]): Promise<Map<string, InstrumentDefinition>> {
    const ids = [...new Set(rows.map((r) => r.instrument_version_id))];
    const versions = await Promise.all(ids.map((id) => this.instruments.pinned(id)));
    return new Map(versions.map((v) => [v!.id, v!.definition as InstrumentDefinition]));
  }

  /** The prisoner, when the caller may read it (else the denied attempt is audited, 404). */
  private async readablePrisoner(
    ctx: RequestContext,
    prisonerId: string,
    action: AuditAction,
  ): Promise<{ prisonerId: string; facilityId: string }> {
    const location = await locatePrisoner(this.dataSource, prisonerId);
    if (!location) throw notFound('Prisoner');
    if (!canReadPrisoner(ctx, location)) {
      return this.audit.refuse(
        ctx,
        new Denial(notFound('Prisoner'), {
          action,
          entityType: 'prisoner',
          entityId: prisonerId,
          ...caseAuditFields(ctx, location),
        }),
      );
    }
    return location;
  }
}

/** The view a caller would get on a prisoner's assessments, when none exist yet. */
function assessmentViewForPrisoner(
  ctx: RequestContext,
  location: { prisonerId: string; facilityId: string },
): AssessmentView {
  return assessmentView(ctx.ability, { id: '', assessorId: '', ...location }) ?? 'security';
}
