import { Module } from '@nestjs/common';
import { SubjectAccessModule } from '../subject-access/subject-access.module.js';
import { PrisonersController } from './prisoners.controller.js';
import { PrisonersRepository } from './prisoners.repository.js';
import { PrisonersService } from './prisoners.service.js';

/** Subject access: an official copy on release not yet given follows the release date. */
@Module({
  imports: [SubjectAccessModule],
  controllers: [PrisonersController],
  providers: [PrisonersService, PrisonersRepository],
  exports: [PrisonersService],
})
export class PrisonersModule {}
