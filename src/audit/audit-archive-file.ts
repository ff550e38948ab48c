import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { canonicalJson } from '../crypto/canonical-json.js';
import type { TrustedKeys } from '../crypto/trusted-keys.js';
import { auditHash, type AuditRecord } from './audit-event.js';
import {
  MAX_REPORTED_PROBLEMS,
  type AuditProblem,
  type ChainRun,
  type CheckpointHead,
  type CheckpointPayload,
  type UntrustedKey,
  type VerifyStatus,
} from './audit-verifier.js';

/**
 * An archive file: NDJSON, one object per line, each with a `type`:
 * 1. `header`: format, partition, its time range, the number of events;
 * 2. `checkpoint`: every signed checkpoint that vouches for an event of the file (as stored:
 *    id, createdAt, headSeq, heads, keyId, signature);
 * 3. `event`: every event of the partition, ordered by chain and position, exactly the fields
 *    the hash covers plus `hash`.
 * Everything needed to check it offline except the trusted public keys.
 */
export const ARCHIVE_FORMAT = 'vep-audit-archive/1';

export interface ArchiveHeader {
  type: 'header';
  format: typeof ARCHIVE_FORMAT;
  partition: string;
  from: string;
  to: string;
  events: number;
}

export interface ArchiveCheckpoint extends CheckpointPayload {
  type: 'checkpoint';
  id: number;
  keyId: string;
  signature: string;
}

export type ArchiveEvent = { type: 'event' } & AuditRecord & { hash: string };

export interface ArchiveVerifyResult {
  ok: boolean;
  status: VerifyStatus;
  mode: 'archive';
  files: { file: string; sha256: string; partition: string; events: number }[];
  checked: number;
  checkpoints: number;
  /** Where each chain's archived events start and end (to join with other files or the trail). */
  chains: { chainId: number; start: number; startPrevHash: string; end: number; endHash: string }[];
  untrustedKeys: UntrustedKey[];
  problems: AuditProblem[];
  problemCount: number;
  firstInvalidSeq?: number;
  reason?: string;
}

/**
 * Checks archive files offline, oldest first: every event's hash (recomputed with the reference
 * implementation), the links within each chain across the files, the checkpoints' signatures
 * with the trusted public keys, and every vouched event. Prints nothing; returns the result.
 */
export async function verifyArchiveFile(
  files: string[],
  keys: TrustedKeys,
): Promise<ArchiveVerifyResult> {
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  const add = (p: AuditProblem) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
  };
  const untrusted = new Map<string, number>();
  const runs = new Map<number, ChainRun[]>();
  const summaries: ArchiveVerifyResult['files'] = [];
  let checked = 0;
  let checkpoints = 0;

  for (const file of files) {
    const digest = createHash('sha256');
    const stream = createReadStream(file);
    stream.on('data', (chunk) => digest.update(chunk));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let header: ArchiveHeader | undefined;
    const vouched = new Map<string, { id: number; head: CheckpointHead; createdAt: string }>();
    let open: ChainRun | undefined;
    let previous: ArchiveEvent | undefined;
    let events = 0;
    const close = () => {
      if (!open) return;
      const list = runs.get(open.chainId) ?? [];
      list.push(open);
      runs.set(open.chainId, list);
      open = undefined;
    };
    let lineNo = 0;
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      let item: ArchiveHeader | ArchiveCheckpoint | ArchiveEvent;
      try {
        item = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${lineNo}: not JSON`);
      }
      if (item.type === 'header') {
        if (item.format !== ARCHIVE_FORMAT)
          throw new Error(`${file}: not a ${ARCHIVE_FORMAT} file`);
        header = item;
      } else if (item.type === 'checkpoint') {
        checkpoints += 1;
        const { type: _t, id, keyId, signature, ...payload } = item;
        const verdict = keys.check(keyId, Buffer.from(canonicalJson(payload)), signature);
        if (verdict === 'untrusted') untrusted.set(keyId, (untrusted.get(keyId) ?? 0) + 1);
        else if (verdict === 'invalid') {
          add({
            seq: payload.headSeq,
            chain: null,
            kind: 'checkpoint_invalid',
            checkpoint: id,
            detail: `checkpoint ${id} has an invalid signature`,
          });
        } else {
          for (const head of payload.heads) {
            vouched.set(`${head.chainId}:${head.chainSeq}`, {
              id,
              head,
              createdAt: payload.createdAt,
            });
          }
        }
      } else if (item.type === 'event') {
        if (!header) throw new Error(`${file}: events before the header`);
        events += 1;
        checked += 1;
        const { type: _t, hash, ...record } = item;
        const seq = Number(record.seq);
        const position = Number(record.chainSeq);
        if (auditHash(record) !== hash) {
          add({
            seq,
            chain: record.chainId,
            kind: 'altered',
            detail: `seq ${record.seq} was altered: its content does not match its hash`,
          });
        }
        const claim = vouched.get(`${record.chainId}:${position}`);
        if (claim && (claim.head.hash !== hash || claim.head.seq !== seq)) {
          add({
            seq,
            chain: record.chainId,
            kind: 'checkpoint_mismatch',
            checkpoint: claim.id,
            detail: `seq ${claim.head.seq}, vouched for by signed checkpoint ${claim.id} of ${claim.createdAt}, is altered`,
          });
        }
        const continues =
          open &&
          previous &&
          previous.chainId === record.chainId &&
          Number(previous.chainSeq) + 1 === position &&
          previous.hash === record.prevHash;
        if (!continues) {
          close();
          open = {
            chainId: record.chainId,
            start: position,
            startSeq: seq,
            startPrevHash: record.prevHash,
            end: position,
            endSeq: seq,
            endHash: hash,
          };
        } else {
          open!.end = position;
          open!.endSeq = seq;
          open!.endHash = hash;
        }
        previous = item;
      } else {
        throw new Error(`${file}:${lineNo}: unknown line type`);
      }
    }
    close();
    if (!header) throw new Error(`${file}: no header`);
    if (header.events !== events) {
      add({
        seq: null,
        chain: null,
        kind: 'missing_before',
        detail: `${basename(file)} says it holds ${header.events} events but holds ${events}`,
      });
    }
    summaries.push({ file, sha256: digest.digest('hex'), partition: header.partition, events });
  }

  // Stitch each chain's runs across the files; where the first file starts is not a problem.
  const chains: ArchiveVerifyResult['chains'] = [];
  for (const [chainId, list] of [...runs].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.start - b.start);
    let current = list[0];
    const first = current;
    for (const run of list.slice(1)) {
      if (run.start > current.end + 1) {
        add({
          seq: run.startSeq,
          chain: chainId,
          kind: 'missing_before',
          detail: `events missing before seq ${run.startSeq}: chain ${chainId} jumps from position ${current.end} to ${run.start}`,
        });
      } else if (run.start <= current.end) {
        add({
          seq: run.startSeq,
          chain: chainId,
          kind: 'broken_link',
          detail: `seq ${run.startSeq} repeats position ${run.start} of chain ${chainId}`,
        });
      } else if (run.startPrevHash !== current.endHash) {
        add({
          seq: run.startSeq,
          chain: chainId,
          kind: 'broken_link',
          detail: `seq ${run.startSeq} does not link to the event before it (chain ${chainId})`,
        });
      }
      if (run.end > current.end) current = run;
    }
    chains.push({
      chainId,
      start: first.start,
      startPrevHash: first.startPrevHash,
      end: current.end,
      endHash: current.endHash,
    });
  }
  problems.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const untrustedKeys = [...untrusted].map(([keyId, signatures]) => ({
    keyId,
    signatures,
    detail: `cannot check signature: key ${keyId} not trusted`,
  }));
  const status: VerifyStatus =
    problemCount > 0 ? 'tampered' : untrustedKeys.length > 0 ? 'unverifiable' : 'intact';
  const first = problems.reduce<AuditProblem | undefined>(
    (min, p) => (min === undefined || (p.seq ?? 0) < (min.seq ?? 0) ? p : min),
    undefined,
  );
  return {
    ok: status === 'intact',
    status,
    mode: 'archive',
    files: summaries,
    checked,
    checkpoints,
    chains,
    untrustedKeys,
    problems,
    problemCount,
    ...(first
      ? { firstInvalidSeq: first.seq ?? 0, reason: first.detail }
      : untrustedKeys.length > 0
        ? { reason: untrustedKeys[0].detail }
        : {}),
  };
}
