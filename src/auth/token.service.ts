import { Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { AppConfig } from '../config/app-config.js';

const ISSUER = 'vep-casework';
const AUDIENCE = 'vep-casework-api';

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

/** Short-lived HS256 access tokens. A token alone proves nothing: its session must be live. */
@Injectable()
export class TokenService {
  constructor(private readonly config: AppConfig) {}

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
      .sign(this.config.tokenSigningKey);
  }

  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.config.tokenSigningKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return undefined;
      return { userId: payload.sub, sessionId: payload.sid };
    } catch {
      return undefined;
    }
  }
}
