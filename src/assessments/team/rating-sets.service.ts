import { Injectable } from '@nestjs/common';
import { asSubject } from '../../access/ability.factory.js';
import { CaseOperations, type CaseTarget } from '../../access/case-operations.service.js';
import type { RequestContext } from '../../auth/request-context.js';
import { conflict, forbidden, unprocessable } from '../../errors/problem.exception.js';
import { validationProblem } from '../../errors/validation-errors.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { isEditable, mergeRatings, type StoredRatings } from '../assessment-rules.js';
import { assessmentView, subjectOf } from '../assessment-view.js';
import { AssessmentsRepository, type Assessment } from '../assessments.repository.js';
import type { RatingDifferenceResponse, RatingSetsResponse } from './dto/team.dto.js';
import { TeamRepository, type RatingSet } from './team.repository.js';

const valueOf = (r: StoredRatings[string] | undefined): string | null =>
  r?.value ?? (r?.notRated ? 'not_rated' : null);

/** Item by item, in instrument order, where two rating sets differ. */
export function ratingDifferences(
  definition: InstrumentDefinition,
  lead: StoredRatings,
  second: StoredRatings,
): { differences: RatingDifferenceResponse[]; agreed: number } {
  const differences: RatingDifferenceResponse[] = [];
  let agreed = 0;
  for (const domain of definition.domains)
    for (const item of domain.items) {
      const a = valueOf(lead[item.code]);
      const b = valueOf(second[item.code]);
      if (a === b) {
        if (a !== null) agreed++;
        continue;
      }
      differences.push({ item: item.code, domain: domain.code, lead: a, second: b });
    }
  return { differences, agreed };
}

/** Both blind sets of an assessment, once both raters have submitted theirs. */
export const bothSubmitted = (sets: RatingSet[]) =>
  sets.length === 2 && sets.every((s) => s.submittedAt !== null);

/** The rating sets of an assessment, in a change: the caller's set decides the permission. */
interface Loaded {
  a: Assessment;
  sets: RatingSet[];
  mine: RatingSet | undefined;
}

/**
 * Double rating: two assessors rate the same items blind, each in their own set, neither
 * seeing the other's until both have submitted; then the sets and where they differ are shown
 * and the lead assessor records the consensus (AssessmentsService.recordConsensus), which
 * becomes the assessment's ratings before it can be submitted for countersignature.
 */
@Injectable()
export class RatingSetsService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly assessments: AssessmentsRepository,
    private readonly team: TeamRepository,
    private readonly instruments: InstrumentsService,
  ) {}

  async get(ctx: RequestContext, assessmentId: string): Promise<RatingSetsResponse> {
    return this.cases.read(ctx, {
      name: 'Assessment',
      action: 'rating_set.read',
      load: async (m) => {
        const a = await this.assessments.detail(m, assessmentId);
        return a && { a, sets: await this.team.ratingSetsOf(m, a.id) };
      },
      target: ({ a }) => ({ ...this.target(a), entity: { type: 'assessment', id: a.id } }),
      refuse: ({ a, sets }) => {
        if (!a.doubleRating)
          return conflict('not_double_rated', 'This assessment is rated by one assessor');
        const rater = sets.some((s) => s.rater.id === ctx.actor.id);
        const full = assessmentView(ctx.ability, subjectOf(a)) === 'full';
        return rater || (full && bothSubmitted(sets)) ? undefined : forbidden();
      },
      respond: async ({ a, sets }) => {
        const { definition } = (await this.instruments.pinned(a.instrumentVersionId))!;
        const open = bothSubmitted(sets);
        const readable = sets.filter((s) =>
          ctx.ability.can('read', asSubject('RatingSet', { raterId: s.rater.id, blind: !open })),
        );
        const mine = sets.find((s) => s.rater.id === ctx.actor.id) ?? null;
        const compared = open
          ? ratingDifferences(
              definition as InstrumentDefinition,
              sets.find((s) => s.lead)!.ratings,
              sets.find((s) => !s.lead)!.ratings,
            )
          : { differences: [], agreed: 0 };
        return {
          assessmentId: a.id,
          stage: a.consensus ? 'agreed' : open ? 'compare' : 'rating',
          mine: mine && this.respondSet(mine),
          sets: open ? readable.map((s) => this.respondSet(s)) : [],
          ...compared,
        };
      },
      details: (_, answer) => ({ stage: answer.stage, resultCount: answer.sets.length }),
    });
  }

  async update(
    ctx: RequestContext,
    assessmentId: string,
    version: number,
    ratings: Record<string, unknown>,
  ): Promise<RatingSetsResponse> {
    await this.cases.change<Loaded, void>(ctx, {
      name: 'Assessment',
      action: 'rating_set.update',
      permission: 'update',
      forbidden: 'Only the two assessors rate a double-rated assessment, each their own set',
      load: (m) => this.load(m, ctx, assessmentId),
      target: (l) => this.setTarget(l),
      version: { expected: version, current: (l) => l.mine?.version ?? 0 },
      apply: async ({ a, mine }, _access, m) => {
        this.checkOpen(a, mine!);
        const { definition } = (await this.instruments.pinned(a.instrumentVersionId, m))!;
        const merged = mergeRatings(definition as InstrumentDefinition, mine!.ratings, ratings);
        if (merged.errors.length > 0) throw validationProblem(merged.errors);
        await this.team.updateRatingSet(m, mine!.id, merged.ratings);
        return {
          entityId: mine!.id,
          changedFields: Object.keys(ratings).map((code) => `ratings.${code}`),
          details: { assessmentId: a.id },
          respond: () => undefined,
        };
      },
    });
    return this.get(ctx, assessmentId);
  }

  async submit(
    ctx: RequestContext,
    assessmentId: string,
    version: number,
  ): Promise<RatingSetsResponse> {
    await this.cases.change<Loaded, void>(ctx, {
      name: 'Assessment',
      action: 'rating_set.submit',
      permission: 'submit',
      forbidden: 'Only the two assessors rate a double-rated assessment, each their own set',
      load: (m) => this.load(m, ctx, assessmentId),
      target: (l) => this.setTarget(l),
      version: { expected: version, current: (l) => l.mine?.version ?? 0 },
      apply: async ({ a, mine }, _access, m) => {
        this.checkOpen(a, mine!);
        if (Object.keys(mine!.ratings).length === 0)
          throw unprocessable('rating_set_empty', 'Rate the items before submitting your set');
        await this.team.submitRatingSet(m, mine!.id);
        return {
          entityId: mine!.id,
          changedFields: ['submittedAt'],
          details: { assessmentId: a.id },
          respond: () => undefined,
        };
      },
    });
    return this.get(ctx, assessmentId);
  }

  private async load(
    m: Parameters<AssessmentsRepository['lock']>[0],
    ctx: RequestContext,
    assessmentId: string,
  ): Promise<Loaded | undefined> {
    const a = await this.assessments.lock(m, assessmentId);
    if (!a) return undefined;
    const sets = await this.team.ratingSetsOf(m, a.id, true);
    return { a, sets, mine: sets.find((s) => s.rater.id === ctx.actor.id) };
  }

  private target(a: Assessment): CaseTarget {
    return {
      subject: 'RatingSet',
      fields: { facilityId: a.facilityId, prisonerId: a.prisonerId },
      location: { prisonerId: a.prisonerId, facilityId: a.facilityId },
      entity: { type: 'rating_set' },
      readAs: { subject: 'Assessment', fields: { ...subjectOf(a) } },
      details: { assessmentId: a.id },
    };
  }

  /** The caller's own set (none: the permission fails, 403). */
  private setTarget({ a, mine }: Loaded): CaseTarget {
    const t = this.target(a);
    return {
      ...t,
      fields: { ...t.fields, raterId: mine?.rater.id ?? null, blind: true },
      entity: { type: 'rating_set', ...(mine ? { id: mine.id } : {}) },
    };
  }

  private checkOpen(a: Assessment, mine: RatingSet): void {
    if (!isEditable(a.status))
      throw conflict('invalid_status', `An assessment that is ${a.status} is not rated`, {
        currentStatus: a.status,
      });
    if (mine.submittedAt)
      throw conflict('rating_set_submitted', 'Your rating set is submitted and cannot change');
  }

  private respondSet(s: RatingSet) {
    return {
      id: s.id,
      rater: s.rater,
      lead: s.lead,
      ratings: s.ratings,
      submittedAt: s.submittedAt,
      version: s.version,
    };
  }
}
