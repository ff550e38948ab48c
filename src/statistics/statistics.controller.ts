import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiProblems } from '../errors/problem.schema.js';
import {
  StatisticsExportQueryDto,
  StatisticsQueryDto,
  StatisticsResponse,
} from './dto/statistics.dto.js';
import { StatisticsService } from './statistics.service.js';

@ApiTags('statistics')
@Controller('statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @Authorize('read', 'Statistics')
  @ApiOperation({
    summary:
      'Counts by facility and month or quarter in the caller’s facilities, small cells suppressed (Mandela Rule 10)',
  })
  @ApiOkResponse({ type: StatisticsResponse })
  @ApiProblems([404, 'facilityId is not one of the caller’s facilities (`not_found`)'])
  tables(
    @Ctx() ctx: RequestContext,
    @Query() query: StatisticsQueryDto,
  ): Promise<StatisticsResponse> {
    return this.statistics.tables(ctx, query);
  }

  @Get('export')
  @Authorize('read', 'Statistics')
  @ApiOperation({
    summary: 'The same counts as CSV: one line per cell, totals included, suppression marked',
  })
  @ApiOkResponse({
    description:
      'table, facility, period, category, count (`suppressed` where withheld); complaint tables ' +
      'count complaints made to staff only, and confidential ones too in an inspector’s export',
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="statistics.csv"',
        required: true,
        schema: { type: 'string' },
      },
    },
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiProblems([404, 'facilityId is not one of the caller’s facilities (`not_found`)'])
  async export(
    @Ctx() ctx: RequestContext,
    @Query() query: StatisticsExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const csv = await this.statistics.csv(ctx, query);
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="statistics.csv"')
      .send(csv);
  }
}
