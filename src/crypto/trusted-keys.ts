import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './canonical-json.js';

/** The id a signature names its key by: SHA-256 (hex) of the DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * Public keys that audit signatures are checked against, by key id. Verifying needs nothing
 * else: an auditor holds these, never the private key, and a rotated-out key stays here so what
 * it signed still verifies.
 */
export class TrustedKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(keys: Iterable<KeyObject> = []) {
    for (const key of keys) this.add(key);
  }

  add(key: KeyObject): string {
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('audit keys must be Ed25519');
    const id = keyIdOf(key);
    this.keys.set(id, key);
    return id;
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  get size(): number {
    return this.keys.size;
  }

  ids(): string[] {
    return [...this.keys.keys()];
  }

  /**
   * `untrusted` when no trusted key has this id (the signature cannot be checked at all, which
   * says nothing about tampering); otherwise whether the signature holds.
   */
  check(keyId: string, data: Buffer, signatureBase64: string): 'valid' | 'invalid' | 'untrusted' {
    const key = this.keys.get(keyId);
    if (!key) return 'untrusted';
    return verify(null, data, key, Buffer.from(signatureBase64, 'base64')) ? 'valid' : 'invalid';
  }
}

/** Every PEM public key in `text` (a file may hold several). */
function pemKeys(text: string, source: string): KeyObject[] {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${source} holds no PEM public key`);
  return blocks.map((pem) => {
    try {
      return createPublicKey(pem);
    } catch {
      throw new Error(`${source} holds a public key that cannot be read`);
    }
  });
}

/**
 * Trusted public keys from AUDIT_TRUSTED_KEYS: a comma-separated list of PEM files, directories
 * of `*.pem` files, or inline PEM text (`\n` may stand for newlines). Unset: the directory
 * DATA_DIR/keys/trusted, where the service puts the public half of every key it signs with.
 */
export function loadTrustedKeys(setting: string | undefined, dataDir: string): TrustedKeys {
  const trusted = new TrustedKeys();
  const entries = setting
    ? setting.includes('-----BEGIN')
      ? [setting.replace(/\\n/g, '\n')]
      : setting
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
    : existsSync(trustedKeyDir(dataDir))
      ? [trustedKeyDir(dataDir)]
      : [];
  for (const entry of entries) {
    if (entry.includes('-----BEGIN')) {
      for (const key of pemKeys(entry, 'AUDIT_TRUSTED_KEYS')) trusted.add(key);
      continue;
    }
    if (!existsSync(entry)) throw new Error(`AUDIT_TRUSTED_KEYS: ${entry} does not exist`);
    const files = statSync(entry).isDirectory()
      ? readdirSync(entry)
          .filter((name) => name.endsWith('.pem'))
          .sort()
          .map((name) => join(entry, name))
      : [entry];
    for (const file of files) {
      for (const key of pemKeys(readFileSync(file, 'utf8'), file)) trusted.add(key);
    }
  }
  return trusted;
}

export function trustedKeyDir(dataDir: string): string {
  return join(dataDir, 'keys', 'trusted');
}

/**
 * Writes the public half of the service's signing key to DATA_DIR/keys/trusted/<key id>.pem
 * (public: readable by anyone), so the keys it ever signed with stay trusted after rotation and
 * can be handed to an auditor.
 */
export function publishPublicKey(dataDir: string, publicKey: KeyObject): string {
  const dir = trustedKeyDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, `${keyIdOf(publicKey)}.pem`);
  if (!existsSync(path)) {
    writeFileSync(path, publicKey.export({ type: 'spki', format: 'pem' }).toString(), {
      mode: 0o644,
    });
  }
  return path;
}
