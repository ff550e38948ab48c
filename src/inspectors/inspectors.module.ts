import { Module } from '@nestjs/common';
import { InspectorAppointmentsController } from './inspector-appointments.controller.js';
import { InspectorAppointmentsService } from './inspector-appointments.service.js';

@Module({
  controllers: [InspectorAppointmentsController],
  providers: [InspectorAppointmentsService],
  exports: [InspectorAppointmentsService],
})
export class InspectorsModule {}
