import { Module } from '@nestjs/common';
import { MeasureClock } from './measure-clock.js';
import { RestrictiveMeasuresController } from './restrictive-measures.controller.js';
import { RestrictiveMeasuresRepository } from './restrictive-measures.repository.js';
import { RestrictiveMeasuresService } from './restrictive-measures.service.js';

@Module({
  controllers: [RestrictiveMeasuresController],
  providers: [RestrictiveMeasuresService, RestrictiveMeasuresRepository, MeasureClock],
  exports: [RestrictiveMeasuresService, MeasureClock],
})
export class RestrictiveMeasuresModule {}
