import { Body, Controller, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ApiProblems } from '../../errors/problem.schema.js';
import { ApiIfMatch, etag, ETAG_HEADER, IfMatchVersion } from '../../http/if-match.js';
import { UuidParam } from '../../http/uuid-param.js';
import { Idempotent } from '../../idempotency/idempotency.js';
import { AssessmentsService } from '../assessments.service.js';
import { AssessmentResponse } from '../dto/assessment.dto.js';
import { ContributionsService } from './contributions.service.js';
import { CountersignAssignmentsService } from './countersign-assignments.service.js';
import {
  ConsensusDto,
  AssessmentContributionListResponse,
  AssessmentContributionResponse,
  CountersignAssignmentListResponse,
  CountersignAssignmentResponse,
  CreateContributionDto,
  CreateCountersignAssignmentDto,
  RatingSetsResponse,
  UpdateRatingSetDto,
} from './dto/team.dto.js';
import { RatingSetsService } from './rating-sets.service.js';

function tagged<T extends { version: number }>(reply: FastifyReply, body: T): T {
  void reply.header('etag', etag(body.version));
  return body;
}

/** Team working on an assessment: contributions, countersign assignments, double rating. */
@ApiTags('assessments')
@ApiHeader({
  name: 'X-Access-Purpose',
  required: false,
  description: 'Why you open this case (audited)',
})
@Controller()
export class TeamController {
  constructor(
    private readonly contributions: ContributionsService,
    private readonly assignments: CountersignAssignmentsService,
    private readonly ratingSets: RatingSetsService,
    private readonly assessments: AssessmentsService,
  ) {}

  // ---------------------------------------------------------------- contributions

  @Post('assessments/:id/contributions')
  @Idempotent()
  @Authorize('create', 'Contribution')
  @ApiOperation({
    summary:
      'Add an observation for the assessor to weigh (PVE inspectors, security officers, psychologists); it never changes a rating',
  })
  @ApiCreatedResponse({ type: AssessmentContributionResponse })
  @ApiProblems(
    [
      403,
      'The caller’s roles do not contribute here (`forbidden`), or do not read the class chosen (`confidentiality_not_permitted`)',
    ],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [409, 'The assessment is no longer being written (`invalid_status`, `currentStatus`)'],
  )
  createContribution(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateContributionDto,
  ): Promise<AssessmentContributionResponse> {
    return this.contributions.create(ctx, id, dto);
  }

  @Get('assessments/:id/contributions')
  @Authorize('read', 'Contribution')
  @ApiOperation({
    summary: 'The contributions to an assessment, of the confidentiality classes the caller reads',
  })
  @ApiOkResponse({ type: AssessmentContributionListResponse })
  @ApiProblems(
    [403, 'The caller’s roles read no contributions here (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
  )
  listContributions(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
  ): Promise<AssessmentContributionListResponse> {
    return this.contributions.list(ctx, id);
  }

  // ---------------------------------------------------------------- countersign assignments

  @Post('assessments/:id/countersign-assignments')
  @Idempotent()
  @Authorize('assign', 'CountersignAssignment')
  @ApiOperation({
    summary:
      'Assign a psychologist of another facility to countersign this one assessment (supervisors of the prisoner’s facility)',
  })
  @ApiCreatedResponse({ type: CountersignAssignmentResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'The assessment needs no countersignature (`invalid_status`), or already has a live assignment (`assignment_live`)',
    ],
    [422, 'The assignee cannot countersign it (`invalid_assignee`, `errors`)'],
  )
  async createAssignment(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateCountersignAssignmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CountersignAssignmentResponse> {
    return tagged(reply, await this.assignments.create(ctx, id, dto));
  }

  @Get('assessments/:id/countersign-assignments')
  @Authorize('read', 'CountersignAssignment')
  @ApiOperation({ summary: 'The countersign assignments of an assessment, newest first' })
  @ApiOkResponse({ type: CountersignAssignmentListResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
  )
  listAssignments(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
  ): Promise<CountersignAssignmentListResponse> {
    return this.assignments.list(ctx, id);
  }

  @Post('countersign-assignments/:id/revoke')
  @HttpCode(200)
  @Authorize('revoke', 'CountersignAssignment')
  @ApiOperation({ summary: 'Revoke a live countersign assignment' })
  @ApiIfMatch('assignment')
  @ApiOkResponse({ type: CountersignAssignmentResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [404, 'No such assignment in the caller’s scope (`not_found`)'],
    [409, 'Stale If-Match (`version_conflict`), or already used or revoked (`assignment_ended`)'],
  )
  async revokeAssignment(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CountersignAssignmentResponse> {
    return tagged(reply, await this.assignments.revoke(ctx, id, version));
  }

  // ---------------------------------------------------------------- double rating

  @Get('assessments/:id/rating-sets')
  @Authorize('read', 'Assessment')
  @ApiOperation({
    summary:
      'The blind rating sets of a double-rated assessment: the caller’s own while rating; both and their differences once both are submitted',
  })
  @ApiOkResponse({ type: RatingSetsResponse })
  @ApiProblems(
    [403, 'Neither a rater nor, once both are in, a reader of the full view (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [409, 'The assessment is rated by one assessor (`not_double_rated`)'],
  )
  getRatingSets(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<RatingSetsResponse> {
    return this.ratingSets.get(ctx, id);
  }

  @Patch('assessments/:id/rating-sets/mine')
  @Authorize('update', 'RatingSet')
  @ApiOperation({ summary: 'Edit the caller’s own blind rating set (until submitted)' })
  @ApiIfMatch('rating set')
  @ApiOkResponse({ type: RatingSetsResponse })
  @ApiProblems(
    [403, 'Not one of the two assessors (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), the set is submitted (`rating_set_submitted`), or the assessment is not being written (`invalid_status`)',
    ],
  )
  updateRatingSet(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateRatingSetDto,
  ): Promise<RatingSetsResponse> {
    return this.ratingSets.update(ctx, id, version, dto.ratings);
  }

  @Post('assessments/:id/rating-sets/mine/submit')
  @HttpCode(200)
  @Authorize('submit', 'RatingSet')
  @ApiOperation({ summary: 'Submit the caller’s blind rating set; it cannot change afterwards' })
  @ApiIfMatch('rating set')
  @ApiOkResponse({ type: RatingSetsResponse })
  @ApiProblems(
    [403, 'Not one of the two assessors (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), already submitted (`rating_set_submitted`), or not being written (`invalid_status`)',
    ],
    [422, 'Nothing rated yet (`rating_set_empty`)'],
  )
  submitRatingSet(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
  ): Promise<RatingSetsResponse> {
    return this.ratingSets.submit(ctx, id, version);
  }

  @Post('assessments/:id/consensus')
  @HttpCode(200)
  @Authorize('update', 'Assessment')
  @ApiOperation({
    summary:
      'Record the consensus of a double-rated assessment (its lead assessor, once both sets are submitted): the agreed ratings become the assessment’s',
  })
  @ApiIfMatch('assessment')
  @ApiOkResponse({ type: AssessmentResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Only the lead assessor (`forbidden`)'],
    [404, 'No such assessment in the caller’s scope (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), not double-rated (`not_double_rated`), a blind set not yet submitted (`blind_ratings_pending`), an amendment whose ratings were agreed in the revision it amends (`agreed_in_amended_revision`), or not being written (`invalid_status`)',
    ],
  )
  async consensus(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: ConsensusDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssessmentResponse> {
    return tagged(reply, await this.assessments.recordConsensus(ctx, id, version, dto));
  }
}
