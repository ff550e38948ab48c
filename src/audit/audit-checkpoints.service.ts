import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { canonicalJson } from '../crypto/canonical-json.js';
import { publishPublicKey } from '../crypto/trusted-keys.js';
import { AuditTrail } from './audit-trail.service.js';
import { signCheckpoint, type CheckpointHead, type CheckpointPayload } from './audit-verifier.js';

/**
 * Signs the chain heads every AUDIT_CHECKPOINT_EVERY events or AUDIT_CHECKPOINT_SECONDS, with an
 * Ed25519 key held outside the database: whoever can rewrite the tables cannot forge these, so
 * removing the newest rows (and rewinding the heads) is detected up to the last checkpoint.
 */
@Injectable()
export class AuditCheckpoints implements OnModuleDestroy {
  private readonly logger = new Logger(AuditCheckpoints.name);
  private timer?: NodeJS.Timeout;
  private partitionTimer?: NodeJS.Timeout;
  private counter?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly trail: AuditTrail,
  ) {
    trail.onThreshold(() => this.scheduled());
    try {
      publishPublicKey(config.env.DATA_DIR, config.auditSigningKey.publicKey);
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'could not write the audit public key');
    }
  }

  start(): void {
    this.timer = setInterval(
      () => this.scheduled(),
      this.config.env.AUDIT_CHECKPOINT_SECONDS * 1000,
    );
    this.timer.unref();
    // Audit partitions months ahead: a service running for months never writes past them.
    this.partitionTimer = setInterval(() => {
      this.trail
        .ensurePartitions()
        .catch((error: unknown) =>
          this.logger.error({ err: String(error) }, 'audit partitions could not be created'),
        );
    }, 86_400_000);
    this.partitionTimer.unref();
    // The events since the last checkpoint are counted in the database (every instance's, and
    // those of runs that ended before they reached AUDIT_CHECKPOINT_EVERY), not only in memory.
    this.counter = setInterval(
      () => void this.signIfDue().catch(() => undefined),
      Math.min(5, this.config.env.AUDIT_CHECKPOINT_SECONDS) * 1000,
    );
    this.counter.unref();
  }

  private async signIfDue(): Promise<void> {
    if (this.running) return;
    const [{ since }]: { since: string }[] = await this.dataSource.query(
      `SELECT coalesce((SELECT max(seq) FROM audit_chain_head), 0)
            - coalesce((SELECT head_seq FROM audit_checkpoint ORDER BY id DESC LIMIT 1), 0) AS since`,
    );
    if (Number(since) >= this.config.env.AUDIT_CHECKPOINT_EVERY) this.scheduled();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.partitionTimer);
    clearInterval(this.counter);
    await this.idle();
  }

  /** Resolves when no scheduled checkpoint is being written. */
  async idle(): Promise<void> {
    await this.running;
  }

  private scheduled(): void {
    if (this.running) return;
    this.running = this.checkpoint()
      .catch((error: unknown) =>
        this.logger.error({ err: String(error) }, 'audit checkpoint failed'),
      )
      .finally(() => (this.running = undefined));
  }

  /** Signs the current heads unless nothing changed since the last checkpoint. */
  async checkpoint(): Promise<{ id: number; payload: CheckpointPayload } | undefined> {
    return this.dataSource.transaction(async (m) => {
      const [{ locked }]: { locked: boolean }[] = await m.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('audit_checkpoint')) AS locked`,
      );
      if (!locked) return undefined;
      const heads: CheckpointHead[] = (
        await m.query(
          `SELECT chain_id, chain_seq::text, seq::text, hash FROM audit_chain_head
           WHERE chain_seq > 0 ORDER BY chain_id`,
        )
      ).map((h: { chain_id: number; chain_seq: string; seq: string; hash: string }) => ({
        chainId: h.chain_id,
        chainSeq: Number(h.chain_seq),
        seq: Number(h.seq),
        hash: h.hash,
      }));
      if (heads.length === 0) return undefined;
      const [previous]: { heads: CheckpointHead[] }[] = await m.query(
        `SELECT heads FROM audit_checkpoint ORDER BY id DESC LIMIT 1`,
      );
      if (previous && canonicalJson(previous.heads) === canonicalJson(heads)) return undefined;
      const payload: CheckpointPayload = {
        createdAt: new Date().toISOString(),
        headSeq: Math.max(...heads.map((h) => h.seq)),
        heads,
      };
      const { privateKey, keyId } = this.config.auditSigningKey;
      const [{ id }]: { id: number }[] = await m.query(
        `INSERT INTO audit_checkpoint (created_at, head_seq, heads, key_id, signature)
         VALUES ($1, $2, $3, $4, $5) RETURNING id::int AS id`,
        [
          payload.createdAt,
          payload.headSeq,
          JSON.stringify(heads),
          keyId,
          signCheckpoint(payload, privateKey),
        ],
      );
      return { id, payload };
    });
  }
}
