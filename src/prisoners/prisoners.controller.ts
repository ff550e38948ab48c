import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiIfMatch, ETAG_HEADER, IfMatchVersion, SendsETag } from '../http/if-match.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  CreatePrisonerDto,
  DischargePrisonerDto,
  ListPrisonersQueryDto,
  PrisonerPageResponse,
  PrisonerResponse,
  ReadmitPrisonerDto,
  TransferPrisonerDto,
  UpdatePrisonerDto,
} from './dto/prisoner.dto.js';
import { PrisonersService } from './prisoners.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('prisoners')
@ApiHeader({
  name: 'X-Access-Purpose',
  required: false,
  description: 'Why you open this record (audited)',
})
@Controller('prisoners')
@SendsETag()
export class PrisonersController {
  constructor(private readonly prisoners: PrisonersService) {}

  @Post()
  @Idempotent()
  @Authorize('create', 'Prisoner')
  @ApiOperation({ summary: 'Record a prisoner (security officers, in their facilities)' })
  @ApiCreatedResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Not a security officer of that facility (`forbidden`)'],
    [
      409,
      'The prison number is recorded already (`prison_number_taken`, or `prison_number_unavailable` when out of scope)',
    ],
  )
  create(@Ctx() ctx: RequestContext, @Body() dto: CreatePrisonerDto): Promise<PrisonerResponse> {
    return this.prisoners.create(ctx, dto);
  }

  @Get()
  @Authorize('read', 'Prisoner')
  @ApiOperation({ summary: 'Prisoners in the caller’s scope; prefix search on number and names' })
  @ApiOkResponse({ type: PrisonerPageResponse })
  @ApiProblems([403, 'The caller’s roles read no prisoners (`forbidden`)'])
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListPrisonersQueryDto,
  ): Promise<Page<PrisonerResponse>> {
    return this.prisoners.list(ctx, query);
  }

  @Get(':id')
  @Authorize('read', 'Prisoner')
  @ApiOkResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiNotFoundResponse({ description: 'No such prisoner in the caller’s scope' })
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<PrisonerResponse> {
    return this.prisoners.get(ctx, id);
  }

  @Patch(':id')
  @Authorize('update', 'Prisoner')
  @ApiOperation({ summary: 'Correct a prisoner record (security officers)' })
  @ApiIfMatch('prisoner record')
  @ApiOkResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Only security officers correct records (`forbidden`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or the new prison number is recorded already (`prison_number_taken`, `prison_number_unavailable`)',
    ],
  )
  update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdatePrisonerDto,
  ): Promise<PrisonerResponse> {
    return this.prisoners.update(ctx, id, version, dto);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @Authorize('transfer', 'Prisoner')
  @ApiOperation({ summary: 'Transfer to another facility, keeping the facility history' })
  @ApiOkResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Only security officers transfer (`forbidden`)'],
    [409, 'The prisoner has been discharged (`already_discharged`)'],
    [422, 'Already held in that facility (`same_facility`)'],
  )
  transfer(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: TransferPrisonerDto,
  ): Promise<PrisonerResponse> {
    return this.prisoners.transfer(ctx, id, dto);
  }

  @Post(':id/discharge')
  @HttpCode(200)
  @Idempotent()
  @Authorize('discharge', 'Prisoner')
  @ApiOperation({
    summary: 'Record a discharge from custody (supervisors): the prisoner leaves the roll',
  })
  @ApiIfMatch('prisoner record')
  @ApiOkResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Only supervisors of the facility discharge (`forbidden`)'],
    [409, 'Stale If-Match (`version_conflict`), or discharged already (`already_discharged`)'],
  )
  discharge(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: DischargePrisonerDto,
  ): Promise<PrisonerResponse> {
    return this.prisoners.discharge(ctx, id, version, dto);
  }

  @Post(':id/readmit')
  @HttpCode(200)
  @Idempotent()
  @Authorize('discharge', 'Prisoner')
  @ApiOperation({
    summary:
      'Put a discharged prisoner back on the roll (supervisors): a discharge in error, or a return to custody',
  })
  @ApiIfMatch('prisoner record')
  @ApiOkResponse({ type: PrisonerResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [403, 'Only supervisors of the facility readmit (`forbidden`)'],
    [409, 'Stale If-Match (`version_conflict`), or on the roll (`not_discharged`)'],
  )
  readmit(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: ReadmitPrisonerDto,
  ): Promise<PrisonerResponse> {
    return this.prisoners.readmit(ctx, id, version, dto);
  }
}
