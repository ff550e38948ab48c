import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Role } from '../../access/roles.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import type { Actor } from '../../auth/actor.js';
import { AuthService } from '../../auth/auth.service.js';
import { originOf } from '../../auth/decorators.js';
import { AppConfig } from '../../config/app-config.js';
import { isLocale, type Locale } from '../i18n/catalogue.js';
import { LOCALE_COOKIE, type ActiveGrant } from '../common/page-state.js';

export const SESSION_COOKIE = 'vep_session';
export const CSRF_COOKIE = '_csrf';
/** A session's last activity is written at most this often. */
const TOUCH_EVERY_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cookie that names the session: httpOnly, SameSite=Strict, Secure whenever over HTTPS. */
export const sessionCookieOptions = {
  path: '/',
  httpOnly: true,
  sameSite: 'strict',
  secure: 'auto',
  signed: true,
} as const;

const CLEAR = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

export type SessionLookup =
  | { state: 'none' }
  /** The session ended elsewhere: signed out, expired, revoked by an account change. */
  | { state: 'ended'; reason: string }
  /** The session was idle too long and has just been ended. */
  | { state: 'idle' }
  | {
      state: 'live';
      actor: Actor;
      locale: Locale | null;
      idle: { timeoutSeconds: number; remainingSeconds: number };
      grants: ActiveGrant[];
    };

interface SessionRow {
  live: boolean;
  revoked_reason: string | null;
  idle_seconds: number;
  locale: string | null;
  username: string;
  roles: Role[];
}

/**
 * The web interface's sessions: a signed cookie naming a `user_session` row (the same rows the
 * API's tokens name), so signing out, deactivation and role or facility changes end a browser
 * session at once. Idle time is tracked in the row, so every instance sees the same.
 */
@Injectable()
export class UiSessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auth: AuthService,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  get idleTimeoutSeconds(): number {
    return this.config.env.UI_IDLE_TIMEOUT;
  }

  /** The session the request's cookie names, if any; ends it when it has been idle too long. */
  async lookup(request: FastifyRequest, options: { touch: boolean }): Promise<SessionLookup> {
    const ids = this.cookieIds(request);
    if (!ids) return { state: 'none' };
    const [row]: SessionRow[] = await this.dataSource.query(
      `SELECT s.revoked_at IS NULL AND s.expires_at > now() AND u.active AS live, s.revoked_reason,
         extract(epoch FROM now() - s.last_seen_at)::float8 AS idle_seconds, u.locale, u.username, u.roles
       FROM user_session s JOIN app_user u ON u.id = s.user_id
       WHERE s.id = $1 AND s.user_id = $2`,
      [ids.sessionId, ids.userId],
    );
    if (!row) return { state: 'none' };
    if (!row.live) return { state: 'ended', reason: row.revoked_reason ?? 'expired' };
    const timeout = this.idleTimeoutSeconds;
    if (row.idle_seconds >= timeout) {
      await this.endIdle(request, ids, row);
      return { state: 'idle' };
    }
    let idleSeconds = row.idle_seconds;
    if (options.touch && idleSeconds >= TOUCH_EVERY_SECONDS) {
      await this.touch(ids.sessionId);
      idleSeconds = 0;
    }
    const actor = await this.auth.actorForSession(ids.sessionId, ids.userId);
    if (!actor) return { state: 'ended', reason: 'expired' };
    return {
      state: 'live',
      actor,
      locale: isLocale(row.locale) ? row.locale : null,
      idle: { timeoutSeconds: timeout, remainingSeconds: Math.floor(timeout - idleSeconds) },
      grants: await this.grants(actor),
    };
  }

  /** "Stay signed in": the session counts as active from now. */
  async touch(sessionId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE user_session SET last_seen_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId],
    );
  }

  /** Sets the cookie for a session that AuthService.signIn opened. */
  start(reply: FastifyReply, ids: { sessionId: string; userId: string }): void {
    reply.setCookie(SESSION_COOKIE, `${ids.sessionId}.${ids.userId}`, sessionCookieOptions);
    // A new CSRF secret for the new session: a token seen before signing in is worth nothing.
    reply.clearCookie(CSRF_COOKIE, CLEAR);
  }

  /** Removes the session cookie (and the CSRF secret that went with it). */
  clear(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, CLEAR);
    reply.clearCookie(CSRF_COOKIE, CLEAR);
  }

  /** The signed-in user's interface language, kept for their next session on any computer. */
  async setLocale(userId: string, locale: Locale): Promise<void> {
    await this.dataSource.query(`UPDATE app_user SET locale = $2 WHERE id = $1`, [userId, locale]);
  }

  /** The language a user chose before, or null. */
  async storedLocale(userId: string): Promise<Locale | null> {
    const [row]: { locale: string | null }[] = await this.dataSource.query(
      `SELECT locale FROM app_user WHERE id = $1`,
      [userId],
    );
    return isLocale(row?.locale) ? row.locale : null;
  }

  /** Remembers the language in a cookie, for the pages shown before signing in. */
  rememberLocale(reply: FastifyReply, locale: Locale): void {
    reply.setCookie(LOCALE_COOKIE, locale, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      maxAge: 365 * 86400,
    });
  }

  cookieIds(request: FastifyRequest): { sessionId: string; userId: string } | undefined {
    const raw = request.cookies?.[SESSION_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return undefined;
    const [sessionId, userId] = unsigned.value.split('.');
    if (!UUID.test(sessionId ?? '') || !UUID.test(userId ?? '')) return undefined;
    return { sessionId, userId };
  }

  /** When each of the user's live emergency grants expires (the actor carries only their ids). */
  private async grants(actor: Actor): Promise<ActiveGrant[]> {
    if (actor.emergencyGrants.length === 0) return [];
    const rows: { id: string; prisoner_id: string; expires_at: Date }[] =
      await this.dataSource.query(
        `SELECT id, prisoner_id, expires_at FROM emergency_access
         WHERE id = ANY($1::uuid[]) AND user_id = $2 AND expires_at > now()`,
        [actor.emergencyGrants.map((g) => g.id), actor.id],
      );
    return rows.map((r) => ({
      id: r.id,
      prisonerId: r.prisoner_id,
      expiresAt: r.expires_at.toISOString(),
    }));
  }

  private async endIdle(
    request: FastifyRequest,
    ids: { sessionId: string; userId: string },
    row: SessionRow,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // UPDATE answers [rows, count]; another request may have ended it first.
      const [, count]: [unknown[], number] = await m.query(
        `UPDATE user_session SET revoked_at = now(), revoked_reason = 'idle'
         WHERE id = $1 AND revoked_at IS NULL`,
        [ids.sessionId],
      );
      if (count === 0) return;
      await this.audit.append(
        m,
        {
          ...originOf(request),
          actor: { id: ids.userId, username: row.username, roles: row.roles },
        },
        [
          {
            action: 'auth.logout',
            entityType: 'session',
            entityId: ids.sessionId,
            details: { reason: 'idle' },
          },
        ],
      );
    });
  }
}
