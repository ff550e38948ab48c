import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { loadTrustedKeys } from '../crypto/trusted-keys.js';
import {
  ARCHIVE_FORMAT,
  type ArchiveCheckpoint,
  type ArchiveHeader,
} from './audit-archive-file.js';
import { AuditCheckpoints } from './audit-checkpoints.service.js';
import { copyOut, type CopyClient } from './audit-copy-scan.js';
import { scanConnection } from './audit-scan-threads.js';
import { AUDIT_RECORD_COLUMNS, auditHash, type AuditRecord } from './audit-event.js';
import { AuditTrail, type AuditOrigin } from './audit-trail.service.js';
import {
  partitionRuns,
  signPayload,
  verifyAuditTrail,
  verifyWorkers,
  type ArchivePayload,
  type CheckpointHead,
  type Session,
} from './audit-verifier.js';

export interface ArchiveSummary {
  archiveId: number;
  partition: string;
  file: string;
  fileSha256: string;
  events: number;
  dropped: boolean;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Archives a month of the audit trail: checks the whole trail first, writes the month's events
 * and the checkpoints vouching for them to an NDJSON file (checkable offline with
 * `npm run audit:verify -- --archive FILE`), detaches the partition, and records a signed
 * archive record (where each chain's archived runs start and end, and the file's SHA-256) and an
 * `audit.archive` event, so the live chains are checked from where the archive ends.
 */
@Injectable()
export class AuditArchiver {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly trail: AuditTrail,
    private readonly checkpoints: AuditCheckpoints,
  ) {}

  /** Partitions that exist, oldest first, with their month (YYYY-MM). */
  async partitions(): Promise<{ name: string; month: string }[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'audit_event'::regclass ORDER BY c.relname`,
    );
    return rows
      .filter((r) => /^audit_event_p\d{6}$/.test(r.name))
      .map((r) => ({ name: r.name, month: `${r.name.slice(13, 17)}-${r.name.slice(17, 19)}` }));
  }

  async archive(
    origin: AuditOrigin,
    month: string,
    directory: string,
    options: { drop?: boolean } = {},
  ): Promise<ArchiveSummary> {
    const match = MONTH.exec(month);
    if (!match) throw new Error('the month must be given as YYYY-MM');
    const now = new Date();
    const current = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    if (month >= current) throw new Error(`only months before ${current} can be archived`);
    const partition = `audit_event_p${match[1]}${match[2]}`;
    if (!(await this.partitions()).some((p) => p.name === partition)) {
      throw new Error(`${month} has no partition (already archived, or never had events)`);
    }

    // Only an intact trail is archived: what leaves the database must be what was written.
    await this.checkpoints.checkpoint();
    const trustedKeys = loadTrustedKeys(
      this.config.env.AUDIT_TRUSTED_KEYS,
      this.config.env.DATA_DIR,
    );
    trustedKeys.add(this.config.auditSigningKey.publicKey);
    const verified = await verifyAuditTrail(() => this.session(), {
      mode: 'full',
      trustedKeys,
      workers: Math.max(0, Math.min(verifyWorkers(), this.config.env.DATABASE_POOL_SIZE - 2)),
    });
    if (!verified.ok) {
      throw new Error(
        `the audit trail does not verify (${verified.status}: ${verified.reason ?? ''}); nothing archived`,
      );
    }

    const chainIds = (
      (await this.dataSource.query(`SELECT chain_id FROM audit_chain_head ORDER BY chain_id`)) as {
        chain_id: number;
      }[]
    ).map((r) => r.chain_id);
    const { runs, suspects } = await partitionRuns(this.dataSource, partition);
    const [range]: { from: string; to: string; events: number }[] = await this.dataSource.query(
      `SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "from",
         to_char(($1::timestamptz + interval '1 month') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "to",
         (SELECT count(*)::int FROM ${partition}) AS events`,
      [`${month}-01T00:00:00Z`],
    );
    const events = runs.reduce((n, r) => n + r.end - r.start + 1, 0);
    if (events !== range.events || suspects.length > 0) {
      // Checked just now by the full verification; a difference means it changed meanwhile.
      const rechecked = await Promise.all(
        suspects.map(async (s) => {
          const [row] = (await this.dataSource.query(
            `SELECT ${AUDIT_RECORD_COLUMNS} FROM ${partition} WHERE chain_id = $1 AND chain_seq = $2 AND seq = $3`,
            [s.chainId, s.chainSeq, s.seq],
          )) as (AuditRecord & { hash: string })[];
          const { hash, ...record } = row;
          return auditHash(record) === hash;
        }),
      );
      if (events !== range.events || rechecked.includes(false)) {
        throw new Error(`${partition} changed while it was being archived; nothing archived`);
      }
    }

    // The file: header, the checkpoints vouching for its events, the events in chain order.
    mkdirSync(directory, { recursive: true });
    const fileName = `audit-${month}.ndjson`;
    const path = join(directory, fileName);
    const partial = `${path}.partial`;
    const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    const digest = createHash('sha256');
    const write = async (item: unknown) => {
      const line = `${JSON.stringify(item)}\n`;
      digest.update(line);
      if (!out.write(line)) await once(out, 'drain');
    };
    const header: ArchiveHeader = {
      type: 'header',
      format: ARCHIVE_FORMAT,
      partition,
      from: range.from,
      to: range.to,
      events,
    };
    await write(header);
    const inRuns = (h: CheckpointHead) =>
      runs.some((r) => r.chainId === h.chainId && r.start <= h.chainSeq && h.chainSeq <= r.end);
    for (let after = 0; ;) {
      const rows: (Omit<ArchiveCheckpoint, 'type'> & { headSeq: string | null })[] =
        await this.dataSource.query(
          `SELECT id::int AS id,
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
             head_seq::text AS "headSeq", heads, key_id AS "keyId", signature
           FROM audit_checkpoint WHERE id > $1 ORDER BY id LIMIT 1000`,
          [after],
        );
      for (const row of rows) {
        if (!row.heads.some(inRuns)) continue;
        await write({
          type: 'checkpoint',
          id: row.id,
          createdAt: row.createdAt,
          headSeq: row.headSeq === null ? null : Number(row.headSeq),
          heads: row.heads,
          keyId: row.keyId,
          signature: row.signature,
        });
      }
      if (rows.length < 1000) break;
      after = rows[rows.length - 1].id;
    }
    for (const chainId of chainIds) {
      for (let after = '0'; ;) {
        const rows: (AuditRecord & { hash: string })[] = await this.dataSource.query(
          `SELECT ${AUDIT_RECORD_COLUMNS} FROM ${partition}
           WHERE chain_id = $1 AND chain_seq > $2 ORDER BY ${partition}.chain_seq LIMIT 10000`,
          [chainId, after],
        );
        for (const row of rows) await write({ type: 'event', ...row });
        if (rows.length < 10000) break;
        after = rows[rows.length - 1].chainSeq;
      }
    }
    out.end();
    await once(out, 'finish');
    renameSync(partial, path);
    const fileSha256 = digest.digest('hex');

    // Detach first (it waits for appends in flight), then record it, in one transaction.
    const payload: ArchivePayload = {
      createdAt: new Date().toISOString(),
      partition,
      from: range.from,
      to: range.to,
      events,
      runs,
      fileName,
      fileSha256,
    };
    const { privateKey, keyId } = this.config.auditSigningKey;
    const archiveId = await this.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE audit_event DETACH PARTITION ${partition}`);
      const [{ id }]: { id: number }[] = await m.query(
        `INSERT INTO audit_archive (created_at, partition_name, range_from, range_to, events, runs,
           file_name, file_sha256, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::int AS id`,
        [
          payload.createdAt,
          partition,
          payload.from,
          payload.to,
          events,
          JSON.stringify(runs),
          fileName,
          fileSha256,
          keyId,
          signPayload(payload, privateKey),
        ],
      );
      await this.trail.append(m, origin, [
        {
          action: 'audit.archive',
          entityType: 'audit_archive',
          entityId: String(id),
          details: { month, partition, events, fileName, fileSha256 },
        },
      ]);
      if (options.drop) await m.query(`DROP TABLE ${partition}`);
      return id;
    });
    return {
      archiveId,
      partition,
      file: path,
      fileSha256,
      events,
      dropped: options.drop === true,
    };
  }

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
