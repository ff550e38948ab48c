import { Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';

const ISSUER = 'vep-casework';
const AUDIENCE = 'vep-casework-api';
const VERIFIED_CACHE_SIZE = 10_000;

export interface TokenClaims {
  userId: string;
  sessionId: string;
  /** The session's token generation when the token was issued; refreshing moves it on. */
  generation: number;
}

/**
 * Short-lived HS256 access tokens. A token alone proves nothing: its session must be live,
 * which AuthService checks in the database on every request.
 */
@Injectable()
export class TokenService {
  private readonly key: KeyObject;
  /**
   * Tokens whose signature and claims were already checked, until they expire: a client sends
   * the same token with every request, and checking the HMAC again proves nothing new.
   */
  private readonly verified = new Map<string, TokenClaims & { expiresAt: number }>();

  constructor(private readonly config: AppConfig) {
    this.key = createSecretKey(config.tokenSigningKey);
  }

  get ttlSeconds(): number {
    return this.config.env.ACCESS_TOKEN_TTL;
  }

  /** A new session's first token has generation 1. */
  async sign(claims: Omit<TokenClaims, 'generation'> & { generation?: number }): Promise<string> {
    return new SignJWT({ sid: claims.sessionId, gen: claims.generation ?? 1 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<TokenClaims | undefined> {
    const cacheKey = createHash('sha256').update(token).digest('base64');
    const known = this.verified.get(cacheKey);
    if (known) {
      if (known.expiresAt > Date.now()) {
        return { userId: known.userId, sessionId: known.sessionId, generation: known.generation };
      }
      this.verified.delete(cacheKey);
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      const { sub, sid, gen, exp } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || !exp) return undefined;
      if (typeof gen !== 'number' || !Number.isSafeInteger(gen) || gen < 1) return undefined;
      const claims = { userId: sub, sessionId: sid, generation: gen };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) {
        this.verified.delete(this.verified.keys().next().value!);
      }
      this.verified.set(cacheKey, { ...claims, expiresAt: exp * 1000 });
      return claims;
    } catch {
      return undefined;
    }
  }
}
