import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditCheckpoints } from './audit/audit-checkpoints.service.js';
import { AuditTrail } from './audit/audit-trail.service.js';
import { AppConfig } from './config/app-config.js';
import { runOrCheckMigrations } from './database/migrations.js';
import { DemoSeed } from './demo/demo-seed.service.js';

/** What must happen, in order, before the service takes requests. */
@Injectable()
export class AppStartup implements OnApplicationBootstrap {
  private readonly logger = new Logger(AppStartup.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditTrail,
    private readonly checkpoints: AuditCheckpoints,
    private readonly demo: DemoSeed,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const applied = await runOrCheckMigrations(this.dataSource, this.config.env.MIGRATIONS_RUN);
    if (applied.length > 0) this.logger.log({ applied }, 'migrations applied');
    await this.audit.ensureChains();
    if (this.config.seedDemo) await this.demo.run();
    this.checkpoints.start();
  }
}
