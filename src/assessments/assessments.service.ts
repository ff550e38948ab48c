import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accessibleWhere, type SqlFilter } from '../access/accessible-where.js';
import type { AppAbility } from '../access/ability.factory.js';
import {
  CaseOperations,
  underPrisoner,
  type CaseAccess,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  conflict,
  ProblemException,
  unprocessable,
  type FieldError,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import { evaluate, ENGINE_VERSION, type EvaluationResult } from '../instruments/engine/evaluate.js';
import { DeploymentInstruments } from '../instruments/deployment/deployment-instruments.service.js';
import { InstrumentsService, type InstrumentVersion } from '../instruments/instruments.service.js';
import { teamOf, type InstrumentDefinition } from '../instruments/rule-sets/rule-set.types.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import { CountersignAssignmentsService } from './team/countersign-assignments.service.js';
import { bothSubmitted, ratingDifferences } from './team/rating-sets.service.js';
import type { ConsensusDto } from './team/dto/team.dto.js';
import { TeamRepository } from './team/team.repository.js';
import {
  changedAgreedRatings,
  checkJudgements,
  checkProvisional,
  engineRatings,
  isEditable,
  isOpen,
  mergeRatings,
  needCodes,
  nextReviewDue,
  submitReasons,
} from './assessment-rules.js';
import {
  assessmentView,
  mayEdit,
  projectAssessment,
  subjectOf,
  type AssessmentSubject,
} from './assessment-view.js';
import {
  AssessmentsRepository,
  EDITABLE_COLUMNS,
  type Assessment,
  type AssessmentDetail,
  type EditableField,
} from './assessments.repository.js';
import type {
  AssessmentResponse,
  AssessmentView,
  CountersignDto,
  CreateAssessmentDto,
  ListedAssessmentResponse,
  ReasonDto,
  RiskTimelineResponse,
  SearchAssessmentsQueryDto,
  TriggerReviewDto,
  TriggerReviewResponse,
  UpdateAssessmentDto,
} from './dto/assessment.dto.js';

/** When an assessment last changed, and who changed it (null outside the full view). */
export interface LastChange {
  at: string;
  by: { id: string; displayName: string } | null;
}

/** An assessment as the target of an operation on it. */
const target = (a: Assessment): CaseTarget => ({
  subject: 'Assessment',
  fields: { ...subjectOf(a) },
  location: { prisonerId: a.prisonerId, facilityId: a.facilityId },
  entity: { type: 'assessment', id: a.id },
});

/** Maps the fields the assessment read rules mention to SQL (alias `a`, prisoner `p`). */
const scopeOf = (ability: AppAbility, action: 'read' | 'countersign' = 'read'): SqlFilter =>
  accessibleWhere(ability, action, 'Assessment', {
    facilityId: 'p.facility_id',
    prisonerId: 'a.prisoner_id',
    assessorId: 'a.assessor_id',
    id: 'a.id',
    instrumentVersionId: 'a.instrument_version_id',
  });

const wrongStatus = (status: string, what: string) =>
  conflict('invalid_status', `An assessment that is ${status} cannot be ${what}`, {
    currentStatus: status,
  });

const LIST_FIELDS: EditableField[] = [
  'scenarios',
  'needs',
  'recommendations',
  'judgements',
  'caseFactors',
];

const FORBIDDEN_EDIT = 'Only the assessor may change or submit this assessment';

/**
 * Structured professional judgement assessments (Handbook module 1): a psychologist rates a
 * pinned instrument version with evidence, the engine computes the indicative result on every
 * save, the assessor records the final judgement, a second certified psychologist
 * countersigns, and approved revisions are only ever superseded, never changed. Every read and
 * change goes through CaseOperations; this class says only what differs.
 */
@Injectable()
export class AssessmentsService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly assessments: AssessmentsRepository,
    private readonly instruments: InstrumentsService,
    private readonly deployment: DeploymentInstruments,
    private readonly team: TeamRepository,
    private readonly assignments: CountersignAssignmentsService,
    /** Only for the reviews-due source, which runs inside the reviews list. */
    @InjectDataSource() private readonly dataSource: DataSource,
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
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'assessment.create',
      permission: 'create',
      // The instrument is known before the access decision: its team may say who assesses.
      load: async (m) => {
        const location = await this.cases.locate(m, prisonerId, true);
        if (!location) return undefined;
        const instrument = await this.pickVersion(m, dto).catch((e: unknown) => {
          if (e instanceof ProblemException) return e;
          throw e;
        });
        return { location, instrument };
      },
      target: ({ location, instrument }) =>
        underPrisoner(
          location,
          'Assessment',
          'assessment',
          instrument instanceof ProblemException ? {} : { instrumentVersionId: instrument.id },
        ),
      forbidden: ({ instrument }) =>
        instrument instanceof ProblemException
          ? undefined
          : `${instrument.title} is assessed by ${teamOf(instrument.definition as InstrumentDefinition).assessors.join(', ')}`,
      apply: async ({ location, instrument }, access, m) => {
        if (instrument instanceof ProblemException) throw instrument;
        const certification = await this.certificationProblem(m, ctx, instrument);
        if (certification) access.refuse(certification);
        if (
          dto.triggerEventId &&
          !(await this.assessments.eventRecorded(m, dto.triggerEventId, prisonerId))
        ) {
          throw validationProblem([
            { path: 'triggerEventId', message: 'no such event recorded for this prisoner' },
          ]);
        }
        const definition = instrument.definition as InstrumentDefinition;
        const secondAssessorId = await this.doubleRatingOf(m, ctx, definition, location, dto);
        await this.refuseSecondOpen(m, prisonerId, instrument.key);
        const id = await this.assessments.insert(m, {
          prisonerId,
          instrumentVersionId: instrument.id,
          reason: dto.reason,
          trigger: dto.trigger ?? null,
          triggerEventId: dto.triggerEventId ?? null,
          assessorId: ctx.actor.id,
          indicative: evaluate(definition, {}, { cacheKey: instrument.id }),
          engineVersion: ENGINE_VERSION,
          doubleRating: secondAssessorId !== undefined,
        });
        if (secondAssessorId)
          await this.team.insertRatingSets(m, id, ctx.actor.id, secondAssessorId);
        return {
          entityId: id,
          changedFields: [
            'instrument',
            'reason',
            ...(dto.trigger ? ['trigger'] : []),
            ...(dto.triggerEventId ? ['triggerEventId'] : []),
            ...(secondAssessorId ? ['doubleRating', 'secondAssessor'] : []),
          ],
          ...(secondAssessorId ? { details: { secondAssessorId } } : {}),
          respond: () => this.respond(m, ctx, id, access),
        };
      },
    });
  }

  /**
   * Double rating as the instrument declares it (`team.doubleRating`): required always,
   * optional when asked for, off never. The second assessor may assess with the instrument
   * (named by its team, certified when it asks for it) in the prisoner's facility. Returns the
   * second assessor, or undefined for one assessor.
   */
  private async doubleRatingOf(
    m: EntityManager,
    ctx: RequestContext,
    definition: InstrumentDefinition,
    location: { facilityId: string },
    dto: CreateAssessmentDto,
  ): Promise<string | undefined> {
    const mode = teamOf(definition).doubleRating;
    const wanted = mode === 'required' || (mode === 'optional' && dto.doubleRating === true);
    const errors: FieldError[] = [];
    if (mode === 'off' && dto.doubleRating)
      errors.push({ path: 'doubleRating', message: `${definition.key} is rated by one assessor` });
    if (!wanted && dto.secondAssessorId && !errors.length)
      errors.push({ path: 'secondAssessorId', message: 'only for a double-rated assessment' });
    if (wanted && !dto.secondAssessorId)
      errors.push({ path: 'secondAssessorId', message: 'name the second assessor' });
    if (errors.length > 0) throw validationProblem(errors);
    if (!wanted) return undefined;
    const second = await this.team.candidate(m, dto.secondAssessorId!);
    const problem = !second?.active
      ? 'no such active user'
      : second.id === ctx.actor.id
        ? 'the second assessor is someone else'
        : !second.roles.some((r) => (teamOf(definition).assessors as string[]).includes(r))
          ? `${definition.key} is assessed by ${teamOf(definition).assessors.join(', ')}`
          : !second.facilityIds.includes(location.facilityId)
            ? 'the second assessor works in another facility'
            : definition.requiresCertification &&
                !(await this.assessments.certified(m, second.id, definition.key))
              ? `the second assessor holds no current certification for ${definition.key}`
              : undefined;
    if (problem)
      throw unprocessable(
        'invalid_second_assessor',
        `The second assessor cannot rate: ${problem}`,
        {
          errors: [{ path: 'secondAssessorId', message: problem }],
        },
      );
    return second!.id;
  }

  // ------------------------------------------------------------------ reads

  async get(ctx: RequestContext, id: string): Promise<AssessmentResponse> {
    return this.cases.read<AssessmentDetail, AssessmentResponse>(ctx, {
      name: 'Assessment',
      action: 'assessment.read',
      load: (m) => this.assessments.detail(m, id),
      target,
      respond: (a, access) => this.readAnswer(ctx, a, access),
      details: (_, answer) => ({ view: answer.view }),
    });
  }

  /**
   * One assessment in the caller's view, read to leave the screen (the print view, a PDF):
   * audited as an export with its format, so every copy made is on record.
   */
  async export(
    ctx: RequestContext,
    id: string,
    format: 'print' | 'pdf',
  ): Promise<AssessmentResponse> {
    return this.cases.read<AssessmentDetail, AssessmentResponse>(ctx, {
      name: 'Assessment',
      action: 'assessment.export',
      load: (m) => this.assessments.detail(m, id),
      target,
      respond: (a, access) => this.readAnswer(ctx, a, access),
      details: (_, answer) => ({ view: answer.view, format }),
    });
  }

  /**
   * One assessment and its last change (when, and in the full view who made it), for the page
   * that explains an edit refused because the version moved on. A change that was a transition
   * is the transition's actor's; any other is an edit, which only the assessor may make.
   */
  async getWithLastChange(
    ctx: RequestContext,
    id: string,
  ): Promise<{ assessment: AssessmentResponse; lastChange: LastChange }> {
    return this.cases.read(ctx, {
      name: 'Assessment',
      action: 'assessment.read',
      load: (m) => this.assessments.detail(m, id),
      target,
      respond: async (a: AssessmentDetail, access) => {
        const assessment = await this.readAnswer(ctx, a, access);
        const at = a.updatedAt.toISOString();
        const transition = a.history.at(-1);
        const by =
          transition && new Date(transition.at).getTime() === a.updatedAt.getTime()
            ? transition.actor
            : a.assessor;
        return {
          assessment,
          lastChange: { at, by: assessment.view === 'full' ? { ...by } : null },
        };
      },
      details: (_, answer) => ({ view: answer.assessment.view }),
    });
  }

  async listForPrisoner(
    ctx: RequestContext,
    prisonerId: string,
    query: PageQueryDto,
  ): Promise<Page<AssessmentResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'assessment.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => underPrisoner(location, 'Assessment', 'assessment'),
      respond: async (_, __, m) => {
        const rows = await this.assessments.pageForPrisoner(
          m,
          prisonerId,
          scopeOf(ctx.ability),
          after,
          limit,
        );
        const definitions = await this.definitions(rows);
        return toPage(
          rows,
          limit,
          (a) => a.sortKey,
          (a) => this.project(ctx, a, definitions),
        );
      },
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  /**
   * Approved revisions in approval order: of one instrument when `instrumentKey` is given, else
   * of the one the deployment configures (INSTRUMENT_FOR_TIMELINE), else of every instrument.
   * Pages that chart every instrument side by side ask for `allInstruments`.
   */
  async riskTimeline(
    ctx: RequestContext,
    prisonerId: string,
    asked?: string,
    options: { allInstruments?: boolean } = {},
  ): Promise<RiskTimelineResponse> {
    const configured = await this.deployment.resolve('timeline');
    const byDefault = !asked && !options.allInstruments ? configured : undefined;
    const instrumentKey = asked ?? byDefault?.key;
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'risk_timeline.read',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => ({
        ...underPrisoner(location, 'Assessment', 'prisoner'),
        entity: { type: 'prisoner', id: prisonerId },
      }),
      respond: async (location, __, m) => {
        const rows = (
          await this.assessments.approvedForPrisoner(m, prisonerId, scopeOf(ctx.ability))
        ).filter(
          (a) =>
            (!instrumentKey || a.instrument.key === instrumentKey) &&
            (!byDefault || byDefault.versions.includes(a.instrument.version)),
        );
        const definitions = await this.definitions(rows);
        const entries = rows.map((a) => this.project(ctx, a, definitions));
        const views = entries.map((e) => e.view);
        const view: AssessmentView = views.includes('full')
          ? 'full'
          : views.includes('programme')
            ? 'programme'
            : views.length
              ? 'security'
              : (assessmentView(ctx.ability, { id: '', assessorId: '', ...location }) ??
                'security');
        return {
          prisonerId,
          instrumentKey: instrumentKey ?? null,
          configuredInstrument: configured
            ? {
                key: configured.key,
                versionRange: configured.range ?? null,
                judgement: configured.judgement ?? null,
              }
            : null,
          view,
          entries: rows.map((a, i) => {
            const projected = entries[i];
            const security = projected.view === 'security';
            return {
              assessmentId: a.id,
              approvedAt: a.approvedAt!.toISOString(),
              instrument: projected.instrument,
              revision: a.revision,
              status: a.status,
              indicativeLevel: security ? null : (a.indicative?.indicativeLevel ?? null),
              finalRiskLevel: a.finalRiskLevel,
              judgements: projected.judgementLevels,
              ...(projected.view === 'full'
                ? { caseFactors: a.caseFactors.map((c) => ({ title: c.title, rating: c.rating })) }
                : {}),
              ...(security
                ? {}
                : {
                    domains: projected.indicative?.domains ?? [],
                  }),
            };
          }),
        };
      },
      details: (_, timeline) => ({
        resultCount: timeline.entries.length,
        instrumentKey: instrumentKey ?? null,
      }),
    });
  }

  /**
   * Assessments across the caller's scope ("my work"), newest first, each in the caller's view
   * with the prisoner's number and name; filtered in SQL from the caller's abilities.
   */
  async list(
    ctx: RequestContext,
    query: SearchAssessmentsQueryDto,
  ): Promise<Page<ListedAssessmentResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    let shown: Assessment[] = [];
    return this.cases.list(ctx, {
      action: 'assessment.list',
      entityType: 'assessment',
      run: async (m) => {
        const rows = await this.assessments.search(m, {
          scope: scopeOf(ctx.ability),
          statuses: query.status,
          assessorId: query.assessor === 'me' ? ctx.actor.id : undefined,
          countersignableBy: query.awaitingMyCountersignature
            ? { userId: ctx.actor.id, scope: scopeOf(ctx.ability, 'countersign') }
            : undefined,
          after,
          limit,
        });
        shown = rows.slice(0, limit);
        const definitions = await this.definitions(rows);
        return toPage(
          rows,
          limit,
          (a) => a.sortKey,
          (a) => ({
            ...this.project(ctx, a, definitions),
            prisonNumber: a.prisoner.prisonNumber,
            prisonerName: `${a.prisoner.givenName} ${a.prisoner.familyName}`,
          }),
        );
      },
      details: (page) => ({
        status: query.status ?? null,
        assessor: query.assessor ?? null,
        awaitingMyCountersignature: query.awaitingMyCountersignature ?? false,
        cursor: query.cursor ? true : false,
        resultCount: page.items.length,
      }),
      prisonersShown: () =>
        shown.map((a) => ({ prisonerId: a.prisonerId, facilityId: a.facilityId })),
    });
  }

  // ------------------------------------------------------------------ edits and transitions

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdateAssessmentDto,
  ): Promise<AssessmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.update',
      permission: 'update',
      forbidden: FORBIDDEN_EDIT,
      load: (m) => this.assessments.lock(m, id),
      target,
      version: { expected: version, current: (a) => a.version },
      apply: async (a, access, m) => {
        if (!isEditable(a.status)) throw wrongStatus(a.status, 'edited');
        const instrument = (await this.instruments.getById(a.instrumentVersionId, m))!;
        const definition = instrument.definition as InstrumentDefinition;
        const errors: FieldError[] = [];
        const changes: Partial<Record<EditableField, unknown>> = {};
        let ratings = a.ratings;
        if (dto.ratings && a.doubleRating && !a.consensus)
          throw conflict(
            'double_rated',
            'A double-rated assessment takes its ratings from the consensus of the two blind sets',
          );
        if (dto.ratings) {
          const merged = mergeRatings(definition, ratings, dto.ratings);
          errors.push(...merged.errors);
          // Once agreed, the lead completes the consensus ratings (evidence, sources) but changes
          // an agreed rating only by recording the consensus again, with its rationale; an
          // amendment of a double-rated revision, which has no blind sets, only by a reassessment.
          if (a.doubleRating && a.consensus) {
            // An amendment carries its revision's consensus and has no blind sets of its own.
            const amended = a.supersedesId !== null;
            errors.push(
              ...changedAgreedRatings(
                a.ratings,
                merged.ratings,
                Object.keys(dto.ratings),
                amended
                  ? 'the ratings were agreed by the two assessors of the revision this amends: a reassessment rates them again'
                  : 'the ratings of a double-rated assessment are those of its consensus: record the consensus again to change one',
              ),
            );
          }
          ratings = merged.ratings;
          changes.ratings = ratings;
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
        if (dto.provisional !== undefined)
          errors.push(...checkProvisional(definition, a.provisional, dto.provisional));
        if (dto.judgements) errors.push(...checkJudgements(definition, dto.judgements));
        if (errors.length > 0) throw validationProblem(errors);
        if (dto.provisional && !a.provisional)
          changes.provisional = {
            ...(dto.provisional.level !== undefined ? { level: dto.provisional.level } : {}),
            ...(dto.provisional.judgements ? { judgements: dto.provisional.judgements } : {}),
            recordedAt: new Date().toISOString(),
          };
        for (const field of Object.keys(EDITABLE_COLUMNS) as EditableField[]) {
          if (field === 'ratings' || field === 'provisional' || dto[field] === undefined) continue;
          // Null clears a field: a list becomes empty, never null.
          changes[field] = dto[field] === null && LIST_FIELDS.includes(field) ? [] : dto[field];
        }
        const evaluation = evaluate(definition, engineRatings(ratings), {
          cacheKey: instrument.id,
        });
        await this.assessments.update(m, id, changes, evaluation, ENGINE_VERSION);
        const told = await this.shareFlags(m, ctx, a, definition, evaluation);
        return {
          changedFields: [
            ...Object.keys(dto.ratings ?? {}).map((code) => `ratings.${code}`),
            ...Object.keys(changes).filter((f) => f !== 'ratings'),
          ],
          // Who was told what: the flag and the roles it went to (never the ratings behind it).
          ...(told.length > 0
            ? {
                details: {
                  flagsShared: told.map(
                    (t) =>
                      `${t.flag}: told ${t.sharedWith.join(', ') || 'no one'}${t.makesDue ? `; ${t.makesDue} due` : ''}`,
                  ),
                },
              }
            : {}),
          respond: () => this.respond(m, ctx, id, access),
        };
      },
    });
  }

  async submit(ctx: RequestContext, id: string): Promise<AssessmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.submit',
      permission: 'update',
      forbidden: FORBIDDEN_EDIT,
      load: (m) => this.assessments.lock(m, id),
      target,
      apply: async (a, access, m) => {
        const instrument = (await this.instruments.getById(a.instrumentVersionId, m))!;
        const definition = instrument.definition as InstrumentDefinition;
        const evaluation = evaluate(definition, engineRatings(a.ratings), {
          cacheKey: instrument.id,
        });
        // The same check `indicative.canSubmit` reports.
        const reasons = submitReasons(definition, evaluation, a, {
          mayEdit: mayEdit(ctx.ability, a),
        });
        if (reasons.some((r) => r.code === 'invalid_status'))
          throw wrongStatus(a.status, 'submitted');
        if (a.doubleRating && !a.consensus)
          reasons.push({
            code: 'consensus_required',
            message: 'Both assessors rate blind, then the lead records the consensus',
          });
        if (reasons.length > 0) {
          throw unprocessable(
            'assessment_incomplete',
            `The assessment cannot be submitted yet: ${reasons.length} thing${reasons.length === 1 ? '' : 's'} to complete`,
            { reasons },
          );
        }
        await this.assessments.submit(m, a, ctx.actor.id, evaluation, ENGINE_VERSION);
        return { changedFields: ['status'], respond: () => this.respond(m, ctx, id, access) };
      },
    });
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
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.countersign',
      permission: 'countersign',
      load: (m) => this.assessments.lock(m, id),
      target,
      refuse: async (a, m) => {
        if (a.assessor.id === ctx.actor.id) {
          return new ProblemException(
            403,
            'own_assessment',
            'Forbidden',
            'A different psychologist must countersign your assessment',
          );
        }
        const instrument = (await this.instruments.getById(a.instrumentVersionId, m))!;
        return this.certificationProblem(m, ctx, instrument);
      },
      apply: async (a, access, m) => {
        if (a.status !== 'submitted') throw wrongStatus(a.status, 'countersigned');
        if (dto.decision === 'approve') {
          const { definition } = (await this.instruments.pinned(a.instrumentVersionId, m))!;
          const due = nextReviewDue(
            definition as InstrumentDefinition,
            a.finalRiskLevel,
            new Date(),
          );
          await this.assessments.approve(m, a, ctx.actor.id, due, dto.comments ?? null);
          await this.assignments.use(m, ctx, a);
        } else {
          await this.assessments.returnToAssessor(m, a, ctx.actor.id, dto.comments!);
        }
        return {
          changedFields:
            dto.decision === 'approve' ? ['status', 'countersigner', 'nextReviewDue'] : ['status'],
          details: { decision: dto.decision },
          respond: () => this.respond(m, ctx, id, access),
        };
      },
    });
  }

  async amend(ctx: RequestContext, id: string, dto: ReasonDto): Promise<AssessmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.amend',
      permission: 'create',
      load: (m) => this.assessments.lock(m, id),
      target,
      refuse: async (a, m) =>
        this.certificationProblem(
          m,
          ctx,
          (await this.instruments.getById(a.instrumentVersionId, m))!,
        ),
      apply: async (a, access, m) => {
        if (a.status !== 'approved') throw wrongStatus(a.status, 'amended');
        await this.refuseSecondOpen(m, a.prisonerId, a.instrument.key, a.id);
        const newId = await this.assessments.insertAmendment(m, id, ctx.actor.id, dto.reason);
        return {
          entityId: newId,
          changedFields: ['revision'],
          details: { supersedes: id },
          respond: () => this.respond(m, ctx, newId, access),
        };
      },
    });
  }

  async cancel(ctx: RequestContext, id: string, dto: ReasonDto): Promise<AssessmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.cancel',
      permission: 'update',
      forbidden: FORBIDDEN_EDIT,
      load: (m) => this.assessments.lock(m, id),
      target,
      apply: async (a, access, m) => {
        if (!isOpen(a.status)) throw wrongStatus(a.status, 'cancelled');
        await this.assessments.cancel(m, a, ctx.actor.id, dto.reason);
        return {
          changedFields: ['status', 'cancelReason'],
          respond: () => this.respond(m, ctx, id, access),
        };
      },
    });
  }

  /**
   * The consensus of a double-rated assessment, by its lead assessor once both blind sets are
   * submitted: the agreed ratings become the assessment's (the engine recomputes, flags fire as
   * on any save), with the rationale and the items on which the sets differed. Every item either
   * assessor rated must be agreed. It may be recorded again until the assessment is submitted.
   */
  async recordConsensus(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: ConsensusDto,
  ): Promise<AssessmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.consensus',
      permission: 'update',
      forbidden: 'Only the lead assessor records the consensus',
      load: (m) => this.assessments.lock(m, id),
      target,
      version: { expected: version, current: (a) => a.version },
      apply: async (a, access, m) => {
        if (!isEditable(a.status)) throw wrongStatus(a.status, 'agreed');
        if (!a.doubleRating)
          throw conflict('not_double_rated', 'This assessment is rated by one assessor');
        const sets = await this.team.ratingSetsOf(m, a.id);
        if (sets.length === 0)
          throw conflict(
            'agreed_in_amended_revision',
            'The ratings were agreed by the two assessors of the revision this amends; a reassessment rates them again',
          );
        if (!bothSubmitted(sets))
          throw conflict(
            'blind_ratings_pending',
            'Both assessors submit their blind ratings before the consensus',
          );
        const instrument = (await this.instruments.getById(a.instrumentVersionId, m))!;
        const definition = instrument.definition as InstrumentDefinition;
        const merged = mergeRatings(definition, {}, dto.ratings);
        const errors = [...merged.errors];
        const rated = new Set(sets.flatMap((s) => Object.keys(s.ratings)));
        for (const code of rated)
          if (!merged.ratings[code])
            errors.push({ path: `ratings.${code}`, message: `agree a rating for ${code}` });
        if (errors.length > 0) throw validationProblem(errors);
        const { differences } = ratingDifferences(
          definition,
          sets.find((s) => s.lead)!.ratings,
          sets.find((s) => !s.lead)!.ratings,
        );
        const evaluation = evaluate(definition, engineRatings(merged.ratings), {
          cacheKey: instrument.id,
        });
        await this.assessments.update(
          m,
          id,
          { ratings: merged.ratings },
          evaluation,
          ENGINE_VERSION,
        );
        await this.team.recordConsensus(m, id, {
          rationale: dto.rationale,
          recordedAt: new Date().toISOString(),
          recordedBy: { id: ctx.actor.id, displayName: ctx.actor.displayName },
          differed: differences.map((d) => d.item),
        });
        const told = await this.shareFlags(m, ctx, a, definition, evaluation);
        return {
          changedFields: ['ratings', 'consensus'],
          details: {
            differed: differences.length,
            ...(told.length > 0
              ? { flagsShared: told.map((t) => `${t.flag}: told ${t.sharedWith.join(', ')}`) }
              : {}),
          },
          respond: () => this.respond(m, ctx, id, access),
        };
      },
    });
  }

  /**
   * Closes a review that an event or a flag made due (the trigger's action is `review`) with a
   * recorded decision on the current approved assessment, without a new assessment. An outcome
   * of reassess or amend makes a reassessment due at once.
   */
  async triggerReview(
    ctx: RequestContext,
    id: string,
    dto: TriggerReviewDto,
  ): Promise<TriggerReviewResponse> {
    const today = new Date().toISOString().slice(0, 10);
    if (dto.reviewedOn && dto.reviewedOn > today)
      throw validationProblem([
        { path: 'reviewedOn', message: 'reviewedOn cannot be in the future' },
      ]);
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'assessment.trigger_review',
      permission: 'create',
      load: (m) => this.assessments.lock(m, id),
      target,
      apply: async (a, _access, m) => {
        if (a.status !== 'approved') throw wrongStatus(a.status, 'reviewed after an event');
        if (!(await this.assessments.reviewDueFor(m, a.prisonerId, a.instrument.key, dto.eventId)))
          throw unprocessable(
            'no_review_due',
            `That event makes no review of ${a.instrument.key} due for this prisoner`,
            {
              errors: [{ path: 'eventId', message: 'no review of this assessment is due for it' }],
            },
          );
        const reviewId = await this.assessments.insertTriggerReview(m, {
          prisonerId: a.prisonerId,
          assessmentId: a.id,
          instrumentKey: a.instrument.key,
          eventId: dto.eventId,
          reviewerId: ctx.actor.id,
          reviewedOn: dto.reviewedOn ?? today,
          outcome: dto.outcome,
          rationale: dto.rationale,
        });
        if (!reviewId)
          throw conflict(
            'already_reviewed',
            'That event has already been reviewed for this instrument',
          );
        return {
          changedFields: ['triggerReview'],
          details: { outcome: dto.outcome, eventId: dto.eventId },
          respond: async () =>
            (await this.assessments.triggerReviewsOf(m, a.id))
              .filter((r) => r.id === reviewId)
              .map((r) => ({ ...r, assessmentId: a.id }))[0],
        };
      },
    });
  }

  // ------------------------------------------------------------------ reassessments due

  /** Reassessments due for prisoners in the caller's scope (see DueItem), keyset-paginated. */
  async dueReassessments(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    // A due item is a prisoner's, not an assessment's: rules that open one assessment (by id or
    // instrument version, team working) open no due item beyond the prisoner's facility rules.
    const scope = accessibleWhere(ctx.ability, 'read', 'Assessment', {
      facilityId: 'p.facility_id',
      prisonerId: 'p.id',
      id: 'NULL::uuid',
      instrumentVersionId: 'NULL::uuid',
    });
    const m = this.dataSource.manager;
    const intake = await this.deployment.resolve('intake', m);
    const rows = await this.assessments.due(m, {
      scope,
      ...query,
      ...(intake ? { intake: { key: intake.key, versions: intake.versions } } : {}),
    });
    const today = new Date().toISOString().slice(0, 10);
    return rows.map((r) => ({
      id: r.id,
      kind: 'reassessment',
      prisonerId: r.prisonerId,
      prisonNumber: r.prisonNumber,
      prisonerName: r.prisonerName,
      facilityId: r.facilityId,
      dueDate: r.dueDate,
      overdue: r.dueDate < today,
      reason: r.reason,
      action: r.action,
      ...(r.instrumentKey ? { instrumentKey: r.instrumentKey } : {}),
      ...(r.assessmentId ? { assessmentId: r.assessmentId } : {}),
      ...(r.inProgressAssessmentId ? { inProgressAssessmentId: r.inProgressAssessmentId } : {}),
      ...(r.event
        ? {
            event: {
              id: r.event.id,
              type: r.event.type,
              occurredAt: r.event.occurredAt.toISOString(),
            },
          }
        : {}),
    }));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Flags that are shared (`shareWith`) or make a review due (`makesDue`), recorded the first
   * time they fire on this assessment, even on a draft: a prisoner event says so, and the
   * security view then shows the label and date. Returns who was told what, for the audit.
   */
  private async shareFlags(
    m: EntityManager,
    ctx: RequestContext,
    a: Assessment,
    definition: InstrumentDefinition,
    evaluation: EvaluationResult,
  ): Promise<{ flag: string; sharedWith: string[]; makesDue: string | null }[]> {
    const told: { flag: string; sharedWith: string[]; makesDue: string | null }[] = [];
    for (const fired of evaluation.flags) {
      const rule = definition.flags?.find((f) => f.code === fired.code);
      if (!rule || (!rule.shareWith?.length && !rule.makesDue)) continue;
      const first = await this.assessments.recordFlag(m, {
        assessmentId: a.id,
        prisonerId: a.prisonerId,
        facilityId: a.facilityId,
        code: rule.code,
        label: rule.label,
        severity: rule.severity,
        sharedWith: rule.shareWith ?? [],
        firedBy: ctx.actor.id,
        due: rule.makesDue ?? null,
      });
      if (first)
        told.push({
          flag: rule.code,
          sharedWith: rule.shareWith ?? [],
          makesDue: rule.makesDue?.action ?? null,
        });
    }
    return told;
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
    if (await this.assessments.certified(m, ctx.actor.id, instrument.key)) return undefined;
    return new ProblemException(
      403,
      'certification_required',
      'Forbidden',
      `${instrument.title} may only be used by assessors with a current certification for ${instrument.key}`,
    );
  }

  /**
   * One assessment in progress per prisoner and instrument, for new assessments and amendments
   * alike: starts are serialised per (prisoner, instrument) so that of two at once exactly one
   * wins, and the other is told which one is open (409).
   */
  private async refuseSecondOpen(
    m: EntityManager,
    prisonerId: string,
    instrumentKey: string,
    amending?: string,
  ): Promise<void> {
    await this.assessments.lockOpening(m, prisonerId, instrumentKey);
    const open = await this.assessments.openOf(m, prisonerId, instrumentKey);
    if (!open) return;
    if (amending && open.supersedesId === amending)
      throw conflict(
        'amendment_in_progress',
        'An amendment of this assessment is already in progress',
        { openAssessmentId: open.id },
      );
    throw conflict(
      'assessment_in_progress',
      `An assessment with ${instrumentKey} is already in progress for this prisoner`,
      { openAssessmentId: open.id },
    );
  }

  /** A single read's answer: the caller's view, with the history in the full view. */
  private async readAnswer(
    ctx: RequestContext,
    a: AssessmentDetail,
    access: CaseAccess,
  ): Promise<AssessmentResponse> {
    const view = assessmentView(ctx.ability, subjectOf(a))!;
    const { definition } = (await this.instruments.pinned(a.instrumentVersionId))!;
    return {
      ...projectAssessment(a, view, definition as InstrumentDefinition, {
        history: view === 'full' ? a.history : undefined,
        mayEdit: mayEdit(ctx.ability, a),
      }),
      ...access.grantField,
    };
  }

  /** The assessment after a change, read in the change's transaction, in the caller's view. */
  private async respond(
    m: EntityManager,
    ctx: RequestContext,
    id: string,
    access: CaseAccess,
  ): Promise<AssessmentResponse> {
    const a = (await this.assessments.detail(m, id))!;
    const view = assessmentView(ctx.ability, subjectOf(a)) ?? 'security';
    const { definition } = (await this.instruments.pinned(a.instrumentVersionId, m))!;
    return {
      ...projectAssessment(a, view, definition as InstrumentDefinition, {
        history: view === 'full' ? a.history : undefined,
        mayEdit: mayEdit(ctx.ability, a),
      }),
      ...access.grantField,
    };
  }

  /** One row of a list, in the caller's view of it (rows come from their read scope). */
  private project(
    ctx: RequestContext,
    a: Assessment,
    definitions: Map<string, InstrumentDefinition>,
  ): AssessmentResponse {
    const subject: AssessmentSubject = subjectOf(a);
    return projectAssessment(
      a,
      assessmentView(ctx.ability, subject)!,
      definitions.get(a.instrumentVersionId)!,
      { mayEdit: mayEdit(ctx.ability, a) },
    );
  }

  private async definitions(rows: Assessment[]): Promise<Map<string, InstrumentDefinition>> {
    const ids = [...new Set(rows.map((r) => r.instrumentVersionId))];
    const versions = await Promise.all(ids.map((id) => this.instruments.pinned(id)));
    return new Map(versions.map((v) => [v!.id, v!.definition as InstrumentDefinition]));
  }
}
