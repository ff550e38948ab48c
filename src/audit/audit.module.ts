import { Global, Module } from '@nestjs/common';
import { AuditArchiver } from './audit-archive.service.js';
import { AuditCheckpoints } from './audit-checkpoints.service.js';
import { AuditController } from './audit.controller.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditTrail } from './audit-trail.service.js';

/** Global: every feature writes its audit rows through AuditTrail in its own transactions. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditTrail, AuditCheckpoints, AuditQueryService, AuditArchiver],
  exports: [AuditTrail, AuditCheckpoints, AuditQueryService, AuditArchiver],
})
export class AuditModule {}
