import { Module } from '@nestjs/common';
import { SubjectAccessController } from './subject-access.controller.js';
import { SubjectAccessRepository } from './subject-access.repository.js';
import { SubjectAccessService } from './subject-access.service.js';

@Module({
  controllers: [SubjectAccessController],
  providers: [SubjectAccessService, SubjectAccessRepository],
  exports: [SubjectAccessService],
})
export class SubjectAccessModule {}
