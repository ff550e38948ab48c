import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';
import { AuditTrail, type AuditOrigin } from '../audit/audit-trail.service.js';
import { AppConfig } from '../config/app-config.js';
import { prepared } from '../database/prepared.js';
import { ProblemException } from '../errors/problem.exception.js';
import { verifyAgainstDummy, verifyPassword } from '../users/password-hasher.js';
import type { Actor, EmergencyGrant } from './actor.js';
import type { LoginDto, LoginResponse, ProfileResponse } from './dto/login.dto.js';
import type { RequestContext, RequestOrigin } from './request-context.js';
import { TokenService } from './token.service.js';

/** A session lives at most this long; tokens inside it are refreshed every ACCESS_TOKEN_TTL. */
const SESSION_MAX_HOURS = 12;

const invalidCredentials = () =>
  new ProblemException(
    401,
    'invalid_credentials',
    'Unauthenticated',
    'Invalid username or password',
  );

type LoginOutcome =
  | { ok: true; userId: string; sessionId: string }
  | { ok: false; locked: false }
  | { ok: false; locked: true; retryAfter: number };

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  async login(dto: LoginDto, origin: RequestOrigin): Promise<LoginResponse> {
    const { userId, sessionId } = await this.signIn(dto, origin);
    return {
      accessToken: await this.tokens.sign({ userId, sessionId }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      user: await this.profile(userId),
    };
  }

  /** Checks the credentials and opens a session (the API's token and the web cookie name it). */
  async signIn(
    dto: LoginDto,
    origin: RequestOrigin,
  ): Promise<{ userId: string; sessionId: string }> {
    const username = dto.username.trim().toLowerCase();
    const outcome = await this.dataSource.transaction((m) =>
      this.attemptLogin(m, username, dto.password, origin),
    );
    if (!outcome.ok && outcome.locked) {
      throw new ProblemException(
        429,
        'login_locked',
        'Too many requests',
        'Too many failed sign-in attempts for this username; try again later',
        { retryAfter: outcome.retryAfter },
      );
    }
    if (!outcome.ok) throw invalidCredentials();
    return { userId: outcome.userId, sessionId: outcome.sessionId };
  }

  private async attemptLogin(
    m: EntityManager,
    username: string,
    password: string,
    origin: RequestOrigin,
  ): Promise<LoginOutcome> {
    // Attempts for one username queue here, so parallel guesses cannot slip past the count.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('login:' || $1))`, [username]);
    const { LOGIN_MAX_FAILURES: max, LOGIN_FAILURE_WINDOW: window } = this.config.env;
    const [lock]: { retry_after: number }[] = await m.query(
      `SELECT ceil(extract(epoch FROM occurred_at + make_interval(secs => $2) - now()))::int AS retry_after
       FROM login_failure WHERE username = $1 AND occurred_at > now() - make_interval(secs => $2)
       ORDER BY occurred_at DESC OFFSET $3 - 1 LIMIT 1`,
      [username, window, max],
    );
    const [user]: { id: string; password_hash: string; roles: Role[]; active: boolean }[] =
      await m.query(`SELECT id, password_hash, roles, active FROM app_user WHERE username = $1`, [
        username,
      ]);
    const auditOrigin: AuditOrigin = {
      ...origin,
      claimedUsername: username,
      actor: user ? { id: user.id, username, roles: user.roles } : null,
    };
    if (lock) {
      await this.audit.append(m, auditOrigin, [
        {
          action: 'auth.login',
          outcome: 'denied',
          entityType: 'user',
          entityId: user?.id,
          details: { reason: 'locked' },
        },
      ]);
      return { ok: false, locked: true, retryAfter: Math.max(1, lock.retry_after) };
    }
    const valid = user
      ? (await verifyPassword(user.password_hash, password)) && user.active
      : await verifyAgainstDummy(password);
    if (!valid || !user) {
      await m.query(`INSERT INTO login_failure (username) VALUES ($1)`, [username]);
      const reason = !user ? 'unknown_user' : user.active ? 'bad_password' : 'inactive';
      await this.audit.append(m, auditOrigin, [
        {
          action: 'auth.login',
          outcome: 'denied',
          entityType: 'user',
          entityId: user?.id,
          details: { reason },
        },
      ]);
      return { ok: false, locked: false };
    }
    await m.query(`DELETE FROM login_failure WHERE username = $1`, [username]);
    const [session]: { id: string }[] = await m.query(
      `INSERT INTO user_session (user_id, expires_at)
       VALUES ($1, now() + make_interval(hours => $2)) RETURNING id`,
      [user.id, SESSION_MAX_HOURS],
    );
    await this.audit.append(m, auditOrigin, [
      { action: 'auth.login', entityType: 'session', entityId: session.id },
    ]);
    return { ok: true, userId: user.id, sessionId: session.id };
  }

  /** The actor behind a token, or undefined when the token or its session is not valid now. */
  async authenticate(token: string): Promise<Actor | undefined> {
    const claims = await this.tokens.verify(token);
    if (!claims) return undefined;
    return this.actorForSession(claims.sessionId, claims.userId);
  }

  /** The actor of a live session, or undefined when it ended (logout, expiry, deactivation). */
  async actorForSession(sessionId: string, userId: string): Promise<Actor | undefined> {
    const rows: {
      id: string;
      username: string;
      display_name: string;
      roles: Role[];
      facility_ids: string[];
      grants: EmergencyGrant[];
    }[] = await prepared(
      this.dataSource.manager,
      'auth-session-actor',
      `SELECT u.id, u.username, u.display_name, u.roles,
         ARRAY(SELECT facility_id FROM user_facility WHERE user_id = u.id) AS facility_ids,
         COALESCE((SELECT json_agg(json_build_object('id', g.id, 'prisonerId', g.prisoner_id,
                                                    'reason', g.reason) ORDER BY g.granted_at)
                   FROM emergency_access g
                   WHERE g.user_id = u.id AND g.expires_at > now()), '[]') AS grants
       FROM user_session s JOIN app_user u ON u.id = s.user_id
       WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.active`,
      [sessionId, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles,
      facilityIds: row.facility_ids,
      sessionId,
      emergencyGrants: row.grants,
    };
  }

  async logout(ctx: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE user_session SET revoked_at = now(), revoked_reason = 'logout'
         WHERE id = $1 AND revoked_at IS NULL`,
        [ctx.actor.sessionId],
      );
      await this.audit.append(m, ctx, [
        { action: 'auth.logout', entityType: 'session', entityId: ctx.actor.sessionId },
      ]);
    });
  }

  /** A fresh token on the same session, so a long piece of work is not cut off mid-way. */
  async refresh(ctx: RequestContext): Promise<LoginResponse> {
    return {
      accessToken: await this.tokens.sign({ userId: ctx.actor.id, sessionId: ctx.actor.sessionId }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      user: await this.profile(ctx.actor.id),
    };
  }

  /** Ends every live session of a user, in the caller's transaction. */
  async revokeSessions(m: EntityManager, userId: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE user_session SET revoked_at = now(), revoked_reason = $2
       WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
  }

  async profile(userId: string): Promise<ProfileResponse> {
    const [row]: {
      id: string;
      username: string;
      display_name: string;
      roles: Role[];
      facilities: { id: string; code: string; name: string }[];
    }[] = await this.dataSource.query(
      `SELECT u.id, u.username, u.display_name, u.roles,
         COALESCE((SELECT json_agg(json_build_object('id', f.id, 'code', f.code, 'name', f.name)
                                   ORDER BY f.code)
                   FROM user_facility uf JOIN facility f ON f.id = uf.facility_id
                   WHERE uf.user_id = u.id), '[]') AS facilities
       FROM app_user u WHERE u.id = $1`,
      [userId],
    );
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles,
      facilities: row.facilities,
    };
  }
}
