import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthService } from './auth.service.js';
import { Authenticated, Ctx, Origin, Public } from './decorators.js';
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
  @ApiUnauthorizedResponse({ description: 'Invalid username or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts for this username' })
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
  @ApiOperation({ summary: 'A new access token on the current session' })
  @ApiOkResponse({ type: LoginResponse })
  refresh(@Ctx() ctx: RequestContext): Promise<LoginResponse> {
    return this.auth.refresh(ctx);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'End the current session; its tokens stop working at once' })
  logout(@Ctx() ctx: RequestContext): Promise<void> {
    return this.auth.logout(ctx);
  }
}
