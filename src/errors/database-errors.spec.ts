import { describe, expect, it } from '@jest/globals';
import { databaseFailure } from './database-errors.js';

const pgError = (code: string) => Object.assign(new Error('x'), { code });
const wrapped = (driverError: unknown) =>
  Object.assign(new Error('query failed'), { name: 'QueryFailedError', driverError });

describe('databaseFailure', () => {
  it('names a server going away, starting or unreachable as unavailable', () => {
    for (const error of [
      wrapped(pgError('57P01')),
      wrapped(pgError('57P03')),
      wrapped(pgError('08006')),
      wrapped(pgError('53300')),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('released'), { name: 'QueryRunnerProviderAlreadyReleasedError' }),
      Object.assign(new Error('released'), { name: 'QueryRunnerAlreadyReleasedError' }),
      Object.assign(new Error('outer'), { cause: new Error('Connection terminated') }),
    ]) {
      expect(databaseFailure(error)).toBe('unavailable');
    }
  });

  it('names statement and lock timeouts as timeouts', () => {
    expect(databaseFailure(wrapped(pgError('57014')))).toBe('timeout');
    expect(databaseFailure(wrapped(pgError('55P03')))).toBe('timeout');
    expect(databaseFailure(new Error('Query read timeout'))).toBe('timeout');
  });

  it('leaves errors a client or the code caused alone', () => {
    for (const error of [
      wrapped(pgError('23505')),
      wrapped(pgError('22P02')),
      new Error('something else'),
      undefined,
      'text',
    ]) {
      expect(databaseFailure(error)).toBeUndefined();
    }
  });
});
