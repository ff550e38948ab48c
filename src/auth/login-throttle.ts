/** The sign-in throttle's settings (LOGIN_* environment variables). */
export interface ThrottlePolicy {
  /** Failures for a username, from any address, before its delays begin. */
  usernameAllowance: number;
  /** Failures from an address, for any usernames, before its delays begin. */
  addressAllowance: number;
  maxDelaySeconds: number;
}

/** What the database knows of recent failures that bear on one attempt. */
export interface ThrottleState {
  /** Failures for this username, from any address, within the username window. */
  usernameFailures: number;
  /** Seconds since this address last failed for this username; undefined if it has not. */
  sinceOwnLastFailure?: number;
  /** Failures from this address, for any usernames, within the address window. */
  addressFailures: number;
  /** Seconds since this address last failed for any username; undefined if it has not. */
  sinceAddressLastFailure?: number;
}

/** One second for the first failure past the allowance, doubling with each further one. */
export function delaySeconds(pastAllowance: number, maxDelaySeconds: number): number {
  return Math.min(maxDelaySeconds, 2 ** Math.min(pastAllowance - 1, 30));
}

/**
 * Whole seconds this attempt must still wait (0: it may be checked now).
 *
 * - The username's failures, from every address, decide how long the delay is; it runs from
 *   the last failure *this address* made for the username. An attacker who keeps failing from
 *   elsewhere therefore lengthens the delay but never restarts it for someone else: an address
 *   that has not failed for the username is not delayed at all, and one that has (the user's own
 *   slip) waits at most LOGIN_MAX_DELAY after its own last failure.
 * - An address's failures over all usernames (password spraying) delay every attempt from it.
 */
export function throttleWait(state: ThrottleState, policy: ThrottlePolicy): number {
  let wait = 0;
  if (
    state.usernameFailures >= policy.usernameAllowance &&
    state.sinceOwnLastFailure !== undefined
  ) {
    const past = state.usernameFailures - policy.usernameAllowance + 1;
    wait = Math.max(wait, delaySeconds(past, policy.maxDelaySeconds) - state.sinceOwnLastFailure);
  }
  if (
    state.addressFailures >= policy.addressAllowance &&
    state.sinceAddressLastFailure !== undefined
  ) {
    const past = state.addressFailures - policy.addressAllowance + 1;
    wait = Math.max(
      wait,
      delaySeconds(past, policy.maxDelaySeconds) - state.sinceAddressLastFailure,
    );
  }
  return wait > 0 ? Math.ceil(wait) : 0;
}
