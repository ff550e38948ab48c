import { Module } from '@nestjs/common';
import { EmergencyAccessController } from './emergency-access.controller.js';
import { EmergencyAccessRepository } from './emergency-access.repository.js';
import { EmergencyAccessService } from './emergency-access.service.js';

@Module({
  controllers: [EmergencyAccessController],
  providers: [EmergencyAccessService, EmergencyAccessRepository],
  exports: [EmergencyAccessService],
})
export class EmergencyAccessModule {}
