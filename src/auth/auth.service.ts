import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';
import { AuditTrail, type AuditOrigin } from '../audit/audit-trail.service.js';
import { prepared } from '../database/prepared.js';
import { ProblemException, type FieldError } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../users/password-hasher.js';
import { passwordProblem } from '../users/password-policy.js';
import type { Actor, EmergencyGrant, InspectionAppointment, TeamInstrument } from './actor.js';
import type { ChangePasswordDto } from './dto/change-password.dto.js';
import type { LoginDto, LoginResponse, ProfileResponse } from './dto/login.dto.js';
import { LoginThrottle } from './login-throttle.service.js';
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

const unauthenticated = () =>
  new ProblemException(401, 'unauthenticated', 'Unauthenticated', 'Sign in to use this endpoint');

const throttled = (retryAfter: number) =>
  new ProblemException(
    429,
    'login_throttled',
    'Too many requests',
    `Too many failed password attempts; try again in ${retryAfter} s`,
    { retryAfter },
  );

/** An attempt's result, decided in its transaction and thrown after it commits (its audit row stays). */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: ProblemException };

interface SessionRow {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  facility_ids: string[];
  grants: EmergencyGrant[];
  appointments: InspectionAppointment[];
  team_instruments: TeamInstrument[];
  countersign_assignments: string[];
  countersign_prisoners: string[];
  token_generation: number;
}

/** What a valid bearer token stands for: its live session's actor and the token's generation. */
export interface TokenSession {
  actor: Actor;
  tokenGeneration: number;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly audit: AuditTrail,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(dto: LoginDto, origin: RequestOrigin): Promise<LoginResponse> {
    const { userId, sessionId } = await this.signIn(dto, origin);
    return {
      accessToken: await this.tokens.sign({ userId, sessionId, generation: 1 }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      user: await this.profile(userId),
    };
  }

  /**
   * Checks the credentials under the throttle, opens a session and audits the attempt. Throws
   * 401 `invalid_credentials` (the same for an unknown user, a wrong password and an inactive
   * account) or 429 `login_throttled` with `retryAfter`.
   */
  async signIn(
    dto: LoginDto,
    origin: RequestOrigin,
  ): Promise<{ userId: string; sessionId: string }> {
    const username = dto.username.trim().toLowerCase();
    const attempt = await this.dataSource.transaction((m) =>
      this.attemptSignIn(m, username, dto.password, origin),
    );
    if (!attempt.ok) throw attempt.error;
    return attempt.value;
  }

  private async attemptSignIn(
    m: EntityManager,
    username: string,
    password: string,
    origin: RequestOrigin,
  ): Promise<Attempt<{ userId: string; sessionId: string }>> {
    await this.throttle.lock(m, username);
    const wait = await this.throttle.wait(m, username, origin.ip);
    const [user]: { id: string; password_hash: string; roles: Role[]; active: boolean }[] =
      await m.query(`SELECT id, password_hash, roles, active FROM app_user WHERE username = $1`, [
        username,
      ]);
    const auditOrigin: AuditOrigin = {
      ...origin,
      claimedUsername: username,
      actor: user ? { id: user.id, username, roles: user.roles } : null,
    };
    const denied = async (reason: string) =>
      this.audit.append(m, auditOrigin, [
        {
          action: 'auth.login',
          outcome: 'denied',
          entityType: 'user',
          entityId: user?.id,
          details: { reason },
        },
      ]);
    if (wait > 0) {
      await denied('throttled');
      return { ok: false, error: throttled(wait) };
    }
    const valid = user
      ? (await verifyPassword(user.password_hash, password)) && user.active
      : await verifyAgainstDummy(password);
    if (!valid || !user) {
      await this.throttle.recordFailure(m, username, origin.ip);
      await denied(!user ? 'unknown_user' : user.active ? 'bad_password' : 'inactive');
      return { ok: false, error: invalidCredentials() };
    }
    await this.throttle.clear(m, username, origin.ip);
    const [session]: { id: string }[] = await m.query(
      `INSERT INTO user_session (user_id, expires_at)
       VALUES ($1, now() + make_interval(hours => $2)) RETURNING id`,
      [user.id, SESSION_MAX_HOURS],
    );
    await this.audit.append(m, auditOrigin, [
      { action: 'auth.login', entityType: 'session', entityId: session.id },
    ]);
    return { ok: true, value: { userId: user.id, sessionId: session.id } };
  }

  /**
   * The actor behind a bearer token, or undefined when the token or its session is not valid
   * now. A token that its session has since replaced (refresh) ends the session: either its
   * holder or the one who refreshed it is not the rightful user.
   */
  async authenticate(token: string, origin: RequestOrigin): Promise<TokenSession | undefined> {
    const claims = await this.tokens.verify(token);
    if (!claims) return undefined;
    const row = await this.liveSession(claims.sessionId, claims.userId);
    if (!row) return undefined;
    if (claims.generation !== row.token_generation) {
      if (claims.generation < row.token_generation) {
        await this.endReusedSession(claims.sessionId, toActor(row, claims.sessionId), origin);
      }
      return undefined;
    }
    return { actor: toActor(row, claims.sessionId), tokenGeneration: claims.generation };
  }

  /**
   * The actor of a live session (not revoked or expired, the user active), with their current
   * roles, facilities and emergency grants: for sessions that are not carried by a bearer token.
   */
  async actorForSession(sessionId: string, userId: string): Promise<Actor | undefined> {
    const row = await this.liveSession(sessionId, userId);
    return row && toActor(row, sessionId);
  }

  private async liveSession(sessionId: string, userId: string): Promise<SessionRow | undefined> {
    const rows: SessionRow[] = await prepared(
      this.dataSource.manager,
      'auth-session-actor',
      `SELECT u.id, u.username, u.display_name, u.roles, s.token_generation,
         ARRAY(SELECT facility_id FROM user_facility WHERE user_id = u.id) AS facility_ids,
         COALESCE((SELECT json_agg(json_build_object('id', g.id, 'prisonerId', g.prisoner_id,
                                                    'reason', g.reason) ORDER BY g.granted_at)
                   FROM emergency_access g
                   WHERE g.user_id = u.id AND g.expires_at > now()), '[]') AS grants,
         CASE WHEN 'inspector' = ANY (u.roles) THEN COALESCE((
           SELECT json_agg(json_build_object('id', a.id, 'body', a.body,
                    'healthProfessional', a.health_professional, 'endsOn', a.ends_on::text,
                    'facilityIds', ARRAY(SELECT af.facility_id FROM inspector_appointment_facility af
                                         WHERE af.appointment_id = a.id))
                    ORDER BY a.starts_on, a.id)
           FROM inspector_appointment a
           WHERE a.user_id = u.id AND a.ended_at IS NULL
             AND current_date BETWEEN a.starts_on AND a.ends_on), '[]') ELSE '[]' END AS appointments,
         COALESCE((SELECT json_agg(json_build_object('versionId', iv.id,
                    'assessors', COALESCE(iv.team -> 'assessors', '["psychologist"]'),
                    'countersigners', COALESCE(iv.team -> 'countersigners', '["psychologist"]')))
                   FROM instrument_version iv
                   WHERE iv.team IS NOT NULL AND (iv.team ? 'assessors' OR iv.team ? 'countersigners')),
                  '[]') AS team_instruments,
         CASE WHEN 'psychologist' = ANY (u.roles) THEN ARRAY(
           SELECT ca.assessment_id FROM countersign_assignment ca
           WHERE ca.assignee_id = u.id AND ca.revoked_at IS NULL AND ca.used_at IS NULL)
         ELSE '{}' END AS countersign_assignments,
         CASE WHEN 'psychologist' = ANY (u.roles) THEN ARRAY(
           SELECT DISTINCT a.prisoner_id FROM countersign_assignment ca
           JOIN assessment a ON a.id = ca.assessment_id
           WHERE ca.assignee_id = u.id AND ca.revoked_at IS NULL AND ca.used_at IS NULL)
         ELSE '{}' END AS countersign_prisoners
       FROM user_session s JOIN app_user u ON u.id = s.user_id
       WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.active`,
      [sessionId, userId],
    );
    return rows[0];
  }

  private async endReusedSession(sessionId: string, actor: Actor, origin: RequestOrigin) {
    await this.dataSource.transaction(async (m) => {
      // TypeORM answers an UPDATE with [rows, affected].
      const [, ended]: [unknown[], number] = await m.query(
        `UPDATE user_session SET revoked_at = now(), revoked_reason = 'token_reuse'
         WHERE id = $1 AND revoked_at IS NULL`,
        [sessionId],
      );
      if (ended === 0) return;
      await this.audit.append(m, { ...origin, actor }, [
        {
          action: 'auth.token_reuse',
          outcome: 'denied',
          entityType: 'session',
          entityId: sessionId,
        },
      ]);
    });
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

  /**
   * A fresh token on the same session, so a long piece of work is not cut off mid-way. The
   * token presented is replaced: from now on it answers 401, and presenting it again ends the
   * session.
   */
  async refresh(ctx: RequestContext): Promise<LoginResponse> {
    const { actor, tokenGeneration } = ctx;
    if (tokenGeneration === undefined) {
      throw new ProblemException(
        400,
        'not_a_token_session',
        'Bad request',
        'Only a session signed in with a bearer token can refresh it',
      );
    }
    const generation = await this.dataSource.transaction(async (m) => {
      const [[row]]: [{ token_generation: number }[], number] = await m.query(
        `UPDATE user_session SET token_generation = token_generation + 1
         WHERE id = $1 AND user_id = $2 AND token_generation = $3
           AND revoked_at IS NULL AND expires_at > now()
         RETURNING token_generation`,
        [actor.sessionId, actor.id, tokenGeneration],
      );
      if (!row) return undefined;
      await this.audit.append(m, ctx, [
        {
          action: 'auth.refresh',
          entityType: 'session',
          entityId: actor.sessionId,
          details: { generation: row.token_generation },
        },
      ]);
      return row.token_generation;
    });
    if (generation === undefined) {
      // Another refresh with the same token won the race: this one is a reuse.
      await this.endReusedSession(actor.sessionId, actor, ctx);
      throw unauthenticated();
    }
    return {
      accessToken: await this.tokens.sign({
        userId: actor.id,
        sessionId: actor.sessionId,
        generation,
      }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      user: await this.profile(actor.id),
    };
  }

  /**
   * Self-service change with the current password (ASVS 2.1.5): the password policy applies,
   * wrong current passwords are throttled like sign-in, and the user's other sessions end.
   */
  async changePassword(ctx: RequestContext, dto: ChangePasswordDto): Promise<void> {
    const { actor } = ctx;
    const weak = passwordProblem(dto.newPassword, {
      username: actor.username,
      displayName: actor.displayName,
    });
    const newHash = weak ? undefined : await hashPassword(dto.newPassword);
    const attempt = await this.dataSource.transaction(async (m): Promise<Attempt<void>> => {
      await this.throttle.lock(m, actor.username);
      const denied = (reason: string) =>
        this.audit.append(m, ctx, [
          {
            action: 'auth.password_change',
            outcome: 'denied',
            entityType: 'user',
            entityId: actor.id,
            details: { reason },
          },
        ]);
      const wait = await this.throttle.wait(m, actor.username, ctx.ip);
      if (wait > 0) {
        await denied('throttled');
        return { ok: false, error: throttled(wait) };
      }
      const [user]: { password_hash: string }[] = await m.query(
        `SELECT password_hash FROM app_user WHERE id = $1 FOR UPDATE`,
        [actor.id],
      );
      const problems: FieldError[] = [];
      if (!(await verifyPassword(user.password_hash, dto.currentPassword))) {
        await this.throttle.recordFailure(m, actor.username, ctx.ip);
        await denied('bad_password');
        problems.push({ path: 'currentPassword', message: 'currentPassword is not correct' });
        if (weak) problems.push({ path: 'newPassword', message: `newPassword ${weak}` });
        return {
          ok: false,
          error: new ProblemException(
            400,
            'invalid_current_password',
            'Bad request',
            'The current password is not correct',
            { errors: problems },
          ),
        };
      }
      if (weak) problems.push({ path: 'newPassword', message: `newPassword ${weak}` });
      else if (dto.newPassword === dto.currentPassword) {
        problems.push({
          path: 'newPassword',
          message: 'newPassword must differ from the current password',
        });
      }
      if (problems.length > 0) return { ok: false, error: validationProblem(problems) };
      await this.throttle.clear(m, actor.username, ctx.ip);
      await m.query(
        `UPDATE app_user SET password_hash = $2, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [actor.id, newHash],
      );
      await m.query(
        `UPDATE user_session SET revoked_at = now(), revoked_reason = 'password_changed'
         WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL`,
        [actor.id, actor.sessionId],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'auth.password_change',
          entityType: 'user',
          entityId: actor.id,
          changedFields: ['password'],
        },
      ]);
      return { ok: true, value: undefined };
    });
    if (!attempt.ok) throw attempt.error;
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

const toActor = (row: SessionRow, sessionId: string): Actor => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  roles: row.roles,
  facilityIds: row.facility_ids,
  sessionId,
  emergencyGrants: row.grants,
  appointments: row.appointments,
  teamInstruments: row.team_instruments,
  countersignAssignments: row.countersign_assignments,
  countersignPrisoners: row.countersign_prisoners,
});
