import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module.js';
import { UsersModule } from '../users/users.module.js';
import { SubjectAccessModule } from '../subject-access/subject-access.module.js';
import { InspectorsModule } from '../inspectors/inspectors.module.js';
import { RestrictiveMeasuresModule } from '../restrictive-measures/restrictive-measures.module.js';
import { StatisticsModule } from '../statistics/statistics.module.js';
import { InspectionHome } from './inspection/inspection-home.js';
import { InspectionPagesController } from './inspection/inspection-pages.controller.js';
import { AppointmentPagesController } from './inspection/appointment-pages.controller.js';
import { FacilitiesModule } from '../facilities/facilities.module.js';
import { EmergencyAccessModule } from '../emergency-access/emergency-access.module.js';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { PrisonersModule } from '../prisoners/prisoners.module.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { TrainingModule } from '../training/training.module.js';
import { TrainingPagesController } from './training/training-pages.controller.js';
import { TrainingWorkspaceController } from './training/training-workspace.controller.js';
import { AssessmentPageData } from './assessments/assessment-page-data.js';
import { AssessmentPagesController } from './assessments/assessment-pages.controller.js';
import { AssessmentPrintController } from './assessments/assessment-print.controller.js';
import { TriggerReviewController } from './assessments/trigger-review.controller.js';
import { TeamPagesController } from './assessments/team-pages.controller.js';
import { AssessmentStartController } from './assessments/assessment-start.controller.js';
import { HomeController } from './home/home.controller.js';
import { HomeSections } from './home/home-sections.js';
import { AdminHome } from './admin/admin-home.js';
import { AboutPagesController } from './about/about-pages.controller.js';
import { AdminPagesController } from './admin/admin-pages.controller.js';
import { AuditPagesController } from './oversight/audit-pages.controller.js';
import { OversightHome } from './oversight/oversight-home.js';
import { OversightPagesController } from './oversight/oversight-pages.controller.js';
import { PlanDeliveryPagesController } from './plans/plan-delivery-pages.controller.js';
import { PlanItemsPagesController } from './plans/plan-items-pages.controller.js';
import { PlanPages } from './plans/plan-page.service.js';
import { PlanPagesController } from './plans/plan-pages.controller.js';
import { PlanRevisionPagesController } from './plans/plan-revision-pages.controller.js';
import { PlansHome } from './plans/plans-home.js';
import { MyWorkSections } from './home/my-work.sections.js';
import { PdfRenderer } from './pdf/pdf-renderer.service.js';
import { PrisonerPagesController } from './prisoners/prisoner-pages.controller.js';
import { RecordPagesController } from './records/record-pages.controller.js';
import { RecordsHome } from './records/records-home.js';
import { SessionPagesController } from './session/session-pages.controller.js';
import { UiGuard } from './session/ui.guard.js';
import { UiSessionService } from './session/ui-session.service.js';
import { ChallengePagesController } from './rights/challenge-pages.controller.js';
import { ComplaintPagesController } from './rights/complaint-pages.controller.js';
import { DisclosurePagesController } from './rights/disclosure-pages.controller.js';
import { SubjectAccessPagesController } from './rights/subject-access-pages.controller.js';

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
    FacilitiesModule,
    UsersModule,
    SubjectAccessModule,
    TrainingModule,
    InspectorsModule,
    RestrictiveMeasuresModule,
    StatisticsModule,
  ],
  controllers: [
    SessionPagesController,
    AboutPagesController,
    HomeController,
    PrisonerPagesController,
    AssessmentStartController,
    AssessmentPrintController,
    TriggerReviewController,
    TeamPagesController,
    AssessmentPagesController,
    PlanPagesController,
    PlanItemsPagesController,
    PlanDeliveryPagesController,
    PlanRevisionPagesController,
    OversightPagesController,
    AuditPagesController,
    RecordPagesController,
    AdminPagesController,
    ChallengePagesController,
    ComplaintPagesController,
    DisclosurePagesController,
    SubjectAccessPagesController,
    TrainingPagesController,
    TrainingWorkspaceController,
    InspectionPagesController,
    AppointmentPagesController,
  ],
  providers: [
    UiSessionService,
    UiGuard,
    HomeSections,
    MyWorkSections,
    AssessmentPageData,
    PdfRenderer,
    PlanPages,
    PlansHome,
    OversightHome,
    RecordsHome,
    AdminHome,
    InspectionHome,
  ],
  exports: [UiSessionService, HomeSections],
})
export class UiModule {}
