import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { AuditCheckpoints } from './audit/audit-checkpoints.service.js';
import { AuditTrail } from './audit/audit-trail.service.js';
import { AppConfig } from './config/app-config.js';
import { runOrCheckMigrations } from './database/migrations.js';
import { DemoSeed } from './demo/demo-seed.service.js';
import { DeploymentInstruments } from './instruments/deployment/deployment-instruments.service.js';
import { InstrumentsService } from './instruments/instruments.service.js';
import { RuleSetImportError } from './instruments/rule-set-import.error.js';
import { TrainingService } from './training/training.service.js';
import { UsersService } from './users/users.service.js';

const STARTUP_ORIGIN = { requestId: 'startup', ip: 'local' };

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
    private readonly instruments: InstrumentsService,
    private readonly users: UsersService,
    private readonly training: TrainingService,
    private readonly deployment: DeploymentInstruments,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const applied = await runOrCheckMigrations(this.dataSource, this.config.env.MIGRATIONS_RUN);
    if (applied.length > 0) this.logger.log({ applied }, 'migrations applied');
    await this.audit.ensureChains();
    await this.users.warnAboutUnseparatedRoles();
    await this.importRuleSets();
    // The instruments each purpose uses must be among those just imported.
    await this.deployment.check();
    const uses = this.deployment.describe();
    if (Object.keys(uses).length > 0) this.logger.log({ uses }, 'instruments in use');
    if (this.config.seedDemo) await this.demo.run();
    // What arrived since the last checkpoint (a run that ended without one, by a crash or kill)
    // is signed before the first request.
    const signed = await this.checkpoints.checkpoint();
    if (signed) this.logger.log({ checkpoint: signed.id }, 'audit checkpoint signed at start-up');
    this.checkpoints.start();
  }

  /** Any invalid file or changed version stops start-up: the service never runs half-configured. */
  private async importRuleSets(): Promise<void> {
    const started = performance.now();
    const dir = resolve(this.config.env.RULE_SETS_DIR);
    const report = await this.instruments.importDirectory(STARTUP_ORIGIN, dir);
    if (report.errors.length > 0) throw new RuleSetImportError(dir, report.errors);
    this.logger.log(
      {
        dir,
        imported: report.imported.length,
        retired: report.retired.length,
        unchanged: report.unchanged.length,
        ms: Math.round(performance.now() - started),
      },
      'rule-sets ready',
    );
    // Practice cases and certification rules pin instrument versions, so they follow them.
    const trainingStarted = performance.now();
    const training = await this.training.importDirectory(STARTUP_ORIGIN, dir);
    if (training.errors.length > 0) throw new RuleSetImportError(dir, training.errors);
    this.logger.log(
      {
        dir,
        imported: training.imported.length,
        unchanged: training.unchanged,
        ms: Math.round(performance.now() - trainingStarted),
      },
      'training rule-sets ready',
    );
  }
}
