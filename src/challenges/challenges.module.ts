import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { ReviewsService } from '../reviews/reviews.service.js';
import { ChallengesController } from './challenges.controller.js';
import { ChallengesRepository } from './challenges.repository.js';
import { ChallengesService } from './challenges.service.js';

/** Global so that subject access (the copy lists challenges) and the pages can reach it. */
@Global()
@Module({
  controllers: [ChallengesController],
  providers: [ChallengesService, ChallengesRepository],
  exports: [ChallengesService],
})
export class ChallengesModule implements OnModuleInit {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly challenges: ChallengesService,
  ) {}

  /** Challenges to answer and amendments they made due appear in `GET /reviews/due`. */
  onModuleInit(): void {
    this.reviews.addSource((ctx, query) => this.challenges.dueItems(ctx, query));
  }
}
