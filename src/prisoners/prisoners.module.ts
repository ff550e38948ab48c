import { Module } from '@nestjs/common';
import { PrisonersController } from './prisoners.controller.js';
import { PrisonersRepository } from './prisoners.repository.js';
import { PrisonersService } from './prisoners.service.js';

@Module({
  controllers: [PrisonersController],
  providers: [PrisonersService, PrisonersRepository],
  exports: [PrisonersService],
})
export class PrisonersModule {}
