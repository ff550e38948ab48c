import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  EmergencyAccessPageResponse,
  EmergencyAccessResponse,
  ListEmergencyAccessQueryDto,
  RequestEmergencyAccessDto,
  ReviewEmergencyAccessDto,
  RevokeEmergencyAccessDto,
} from './dto/emergency-access.dto.js';
import { EmergencyAccessService } from './emergency-access.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('emergency access')
@Controller()
export class EmergencyAccessController {
  constructor(private readonly grants: EmergencyAccessService) {}

  @Post('prisoners/:id/emergency-access')
  @Idempotent()
  @Authorize('request', 'EmergencyAccess')
  @ApiOperation({
    summary:
      'Open one prisoner outside your facilities for EMERGENCY_ACCESS_TTL (read only, audited, reviewed)',
  })
  @ApiCreatedResponse({ type: EmergencyAccessResponse })
  @ApiProblems(
    [404, 'No such prisoner (`not_found`)'],
    [409, 'The caller can read the prisoner already (`already_accessible`)'],
  )
  request(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: RequestEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.grants.request(ctx, id, dto);
  }

  @Get('emergency-access')
  @Authorize('read', 'EmergencyAccess')
  @ApiOperation({ summary: 'Grants on prisoners in the supervisor’s facilities, newest first' })
  @ApiOkResponse({ type: EmergencyAccessPageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListEmergencyAccessQueryDto,
  ): Promise<Page<EmergencyAccessResponse>> {
    return this.grants.list(ctx, query);
  }

  @Post('emergency-access/:id/review')
  @HttpCode(200)
  @Authorize('review', 'EmergencyAccess')
  @ApiOperation({
    summary: 'Record whether a grant was justified (another supervisor than its holder)',
  })
  @ApiOkResponse({ type: EmergencyAccessResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility, or the caller’s own grant (`forbidden`)'],
    [404, 'No such grant in the caller’s facilities (`not_found`)'],
    [409, 'Reviewed already (`already_reviewed`)'],
  )
  review(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReviewEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.grants.review(ctx, id, dto);
  }

  @Post('emergency-access/:id/revoke')
  @HttpCode(200)
  @Authorize('review', 'EmergencyAccess')
  @ApiOperation({
    summary: 'End a live grant before it expires (supervisors of the prisoner’s facility)',
  })
  @ApiOkResponse({ type: EmergencyAccessResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such grant in the caller’s facilities (`not_found`)'],
    [409, 'Expired or ended already (`grant_not_active`, `expiresAt`)'],
  )
  revoke(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: RevokeEmergencyAccessDto,
  ): Promise<EmergencyAccessResponse> {
    return this.grants.revoke(ctx, id, dto);
  }
}
