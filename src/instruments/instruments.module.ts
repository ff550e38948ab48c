import { Module } from '@nestjs/common';
import { DeploymentInstruments } from './deployment/deployment-instruments.service.js';
import { InstrumentsController } from './instruments.controller.js';
import { InstrumentsService } from './instruments.service.js';

@Module({
  controllers: [InstrumentsController],
  providers: [InstrumentsService, DeploymentInstruments],
  exports: [InstrumentsService, DeploymentInstruments],
})
export class InstrumentsModule {}
