import { Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../config/app-config.js';
import { AnonymousPage, PageController } from '../common/page-controller.js';
import { render } from '../common/render.js';

/**
 * The privacy notice and the accessibility statement, linked from every page's footer and open
 * without signing in. What only the operator can say (who is responsible, the lawful basis,
 * retention, a contact) comes from configuration, shown as given.
 */
@PageController()
export class AboutPagesController {
  constructor(private readonly config: AppConfig) {}

  @Get('privacy')
  @AnonymousPage()
  privacy(@Res() reply: FastifyReply): Promise<void> {
    const env = this.config.env;
    return render(reply, 'pages/about/privacy.njk', {
      controller: env.PRIVACY_CONTROLLER,
      lawfulBasis: env.PRIVACY_LAWFUL_BASIS,
      retention: env.PRIVACY_RETENTION,
      contact: env.SERVICE_CONTACT,
      subjectAccessDays: Math.round(env.SUBJECT_ACCESS_PERIOD / 86400),
      challengeDays: Math.round(env.CHALLENGE_RESPONSE_PERIOD / 86400),
    });
  }

  @Get('accessibility')
  @AnonymousPage()
  accessibility(@Res() reply: FastifyReply): Promise<void> {
    return render(reply, 'pages/about/accessibility.njk', {
      contact: this.config.env.SERVICE_CONTACT,
    });
  }
}
