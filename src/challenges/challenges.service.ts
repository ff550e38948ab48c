import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { accessibleWhere } from '../access/accessible-where.js';
import {
  CaseOperations,
  underPrisoner,
  type CaseTarget,
} from '../access/case-operations.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { conflict, forbidden, unprocessable } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import type { DueItem, DueQuery } from '../reviews/due-item.js';
import { PrisonerEventsService } from '../reviews/prisoner-events.service.js';
import {
  challengeResponse,
  challengeSubject,
  challengeView,
  escalationGrounds,
} from './challenge-view.js';
import { ChallengesRepository, type Challenge, type Escalation } from './challenges.repository.js';
import type {
  AnswerChallengeDto,
  ChallengeResponse,
  CreateChallengeDto,
  DecideEscalationDto,
  EscalateChallengeDto,
  ListChallengesQueryDto,
} from './dto/challenge.dto.js';

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const plusDays = (date: string, seconds: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + Math.floor(seconds / 86400) * DAY)
    .toISOString()
    .slice(0, 10);

const challengeTarget = (c: Challenge): CaseTarget => ({
  subject: 'Challenge',
  fields: challengeSubject(c),
  location: { prisonerId: c.prisonerId, facilityId: c.facilityId },
  entity: { type: 'challenge', id: c.id },
});

/**
 * A prisoner's challenges of an assessment or a plan (Mandela Rules 54-57, and the right to be
 * heard on risk and needs assessments): recorded verbatim, routed to a psychologist or supervisor
 * who did not author what is challenged, answered with reasons and an outcome by a deadline. An
 * upheld (or partly upheld) challenge makes an amendment due, listed in `GET /reviews/due` until
 * a newer approved assessment or plan revision exists.
 */
@Injectable()
export class ChallengesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CaseOperations,
    private readonly challenges: ChallengesRepository,
    private readonly events: PrisonerEventsService,
    private readonly config: AppConfig,
  ) {}

  private respond(ctx: RequestContext, c: Challenge): ChallengeResponse {
    return challengeResponse(c, challengeView(ctx.ability, c) ?? 'summary');
  }

  async create(
    ctx: RequestContext,
    prisonerId: string,
    dto: CreateChallengeDto,
  ): Promise<ChallengeResponse> {
    if (dto.receivedOn > today())
      throw validationProblem([{ path: 'receivedOn', message: 'cannot be in the future' }]);
    return this.cases.change(ctx, {
      name: 'Prisoner',
      action: 'challenge.create',
      permission: 'create',
      load: (m) => this.cases.locate(m, prisonerId, true),
      target: (location) =>
        underPrisoner(location, 'Challenge', 'challenge', { targetType: dto.targetType }),
      apply: async (location, _, m) => {
        const authors = await this.challenges.targetAuthors(
          m,
          prisonerId,
          dto.targetType,
          dto.targetId,
        );
        if (!authors)
          throw validationProblem([
            {
              path: 'targetId',
              message:
                dto.targetType === 'assessment'
                  ? 'is not an approved assessment of this prisoner'
                  : 'is not a plan of this prisoner',
            },
          ]);
        const reviewers = await this.challenges.impartialReviewers(m, location.facilityId, authors);
        const assignedTo = dto.assignedToId ?? reviewers[0];
        if (!assignedTo)
          throw unprocessable(
            'no_impartial_reviewer',
            'No psychologist or supervisor of this facility other than its authors can answer the challenge',
          );
        if (!reviewers.includes(assignedTo))
          throw validationProblem([
            {
              path: 'assignedToId',
              message:
                'must be an active psychologist or supervisor of the prisoner’s facility who did not author what is challenged',
            },
          ]);
        const id = await this.challenges.insert(m, {
          ...location,
          targetType: dto.targetType,
          targetId: dto.targetId,
          targetAuthorIds: authors,
          receivedOn: dto.receivedOn,
          words: dto.words,
          assignedTo,
          respondBy: plusDays(dto.receivedOn, this.config.env.CHALLENGE_RESPONSE_PERIOD),
          recordedBy: ctx.actor.id,
        });
        // A challenged assessment is an event its instrument's review policy may act on.
        if (dto.targetType === 'assessment')
          await this.events.insert(
            m,
            prisonerId,
            location.facilityId,
            'assessment_challenged',
            new Date(`${dto.receivedOn}T00:00:00Z`),
            null,
            ctx.actor.id,
          );
        return {
          entityId: id,
          changedFields: ['targetType', 'targetId', 'receivedOn', 'words', 'assignedTo'],
          details: { targetType: dto.targetType, targetId: dto.targetId, assignedTo },
          respond: async () => this.respond(ctx, (await this.challenges.find(m, id))!),
        };
      },
    });
  }

  async get(ctx: RequestContext, id: string): Promise<ChallengeResponse> {
    return this.cases.read(ctx, {
      name: 'Challenge',
      action: 'challenge.read',
      load: (m) => this.challenges.find(m, id),
      target: challengeTarget,
      respond: (c) => this.respond(ctx, c),
      details: (_, answer) => ({ view: answer.view }),
    });
  }

  async answer(
    ctx: RequestContext,
    id: string,
    dto: AnswerChallengeDto,
  ): Promise<ChallengeResponse> {
    return this.cases.change(ctx, {
      name: 'Challenge',
      action: 'challenge.answer',
      permission: 'answer',
      load: (m) => this.challenges.find(m, id, true),
      target: challengeTarget,
      forbidden: 'Only the psychologist or supervisor the challenge is routed to answers it',
      refuse: async (c) =>
        c.targetAuthorIds.includes(ctx.actor.id)
          ? forbidden('The author of what is challenged cannot answer the challenge')
          : undefined,
      apply: async (c, _, m) => {
        if (c.status === 'answered')
          throw conflict('already_answered', 'This challenge has been answered already');
        const amendmentDue =
          dto.outcome === 'not_upheld'
            ? null
            : plusDays(today(), this.config.env.CHALLENGE_AMENDMENT_PERIOD);
        await this.challenges.answer(m, id, {
          outcome: dto.outcome,
          response: dto.response,
          by: ctx.actor.id,
          amendmentDue,
        });
        return {
          changedFields: [
            'status',
            'outcome',
            'response',
            ...(amendmentDue ? ['amendmentDue'] : []),
          ],
          details: { outcome: dto.outcome, overdue: c.respondBy < today() },
          respond: async () => this.respond(ctx, (await this.challenges.find(m, id))!),
        };
      },
    });
  }

  /**
   * Records that the prisoner took a rejected, partly rejected or late challenge to an outside
   * authority (Mandela Rule 57(1)); the grounds are derived from the challenge as it stands.
   */
  async escalate(
    ctx: RequestContext,
    id: string,
    dto: EscalateChallengeDto,
  ): Promise<ChallengeResponse> {
    const now = today();
    if (dto.referredOn > now)
      throw validationProblem([{ path: 'referredOn', message: 'cannot be in the future' }]);
    return this.cases.change(ctx, {
      name: 'Challenge',
      action: 'challenge.escalate',
      permission: 'escalate',
      load: (m) => this.challenges.find(m, id, true),
      target: (c) => ({
        ...challengeTarget(c),
        entity: { type: 'challenge_escalation' },
        details: { challengeId: c.id },
      }),
      forbidden: 'Only staff who may record the prisoner’s challenges record an escalation',
      apply: async (c, _, m) => {
        if (dto.referredOn < c.receivedOn)
          throw validationProblem([
            {
              path: 'referredOn',
              message: `cannot be before the challenge was received (${c.receivedOn})`,
            },
          ]);
        const escalable = escalationGrounds(c, now);
        if ('refused' in escalable) throw conflict('challenge_not_escalable', escalable.refused);
        const escalationId = await this.challenges.insertEscalation(m, {
          challengeId: c.id,
          authority: dto.authority,
          authorityName: dto.authorityName,
          referredOn: dto.referredOn,
          reference: dto.reference ?? null,
          grounds: escalable.grounds,
          recordedBy: ctx.actor.id,
        });
        return {
          entityId: escalationId,
          changedFields: [
            'authority',
            'authorityName',
            'referredOn',
            ...(dto.reference !== undefined ? ['reference'] : []),
            'grounds',
          ],
          details: { authority: dto.authority, grounds: escalable.grounds },
          respond: async () => this.respond(ctx, (await this.challenges.find(m, id))!),
        };
      },
    });
  }

  /**
   * Records the outside authority's decision on an escalation, once. Upheld or partly upheld
   * makes an amendment due, as an upheld challenge does.
   */
  async decide(
    ctx: RequestContext,
    id: string,
    escalationId: string,
    dto: DecideEscalationDto,
  ): Promise<ChallengeResponse> {
    const now = today();
    if (dto.decidedOn > now)
      throw validationProblem([{ path: 'decidedOn', message: 'cannot be in the future' }]);
    return this.cases.change<{ challenge: Challenge; escalation: Escalation }, ChallengeResponse>(
      ctx,
      {
        name: 'Escalation',
        action: 'challenge.escalation_decision',
        permission: 'decide',
        load: async (m) => {
          const challenge = await this.challenges.find(m, id, true);
          const escalation =
            challenge && (await this.challenges.findEscalation(m, id, escalationId, true));
          return challenge && escalation ? { challenge, escalation } : undefined;
        },
        target: ({ challenge, escalation }) => ({
          ...challengeTarget(challenge),
          entity: { type: 'challenge_escalation', id: escalation.id },
          details: { challengeId: challenge.id },
        }),
        forbidden:
          'Only a supervisor or psychologist of the prisoner’s facility records the outside decision',
        refuse: async ({ challenge }) =>
          challenge.targetAuthorIds.includes(ctx.actor.id)
            ? forbidden('The author of what is challenged cannot record the outside decision')
            : undefined,
        apply: async ({ escalation }, _, m) => {
          if (escalation.decision)
            throw conflict('already_decided', 'The outside decision has been recorded already');
          if (dto.decidedOn < escalation.referredOn)
            throw validationProblem([
              {
                path: 'decidedOn',
                message: `cannot be before the referral (${escalation.referredOn})`,
              },
            ]);
          const amendmentDue =
            dto.outcome === 'upheld' || dto.outcome === 'partly_upheld'
              ? plusDays(now, this.config.env.CHALLENGE_AMENDMENT_PERIOD)
              : null;
          await this.challenges.decideEscalation(m, escalation.id, {
            decidedOn: dto.decidedOn,
            outcome: dto.outcome,
            summary: dto.summary,
            by: ctx.actor.id,
            amendmentDue,
          });
          return {
            changedFields: [
              'decidedOn',
              'outcome',
              'summary',
              ...(amendmentDue ? ['amendmentDue'] : []),
            ],
            details: { authority: escalation.authority, outcome: dto.outcome },
            respond: async () => this.respond(ctx, (await this.challenges.find(m, id))!),
          };
        },
      },
    );
  }

  /**
   * Whether the caller may record outside decisions on this challenge's escalations (the pages
   * offer the form only then): the permission, and not an author of what is challenged.
   */
  async mayDecide(ctx: RequestContext, c: ChallengeResponse): Promise<boolean> {
    if (
      !ctx.ability.can(
        'decide',
        asSubject('Challenge', {
          id: c.id,
          prisonerId: c.prisonerId,
          facilityId: c.facilityId,
          targetType: c.targetType,
          assignedToId: c.assignedTo.id,
        }),
      )
    )
      return false;
    const row = await this.challenges.find(this.dataSource.manager, c.id);
    return row !== undefined && !row.targetAuthorIds.includes(ctx.actor.id);
  }

  /** A prisoner's challenges, newest first. */
  async listFor(
    ctx: RequestContext,
    prisonerId: string,
    query: ListChallengesQueryDto,
  ): Promise<Page<ChallengeResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.read(ctx, {
      name: 'Prisoner',
      action: 'challenge.list',
      load: (m) => this.cases.locate(m, prisonerId),
      target: (location) => underPrisoner(location, 'Prisoner', 'challenge'),
      respond: async (_, __, m) => this.page(ctx, m, { prisonerId, ...query }, after, limit),
      details: (_, page) => ({ resultCount: page.items.length }),
    });
  }

  /** Challenges in the caller's scope (their own queue with `assignedToMe`), newest first. */
  async list(ctx: RequestContext, query: ListChallengesQueryDto): Promise<Page<ChallengeResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2);
    return this.cases.list(ctx, {
      action: 'challenge.list',
      entityType: 'challenge',
      run: (m) => this.page(ctx, m, query, after, limit),
      details: (page) => ({
        status: query.status ?? null,
        assignedToMe: query.assignedToMe === 'true',
        resultCount: page.items.length,
      }),
      prisonersShown: (page) =>
        page.items.map((c) => ({ prisonerId: c.prisonerId, facilityId: c.facilityId })),
    });
  }

  private async page(
    ctx: RequestContext,
    m: EntityManager,
    query: ListChallengesQueryDto & { prisonerId?: string },
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Page<ChallengeResponse>> {
    const rows = await this.challenges.page(
      m,
      this.scope(ctx),
      {
        prisonerId: query.prisonerId,
        status: query.status,
        assignedTo: query.assignedToMe === 'true' ? ctx.actor.id : undefined,
      },
      after,
      limit,
    );
    return toPage(
      rows,
      limit,
      (c) => c.sortKey,
      (c) => this.respond(ctx, c),
    );
  }

  private scope(ctx: RequestContext) {
    return accessibleWhere(ctx.ability, 'read', 'Challenge', {
      facilityId: 'p.facility_id',
      prisonerId: 'c.prisoner_id',
      targetType: ['c.target_type', 'text'],
    });
  }

  /** Every challenge of a prisoner, for the subject-access copy. */
  allOf(m: EntityManager, prisonerId: string): Promise<Challenge[]> {
    return this.challenges.allOf(m, prisonerId);
  }

  /**
   * Open challenges by their deadline, and the amendments that upheld challenges and upheld
   * escalations made due, for `GET /reviews/due`.
   */
  async dueItems(ctx: RequestContext, query: DueQuery): Promise<DueItem[]> {
    const [rows, escalated] = await Promise.all([
      this.challenges.due(this.dataSource.manager, this.scope(ctx), query),
      this.challenges.escalationsDue(this.dataSource.manager, this.scope(ctx), query),
    ]);
    const now = today();
    const item = (
      id: string,
      kind: DueItem['kind'],
      dueDate: string,
      reason: string,
      c: Challenge,
    ): DueItem => ({
      id,
      kind,
      prisonerId: c.prisonerId,
      prisonNumber: c.prisonNumber,
      prisonerName: c.prisonerName,
      facilityId: c.facilityId,
      dueDate,
      overdue: dueDate < now,
      reason,
      challengeId: c.id,
      ...(c.assessmentId ? { assessmentId: c.assessmentId } : {}),
      ...(c.planId ? { planId: c.planId } : {}),
    });
    return [
      ...rows.map(({ item_id, kind, due_date, challenge }) =>
        item(
          item_id,
          kind,
          due_date,
          kind === 'amendment' ? 'challenge_upheld' : 'challenge',
          challenge,
        ),
      ),
      ...escalated.map(({ item_id, due_date, challenge }) =>
        item(item_id, 'amendment', due_date, 'escalation_upheld', challenge),
      ),
    ];
  }
}
