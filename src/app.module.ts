import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
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
import { ChallengesModule } from './challenges/challenges.module.js';
import { ComplaintsModule } from './complaints/complaints.module.js';
import { DisclosuresModule } from './disclosures/disclosures.module.js';
import { SubjectAccessModule } from './subject-access/subject-access.module.js';
import { EmergencyAccessModule } from './emergency-access/emergency-access.module.js';
import { FacilitiesModule } from './facilities/facilities.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { InstrumentsModule } from './instruments/instruments.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { PlansModule } from './plans/plans.module.js';
import { PrisonersModule } from './prisoners/prisoners.module.js';
import { ReviewsModule } from './reviews/reviews.module.js';
import { TrainingModule } from './training/training.module.js';
import { UiModule } from './ui/ui.module.js';
import { UsersModule } from './users/users.module.js';
import { InspectorsModule } from './inspectors/inspectors.module.js';
import { RestrictiveMeasuresModule } from './restrictive-measures/restrictive-measures.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';

/**
 * The modules whose controllers make up the HTTP API, served under /api/v1. The prefix is given
 * per module (RouterModule) rather than globally, because the web pages live at the site root on
 * the same paths (`/prisoners/:id` is a page, `/api/v1/prisoners/:id` its API). A module with
 * API controllers that is missing here would answer at the root; a test of the OpenAPI document
 * (test/ui-html/security-headers.e2e-spec.ts) fails when an operation is outside /api/v1.
 */
export const API_MODULES: Type[] = [
  AuditModule,
  AuthModule,
  UsersModule,
  PrisonersModule,
  EmergencyAccessModule,
  AssessmentsModule,
  PlansModule,
  ReviewsModule,
  InstrumentsModule,
  FacilitiesModule,
  DisclosuresModule,
  ChallengesModule,
  ComplaintsModule,
  SubjectAccessModule,
  TrainingModule,
  InspectorsModule,
  RestrictiveMeasuresModule,
  StatisticsModule,
];
export const API_PREFIX = 'api/v1';

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
        AccessModule,
        ...API_MODULES,
        RouterModule.register(API_MODULES.map((module) => ({ path: API_PREFIX, module }))),
        HealthModule,
        IdempotencyModule,
        UiModule,
        DemoModule,
      ],
      providers: [AppStartup],
    };
  }
}
