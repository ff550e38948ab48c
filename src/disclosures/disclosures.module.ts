import { Global, Module } from '@nestjs/common';
import { DisclosuresController } from './disclosures.controller.js';
import { DisclosuresRepository } from './disclosures.repository.js';
import { DisclosuresService } from './disclosures.service.js';

/** Global so that plans (release hand-overs) and subject access can write and read the log. */
@Global()
@Module({
  controllers: [DisclosuresController],
  providers: [DisclosuresService, DisclosuresRepository],
  exports: [DisclosuresService],
})
export class DisclosuresModule {}
