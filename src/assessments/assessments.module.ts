import { Module } from '@nestjs/common';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { ApprovedAssessments } from './approved-assessments.service.js';
import { AssessmentsController } from './assessments.controller.js';
import { AssessmentsRepository } from './assessments.repository.js';
import { AssessmentsService } from './assessments.service.js';

@Module({
  imports: [InstrumentsModule],
  controllers: [AssessmentsController],
  providers: [AssessmentsService, AssessmentsRepository, ApprovedAssessments],
  exports: [AssessmentsService, ApprovedAssessments],
})
export class AssessmentsModule {}
