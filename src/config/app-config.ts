import {
  loadAuditSigningKey,
  loadTokenSigningKey,
  type SigningKeyPair,
} from '../crypto/key-material.js';
import type { Env } from './env.js';

export interface DatabaseRuntime {
  url: string;
  /** True when the service started its own embedded PostgreSQL (the zero-configuration default). */
  embedded: boolean;
}

/** The validated configuration, the resolved database and the key material, injected anywhere. */
export class AppConfig {
  readonly tokenSigningKey: Uint8Array;
  readonly auditSigningKey: SigningKeyPair;

  constructor(
    readonly env: Env,
    readonly database: DatabaseRuntime,
  ) {
    this.tokenSigningKey = loadTokenSigningKey(env.TOKEN_SIGNING_KEY, env.DATA_DIR);
    this.auditSigningKey = loadAuditSigningKey(env.AUDIT_SIGNING_KEY, env.DATA_DIR);
  }

  /** Demo data is seeded on the embedded default, or when SEED_DEMO says so. */
  get seedDemo(): boolean {
    return this.env.SEED_DEMO ?? this.database.embedded;
  }
}
