import { Module } from '@nestjs/common';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { ApprovedAssessments } from './approved-assessments.service.js';
import { AssessmentsController } from './assessments.controller.js';
import { AssessmentsRepository } from './assessments.repository.js';
import { AssessmentsService } from './assessments.service.js';
import { ContributionsService } from './team/contributions.service.js';
import { CountersignAssignmentsService } from './team/countersign-assignments.service.js';
import { RatingSetsService } from './team/rating-sets.service.js';
import { TeamController } from './team/team.controller.js';
import { TeamRepository } from './team/team.repository.js';

@Module({
  imports: [InstrumentsModule],
  controllers: [AssessmentsController, TeamController],
  providers: [
    AssessmentsService,
    AssessmentsRepository,
    ApprovedAssessments,
    TeamRepository,
    ContributionsService,
    CountersignAssignmentsService,
    RatingSetsService,
  ],
  exports: [
    AssessmentsService,
    ApprovedAssessments,
    ContributionsService,
    CountersignAssignmentsService,
    RatingSetsService,
  ],
})
export class AssessmentsModule {}
