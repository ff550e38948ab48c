import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { ReviewsService } from '../reviews/reviews.service.js';
import { ComplaintsController } from './complaints.controller.js';
import { ComplaintsRepository } from './complaints.repository.js';
import { ComplaintsService } from './complaints.service.js';

/** Global so that the pages can reach it. */
@Global()
@Module({
  controllers: [ComplaintsController],
  providers: [ComplaintsService, ComplaintsRepository],
  exports: [ComplaintsService],
})
export class ComplaintsModule implements OnModuleInit {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly complaints: ComplaintsService,
  ) {}

  /** Complaints to answer and ill-treatment allegations to refer appear in `GET /reviews/due`. */
  onModuleInit(): void {
    this.reviews.addSource((ctx, query) => this.complaints.dueItems(ctx, query));
  }
}
