import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, Ctx } from '../auth/decorators.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiIfMatch, ETAG_HEADER, IfMatchVersion, SendsETag } from '../http/if-match.js';
import { UuidParam } from '../http/uuid-param.js';
import { PageQueryDto, type Page } from '../http/page.js';
import { CreateCertificationDto } from './dto/create-certification.dto.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageResponse, UserResponse } from './dto/user.response.js';
import { UsersService } from './users.service.js';
import { ApiProblems } from '../errors/problem.schema.js';
import { Idempotent } from '../idempotency/idempotency.js';

@ApiTags('users')
@Controller('users')
@SendsETag()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'List accounts (administrators)' })
  @ApiOkResponse({ type: UserPageResponse })
  list(@Query() query: PageQueryDto): Promise<Page<UserResponse>> {
    return this.users.list(query);
  }

  @Post()
  @Idempotent()
  @Authorize('manage', 'User')
  @ApiOperation({ summary: 'Create an account with roles and facility scope' })
  @ApiCreatedResponse({ type: UserResponse, headers: ETAG_HEADER })
  @ApiProblems([409, 'The username is taken (`username_taken`)'])
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(ctx, dto);
  }

  @Get(':id')
  @Authorize('manage', 'User')
  @ApiOkResponse({ type: UserResponse, headers: ETAG_HEADER })
  @ApiProblems([404, 'No such account (`not_found`)'])
  get(@UuidParam() id: string): Promise<UserResponse> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Authorize('manage', 'User')
  @ApiOperation({
    summary: 'Change name, roles, facilities, password or active flag',
    description:
      'Role, facility, password and deactivation changes end the user’s sessions at once.',
  })
  @ApiIfMatch('account')
  @ApiOkResponse({ type: UserResponse, headers: ETAG_HEADER })
  @ApiProblems(
    [
      403,
      'Administrators change neither their own roles (`own_roles_change`) nor their own password (`own_password_change`)',
    ],
    [
      409,
      'Stale If-Match (`version_conflict`), or no active administrator would remain (`last_administrator`)',
    ],
  )
  update(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponse> {
    return this.users.update(ctx, id, version, dto);
  }

  @Post(':id/certifications')
  @Idempotent()
  @Authorize('manage', 'Certification')
  @ApiOperation({ summary: 'Record that a user is certified for an instrument until a date' })
  @ApiCreatedResponse({ type: UserResponse, headers: ETAG_HEADER })
  @ApiProblems([404, 'No such account (`not_found`)'])
  certify(
    @Ctx() ctx: RequestContext,
    @UuidParam() id: string,
    @Body() dto: CreateCertificationDto,
  ): Promise<UserResponse> {
    return this.users.addCertification(ctx, id, dto);
  }
}
