import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, type DatabaseRuntime } from './app-config.js';
import { Env, validateEnv } from './env.js';

@Global()
@Module({})
export class AppConfigModule {
  /** `overrides` replace environment variables (tests use it instead of mutating process.env). */
  static forRoot(database: DatabaseRuntime, overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          cache: true,
          validate: (raw) => validateEnv({ ...raw, ...overrides }),
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => {
            const env = Object.assign(
              new Env(),
              Object.fromEntries(Object.keys(new Env()).map((key) => [key, config.get(key)])),
            );
            return new AppConfig(env, database);
          },
        },
      ],
      exports: [AppConfig],
    };
  }
}
