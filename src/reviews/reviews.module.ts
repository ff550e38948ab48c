import { Global, Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module.js';
import { PrisonerEventsService } from './prisoner-events.service.js';
import { ReviewsController } from './reviews.controller.js';
import { ReviewsService } from './reviews.service.js';

/** Global so that prisoners (transfers) and plans (their due reviews) can reach it. */
@Global()
@Module({
  imports: [AssessmentsModule],
  controllers: [ReviewsController],
  providers: [PrisonerEventsService, ReviewsService],
  exports: [PrisonerEventsService, ReviewsService],
})
export class ReviewsModule {}
