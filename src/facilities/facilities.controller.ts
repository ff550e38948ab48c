import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { CreateFacilityDto } from './dto/create-facility.dto.js';
import { FacilityPageResponse, FacilityResponse } from './dto/facility.response.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { FacilitiesService } from './facilities.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('facilities')
@Controller('facilities')
export class FacilitiesController {
  constructor(private readonly facilities: FacilitiesService) {}

  @Get()
  @Authorize('manage', 'Facility')
  @ApiOperation({ summary: 'List facilities (administrators)' })
  @ApiOkResponse({ type: FacilityPageResponse })
  list(@Query() query: PageQueryDto): Promise<Page<FacilityResponse>> {
    return this.facilities.list(query);
  }

  @Post()
  @Idempotent()
  @Authorize('manage', 'Facility')
  @ApiOperation({ summary: 'Create a facility' })
  @ApiCreatedResponse({ type: FacilityResponse })
  @ApiProblems([409, 'The code is taken (`facility_code_taken`)'])
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateFacilityDto): Promise<FacilityResponse> {
    return this.facilities.create(ctx, dto);
  }
}
