import { Injectable } from '@nestjs/common';
import { asSubject, CONTRIBUTION_CLASSES } from '../../access/ability.factory.js';
import { CaseOperations, type CaseTarget } from '../../access/case-operations.service.js';
import type { RequestContext } from '../../auth/request-context.js';
import { conflict, forbidden, ProblemException } from '../../errors/problem.exception.js';
import { validationProblem } from '../../errors/validation-errors.js';
import { isEditable } from '../assessment-rules.js';
import { subjectOf } from '../assessment-view.js';
import { AssessmentsRepository, type Assessment } from '../assessments.repository.js';
import type {
  AssessmentContributionListResponse,
  AssessmentContributionResponse,
  CreateContributionDto,
} from './dto/team.dto.js';
import { TeamRepository } from './team.repository.js';

/** The disciplines that contribute, in the order a contributor's discipline is named by. */
const DISCIPLINES = ['psychologist', 'pve_inspector', 'security_officer'] as const;

const fieldsOf = (a: Assessment) => ({
  facilityId: a.facilityId,
  prisonerId: a.prisonerId,
  assessmentId: a.id,
});

/** Contributions under an assessment: seen by whoever sees the assessment. */
const onAssessment = (a: Assessment): CaseTarget => ({
  subject: 'Contribution',
  fields: fieldsOf(a),
  location: { prisonerId: a.prisonerId, facilityId: a.facilityId },
  entity: { type: 'contribution' },
  readAs: { subject: 'Assessment', fields: { ...subjectOf(a) } },
  details: { assessmentId: a.id },
});

/**
 * Other disciplines' observations on an assessment (observation, source, date,
 * confidentiality), shown to the assessor to weigh. They never change a rating, a band or a
 * judgement: they are stored beside the assessment, not in it. Who reads which class is
 * written in the ability factory (CONTRIBUTION_CLASSES); a contributor marks only a class
 * they read, so nobody writes what they could not read back.
 */
@Injectable()
export class ContributionsService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly assessments: AssessmentsRepository,
    private readonly team: TeamRepository,
  ) {}

  /** The confidentiality classes the caller reads on this assessment. */
  private classes(ctx: RequestContext, a: Assessment): string[] {
    const subject = asSubject('Contribution', fieldsOf(a));
    return CONTRIBUTION_CLASSES.filter((c) => ctx.ability.can('read', subject, c));
  }

  async create(
    ctx: RequestContext,
    assessmentId: string,
    dto: CreateContributionDto,
  ): Promise<AssessmentContributionResponse> {
    if (dto.observedOn > new Date().toISOString().slice(0, 10))
      throw validationProblem([
        { path: 'observedOn', message: 'observedOn cannot be in the future' },
      ]);
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'contribution.create',
      permission: 'create',
      forbidden: 'Your role does not contribute to assessments',
      load: (m) => this.assessments.lock(m, assessmentId),
      target: onAssessment,
      refuse: async (a) =>
        this.classes(ctx, a).includes(dto.confidentiality)
          ? undefined
          : new ProblemException(
              403,
              'confidentiality_not_permitted',
              'Forbidden',
              `Your roles do not read ${dto.confidentiality} contributions, so you cannot mark one so`,
            ),
      apply: async (a, _access, m) => {
        if (!isEditable(a.status))
          throw conflict(
            'invalid_status',
            `Contributions are added while the assessment is being written, not when it is ${a.status}`,
            { currentStatus: a.status },
          );
        const discipline = DISCIPLINES.find((d) => ctx.actor.roles.includes(d)) ?? 'other';
        const id = await this.team.insertContribution(m, {
          assessmentId: a.id,
          authorId: ctx.actor.id,
          discipline,
          observation: dto.observation,
          source: dto.source,
          observedOn: dto.observedOn,
          confidentiality: dto.confidentiality,
        });
        return {
          entityId: id,
          changedFields: ['observation', 'source', 'observedOn', 'confidentiality'],
          details: { assessmentId: a.id, confidentiality: dto.confidentiality, discipline },
          respond: async () =>
            (await this.team.contributionsOf(m, a.id, [dto.confidentiality])).find(
              (c) => c.id === id,
            )!,
        };
      },
    });
  }

  async list(
    ctx: RequestContext,
    assessmentId: string,
  ): Promise<AssessmentContributionListResponse> {
    return this.cases.read(ctx, {
      name: 'Assessment',
      action: 'contribution.list',
      load: (m) => this.assessments.detail(m, assessmentId),
      target: (a) => ({ ...onAssessment(a), entity: { type: 'assessment', id: a.id } }),
      refuse: (a) => (this.classes(ctx, a).length > 0 ? undefined : forbidden()),
      respond: async (a, _access, m) => ({
        items: await this.team.contributionsOf(m, a.id, this.classes(ctx, a)),
      }),
      details: (a, answer) => ({
        resultCount: answer.items.length,
        classes: this.classes(ctx, a),
      }),
    });
  }
}
