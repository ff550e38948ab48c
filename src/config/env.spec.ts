import { describe, expect, it } from '@jest/globals';
import { ConfigError, validateEnv } from './env.js';

describe('validateEnv', () => {
  it('gives every variable its documented default', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATA_DIR: './.data',
      LOG_LEVEL: 'info',
      ACCESS_TOKEN_TTL: 900,
      MIGRATIONS_RUN: true,
      EMERGENCY_ACCESS_TTL: 14400,
      AUDIT_CHECKPOINT_EVERY: 1000,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_FAILURE_WINDOW: 86400,
      LOGIN_IP_MAX_FAILURES: 100,
      LOGIN_IP_FAILURE_WINDOW: 3600,
      LOGIN_MAX_DELAY: 900,
      RATE_LIMIT_PER_IP: 10000,
      RATE_LIMIT_PER_USER: 3000,
      RATE_LIMIT_WINDOW: 60,
      SEPARATE_SUPERVISOR_ROLE: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SEED_DEMO).toBeUndefined();
  });

  it('parses numbers, booleans and durations', () => {
    const env = validateEnv({
      PORT: '8080',
      ACCESS_TOKEN_TTL: '1h',
      SEED_DEMO: 'true',
      MIGRATIONS_RUN: 'false',
      EMERGENCY_ACCESS_TTL: '30m',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      ACCESS_TOKEN_TTL: 3600,
      SEED_DEMO: true,
      MIGRATIONS_RUN: false,
      EMERGENCY_ACCESS_TTL: 1800,
    });
  });

  it('takes the release-copy lead as an ISO-8601 duration of days, weeks or months', () => {
    expect(validateEnv({}).RELEASE_COPY_LEAD).toBe('P30D');
    expect(validateEnv({ RELEASE_COPY_LEAD: 'P6W' }).RELEASE_COPY_LEAD).toBe('P6W');
    expect(validateEnv({ RELEASE_COPY_LEAD: 'P1M' }).RELEASE_COPY_LEAD).toBe('P1M');
    for (const bad of ['30d', 'P', 'PT12H', 'P-1D', 'P30D; DROP TABLE prisoner'])
      expect(() => validateEnv({ RELEASE_COPY_LEAD: bad })).toThrow(/RELEASE_COPY_LEAD/);
  });

  it('takes the complaint periods as ISO 8601 durations of whole calendar units', () => {
    expect(validateEnv({})).toMatchObject({
      COMPLAINT_RESPONSE_PERIOD: 'P14D',
      COMPLAINT_WATCH_PERIOD: 'P6M',
    });
    expect(
      validateEnv({ COMPLAINT_RESPONSE_PERIOD: 'P2W', COMPLAINT_WATCH_PERIOD: 'P1Y6M' }),
    ).toMatchObject({ COMPLAINT_RESPONSE_PERIOD: 'P2W', COMPLAINT_WATCH_PERIOD: 'P1Y6M' });
    for (const bad of ['14d', 'P', 'P0D', 'PT12H', 'P-1D', '1 month'])
      expect(() => validateEnv({ COMPLAINT_RESPONSE_PERIOD: bad })).toThrow(
        /COMPLAINT_RESPONSE_PERIOD must be an ISO 8601 duration/,
      );
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      validateEnv({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        SEED_DEMO: 'maybe',
        ACCESS_TOKEN_TTL: 'soon',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'SEED_DEMO', 'ACCESS_TOKEN_TTL']) {
      expect(message).toContain(`${name}:`);
    }
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('never echoes a secret value in its message', () => {
    expect(() => validateEnv({ DEMO_PASSWORD: 'tiny-secret' })).toThrow(
      /DEMO_PASSWORD: DEMO_PASSWORD must be at least 12 characters$/m,
    );
    try {
      validateEnv({ DEMO_PASSWORD: 'tiny-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('tiny-secret');
    }
  });

  it('reads the web interface settings, and refuses ones it cannot use', () => {
    expect(validateEnv({})).toMatchObject({
      UI_IDLE_TIMEOUT: 1800,
      UI_DEFAULT_LOCALE: 'en',
      CHROMIUM_PATH: '/usr/bin/chromium',
    });
    expect(validateEnv({})).not.toHaveProperty('UI_TIME_ZONE', expect.anything());
    expect(
      validateEnv({ UI_IDLE_TIMEOUT: '10m', UI_DEFAULT_LOCALE: 'ru', UI_TIME_ZONE: 'Asia/Almaty' }),
    ).toMatchObject({ UI_IDLE_TIMEOUT: 600, UI_DEFAULT_LOCALE: 'ru', UI_TIME_ZONE: 'Asia/Almaty' });
    let error: unknown;
    try {
      validateEnv({
        UI_IDLE_TIMEOUT: '30s',
        UI_DEFAULT_LOCALE: 'de',
        UI_TIME_ZONE: 'Mars/Olympus',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^UI_IDLE_TIMEOUT:/m);
    expect(problems).toMatch(/^UI_DEFAULT_LOCALE:/m);
    expect(problems).toContain('UI_TIME_ZONE must be an IANA time zone such as Asia/Almaty');
  });
});
