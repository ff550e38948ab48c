import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import type { Page } from '../http/page.js';
import { AuditQueryService } from './audit-query.service.js';
import type { VerifyResult } from './audit-verifier.js';
import {
  AuditEventPageResponse,
  AuditExportQueryDto,
  AuditQueryDto,
  AuditVerifyQueryDto,
  AuditVerifyResponse,
  type AuditEventResponse,
} from './dto/audit-query.dto.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get('events')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({
    summary: 'Audit events in the supervisor’s facilities (and system events), newest first',
  })
  @ApiOkResponse({ type: AuditEventPageResponse })
  events(
    @Ctx() ctx: RequestContext,
    @Query() query: AuditQueryDto,
  ): Promise<Page<AuditEventResponse>> {
    return this.audit.events(ctx, query);
  }

  @Get('events/export')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({
    summary: 'Stream matching events as NDJSON or CSV',
    description:
      'NDJSON: one AuditEvent (the schema of /audit/events items) per line, unchanged. CSV: a header row and one row per event, every cell quoted and formula characters neutralised for spreadsheets (see README).',
  })
  @ApiOkResponse({
    description: 'The events, streamed in batches (`format` decides the media type)',
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="audit-events.ndjson" (or .csv)',
        required: true,
        schema: { type: 'string' },
      },
    },
    content: {
      'application/x-ndjson': {
        schema: { type: 'string', description: 'One JSON AuditEvent per line' },
      },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async export(
    @Ctx() ctx: RequestContext,
    @Query() query: AuditExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stream = await this.audit.export(ctx, query);
    const csv = query.format === 'csv';
    await reply
      .header(
        'content-type',
        csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      )
      .header(
        'content-disposition',
        `attachment; filename="audit-events.${csv ? 'csv' : 'ndjson'}"`,
      )
      .send(stream);
  }

  @Get('verify')
  @Authorize('verify', 'AuditEvent')
  @ApiOperation({
    summary: 'Verify the hash chains, heads and signed checkpoints',
    description:
      'Incremental by default: trusts the newest signed verification mark and checks what follows it ' +
      '(under a second at any size); `full=true` checks every event. A signature by a key that is not ' +
      'trusted is reported in `untrustedKeys` (status `unverifiable`), never as tampering.',
  })
  @ApiOkResponse({ type: AuditVerifyResponse })
  verify(@Ctx() ctx: RequestContext, @Query() query: AuditVerifyQueryDto): Promise<VerifyResult> {
    return this.audit.verify(ctx, query.full ? 'full' : 'incremental');
  }
}
