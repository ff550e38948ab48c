import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module.js';
import { EmergencyAccessModule } from '../emergency-access/emergency-access.module.js';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { PrisonersModule } from '../prisoners/prisoners.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { AssessmentPageData } from './assessments/assessment-page-data.js';
import { AssessmentPagesController } from './assessments/assessment-pages.controller.js';
import { AssessmentPrintController } from './assessments/assessment-print.controller.js';
import { AssessmentStartController } from './assessments/assessment-start.controller.js';
import { HomeController } from './home/home.controller.js';
import { HomeSections } from './home/home-sections.js';
import { MyWorkSections } from './home/my-work.sections.js';
import { PdfRenderer } from './pdf/pdf-renderer.service.js';
import { PrisonerPagesController } from './prisoners/prisoner-pages.controller.js';
import { SessionPagesController } from './session/session-pages.controller.js';
import { UiGuard } from './session/ui.guard.js';
import { UiSessionService } from './session/ui-session.service.js';

/**
 * The web interface: server-rendered pages at the site root, calling the same services as the
 * API. Cookies, CSRF, views and static assets are set up by `setupUi` (configure-app).
 */
@Module({
  imports: [
    PrisonersModule,
    AssessmentsModule,
    PlansModule,
    ReviewsModule,
    EmergencyAccessModule,
    InstrumentsModule,
  ],
  controllers: [
    SessionPagesController,
    HomeController,
    PrisonerPagesController,
    AssessmentStartController,
    AssessmentPrintController,
    AssessmentPagesController,
  ],
  providers: [
    UiSessionService,
    UiGuard,
    HomeSections,
    MyWorkSections,
    AssessmentPageData,
    PdfRenderer,
  ],
  exports: [UiSessionService, HomeSections],
})
export class UiModule {}
