import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './canonical-json.js';

/**
 * Key material never lives in the database: it comes from the environment or, when absent,
 * from a file generated once under DATA_DIR/keys with mode 0600 (a secret volume in production).
 */
function readOrCreateKeyFile(dataDir: string, name: string, create: () => string): string {
  const dir = join(dataDir, 'keys');
  const path = join(dir, name);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, 0o600);
    return readFileSync(path, 'utf8');
  }
  ensureKeyDir(dataDir);
  const content = create();
  try {
    writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs so every instance signs with one key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8');
  }
  return content;
}

/**
 * DATA_DIR itself stays traversable (the embedded PostgreSQL runs as another user when the
 * service runs as root); only its keys directory is private.
 */
export function ensureKeyDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** HMAC secret for access tokens: TOKEN_SIGNING_KEY (base64, >= 32 bytes) or a key file. */
export function loadTokenSigningKey(fromEnv: string | undefined, dataDir: string): Uint8Array {
  const encoded =
    fromEnv ??
    readOrCreateKeyFile(dataDir, 'token-signing.key', () => randomBytes(32).toString('base64'));
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length < 32) {
    throw new Error('TOKEN_SIGNING_KEY must be base64 of at least 32 random bytes');
  }
  return key;
}

export interface SigningKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-256 of the DER public key, hex: names the key in each signed checkpoint. */
  keyId: string;
}

/** Ed25519 key for audit checkpoints: AUDIT_SIGNING_KEY (PKCS#8 PEM) or a key file. */
export function loadAuditSigningKey(fromEnv: string | undefined, dataDir: string): SigningKeyPair {
  const pem =
    fromEnv?.replace(/\\n/g, '\n') ??
    readOrCreateKeyFile(dataDir, 'audit-signing.pem', () =>
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM form');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM form');
  }
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey, keyId: sha256Hex(der) };
}
