import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import type { Page } from '../http/page.js';
import { UuidParam } from '../http/uuid-param.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { ComplaintsService } from './complaints.service.js';
import {
  AnswerComplaintDto,
  ComplaintPageResponse,
  ComplaintResponse,
  ComplaintStaffResponse,
  CreateComplaintDto,
  ListComplaintsQueryDto,
  ReferComplaintDto,
} from './dto/complaint.dto.js';

@ApiTags('complaints')
@Controller()
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @Post('prisoners/:id/complaints')
  @Idempotent()
  @Authorize('create', 'Complaint')
  @ApiOperation({
    summary:
      'Record a complaint, verbatim (Mandela Rules 56-57): made to staff, it is routed to a supervisor of the facility whom it does not concern; made to an inspector (recorded by the inspector), it is confidential and the inspector handles it',
  })
  @ApiCreatedResponse({ type: ComplaintResponse })
  @ApiProblems(
    [
      400,
      'Bad input (`validation_failed`), including `receivedOn` in the future, `concernsStaffIds[i]` not an active member of staff of the facility, or an `assignedToId` who may not handle it',
    ],
    [403, 'The caller’s roles do not record complaints (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
    [
      409,
      'No active supervisor of the facility whom the complaint does not concern (`no_impartial_handler`)',
    ],
  )
  create(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateComplaintDto,
  ): Promise<ComplaintResponse> {
    return this.complaints.create(ctx, id, dto);
  }

  @Get('prisoners/:id/complaint-staff')
  @Authorize('create', 'Complaint')
  @ApiOperation({
    summary:
      'The staff a complaint about this prisoner may name as concerned (`concernsStaffIds`): the active staff of the prisoner’s facility, for those who record complaints there',
  })
  @ApiOkResponse({ type: ComplaintStaffResponse })
  @ApiProblems(
    [403, 'The caller’s roles do not record complaints for this prisoner (`forbidden`)'],
    [404, 'No such prisoner in the caller’s scope (`not_found`)'],
  )
  async staff(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
  ): Promise<ComplaintStaffResponse> {
    return { items: await this.complaints.staffChoices(ctx, id) };
  }

  @Get('prisoners/:id/complaints')
  @Authorize('read', 'Complaint')
  @ApiOperation({ summary: 'A prisoner’s complaints, newest first, in the caller’s view' })
  @ApiOkResponse({ type: ComplaintPageResponse })
  @ApiProblems([404, 'No such prisoner in the caller’s scope (`not_found`)'])
  listFor(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Query() query: ListComplaintsQueryDto,
  ): Promise<Page<ComplaintResponse>> {
    return this.complaints.listFor(ctx, id, query);
  }

  @Get('complaints')
  @Authorize('read', 'Complaint')
  @ApiOperation({ summary: 'Complaints in the caller’s scope, newest first' })
  @ApiOkResponse({ type: ComplaintPageResponse })
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListComplaintsQueryDto,
  ): Promise<Page<ComplaintResponse>> {
    return this.complaints.list(ctx, query);
  }

  @Get('complaints/:id')
  @Authorize('read', 'Complaint')
  @ApiOperation({
    summary:
      'One complaint: the full view has the words, the response, the staff it concerns and the anti-retaliation watch; the summary view leaves them out',
  })
  @ApiOkResponse({ type: ComplaintResponse })
  @ApiProblems([404, 'No such complaint in the caller’s scope (`not_found`)'])
  get(@Ctx() ctx: RequestContext, @UuidParam() id: string): Promise<ComplaintResponse> {
    return this.complaints.get(ctx, id);
  }

  @Post('complaints/:id/answer')
  @HttpCode(200)
  @Authorize('answer', 'Complaint')
  @ApiOperation({
    summary:
      'Answer a complaint with a reasoned response and an outcome, once (the one it is assigned to); an ill-treatment allegation is referred first',
  })
  @ApiOkResponse({ type: ComplaintResponse })
  @ApiProblems(
    [403, 'The complaint is assigned to someone else (`forbidden`)'],
    [404, 'No such complaint in the caller’s scope (`not_found`)'],
    [
      409,
      'Answered already (`already_answered`), or an ill-treatment allegation not yet referred (`referral_required`)',
    ],
  )
  answer(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: AnswerComplaintDto,
  ): Promise<ComplaintResponse> {
    return this.complaints.answer(ctx, id, dto);
  }

  @Post('complaints/:id/referrals')
  @Idempotent()
  @Authorize('refer', 'Complaint')
  @ApiOperation({
    summary:
      'Record the referral of a complaint to an independent authority (Mandela Rule 57(3)): by the one it is assigned to, or for a complaint made to staff any supervisor of the facility',
  })
  @ApiCreatedResponse({
    type: ComplaintResponse,
    description: 'The complaint, with the referral last in `referrals`',
  })
  @ApiProblems(
    [
      400,
      'Bad input (`validation_failed`), including `referredOn` in the future or before the complaint was received',
    ],
    [403, 'The caller may not refer this complaint (`forbidden`)'],
    [404, 'No such complaint in the caller’s scope (`not_found`)'],
  )
  refer(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: ReferComplaintDto,
  ): Promise<ComplaintResponse> {
    return this.complaints.refer(ctx, id, dto);
  }
}
