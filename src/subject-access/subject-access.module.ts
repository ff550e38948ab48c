import { Module, type OnModuleInit } from '@nestjs/common';
import { ReviewsService } from '../reviews/reviews.service.js';
import { SubjectAccessController } from './subject-access.controller.js';
import { SubjectAccessRepository } from './subject-access.repository.js';
import { SubjectAccessService } from './subject-access.service.js';

@Module({
  controllers: [SubjectAccessController],
  providers: [SubjectAccessService, SubjectAccessRepository],
  exports: [SubjectAccessService],
})
export class SubjectAccessModule implements OnModuleInit {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly subjectAccess: SubjectAccessService,
  ) {}

  /** Official copies on release not yet requested appear in `GET /reviews/due`. */
  onModuleInit(): void {
    this.reviews.addSource((ctx, query) => this.subjectAccess.dueReleaseCopies(ctx, query));
  }
}
