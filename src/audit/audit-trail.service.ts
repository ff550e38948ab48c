import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { RequestOrigin } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { prepared } from '../database/prepared.js';
import { canonicalJson } from '../crypto/canonical-json.js';
import { toWellFormed, truncateCodePoints } from '../http/well-formed-text.js';
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
  actor?: Pick<Actor, 'id' | 'username' | 'roles' | 'appointments'> | null;
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

/**
 * Text exactly as PostgreSQL will store it (an unpaired surrogate becomes U+FFFD, and so does
 * NUL, which it refuses), cut to `max` characters: what is hashed is what is stored, byte for
 * byte. Requests carrying such text are refused before they get here; this covers every other
 * way in.
 */
const stored = (value: string | undefined | null, max = Infinity) =>
  value == null ? null : truncateCodePoints(toWellFormed(value), max);

/** JSON (details) with every string and key as PostgreSQL's jsonb will store it. */
const storedJson = <T>(value: T): T =>
  (typeof value === 'string'
    ? toWellFormed(value)
    : Array.isArray(value)
      ? value.map(storedJson)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value).map(([key, item]) => [toWellFormed(key), storedJson(item)]),
          )
        : value) as T;

/**
 * An inspector's every access is made under an appointment (Mandela Rules 83-84): the event
 * names it as the purpose, the one covering the event's facility when there is one.
 */
function inspectionPurpose(origin: AuditOrigin, entry: AuditEntry): string | undefined {
  const appointments = origin.actor?.appointments;
  if (!appointments?.length) return undefined;
  const covering =
    appointments.find((a) => entry.facilityId && a.facilityIds.includes(entry.facilityId)) ??
    appointments[0];
  return `inspection appointment ${covering.id} (${covering.body})`;
}

interface Waiting {
  content: EventContent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group appends in flight at once. One, measured on two cores: every event that arrives while a
 * group commits goes in the next group (group commit); more writers made smaller groups and
 * lowered throughput (0.75 of the baseline with four, 0.90 with one). A group holds at most one
 * event per chain (AUDIT_CHAINS).
 */
const GROUP_WRITES = 1;

/** Monthly partitions of audit_event kept ready ahead of time (checked at start and daily). */
export const PARTITION_MONTHS_AHEAD = 3;

/** SQL types of the content columns (occurred_at .. details), for INSERT ... SELECT. */
const CONTENT_TYPES = [
  'timestamptz',
  'uuid',
  'text',
  'text[]',
  'text',
  'text',
  'text',
  'uuid',
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text[]',
  'jsonb',
];

type EventContent = Omit<AuditRecord, 'seq' | 'chainId' | 'chainSeq' | 'prevHash'>;

/** Column values of one event, in COLUMNS order. */
const rowValues = (r: AuditRecord & { hash: string }) => [
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

/**
 * The canonical JSON of an event split around its chain id, chain position and seq, which only
 * the database knows at append time: SQL joins prev_hash, the parts and those three numbers
 * into exactly the text `auditHash` hashes (RFC 8785 orders the keys, so the layout is fixed).
 */
export function canonicalParts(content: EventContent): [string, string, string, string] {
  const text = canonicalJson({ ...content, chainId: 0, chainSeq: '0', seq: '0' });
  const head = '"chainId":0,"chainSeq":"0"';
  const tail = '"seq":"0"';
  const i = text.indexOf(head);
  const j = text.lastIndexOf(`${tail},"userAgent":`);
  if (i < 0 || j < i) throw new Error('audit event does not have the canonical layout');
  return [
    `${text.slice(0, i)}"chainId":`,
    ',"chainSeq":"',
    `"${text.slice(i + head.length, j)}"seq":"`,
    `"${text.slice(j + tail.length)}`,
  ];
}

/**
 * Appends audit events. A change's events go in the change's own transaction, so no change
 * exists without its record; a read's event may be appended on its own.
 *
 * Concurrency, chosen by measurement (see README, "Audit trail"): events go to one of
 * AUDIT_CHAINS hash chains. A single event is appended by one statement that takes the
 * lowest-numbered chain nobody holds (SKIP LOCKED), computes the hash in the database and
 * moves the chain head, so the chain is held for one statement, not for round trips. Further
 * events of the same transaction continue its chain; every chain stays gap-free.
 */
@Injectable()
export class AuditTrail {
  private readonly positions = new WeakMap<QueryRunner, ChainPosition>();
  private readonly waiting: Waiting[] = [];
  private writing = 0;
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

  /**
   * Appends `entries` in `manager`'s transaction, or on their own when `manager` is not in one
   * (reads: the event is committed before the caller returns the data).
   */
  async append(manager: EntityManager, origin: AuditOrigin, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const runner = manager.queryRunner?.isTransactionActive ? manager.queryRunner : undefined;
    if (!runner && entries.length > 1) {
      await this.dataSource.transaction((m) => this.append(m, origin, entries));
      return;
    }
    const occurredAt = new Date().toISOString();
    const contents = entries.map((entry) => this.content(origin, entry, occurredAt));
    const held = runner && this.positions.get(runner);
    let position: ChainPosition;
    if (held) {
      position = await this.insertAfter(
        manager,
        held,
        contents,
        await this.nextSeqs(manager, contents.length),
      );
    } else if (!runner) {
      // On its own (a read, a refusal): grouped with other such events.
      await this.enqueue(contents[0]);
      this.counted(1);
      return;
    } else if (contents.length === 1) {
      position = await this.appendOne(manager, contents[0]);
    } else {
      const locked = await this.lockChain(manager, contents.length);
      position = await this.insertAfter(manager, locked.position, contents, locked.seqs);
    }
    this.positions.set(runner, position);
    this.counted(entries.length);
  }

  private counted(events: number): void {
    this.appendedSinceCheckpoint += events;
    if (this.appendedSinceCheckpoint >= this.config.env.AUDIT_CHECKPOINT_EVERY) {
      this.appendedSinceCheckpoint = 0;
      this.checkpointListener?.();
    }
  }

  /**
   * Events appended on their own wait here while GROUP_WRITES statements are in flight, then go
   * together in one statement, each to a different free chain: under load, one commit serves
   * many requests; when idle, an event is written at once. Each caller still resumes only
   * after its own event is committed.
   */
  private enqueue(content: EventContent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ content, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.writing < GROUP_WRITES) {
      const group = this.waiting.splice(0, this.config.env.AUDIT_CHAINS);
      this.writing += 1;
      this.appendGroup(group).finally(() => {
        this.writing -= 1;
        this.flush();
      });
    }
  }

  /** Settles every waiting caller of the group; never rejects itself. */
  private async appendGroup(group: Waiting[]): Promise<void> {
    const manager = this.dataSource.manager;
    const alone = (g: Waiting) => this.appendOne(manager, g.content).then(g.resolve, g.reject);
    if (group.length === 1) return alone(group[0]);
    const contents = group.map((g) => g.content);
    const parts = contents.map(canonicalParts);
    const valueRows = contents.map((c) =>
      rowValues({ ...c, seq: '', chainId: 0, chainSeq: '', prevHash: '', hash: '' }),
    );
    const column = (i: number) => valueRows.map((values) => values[i]);
    const json = (values: unknown[]) => values.map((v) => (v === null ? null : JSON.stringify(v)));
    const rows = await prepared<{ n: string }>(
      manager,
      'audit-append-group',
      `WITH free AS (
         SELECT chain_id, chain_seq, hash FROM audit_chain_head ORDER BY chain_id
         FOR UPDATE SKIP LOCKED LIMIT $1),
       heads AS (SELECT free.*, row_number() OVER (ORDER BY chain_id) AS n FROM free),
       input AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
           $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[],
           $14::uuid[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
           $21::text[])
         WITH ORDINALITY AS i(p1, p2, p3, p4, occurred_at, actor_id, actor_username, actor_roles,
           action, entity_type, entity_id, prisoner_id, facility_id, outcome, purpose, request_id, ip,
           user_agent, changed_fields, details, n)),
       event AS (
         SELECT h.chain_id, h.chain_seq + 1 AS chain_seq, nextval('audit_event_seq') AS seq,
           h.hash AS prev_hash, i.*
         FROM heads h JOIN input i ON i.n = h.n),
       hashed AS (
         SELECT event.*, encode(sha256(convert_to(prev_hash || p1 || chain_id::text || p2 ||
           chain_seq::text || p3 || seq::text || p4, 'UTF8')), 'hex') AS hash
         FROM event),
       appended AS (
         INSERT INTO audit_event (${COLUMNS.join(', ')})
         SELECT seq, chain_id, chain_seq, occurred_at, actor_id, actor_username,
           ARRAY(SELECT jsonb_array_elements_text(actor_roles::jsonb)), action, entity_type, entity_id,
           prisoner_id, facility_id, outcome, purpose, request_id, ip, user_agent,
           CASE WHEN changed_fields IS NULL THEN NULL
             ELSE ARRAY(SELECT jsonb_array_elements_text(changed_fields::jsonb)) END,
           details::jsonb, prev_hash, hash
         FROM hashed)
       UPDATE audit_chain_head h SET chain_seq = x.chain_seq, seq = x.seq, hash = x.hash
       FROM hashed x WHERE h.chain_id = x.chain_id
       RETURNING x.n::text AS n`,
      [
        contents.length,
        ...[0, 1, 2, 3].map((k) => parts.map((p) => p[k])),
        column(3),
        column(4),
        column(5),
        json(column(6)),
        column(7),
        column(8),
        column(9),
        column(10),
        column(11),
        column(12),
        column(13),
        column(14),
        column(15),
        column(16),
        json(column(17)),
        column(18),
      ],
    ).catch(() => [] as { n: string }[]);
    // The statement is atomic: what it did not write (fewer free chains than events, or it
    // failed) is appended event by event, queueing on a chain as single appends do.
    const written = new Set(rows.map((r) => Number(r.n)));
    await Promise.all(group.map((g, i) => (written.has(i + 1) ? g.resolve() : alone(g))));
  }

  /** Appends outside any change's transaction: for refusals and other requests that fail. */
  async appendStandalone(origin: AuditOrigin, entries: AuditEntry[]): Promise<void> {
    await this.append(this.dataSource.manager, origin, entries);
  }

  /** Returns `result`, or records a Denial as a denied event and throws its error. */
  async settle<T>(origin: AuditOrigin, result: T | Denial): Promise<T> {
    if (!(result instanceof Denial)) return result;
    return this.refuse(origin, result);
  }

  /** Records a denied attempt, then throws the refusal to the caller. */
  async refuse(origin: AuditOrigin, denial: Denial): Promise<never> {
    await this.appendStandalone(origin, [{ ...denial.entry, outcome: 'denied' }]);
    throw denial.error;
  }

  private content(origin: AuditOrigin, entry: AuditEntry, occurredAt: string): EventContent {
    return {
      occurredAt,
      actorId: origin.actor?.id ?? null,
      actorUsername: stored(origin.actor?.username ?? origin.claimedUsername, 64),
      actorRoles: origin.actor ? origin.actor.roles.map(toWellFormed) : [],
      action: entry.action,
      entityType: stored(entry.entityType),
      entityId: stored(entry.entityId),
      prisonerId: entry.prisonerId ?? null,
      facilityId: entry.facilityId ?? null,
      outcome: entry.outcome ?? 'success',
      purpose: stored(entry.purpose ?? inspectionPurpose(origin, entry) ?? origin.purpose, 500),
      requestId: stored(origin.requestId, 128),
      ip: stored(origin.ip, 64),
      userAgent: stored(origin.userAgent, 256),
      changedFields: entry.changedFields ? entry.changedFields.map(toWellFormed).sort() : null,
      details: entry.details ? storedJson(entry.details) : null,
    };
  }

  /** One event, one statement: take a free chain, hash in SQL, insert, move the head. */
  private async appendOne(manager: EntityManager, content: EventContent): Promise<ChainPosition> {
    const parts = canonicalParts(content);
    const values = rowValues({
      ...content,
      seq: '',
      chainId: 0,
      chainSeq: '',
      prevHash: '',
      hash: '',
    }).slice(3, 19);
    type Row = { chain_id: number; chain_seq: string; hash: string };
    const run = (name: string, which: string, extra: unknown[]) =>
      prepared<Row>(
        manager,
        name,
        `WITH head AS (SELECT chain_id, chain_seq, hash FROM audit_chain_head ${which}),
         event AS (
           SELECT chain_id, chain_seq + 1 AS chain_seq, nextval('audit_event_seq') AS seq, hash AS prev_hash
           FROM head),
         hashed AS (
           SELECT event.*, encode(sha256(convert_to(prev_hash || $1 || chain_id::text || $2 ||
             chain_seq::text || $3 || seq::text || $4, 'UTF8')), 'hex') AS hash
           FROM event),
         appended AS (
           INSERT INTO audit_event (${COLUMNS.join(', ')})
           SELECT seq, chain_id, chain_seq, ${CONTENT_TYPES.map((type, i) => `$${i + 5}::${type}`).join(', ')},
             prev_hash, hash
           FROM hashed)
         UPDATE audit_chain_head h SET chain_seq = x.chain_seq, seq = x.seq, hash = x.hash
         FROM hashed x WHERE h.chain_id = x.chain_id
         RETURNING h.chain_id, h.chain_seq::text, h.hash`,
        [...parts, ...values, ...extra],
      );
    let rows = await run(
      'audit-append-free',
      'ORDER BY chain_id FOR UPDATE SKIP LOCKED LIMIT 1',
      [],
    );
    if (rows.length === 0) {
      // Every chain is busy: queue on one of them, chosen at random to spread the wait.
      rows = await run('audit-append-one', `WHERE chain_id = $${values.length + 5} FOR UPDATE`, [
        this.randomChain(),
      ]);
    }
    if (rows.length === 0)
      throw new Error('audit_chain_head has no chains; start the service once');
    return { chainId: rows[0].chain_id, chainSeq: BigInt(rows[0].chain_seq), hash: rows[0].hash };
  }

  /** Events after a known head, hashed here; the caller holds the chain's lock. */
  private async insertAfter(
    manager: EntityManager,
    from: ChainPosition,
    contents: EventContent[],
    seqs: string[],
  ): Promise<ChainPosition> {
    let { chainSeq, hash } = from;
    const records = contents.map((content, i) => {
      chainSeq += 1n;
      const record: AuditRecord = {
        ...content,
        seq: seqs[i],
        chainId: from.chainId,
        chainSeq: chainSeq.toString(),
        prevHash: hash,
      };
      hash = auditHash(record);
      return { ...record, hash };
    });
    const params: unknown[] = [];
    const rows = records.map((r) => {
      const values = rowValues(r);
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, j) => `$${start + j + 1}`).join(', ')})`;
    });
    const last = records[records.length - 1];
    params.push(from.chainId, last.chainSeq, last.seq, last.hash);
    const n = params.length;
    await prepared(
      manager,
      `audit-append-after-${records.length}`,
      `WITH appended AS (INSERT INTO audit_event (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')})
       UPDATE audit_chain_head SET chain_seq = $${n - 2}, seq = $${n - 1}, hash = $${n}
       WHERE chain_id = $${n - 3}`,
      params,
    );
    return { chainId: from.chainId, chainSeq, hash };
  }

  /**
   * Takes a free chain for this transaction and the sequence numbers of its first events, in
   * one round trip. The numbers are drawn after the lock, so within a chain they only grow.
   */
  private async lockChain(
    manager: EntityManager,
    count: number,
  ): Promise<{ position: ChainPosition; seqs: string[] }> {
    type Row = { chain_id: number; chain_seq: string; hash: string; seqs: string[] };
    const select = (name: string, which: string, params: unknown[] = []) =>
      prepared<Row>(
        manager,
        name,
        `WITH head AS (SELECT chain_id, chain_seq, hash FROM audit_chain_head ${which})
         SELECT chain_id, chain_seq::text, hash,
           ARRAY(SELECT nextval('audit_event_seq')::text FROM generate_series(1, $1)) AS seqs
         FROM head`,
        [count, ...params],
      );
    let rows = await select('audit-lock-free', 'ORDER BY chain_id FOR UPDATE SKIP LOCKED LIMIT 1');
    if (rows.length === 0) {
      rows = await select('audit-lock-one', 'WHERE chain_id = $2 FOR UPDATE', [this.randomChain()]);
    }
    if (rows.length === 0)
      throw new Error('audit_chain_head has no chains; start the service once');
    const [row] = rows;
    return {
      position: { chainId: row.chain_id, chainSeq: BigInt(row.chain_seq), hash: row.hash },
      seqs: row.seqs,
    };
  }

  private randomChain(): number {
    return 1 + Math.floor(Math.random() * this.config.env.AUDIT_CHAINS);
  }

  private async nextSeqs(manager: EntityManager, count: number): Promise<string[]> {
    const [row] = await prepared<{ seqs: string[] }>(
      manager,
      'audit-next-seqs',
      `SELECT ARRAY(SELECT nextval('audit_event_seq')::text FROM generate_series(1, $1)) AS seqs`,
      [count],
    );
    return row.seqs;
  }

  /**
   * Makes sure AUDIT_CHAINS chains exist (chains are never removed) and that the monthly
   * partitions of audit_event exist from this month to PARTITION_MONTHS_AHEAD months ahead.
   */
  async ensureChains(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_chain_head (chain_id) SELECT g FROM generate_series(1, $1) g
       ON CONFLICT (chain_id) DO NOTHING`,
      [this.config.env.AUDIT_CHAINS],
    );
    await this.ensurePartitions();
  }

  /** Creates the partitions of this month and the next PARTITION_MONTHS_AHEAD, if missing. */
  async ensurePartitions(): Promise<number> {
    const [{ created }]: { created: number }[] = await this.dataSource.query(
      `SELECT audit_ensure_partitions((now() AT TIME ZONE 'UTC')::date,
         ((now() AT TIME ZONE 'UTC') + make_interval(months => $1))::date) AS created`,
      [PARTITION_MONTHS_AHEAD],
    );
    return created;
  }
}
