import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AccessModule } from './access/access.module.js';
import { AppStartup } from './app-startup.service.js';
import { AssessmentsModule } from './assessments/assessments.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { DatabaseRuntime } from './config/app-config.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { EmergencyAccessModule } from './emergency-access/emergency-access.module.js';
import { FacilitiesModule } from './facilities/facilities.module.js';
import { HealthModule } from './health/health.module.js';
import { InstrumentsModule } from './instruments/instruments.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { PlansModule } from './plans/plans.module.js';
import { PrisonersModule } from './prisoners/prisoners.module.js';
import { ReviewsModule } from './reviews/reviews.module.js';
import { UsersModule } from './users/users.module.js';

export interface AppModuleOptions {
  database: DatabaseRuntime;
  /** Environment overrides (tests); the process environment supplies the rest. */
  env?: Record<string, string>;
  /** Where logs go instead of stdout (tests). */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.database, options.env),
        LoggingModule.forRoot(options.logDestination),
        DatabaseModule,
        AuditModule,
        AccessModule,
        AuthModule,
        UsersModule,
        PrisonersModule,
        EmergencyAccessModule,
        AssessmentsModule,
        PlansModule,
        ReviewsModule,
        InstrumentsModule,
        FacilitiesModule,
        HealthModule,
        DemoModule,
      ],
      providers: [AppStartup],
    };
  }
}
