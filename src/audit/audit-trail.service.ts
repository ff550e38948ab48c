import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { RequestOrigin } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { auditHash, type AuditEntry, type AuditRecord } from './audit-event.js';

interface ChainPosition {
  chainId: number;
  chainSeq: bigint;
  hash: string;
}

/**
 * A refusal decided inside a transaction: the transaction returns it (so nothing it wrote is
 * kept) and `settle` records the denied attempt in a transaction of its own, then throws.
 */
export class Denial {
  constructor(
    readonly error: Error,
    readonly entry: AuditEntry,
  ) {}
}

/** Who an event is attributed to: a signed-in actor, or a claimed username (failed login). */
export interface AuditOrigin extends RequestOrigin {
  actor?: Pick<Actor, 'id' | 'username' | 'roles'> | null;
  claimedUsername?: string;
}

const COLUMNS = [
  'seq',
  'chain_id',
  'chain_seq',
  'occurred_at',
  'actor_id',
  'actor_username',
  'actor_roles',
  'action',
  'entity_type',
  'entity_id',
  'prisoner_id',
  'facility_id',
  'outcome',
  'purpose',
  'request_id',
  'ip',
  'user_agent',
  'changed_fields',
  'details',
  'prev_hash',
  'hash',
];

const truncate = (value: string | undefined | null, max: number) =>
  value == null ? null : value.length > max ? value.slice(0, max) : value;

/**
 * Appends audit events in the caller's transaction, so no change exists without its record.
 * Each transaction takes one of several hash chains with SKIP LOCKED: concurrent requests
 * append to different chains instead of queueing on one lock, and every chain stays gap-free.
 */
@Injectable()
export class AuditTrail {
  private readonly positions = new WeakMap<QueryRunner, ChainPosition>();
  private appendedSinceCheckpoint = 0;
  private checkpointListener?: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Called by the checkpoint service so it can sign after every N appended events. */
  onThreshold(listener: () => void): void {
    this.checkpointListener = listener;
  }

  async append(manager: EntityManager, origin: AuditOrigin, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('AuditTrail.append must run inside the transaction of the change it records');
    }
    const position = this.positions.get(runner) ?? (await this.lockChain(manager));
    const seqs: { seq: string }[] = await manager.query(
      `SELECT nextval('audit_event_seq')::text AS seq FROM generate_series(1, $1)`,
      [entries.length],
    );
    const occurredAt = new Date().toISOString();
    const records: (AuditRecord & { hash: string })[] = [];
    let { chainSeq, hash } = position;
    entries.forEach((entry, i) => {
      chainSeq += 1n;
      const record: AuditRecord = {
        seq: seqs[i].seq,
        chainId: position.chainId,
        chainSeq: chainSeq.toString(),
        occurredAt,
        actorId: origin.actor?.id ?? null,
        actorUsername: origin.actor?.username ?? truncate(origin.claimedUsername, 64),
        actorRoles: origin.actor ? [...origin.actor.roles] : [],
        action: entry.action,
        entityType: entry.entityType ?? null,
        entityId: entry.entityId ?? null,
        prisonerId: entry.prisonerId ?? null,
        facilityId: entry.facilityId ?? null,
        outcome: entry.outcome ?? 'success',
        purpose: truncate(entry.purpose ?? origin.purpose, 500),
        requestId: truncate(origin.requestId, 128),
        ip: truncate(origin.ip, 64),
        userAgent: truncate(origin.userAgent, 256),
        changedFields: entry.changedFields ? [...entry.changedFields].sort() : null,
        details: entry.details ?? null,
        prevHash: hash,
      };
      hash = auditHash(record);
      records.push({ ...record, hash });
    });
    const params: unknown[] = [];
    const rows = records.map((r) => {
      const values = [
        r.seq,
        r.chainId,
        r.chainSeq,
        r.occurredAt,
        r.actorId,
        r.actorUsername,
        r.actorRoles,
        r.action,
        r.entityType,
        r.entityId,
        r.prisonerId,
        r.facilityId,
        r.outcome,
        r.purpose,
        r.requestId,
        r.ip,
        r.userAgent,
        r.changedFields,
        r.details && JSON.stringify(r.details),
        r.prevHash,
        r.hash,
      ];
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, j) => `$${start + j + 1}`).join(', ')})`;
    });
    const last = records[records.length - 1];
    params.push(position.chainId, last.chainSeq, last.seq, last.hash);
    const n = params.length;
    await manager.query(
      `WITH appended AS (INSERT INTO audit_event (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')})
       UPDATE audit_chain_head SET chain_seq = $${n - 2}, seq = $${n - 1}, hash = $${n}
       WHERE chain_id = $${n - 3}`,
      params,
    );
    this.positions.set(runner, { chainId: position.chainId, chainSeq, hash });
    this.appendedSinceCheckpoint += entries.length;
    if (this.appendedSinceCheckpoint >= this.config.env.AUDIT_CHECKPOINT_EVERY) {
      this.appendedSinceCheckpoint = 0;
      this.checkpointListener?.();
    }
  }

  /** Appends in a transaction of its own: for events of requests that fail (denials, logins). */
  async appendStandalone(origin: AuditOrigin, entries: AuditEntry[]): Promise<void> {
    await this.dataSource.transaction((manager) => this.append(manager, origin, entries));
  }

  /** Returns `result`, or records a Denial as a denied event and throws its error. */
  async settle<T>(origin: AuditOrigin, result: T | Denial): Promise<T> {
    if (!(result instanceof Denial)) return result;
    await this.appendStandalone(origin, [{ ...result.entry, outcome: 'denied' }]);
    throw result.error;
  }

  private async lockChain(manager: EntityManager): Promise<ChainPosition> {
    type Row = { chain_id: number; chain_seq: string; hash: string };
    let rows: Row[] = await manager.query(
      `SELECT chain_id, chain_seq::text, hash FROM audit_chain_head
       ORDER BY chain_id FOR UPDATE SKIP LOCKED LIMIT 1`,
    );
    if (rows.length === 0) {
      // Every chain is busy: queue on one of them, chosen at random to spread the wait.
      rows = await manager.query(
        `SELECT chain_id, chain_seq::text, hash FROM audit_chain_head
         WHERE chain_id = (SELECT chain_id FROM audit_chain_head ORDER BY random() LIMIT 1)
         FOR UPDATE`,
      );
    }
    if (rows.length === 0)
      throw new Error('audit_chain_head has no chains; start the service once');
    return { chainId: rows[0].chain_id, chainSeq: BigInt(rows[0].chain_seq), hash: rows[0].hash };
  }

  /** Makes sure AUDIT_CHAINS chains exist (chains are never removed). */
  async ensureChains(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_chain_head (chain_id) SELECT g FROM generate_series(1, $1) g
       ON CONFLICT (chain_id) DO NOTHING`,
      [this.config.env.AUDIT_CHAINS],
    );
  }
}
