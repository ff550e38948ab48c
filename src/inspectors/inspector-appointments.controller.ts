import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import type { Page } from '../http/page.js';
import { ApiIfMatch, ETAG_HEADER, IfMatchVersion, SendsETag } from '../http/if-match.js';
import { UuidParam } from '../http/uuid-param.js';
import {
  AppointmentPageResponse,
  AppointmentResponse,
  CreateAppointmentDto,
  ListAppointmentsQueryDto,
} from './dto/appointment.dto.js';
import { InspectorAppointmentsService } from './inspector-appointments.service.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('inspection')
@Controller('inspector-appointments')
@SendsETag()
export class InspectorAppointmentsController {
  constructor(private readonly appointments: InspectorAppointmentsService) {}

  @Post()
  @Idempotent()
  @Authorize('manage', 'InspectorAppointment')
  @ApiOperation({
    summary:
      'Appoint an inspector to facilities for a period (administrators; Mandela Rules 83-84)',
  })
  @ApiCreatedResponse({ type: AppointmentResponse, headers: ETAG_HEADER })
  create(
    @Ctx() ctx: RequestContext,
    @Body() dto: CreateAppointmentDto,
  ): Promise<AppointmentResponse> {
    return this.appointments.create(ctx, dto);
  }

  @Get()
  @Authorize('manage', 'InspectorAppointment')
  @ApiOperation({ summary: 'Inspectors’ appointments, newest first (administrators)' })
  @ApiOkResponse({ type: AppointmentPageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListAppointmentsQueryDto,
  ): Promise<Page<AppointmentResponse>> {
    return this.appointments.list(ctx, query);
  }

  @Get(':id')
  @Authorize('manage', 'InspectorAppointment')
  @ApiOkResponse({ type: AppointmentResponse, headers: ETAG_HEADER })
  @ApiProblems([404, 'No such appointment (`not_found`)'])
  get(@UuidParam() id: string): Promise<AppointmentResponse> {
    return this.appointments.get(id);
  }

  @Post(':id/end')
  @HttpCode(200)
  @Authorize('manage', 'InspectorAppointment')
  @ApiOperation({ summary: 'End an appointment before its last day: access stops at once' })
  @ApiIfMatch('appointment')
  @ApiOkResponse({ type: AppointmentResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [404, 'No such appointment (`not_found`)'],
    [
      409,
      'Stale If-Match (`version_conflict`), or ended or expired already (`appointment_not_open`)',
    ],
  )
  end(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
  ): Promise<AppointmentResponse> {
    return this.appointments.end(ctx, id, version);
  }
}
