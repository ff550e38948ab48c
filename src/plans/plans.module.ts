import { Module, type OnModuleInit } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module.js';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { ReviewsService } from '../reviews/reviews.service.js';
import { PlanDeliveryService } from './plan-delivery.service.js';
import { PlanReader } from './plan-reader.service.js';
import { PlanRevisionsService } from './plan-revisions.service.js';
import { PlansController } from './plans.controller.js';
import { PlansRepository } from './plans.repository.js';
import { PlansService } from './plans.service.js';

@Module({
  imports: [AssessmentsModule, InstrumentsModule],
  controllers: [PlansController],
  providers: [PlansService, PlanRevisionsService, PlanDeliveryService, PlanReader, PlansRepository],
  exports: [PlansService, PlanRevisionsService, PlanDeliveryService],
})
export class PlansModule implements OnModuleInit {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly plans: PlansService,
  ) {}

  /** Plan reviews due appear in `GET /reviews/due` beside reassessments. */
  onModuleInit(): void {
    this.reviews.addSource((ctx, query) => this.plans.duePlanReviews(ctx, query));
  }
}
