import { applyDecorators, Controller, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/decorators.js';
import { ANONYMOUS_PAGE, UiGuard } from '../session/ui.guard.js';

/**
 * A controller of web pages, served at the site root. The API's bearer-token guard lets these
 * routes through (`Public`) because UiGuard authenticates them by the session cookie and applies
 * the same @Authorize rules; pages stay out of the OpenAPI document.
 */
export const PageController = (path = '') =>
  applyDecorators(Controller(path), Public(), ApiExcludeController(), UseGuards(UiGuard));

/** A page anyone may open without signing in (sign-in, signed out, timeout). */
export const AnonymousPage = () => SetMetadata(ANONYMOUS_PAGE, true);
