import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { addressKey } from '../http/client-address.js';
import { throttleWait, type ThrottlePolicy } from './login-throttle.js';

/** Every so many failures, rows older than both windows are deleted. */
const PRUNE_EVERY = 100;

/**
 * Failed password checks (sign-in, and the current password of a self-service change) in
 * PostgreSQL, so every instance applies the same throttle. Attempts that are refused while a
 * delay runs are not checked and not counted, so they cannot lengthen it.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly config: AppConfig) {}

  private get policy(): ThrottlePolicy {
    const env = this.config.env;
    return {
      usernameAllowance: env.LOGIN_MAX_FAILURES,
      addressAllowance: env.LOGIN_IP_MAX_FAILURES,
      maxDelaySeconds: env.LOGIN_MAX_DELAY,
    };
  }

  /**
   * Queues this transaction behind any other attempt for the username, so parallel guesses
   * cannot slip past the count. (Counts per address are not serialised: they may run over by
   * the number of attempts in flight at once.)
   */
  async lock(m: EntityManager, username: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`, [username]);
  }

  /** Whole seconds the attempt must still wait, or 0. */
  async wait(m: EntityManager, username: string, ip: string): Promise<number> {
    const env = this.config.env;
    const [row]: {
      username_failures: number;
      since_own: number | null;
      address_failures: number;
      since_address: number | null;
    }[] = await m.query(
      `WITH by_username AS (
         SELECT count(*)::int AS failures,
           extract(epoch FROM clock_timestamp() - max(occurred_at) FILTER (WHERE ip = $2))::float8 AS since_own
         FROM login_failure
         WHERE username = $1 AND occurred_at > clock_timestamp() - make_interval(secs => $3)
       ), by_address AS (
         SELECT count(*)::int AS failures,
           extract(epoch FROM clock_timestamp() - max(occurred_at))::float8 AS since
         FROM login_failure
         WHERE ip = $2 AND occurred_at > clock_timestamp() - make_interval(secs => $4)
       )
       SELECT u.failures AS username_failures, u.since_own,
         a.failures AS address_failures, a.since AS since_address
       FROM by_username u, by_address a`,
      [username, addressKey(ip), env.LOGIN_FAILURE_WINDOW, env.LOGIN_IP_FAILURE_WINDOW],
    );
    return throttleWait(
      {
        usernameFailures: row.username_failures,
        sinceOwnLastFailure: row.since_own ?? undefined,
        addressFailures: row.address_failures,
        sinceAddressLastFailure: row.since_address ?? undefined,
      },
      this.policy,
    );
  }

  async recordFailure(m: EntityManager, username: string, ip: string): Promise<void> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO login_failure (username, ip, occurred_at) VALUES ($1, $2, clock_timestamp())
       RETURNING id`,
      [username, addressKey(ip)],
    );
    if (BigInt(id) % BigInt(PRUNE_EVERY) === 0n) {
      const env = this.config.env;
      await m.query(
        `DELETE FROM login_failure WHERE occurred_at < now() - make_interval(secs => $1)`,
        [Math.max(env.LOGIN_FAILURE_WINDOW, env.LOGIN_IP_FAILURE_WINDOW)],
      );
    }
  }

  /** A right password from this address forgets that address's failures for the username. */
  async clear(m: EntityManager, username: string, ip: string): Promise<void> {
    await m.query(`DELETE FROM login_failure WHERE username = $1 AND ip = $2`, [
      username,
      addressKey(ip),
    ]);
  }
}
