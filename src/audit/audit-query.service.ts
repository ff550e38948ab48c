import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { accessibleWhere } from '../access/accessible-where.js';
import { INSPECTION_AUDIT_ENTITY } from '../access/ability.factory.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '../http/page.js';
import { AUDIT_RECORD_COLUMNS, type AuditDetails, type AuditRecord } from './audit-event.js';
import { AuditTrail } from './audit-trail.service.js';
import {
  recordVerification,
  verifyAuditTrail,
  verifyWorkers,
  type Session,
  type VerifyMode,
  type VerifyResult,
} from './audit-verifier.js';
import { loadTrustedKeys } from '../crypto/trusted-keys.js';
import { copyOut, type CopyClient } from './audit-copy-scan.js';
import { scanConnection } from './audit-scan-threads.js';
import { csvHeader, csvLines } from './audit-csv.js';
import {
  copyLines,
  EXPORT_COLUMNS,
  inlineParameters,
  type CopiedLines,
} from './audit-export-copy.js';
import type {
  AuditEventResponse,
  AuditExportQueryDto,
  AuditQueryDto,
} from './dto/audit-query.dto.js';

type Row = AuditRecord & { hash: string };

/** Events per read of an export, at most. */
const EXPORT_BATCH = 2000;

/**
 * One export batch: the newest EXPORT_BATCH matching events of a stretch of seq (`where` holds
 * `seq < before AND seq >= bottom`), newest first, in COPY's binary format (Node writes each as
 * its NDJSON line, see audit-export-copy). The stretch lets the planner combine the indexes of
 * the conditions (e.g. a facility's events or system events: a bitmap OR) instead of walking
 * every event newest first and dropping those of other facilities.
 */
const exportBatchSql = (where: string) => `
  COPY (
    SELECT ${EXPORT_COLUMNS} FROM audit_event WHERE ${where}
    ORDER BY audit_event.seq DESC LIMIT ${EXPORT_BATCH}
  ) TO STDOUT (FORMAT binary)`;

const toResponse = (r: Row): AuditEventResponse => ({
  seq: Number(r.seq),
  chainId: r.chainId,
  chainSeq: Number(r.chainSeq),
  occurredAt: r.occurredAt,
  actor: { id: r.actorId, username: r.actorUsername, roles: r.actorRoles },
  action: r.action,
  entityType: r.entityType,
  entityId: r.entityId,
  prisonerId: r.prisonerId,
  facilityId: r.facilityId,
  outcome: r.outcome,
  purpose: r.purpose,
  requestId: r.requestId,
  ip: r.ip,
  userAgent: r.userAgent,
  changedFields: r.changedFields,
  details: r.details,
  prevHash: r.prevHash,
  hash: r.hash,
});

/** The trail's state for the oversight pages: where it ends, its last check, its last seal. */
export interface AuditTrailState {
  headSeq: number | null;
  lastEventAt: string | null;
  lastVerification: {
    at: string;
    by: string | null;
    ok: boolean;
    checked: number;
    problemCount: number;
    firstInvalidSeq: number | null;
  } | null;
  lastCheckpoint: { id: number; createdAt: string; headSeq: number | null } | null;
}

/** A signed checkpoint: the chain heads it vouches for are signed with the key named. */
export interface AuditCheckpointEntry {
  id: number;
  createdAt: string;
  headSeq: number | null;
  chains: number;
  keyId: string;
}

/**
 * An inspector's queries of the trail are the inspectorate's to see (INSPECTION_AUDIT_ENTITY);
 * anyone else's have no entity.
 */
const queryEntity = (ctx: RequestContext) =>
  ctx.actor.roles.includes('inspector') ? INSPECTION_AUDIT_ENTITY : undefined;

/** Supervisors' review of the trail: query, export and verification, all themselves audited. */
@Injectable()
export class AuditQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly trail: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  private where(ctx: RequestContext, query: AuditQueryDto, beforeSeq: string | null) {
    const scope = accessibleWhere(ctx.ability, 'read', 'AuditEvent', {
      facilityId: 'facility_id',
      entityType: ['entity_type', 'text'],
    });
    const params: unknown[] = [...scope.params];
    const conditions = [scope.sql];
    const add = (sql: (p: string) => string, value: unknown) => {
      if (value === undefined || value === null) return;
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    add((p) => `actor_id = ${p}::uuid`, query.actorId);
    add((p) => `prisoner_id = ${p}::uuid`, query.prisonerId);
    add((p) => `action = ${p}`, query.action);
    add((p) => `outcome = ${p}`, query.outcome);
    add((p) => `occurred_at >= ${p}::timestamptz`, query.from);
    add((p) => `occurred_at < ${p}::timestamptz`, query.to);
    add((p) => `seq < ${p}::bigint`, beforeSeq);
    return { sql: conditions.join(' AND '), params };
  }

  private filtersOf(query: AuditQueryDto): AuditDetails {
    const { limit: _l, cursor: _c, ...filters } = query as AuditQueryDto & { format?: string };
    return Object.fromEntries(
      Object.entries(filters).filter(([, v]) => v !== undefined),
    ) as AuditDetails;
  }

  async events(ctx: RequestContext, query: AuditQueryDto): Promise<Page<AuditEventResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    return this.dataSource.transaction(async (m) => {
      const where = this.where(ctx, query, after ? String(after[0]) : null);
      const rows: Row[] = await m.query(
        `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_event WHERE ${where.sql}
         ORDER BY audit_event.seq DESC LIMIT ${limit + 1}`,
        where.params,
      );
      const page = toPage(rows, limit, (r) => [r.seq], toResponse);
      await this.trail.append(m, ctx, [
        {
          action: 'audit.query',
          entityType: queryEntity(ctx),
          details: { ...this.filtersOf(query), resultCount: page.items.length },
        },
      ]);
      return page;
    });
  }

  /** One event in the caller's scope (its detail page), or undefined; audited as a query. */
  async event(ctx: RequestContext, seq: number): Promise<AuditEventResponse | undefined> {
    return this.dataSource.transaction(async (m) => {
      const where = this.where(ctx, {}, null);
      const [row]: Row[] = await m.query(
        `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_event
         WHERE ${where.sql} AND seq = $${where.params.length + 1}::bigint`,
        [...where.params, seq],
      );
      await this.trail.append(m, ctx, [
        {
          action: 'audit.query',
          entityType: queryEntity(ctx),
          details: { seq, resultCount: row ? 1 : 0 },
        },
      ]);
      return row && toResponse(row);
    });
  }

  /**
   * The newest event, the newest verification (by anyone, with its result) and the newest
   * signed checkpoint. Audited as a query.
   */
  async state(ctx: RequestContext): Promise<AuditTrailState> {
    return this.dataSource.transaction(async (m) => {
      const [head]: { seq: string | null; occurred_at: Date | null }[] = await m.query(
        `SELECT seq, occurred_at FROM audit_event ORDER BY seq DESC LIMIT 1`,
      );
      const [verified]: {
        occurred_at: Date;
        actor_username: string | null;
        details: Record<string, unknown> | null;
      }[] = await m.query(
        `SELECT occurred_at, actor_username, details FROM audit_event
         WHERE action = 'audit.verify' AND outcome = 'success' ORDER BY seq DESC LIMIT 1`,
      );
      const [checkpoint]: { id: string; created_at: Date; head_seq: string | null }[] =
        await m.query(
          `SELECT id, created_at, head_seq FROM audit_checkpoint ORDER BY id DESC LIMIT 1`,
        );
      await this.trail.append(m, ctx, [
        { action: 'audit.query', entityType: queryEntity(ctx), details: { state: true } },
      ]);
      const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return {
        headSeq: number(head?.seq),
        lastEventAt: head?.occurred_at?.toISOString() ?? null,
        lastVerification: verified && {
          at: verified.occurred_at.toISOString(),
          by: verified.actor_username,
          ok: verified.details?.ok === true,
          checked: Number(verified.details?.checked ?? 0),
          problemCount: Number(verified.details?.problemCount ?? 0),
          firstInvalidSeq: number(verified.details?.firstInvalidSeq),
        },
        lastCheckpoint: checkpoint
          ? {
              id: Number(checkpoint.id),
              createdAt: checkpoint.created_at.toISOString(),
              headSeq: number(checkpoint.head_seq),
            }
          : null,
      };
    });
  }

  /** The account with this username (to filter the trail by person), or undefined. */
  async actorIdOf(username: string): Promise<string | undefined> {
    const [row]: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM app_user WHERE username = $1`,
      [username],
    );
    return row?.id;
  }

  /** The newest signed checkpoints (at most `limit`), newest first. Not case content. */
  async checkpoints(limit: number): Promise<AuditCheckpointEntry[]> {
    const rows: {
      id: string;
      created_at: Date;
      head_seq: string | null;
      chains: number;
      key_id: string;
    }[] = await this.dataSource.query(
      `SELECT id, created_at, head_seq, jsonb_array_length(heads) AS chains, key_id
       FROM audit_checkpoint ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      createdAt: r.created_at.toISOString(),
      headSeq: r.head_seq === null ? null : Number(r.head_seq),
      chains: Number(r.chains),
      keyId: r.key_id,
    }));
  }

  /**
   * Streams every matching event, newest first, in batches read as binary COPY and written as
   * NDJSON lines (see exportBatchSql), passed on as they are or turned into CSV rows.
   * The next batch is read while one is sent, and no further ahead until the client has taken
   * that one (Node calls read() again only then): at most two batches in memory, however many
   * events match.
   */
  async export(ctx: RequestContext, query: AuditExportQueryDto): Promise<Readable> {
    await this.trail.appendStandalone(ctx, [
      {
        action: 'audit.export',
        entityType: queryEntity(ctx),
        details: { ...this.filtersOf(query) },
      },
    ]);
    const dataSource = this.dataSource;
    const csv = query.format === 'csv';
    // The trail's extent now (its export event included): the stretches walk down from its top.
    const [extent]: { low: string | null; high: string | null }[] = await dataSource.query(
      `SELECT min(seq)::text AS "low", max(seq)::text AS "high" FROM audit_event`,
    );
    const low = BigInt(extent?.low ?? 0);
    let before = BigInt(extent?.high ?? -1) + 1n;
    // How many seqs the next stretch spans: grows where matching events are sparse, shrinks to
    // what held a full batch where they are dense.
    let span = BigInt(EXPORT_BATCH * 8);
    const fetch = async (): Promise<Buffer[]> => {
      const bottom = before - span > low ? before - span : low;
      const w = this.where(ctx, query, String(before));
      const sql = exportBatchSql(`${w.sql} AND seq >= $${w.params.length + 1}::bigint`);
      const runner = dataSource.createQueryRunner();
      let batch: CopiedLines;
      try {
        const client = (await runner.connect()) as CopyClient;
        batch = await copyLines(client, inlineParameters(sql, [...w.params, String(bottom)]));
      } finally {
        await runner.release();
      }
      if (batch.rows === EXPORT_BATCH && batch.lastSeq !== null) {
        // More may match in this stretch: continue below the last event read.
        const last = batch.lastSeq;
        span = before - last > 0n ? before - last : 1n;
        before = last;
      } else {
        const grow = Math.min(8, Math.max(1, Math.floor(EXPORT_BATCH / Math.max(1, batch.rows))));
        span *= BigInt(grow);
        before = bottom;
      }
      return batch.pieces;
    };
    let header = csv;
    let reading = false;
    let ahead: Promise<Buffer[]> | null = null;
    const done = () => before <= low;
    return new Readable({
      // Node calls read() again only after a push, and only while less than this is buffered:
      // one batch waits here while the next is read, never more, and pipe() stops taking
      // chunks while the socket's buffer is full.
      highWaterMark: 1,
      read() {
        // One batch at a time: the stretch to read next depends on what the last one held.
        if (reading) return;
        reading = true;
        const next = async () => {
          for (;;) {
            const pieces = ahead ? await ahead : done() ? [] : await fetch();
            ahead = null;
            if (this.destroyed) return;
            // The next batch is read while this one is sent (the database and the socket work
            // at once): this one and the next in memory, never more.
            if (!done()) {
              ahead = fetch();
              // Settled even if the client leaves before it is awaited.
              ahead.catch(() => undefined);
            }
            const chunks: (Buffer | string)[] = csv
              ? pieces.map((piece) => csvLines(piece.toString('utf8')))
              : pieces;
            if (header) chunks.unshift(csvHeader());
            header = false;
            reading = false;
            for (const chunk of chunks) this.push(chunk);
            if (done()) this.push(null);
            if (chunks.length > 0 || done()) return;
            reading = true;
          }
        };
        next().catch((error: Error) => this.destroy(error));
      },
    });
  }

  /**
   * Verifies the trail (full, or incremental from the newest signed verification mark), records
   * a signed mark when it is intact, and audits the verification.
   */
  async verify(ctx: RequestContext, mode: VerifyMode = 'full'): Promise<VerifyResult> {
    const { privateKey, keyId, publicKey } = this.config.auditSigningKey;
    const trustedKeys = loadTrustedKeys(
      this.config.env.AUDIT_TRUSTED_KEYS,
      this.config.env.DATA_DIR,
    );
    trustedKeys.add(publicKey);
    const result = await verifyAuditTrail(() => this.session(), {
      mode,
      trustedKeys,
      workers: Math.max(0, Math.min(verifyWorkers(), this.config.env.DATABASE_POOL_SIZE - 2)),
    });
    await recordVerification(this.dataSource, result, privateKey, keyId);
    await this.trail.appendStandalone(ctx, [
      {
        action: 'audit.verify',
        entityType: queryEntity(ctx),
        details: {
          ok: result.ok,
          mode: result.mode,
          fromCheckpoint: result.fromCheckpoint,
          checked: result.checked,
          problemCount: result.problemCount,
          firstInvalidSeq: result.firstInvalidSeq ?? null,
          untrustedKeys: result.untrustedKeys.length,
        },
      },
    ]);
    return result;
  }

  /** A pooled connection of its own, for one reader of a parallel verification. */
  private async session(): Promise<Session> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as CopyClient;
    return {
      query: (sql, params) => runner.query(sql, params),
      release: () => runner.release(),
      copyOut: (sql, onRow) => copyOut(client, sql, onRow),
      connection: scanConnection(client),
    };
  }
}
