import { Module } from '@nestjs/common';
import { PrisonersController } from './prisoners.controller.js';
import { PrisonersService } from './prisoners.service.js';

@Module({
  controllers: [PrisonersController],
  providers: [PrisonersService],
  exports: [PrisonersService],
})
export class PrisonersModule {}
