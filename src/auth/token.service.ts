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

  async sign(claims: TokenClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
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
      if (known.expiresAt > Date.now()) return { userId: known.userId, sessionId: known.sessionId };
      this.verified.delete(cacheKey);
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !payload.exp) {
        return undefined;
      }
      const claims = { userId: payload.sub, sessionId: payload.sid };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) {
        this.verified.delete(this.verified.keys().next().value!);
      }
      this.verified.set(cacheKey, { ...claims, expiresAt: payload.exp * 1000 });
      return claims;
    } catch {
      return undefined;
    }
  }
}
