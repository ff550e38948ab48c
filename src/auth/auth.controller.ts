import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthService } from './auth.service.js';
import { Authenticated, Ctx, Origin, Public } from './decorators.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { LoginDto, LoginResponse, ProfileResponse } from './dto/login.dto.js';
import type { RequestContext, RequestOrigin } from './request-context.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Sign in with username and password' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({
    description: 'Wrong username or password, or an inactive account (`invalid_credentials`)',
  })
  @ApiTooManyRequestsResponse({
    description:
      'Failed attempts for this username or from this address are being throttled ' +
      '(`login_throttled`), or the address reached its request limit (`rate_limited`): ' +
      'wait Retry-After seconds',
  })
  login(@Body() dto: LoginDto, @Origin() origin: RequestOrigin): Promise<LoginResponse> {
    return this.auth.login(dto, origin);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user, their roles and facilities' })
  @ApiOkResponse({ type: ProfileResponse })
  me(@Ctx() ctx: RequestContext): Promise<ProfileResponse> {
    return this.auth.profile(ctx.actor.id);
  }

  @Post('refresh')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'A new access token on the current session, replacing the one presented',
    description:
      'The presented token answers 401 from then on; presenting it again (or refreshing with ' +
      'it twice) ends the whole session, since someone else may hold it. Use only the new token.',
  })
  @ApiOkResponse({ type: LoginResponse })
  refresh(@Ctx() ctx: RequestContext): Promise<LoginResponse> {
    return this.auth.refresh(ctx);
  }

  @Post('password')
  @HttpCode(204)
  @Authenticated()
  @ApiTooManyRequestsResponse({
    description: 'Too many wrong current passwords (`login_throttled`): wait Retry-After',
  })
  @ApiOperation({
    summary: 'Change your own password',
    description:
      'Needs the current password; the password policy applies to the new one. Other sessions ' +
      'end; this one goes on. Wrong current passwords are throttled like sign-in.',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiBadRequestResponse({
    description:
      'The current password is wrong (`invalid_current_password`, naming `currentPassword`), or the new one is refused by the password policy (`validation_failed`, naming `newPassword`)',
  })
  changePassword(@Ctx() ctx: RequestContext, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(ctx, dto);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'End the current session; its tokens stop working at once' })
  @ApiNoContentResponse({ description: 'Signed out' })
  logout(@Ctx() ctx: RequestContext): Promise<void> {
    return this.auth.logout(ctx);
  }
}
