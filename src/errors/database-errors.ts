/**
 * Errors that say the database cannot answer now (not that the request is wrong): the server is
 * down, restarting or unreachable, the pool has no connection to give within its timeout, or a
 * statement or lock timeout fired. The client is told 503 with Retry-After, never 500.
 */
export type DatabaseFailure = 'unavailable' | 'timeout';

/** SQLSTATEs of a server that is going away, starting or out of connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53000', '58000', '58030']);
/** statement_timeout (query_canceled) and lock_timeout (lock_not_available). */
const TIMEOUT_STATES = new Set(['57014', '55P03']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** What node-postgres and its pool say when the connection is gone or cannot be had. */
const MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
  /^Query read timeout/,
  /^Connection timeout/,
];

export function databaseFailure(error: unknown, depth = 0): DatabaseFailure | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof e.code === 'string') {
    if (TIMEOUT_STATES.has(e.code)) return 'timeout';
    if (UNAVAILABLE_STATES.has(e.code) || e.code.startsWith('08') || NETWORK_CODES.has(e.code)) {
      return 'unavailable';
    }
  }
  // TypeORM releases a transaction's connection when the connection dies under it; the
  // transaction's next statement then meets this.
  const name = (e as { name?: unknown }).name;
  if (
    name === 'QueryRunnerProviderAlreadyReleasedError' ||
    name === 'QueryRunnerAlreadyReleasedError'
  ) {
    return 'unavailable';
  }
  if (typeof e.message === 'string') {
    if (e.message === 'Query read timeout') return 'timeout';
    if (MESSAGES.some((m) => m.test(e.message as string))) return 'unavailable';
  }
  return databaseFailure(e.driverError, depth + 1) ?? databaseFailure(e.cause, depth + 1);
}
