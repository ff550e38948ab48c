import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ProblemException } from '../errors/problem.exception.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../errors/problem.schema.js';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '../auth/decorators.js';

const INDICATORS = {
  type: 'object',
  description: 'Per indicator (`database`): its status and what it reports',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};
const HEALTH = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: INDICATORS,
    error: INDICATORS,
    details: INDICATORS,
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ schema: HEALTH })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'The service can serve requests (database reachable)' })
  @ApiOkResponse({ schema: HEALTH })
  @ApiProblem(
    503,
    'Not ready (`not_ready`): `checks` names each failing check (`database`) and what it reports',
  )
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.pingCheck('database').withTimeout(2000)]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      const checks = result.error ?? {};
      throw new ProblemException(
        503,
        'not_ready',
        'Service unavailable',
        `Failing: ${Object.keys(checks).join(', ') || 'unknown'}`,
        { checks, retryAfter: 5 },
      );
    }
  }
}
