import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  validateSync,
  ValidatorConstraint,
  type ValidationError,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { INSTRUMENT_CHOICE_PATTERN } from '../instruments/deployment/instrument-choice.js';
import { parseDurationSeconds } from './duration.js';

const choiceMessage = (name: string) =>
  `${name} must name an instrument as key, key@1.1.0 or key@^1.1.0, optionally followed by #judgement (for example ve-risk-spj@^1.1.0#custody_violence)`;

/** ISO 8601 durations of whole calendar units, not zero: P14D, P2W, P6M, P1Y2M. */
const ISO_CALENDAR_DURATION = /^P(?=\d*[1-9])(?:\d{1,4}Y)?(?:\d{1,4}M)?(?:\d{1,4}W)?(?:\d{1,5}D)?$/;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Interface languages with a complete message catalogue (src/ui/i18n). */
export const UI_LOCALES = ['en', 'ru'] as const;

@ValidatorConstraint({ name: 'isTimeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'UI_TIME_ZONE must be an IANA time zone such as Asia/Almaty';
  }
}

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toSeconds = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (parseDurationSeconds(value) ?? value) : value;
const emptyAsUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads, with its default. `.env.example` documents the
 * same list; `validateEnv` is the only place that reads `process.env`.
 */
export class Env {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyAsUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Longest one statement may run (PostgreSQL statement_timeout); 0: no limit. */
  @Transform(toSeconds)
  @IsInt({ message: 'DATABASE_STATEMENT_TIMEOUT must be a duration such as 15 or 1m (0: none)' })
  @Min(0)
  @Max(86400)
  DATABASE_STATEMENT_TIMEOUT = 15;

  /** Longest one statement may wait for a lock (PostgreSQL lock_timeout); 0: no limit. */
  @Transform(toSeconds)
  @IsInt({ message: 'DATABASE_LOCK_TIMEOUT must be a duration such as 5 or 1m (0: none)' })
  @Min(0)
  @Max(86400)
  DATABASE_LOCK_TIMEOUT = 5;

  /** Client-side limit on the answer to one query, for a server that stops answering; 0: none. */
  @Transform(toSeconds)
  @IsInt({ message: 'DATABASE_QUERY_TIMEOUT must be a duration such as 30 or 1m (0: none)' })
  @Min(0)
  @Max(86400)
  DATABASE_QUERY_TIMEOUT = 0;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  /** Longest a SIGTERM/SIGINT stop may take: requests still open then are cut. */
  @Transform(toSeconds)
  @IsInt({ message: 'SHUTDOWN_TIMEOUT must be a duration such as 10 or 30s' })
  @Min(1)
  @Max(600)
  SHUTDOWN_TIMEOUT = 10;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(toSeconds)
  @IsInt({ message: 'ACCESS_TOKEN_TTL must be a duration such as 900, 15m or 1h' })
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL = 900;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  TOKEN_SIGNING_KEY?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  AUDIT_SIGNING_KEY?: string;

  /** Public keys audit signatures are checked against (files, directories or PEM text). */
  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  AUDIT_TRUSTED_KEYS?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUDIT_CHECKPOINT_EVERY = 1000;

  @Transform(toSeconds)
  @IsInt({ message: 'AUDIT_CHECKPOINT_SECONDS must be a duration such as 60 or 5m' })
  @Min(1)
  AUDIT_CHECKPOINT_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  AUDIT_CHAINS = 16;

  /** Statistics: every count below this is suppressed (Mandela Rule 10 data without persons). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  STATISTICS_MIN_CELL = 5;

  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  SEED_DEMO?: boolean;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'DEMO_PASSWORD must be at least 12 characters' })
  DEMO_PASSWORD?: string;

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @IsString()
  RULE_SETS_DIR = 'rule-sets';

  /**
   * Which instrument (`key`, optionally `@version` or `@^range`, optionally `#judgement`) the
   * deployment uses for each purpose; unset keeps the behaviour without configuration. Start-up
   * refuses names the imported rule-sets do not have (src/instruments/deployment).
   */
  @Transform(emptyAsUndefined)
  @IsOptional()
  @Matches(INSTRUMENT_CHOICE_PATTERN, { message: choiceMessage('INSTRUMENT_FOR_PLAN_INTENSITY') })
  INSTRUMENT_FOR_PLAN_INTENSITY?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @Matches(INSTRUMENT_CHOICE_PATTERN, { message: choiceMessage('INSTRUMENT_FOR_PLAN_NEEDS') })
  INSTRUMENT_FOR_PLAN_NEEDS?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @Matches(INSTRUMENT_CHOICE_PATTERN, { message: choiceMessage('INSTRUMENT_FOR_INTAKE') })
  INSTRUMENT_FOR_INTAKE?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @Matches(INSTRUMENT_CHOICE_PATTERN, { message: choiceMessage('INSTRUMENT_FOR_TIMELINE') })
  INSTRUMENT_FOR_TIMELINE?: string;

  /** How long an Idempotency-Key of a create is remembered (its first answer replayed). */
  @Transform(toSeconds)
  @IsInt({ message: 'IDEMPOTENCY_TTL must be a duration such as 24h' })
  @Min(60)
  @Max(30 * 86400)
  IDEMPOTENCY_TTL = 24 * 3600;

  @Transform(toSeconds)
  @IsInt({ message: 'EMERGENCY_ACCESS_TTL must be a duration such as 4h' })
  @Min(60)
  @Max(7 * 86400)
  EMERGENCY_ACCESS_TTL = 4 * 3600;

  /** Failed sign-ins for one username (from any address) before delays begin. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toSeconds)
  @IsInt({ message: 'LOGIN_FAILURE_WINDOW must be a duration such as 24h' })
  @Min(1)
  LOGIN_FAILURE_WINDOW = 24 * 3600;

  /** Failed sign-ins from one address (for any usernames) before delays begin there. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_IP_MAX_FAILURES = 100;

  @Transform(toSeconds)
  @IsInt({ message: 'LOGIN_IP_FAILURE_WINDOW must be a duration such as 1h' })
  @Min(1)
  LOGIN_IP_FAILURE_WINDOW = 3600;

  /** The longest delay: it doubles from one second with every failure past the allowance. */
  @Transform(toSeconds)
  @IsInt({ message: 'LOGIN_MAX_DELAY must be a duration such as 15m' })
  @Min(1)
  @Max(86400)
  LOGIN_MAX_DELAY = 900;

  @Transform(toBoolean)
  @IsBoolean()
  TRUST_PROXY = false;

  /** Requests per client address in each RATE_LIMIT_WINDOW, in each instance. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_IP = 10_000;

  /** Requests per signed-in user in each RATE_LIMIT_WINDOW, in each instance. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_USER = 3_000;

  @Transform(toSeconds)
  @IsInt({ message: 'RATE_LIMIT_WINDOW must be a duration such as 1m' })
  @Min(1)
  @Max(86400)
  RATE_LIMIT_WINDOW = 60;

  /** Administration is always kept apart from case roles; this also separates supervision. */
  @Transform(toBoolean)
  @IsBoolean()
  SEPARATE_SUPERVISOR_ROLE = false;

  @Transform(toSeconds)
  @IsInt({ message: 'UI_IDLE_TIMEOUT must be a duration such as 30m' })
  @Min(120)
  @Max(12 * 3600)
  UI_IDLE_TIMEOUT = 30 * 60;

  @IsIn(UI_LOCALES)
  UI_DEFAULT_LOCALE: (typeof UI_LOCALES)[number] = 'en';

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @Validate(IsTimeZone)
  UI_TIME_ZONE?: string;

  @IsString()
  @MinLength(1)
  CHROMIUM_PATH = '/usr/bin/chromium';

  /** Statutory period to answer a prisoner's subject-access request (Mandela Rule 9). */
  @Transform(toSeconds)
  @IsInt({ message: 'SUBJECT_ACCESS_PERIOD must be a whole number of days such as 30d' })
  @Min(86400, { message: 'SUBJECT_ACCESS_PERIOD must be at least 1d' })
  @Max(366 * 86400)
  SUBJECT_ACCESS_PERIOD = 30 * 86400;

  /** The legal grounds a supervisor may give to withhold or redact part of a copy (comma list). */
  @Matches(/^[a-z][a-z0-9_]{0,59}(,[a-z][a-z0-9_]{0,59}){0,49}$/, {
    message: 'REDACTION_GROUNDS must be a comma-separated list of codes such as third_party,safety',
  })
  REDACTION_GROUNDS =
    'third_party_information,informant_identity,safety_of_others,ongoing_investigation,serious_harm_to_health,legal_professional_privilege';

  /** Time to answer a prisoner's challenge of an assessment or plan (Mandela Rule 57). */
  @Transform(toSeconds)
  @IsInt({ message: 'CHALLENGE_RESPONSE_PERIOD must be a whole number of days such as 14d' })
  @Min(86400, { message: 'CHALLENGE_RESPONSE_PERIOD must be at least 1d' })
  @Max(366 * 86400)
  CHALLENGE_RESPONSE_PERIOD = 14 * 86400;

  /** Time to amend an assessment or plan after a challenge of it is upheld. */
  @Transform(toSeconds)
  @IsInt({ message: 'CHALLENGE_AMENDMENT_PERIOD must be a whole number of days such as 28d' })
  @Min(86400, { message: 'CHALLENGE_AMENDMENT_PERIOD must be at least 1d' })
  @Max(366 * 86400)
  CHALLENGE_AMENDMENT_PERIOD = 28 * 86400;

  /**
   * How long before a prisoner's expected release date the official copy on release (Mandela
   * Rule 9) is listed as due, while no release-copy request exists (an ISO-8601 duration).
   */
  @Matches(ISO_CALENDAR_DURATION, {
    message: 'RELEASE_COPY_LEAD must be an ISO-8601 duration in days, weeks or months such as P30D',
  })
  RELEASE_COPY_LEAD = 'P30D';

  /**
   * Time to answer a prisoner's complaint (Mandela Rule 57(1): promptly), as an ISO 8601
   * duration of whole days, weeks, months or years (P14D, P2W, P1M); added to the day it was
   * received.
   */
  @Matches(ISO_CALENDAR_DURATION, {
    message: 'COMPLAINT_RESPONSE_PERIOD must be an ISO 8601 duration such as P14D or P1M',
  })
  COMPLAINT_RESPONSE_PERIOD = 'P14D';

  /**
   * How long after a complaint decisions affecting the complainant are listed beside it as its
   * anti-retaliation watch (Mandela Rule 57(2)), as an ISO 8601 duration (P6M, P90D).
   */
  @Matches(ISO_CALENDAR_DURATION, {
    message: 'COMPLAINT_WATCH_PERIOD must be an ISO 8601 duration such as P6M or P90D',
  })
  COMPLAINT_WATCH_PERIOD = 'P6M';

  /**
   * The operator's own words on the privacy notice (/privacy), shown as given in every language:
   * who is responsible for the data, the lawful basis of the processing, how long records are
   * kept, and whom to contact (also on the accessibility statement). Unset: the page says the
   * operator has not stated it yet.
   */
  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  PRIVACY_CONTROLLER?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  PRIVACY_LAWFUL_BASIS?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  PRIVACY_RETENTION?: string;

  @Transform(emptyAsUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  SERVICE_CONTACT?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(error: ValidationError): string {
  const messages = Object.values(error.constraints ?? {});
  const secret = /KEY|PASSWORD/.test(error.property);
  const shown = secret ? '' : ` (got ${JSON.stringify(error.value)})`;
  return `${error.property}: ${messages.join('; ')}${shown}`;
}

/** Validates the raw environment; throws a ConfigError naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const names = Object.keys(new Env());
  const input = Object.fromEntries(
    names.filter((n) => raw[n] !== undefined).map((n) => [n, raw[n]]),
  );
  const env = plainToInstance(Env, input);
  const errors = validateSync(env, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(errors.map(describe));
  return env;
}
