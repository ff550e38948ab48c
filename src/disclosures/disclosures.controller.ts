import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { DisclosuresService } from './disclosures.service.js';
import {
  CreateDisclosureDto,
  DisclosurePageResponse,
  DisclosureResponse,
  ListDisclosuresQueryDto,
} from './dto/disclosure.dto.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('disclosures')
@Controller()
export class DisclosuresController {
  constructor(private readonly disclosures: DisclosuresService) {}

  @Post('prisoners/:id/disclosures')
  @Idempotent()
  @Authorize('create', 'Disclosure')
  @ApiOperation({
    summary:
      'Record a disclosure of the prisoner’s records outside the service (supervisors, who approve it)',
  })
  @ApiCreatedResponse({ type: DisclosureResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateDisclosureDto,
  ): Promise<DisclosureResponse> {
    return this.disclosures.create(ctx, id, dto);
  }

  @Get('prisoners/:id/disclosures')
  @Authorize('read', 'Disclosure')
  @ApiOperation({ summary: 'The disclosures of one prisoner’s records, newest first' })
  @ApiOkResponse({ type: DisclosurePageResponse })
  @ApiProblems(
    [403, 'Not a supervisor of the prisoner’s facility (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  listFor(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<DisclosureResponse>> {
    return this.disclosures.listFor(ctx, id, query);
  }

  @Get('disclosures')
  @Authorize('read', 'Disclosure')
  @ApiOperation({ summary: 'The disclosure log of the supervisor’s facilities, newest first' })
  @ApiOkResponse({ type: DisclosurePageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListDisclosuresQueryDto,
  ): Promise<Page<DisclosureResponse>> {
    return this.disclosures.list(ctx, query);
  }
}
