import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { ApiIfMatch, IfMatchVersion } from '../http/if-match.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  CopyPreviewResponse,
  CreateSubjectAccessDto,
  ListSubjectAccessQueryDto,
  RedactDto,
  SubjectAccessBundle,
  SubjectAccessPageResponse,
  SubjectAccessResponse,
} from './dto/subject-access.dto.js';
import { SubjectAccessService } from './subject-access.service.js';
import { Idempotent } from '../idempotency/idempotency.js';

const NOT_FOUND: [number, string] = [
  404,
  'No such request in the supervisor’s facilities (`not_found`)',
];

@ApiTags('subject access')
@Controller()
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  @Post('prisoners/:id/subject-access-requests')
  @Idempotent()
  @Authorize('create', 'SubjectAccess')
  @ApiOperation({
    summary:
      'Record a prisoner’s request for their records, or the official copy due on release (supervisors)',
  })
  @ApiCreatedResponse({ type: SubjectAccessResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateSubjectAccessDto,
  ): Promise<SubjectAccessResponse> {
    return this.subjectAccess.create(ctx, id, dto);
  }

  @Get('subject-access-requests')
  @Authorize('read', 'SubjectAccess')
  @ApiOperation({ summary: 'Subject-access requests of the supervisor’s facilities, by due date' })
  @ApiOkResponse({ type: SubjectAccessPageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListSubjectAccessQueryDto,
  ): Promise<Page<SubjectAccessResponse>> {
    return this.subjectAccess.list(ctx, query);
  }

  @Get('subject-access-requests/:id')
  @Authorize('read', 'SubjectAccess')
  @ApiOperation({ summary: 'A request with its full redaction register' })
  @ApiOkResponse({ type: SubjectAccessResponse })
  @ApiProblems(NOT_FOUND)
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<SubjectAccessResponse> {
    return this.subjectAccess.get(ctx, id);
  }

  @Get('subject-access-requests/:id/contents')
  @Authorize('read', 'SubjectAccess')
  @ApiOperation({
    summary:
      'The copy as it stands: every record and field, redactions marked; clinical fields without their content',
  })
  @ApiOkResponse({ type: CopyPreviewResponse })
  @ApiProblems(NOT_FOUND)
  contents(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<CopyPreviewResponse> {
    return this.subjectAccess.preview(ctx, id);
  }

  @Post('subject-access-requests/:id/redactions')
  @Idempotent()
  @Authorize('update', 'SubjectAccess')
  @ApiOperation({
    summary: 'Withhold a record or redact a field of the copy, on a legal ground (the register)',
  })
  @ApiCreatedResponse({ type: SubjectAccessResponse })
  @ApiProblems(NOT_FOUND, [
    409,
    'Released already (`already_released`) or redacted already (`already_redacted`)',
  ])
  redact(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: RedactDto,
  ): Promise<SubjectAccessResponse> {
    return this.subjectAccess.redact(ctx, id, dto);
  }

  @Post('subject-access-requests/:id/redactions/:redactionId/withdraw')
  @HttpCode(200)
  @Authorize('update', 'SubjectAccess')
  @ApiOperation({
    summary: 'Withdraw a redaction before release (it stays in the register, marked withdrawn)',
  })
  @ApiOkResponse({ type: SubjectAccessResponse })
  @ApiProblems(
    [404, 'No such request, or no such redaction in force on it (`not_found`)'],
    [409, 'Released already (`already_released`)'],
  )
  withdraw(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @UuidParam('redactionId') redactionId: string,
  ): Promise<SubjectAccessResponse> {
    return this.subjectAccess.withdraw(ctx, id, redactionId);
  }

  @Post('subject-access-requests/:id/release')
  @HttpCode(200)
  @Authorize('release', 'SubjectAccess')
  @ApiIfMatch('request')
  @ApiOperation({
    summary:
      'Release the copy: the JSON bundle with the register applied is stored with its SHA-256',
  })
  @ApiOkResponse({ type: SubjectAccessResponse })
  @ApiProblems(NOT_FOUND, [409, 'Released already (`already_released`)'])
  release(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
  ): Promise<SubjectAccessResponse> {
    return this.subjectAccess.release(ctx, id, version);
  }

  @Get('subject-access-requests/:id/bundle')
  @Authorize('read', 'SubjectAccess')
  @ApiOperation({
    summary:
      'The released copy as JSON (the prisoner’s, to hand over; its SHA-256 is the request’s bundleSha256); audited as an export',
  })
  @ApiOkResponse({ type: SubjectAccessBundle })
  @ApiProblems(NOT_FOUND, [409, 'Not released yet (`not_released`)'])
  async bundle(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<SubjectAccessBundle> {
    return (await this.subjectAccess.bundle(ctx, id, 'json')).bundle;
  }
}
