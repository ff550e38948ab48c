import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { DatabaseOutage } from './database-outage.js';
import { dataSourceOptions } from './data-source-options.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url, config.env.DATABASE_POOL_SIZE, {
          statementTimeoutMs: config.env.DATABASE_STATEMENT_TIMEOUT * 1000,
          lockTimeoutMs: config.env.DATABASE_LOCK_TIMEOUT * 1000,
          queryTimeoutMs: config.env.DATABASE_QUERY_TIMEOUT * 1000,
        }),
        autoLoadEntities: true,
        migrationsRun: false,
        // Fail fast with a clear message instead of retrying a wrong DATABASE_URL for 30 s.
        retryAttempts: 2,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DatabaseOutage],
  exports: [DatabaseOutage],
})
export class DatabaseModule {}
