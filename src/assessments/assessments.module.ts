import { Module } from '@nestjs/common';
import { ApprovedAssessments } from './approved-assessments.service.js';

@Module({
  providers: [ApprovedAssessments],
  exports: [ApprovedAssessments],
})
export class AssessmentsModule {}
