import { Global, Module } from '@nestjs/common';
import { CaseOperations } from './case-operations.service.js';

/** Global: every case feature reads and changes its rows through CaseOperations. */
@Global()
@Module({ providers: [CaseOperations], exports: [CaseOperations] })
export class AccessModule {}
