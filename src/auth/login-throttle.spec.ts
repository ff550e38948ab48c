import { describe, expect, it } from '@jest/globals';
import { delaySeconds, throttleWait } from './login-throttle.js';

const policy = { usernameAllowance: 5, addressAllowance: 100, maxDelaySeconds: 900 };
const quiet = { usernameFailures: 0, addressFailures: 0 };

describe('sign-in throttle', () => {
  it('doubles the delay from one second up to the maximum', () => {
    expect([1, 2, 3, 4, 10, 11, 50].map((n) => delaySeconds(n, 900))).toEqual([
      1, 2, 4, 8, 512, 900, 900,
    ]);
  });

  it('lets the allowance through, then waits from this address’s own last failure', () => {
    expect(throttleWait({ ...quiet, usernameFailures: 4, sinceOwnLastFailure: 0 }, policy)).toBe(0);
    expect(throttleWait({ ...quiet, usernameFailures: 5, sinceOwnLastFailure: 0.2 }, policy)).toBe(
      1,
    );
    expect(throttleWait({ ...quiet, usernameFailures: 8, sinceOwnLastFailure: 3 }, policy)).toBe(5);
    expect(throttleWait({ ...quiet, usernameFailures: 8, sinceOwnLastFailure: 8 }, policy)).toBe(0);
  });

  it('never delays an address that has not failed for the username, however many others did', () => {
    expect(throttleWait({ ...quiet, usernameFailures: 10_000 }, policy)).toBe(0);
    expect(
      throttleWait({ ...quiet, usernameFailures: 10_000, sinceOwnLastFailure: 899 }, policy),
    ).toBe(1);
    expect(
      throttleWait({ ...quiet, usernameFailures: 10_000, sinceOwnLastFailure: 900 }, policy),
    ).toBe(0);
  });

  it('delays every attempt from an address that failed for many usernames', () => {
    const spraying = { ...quiet, addressFailures: 110, sinceAddressLastFailure: 10 };
    expect(throttleWait(spraying, policy)).toBe(900 - 10);
    expect(throttleWait({ ...spraying, addressFailures: 99 }, policy)).toBe(0);
  });
});
