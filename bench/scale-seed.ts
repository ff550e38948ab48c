import type { KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { auditHash, type AuditRecord } from '../src/audit/audit-event.js';
import { signCheckpoint, type CheckpointHead } from '../src/audit/audit-verifier.js';
import { loadAuditSigningKey } from '../src/crypto/key-material.js';
import { copyFrom, copyValue } from './pg-copy.js';

/**
 * Sizes of the national-scale data set. SCALE_SIZE=full (the figures), medium, small
 * (CI) or tiny; each count can be overridden (SCALE_PRISONERS, SCALE_AUDIT_EVENTS, ...).
 */
export interface ScaleSize {
  facilities: number;
  prisoners: number;
  assessments: number;
  plans: number;
  auditEvents: number;
  /** Months the audit events are spread over, ending now. */
  months: number;
}

const SIZES: Record<string, ScaleSize> = {
  full: {
    facilities: 50,
    prisoners: 100_000,
    assessments: 1_000_000,
    plans: 200_000,
    auditEvents: 20_000_000,
    months: 24,
  },
  medium: {
    facilities: 50,
    prisoners: 20_000,
    assessments: 200_000,
    plans: 40_000,
    auditEvents: 2_000_000,
    months: 12,
  },
  small: {
    facilities: 5,
    prisoners: 2_000,
    assessments: 10_000,
    plans: 2_000,
    auditEvents: 100_000,
    months: 3,
  },
  tiny: {
    facilities: 2,
    prisoners: 200,
    assessments: 500,
    plans: 100,
    auditEvents: 5_000,
    months: 2,
  },
};

export function scaleSize(env: NodeJS.ProcessEnv = process.env): ScaleSize & { name: string } {
  const name = env.SCALE_SIZE ?? 'small';
  const base = SIZES[name];
  if (!base) throw new Error(`SCALE_SIZE must be one of ${Object.keys(SIZES).join(', ')}`);
  const n = (key: string, fallback: number) => (env[key] ? Number(env[key]) : fallback);
  return {
    name,
    facilities: n('SCALE_FACILITIES', base.facilities),
    prisoners: n('SCALE_PRISONERS', base.prisoners),
    assessments: n('SCALE_ASSESSMENTS', base.assessments),
    plans: n('SCALE_PLANS', base.plans),
    auditEvents: n('SCALE_AUDIT_EVENTS', base.auditEvents),
    months: n('SCALE_MONTHS', base.months),
  };
}

const log = (message: string) => process.stderr.write(`scale-seed: ${message}\n`);

const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await work();
  log(`${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
};

/**
 * Facilities, prisoners across them, and a security officer and a supervisor for each facility
 * (accounts that cannot sign in: their password hash is no hash), all by set-based SQL.
 */
async function seedPeople(db: pg.Client, size: ScaleSize): Promise<void> {
  await db.query(
    `INSERT INTO facility (code, name, region)
     SELECT 'SC' || lpad(g::text, 3, '0'), 'Scale facility ' || g, 'Region ' || (g % 7)
     FROM generate_series(1, $1) g ON CONFLICT DO NOTHING`,
    [size.facilities],
  );
  await db.query(
    `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status,
       facility_id, expected_release_date, created_at, updated_at)
     SELECT 'S' || lpad(g::text, 7, '0'), 'Given' || (g % 997), 'Family' || g,
       date '1960-01-01' + (g % 15000), CASE WHEN g % 11 = 0 THEN 'female' ELSE 'male' END,
       CASE WHEN g % 5 = 0 THEN 'remand' ELSE 'sentenced' END, f.id,
       current_date + (g % 3000), now() - make_interval(days => g % 900), now()
     FROM generate_series(1, $1) g
     JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM facility WHERE code LIKE 'SC%') f
       ON f.n = g % $2`,
    [size.prisoners, size.facilities],
  );
  await db.query(
    `WITH f AS (SELECT id, code FROM facility WHERE code LIKE 'SC%'),
     u AS (
       INSERT INTO app_user (username, display_name, password_hash, roles)
       SELECT 'scale.' || r.role || '.' || lower(f.code), 'Scale ' || r.role || ' ' || f.code,
         'not-a-login', ARRAY[r.role]
       FROM f CROSS JOIN (VALUES ('security_officer'), ('supervisor')) AS r(role)
       ON CONFLICT (username) DO NOTHING
       RETURNING id, username)
     INSERT INTO user_facility (user_id, facility_id)
     SELECT u.id, f.id FROM u JOIN f ON u.username LIKE '%.' || lower(f.code)`,
  );
}

/**
 * Assessments and plans cloned from an approved assessment and a plan already in the database
 * (made through the API by the benchmark), so every row has the shape the service writes.
 */
async function seedCases(db: pg.Client, size: ScaleSize): Promise<void> {
  let [template] = (
    await db.query(
      `SELECT id FROM assessment WHERE status = 'approved' ORDER BY created_at LIMIT 1`,
    )
  ).rows;
  if (!template) {
    // None made through the API: an approved needs assessment written as the service stores one
    // (the instrument imported at start-up), by two of the seeded accounts.
    [template] = (
      await db.query(
        `INSERT INTO assessment (prisoner_id, instrument_version_id, instrument_key, status, reason,
           assessor_id, countersigner_id, needs, approved_at, submitted_at, next_review_due)
         SELECT (SELECT id FROM prisoner WHERE prison_number LIKE 'S%' ORDER BY prison_number LIMIT 1),
           iv.id, iv.key, 'approved', 'intake',
           (SELECT id FROM app_user WHERE username LIKE 'scale.security_officer.%' ORDER BY username LIMIT 1),
           (SELECT id FROM app_user WHERE username LIKE 'scale.supervisor.%' ORDER BY username LIMIT 1),
           '[]', now(), now(), current_date + 180
         FROM instrument_version iv WHERE iv.key = 've-needs'
         ORDER BY iv.imported_at DESC LIMIT 1
         RETURNING id`,
      )
    ).rows;
  }
  if (!template) {
    log(
      'no approved assessment to clone and no needs instrument: assessments and plans not seeded',
    );
    return;
  }
  await timed(`${size.assessments} assessments`, () =>
    db.query(
      `INSERT INTO assessment (prisoner_id, instrument_version_id, instrument_key, revision, status,
         reason, assessor_id, countersigner_id, ratings, formulation, scenarios, needs,
         final_risk_level, final_rationale, recommendations, prisoner_participation, indicative,
         engine_version, next_review_due, submitted_at, approved_at, created_at, updated_at)
       SELECT p.id, t.instrument_version_id, t.instrument_key, 1, 'approved', 'periodic',
         t.assessor_id, t.countersigner_id, t.ratings, t.formulation, t.scenarios, t.needs,
         (ARRAY['low', 'moderate', 'high'])[1 + g % 3], t.final_rationale, t.recommendations,
         t.prisoner_participation, t.indicative, t.engine_version,
         current_date + (g % 400) - 200, ts, ts, ts, ts
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT now() - make_interval(days => g % 1500, secs => g % 86400) AS ts) x
       JOIN (SELECT id, row_number() OVER (ORDER BY prison_number) - 1 AS n FROM prisoner
             WHERE prison_number LIKE 'S%') p ON p.n = g % $2
       CROSS JOIN (SELECT * FROM assessment WHERE id = $3) t`,
      [size.assessments, size.prisoners, template.id],
    ),
  );
  // Plans: one active plan for each of the first prisoners, older closed ones after that, each
  // based on an assessment of its prisoner; written by a security officer account, approved by a
  // supervisor's (four eyes holds).
  await timed(`${size.plans} plans`, () =>
    db.query(
      `INSERT INTO programme_plan (prisoner_id, based_on_assessment_id, catalogue_version_id, status,
         author_id, submitted_by, submitted_at, approver_id, approved_at, expected_release_date,
         closed_at, close_reason, created_at, updated_at)
       SELECT p.id, a.id, c.id,
         CASE WHEN g <= $2 THEN 'active' ELSE 'closed' END,
         au.id, au.id, ts, ap.id, ts, p.expected_release_date,
         CASE WHEN g <= $2 THEN NULL ELSE ts + interval '90 days' END,
         CASE WHEN g <= $2 THEN NULL ELSE 'scale seed' END, ts, ts
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT now() - make_interval(days => (g / $2) * 200 + g % 150) AS ts) x
       JOIN (SELECT id, expected_release_date, row_number() OVER (ORDER BY prison_number) - 1 AS n
             FROM prisoner WHERE prison_number LIKE 'S%') p ON p.n = (g - 1) % $2
       CROSS JOIN LATERAL (SELECT id FROM assessment
                           WHERE prisoner_id = p.id ORDER BY created_at DESC LIMIT 1) a
       CROSS JOIN (SELECT id FROM instrument_version
                   WHERE kind = 'intervention-catalogue' AND status = 'active'
                   ORDER BY imported_at DESC LIMIT 1) c
       CROSS JOIN (SELECT id FROM app_user WHERE username LIKE 'scale.security_officer.%'
                   ORDER BY username LIMIT 1) au
       CROSS JOIN (SELECT id FROM app_user WHERE username LIKE 'scale.supervisor.%'
                   ORDER BY username LIMIT 1) ap`,
      [size.plans, Math.min(size.prisoners, size.assessments)],
    ),
  );
}

interface Actor {
  id: string;
  username: string;
  roles: string;
}

const AUDIT_COLUMNS = [
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
 * Audit events continuing every chain from its head, spread over the last `months` months,
 * hashed with the reference implementation and written by COPY, with a signed checkpoint every
 * `checkpointEvery` events (as the service signs them).
 */
export async function seedAudit(
  db: pg.Client,
  count: number,
  options: {
    months: number;
    chains: number;
    checkpointEvery: number;
    signing: { privateKey: KeyObject; keyId: string };
  },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_chain_head (chain_id) SELECT g FROM generate_series(1, $1) g
     ON CONFLICT (chain_id) DO NOTHING`,
    [options.chains],
  );
  const heads = new Map<number, { chainSeq: number; seq: number; hash: string }>(
    (
      await db.query(
        `SELECT chain_id, chain_seq::int, coalesce(seq, 0)::int AS seq, hash FROM audit_chain_head
         WHERE chain_id <= $1 ORDER BY chain_id`,
        [options.chains],
      )
    ).rows.map((r) => [r.chain_id, { chainSeq: r.chain_seq, seq: r.seq, hash: r.hash }]),
  );
  const [{ last }] = (
    await db.query(
      `SELECT setval('audit_event_seq', nextval('audit_event_seq') + $1) - $1 AS last`,
      [count],
    )
  ).rows;
  let seq = Number(last) - 1;
  const end = Date.now() - 60_000;
  const start = end - options.months * 30.4 * 86_400_000;
  const existing = new Set(
    (
      await db.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_event'::regclass`,
      )
    ).rows.map((r: { name: string }) => r.name),
  );
  // A month without a partition is loaded into a table of its own without indexes, which is
  // then attached (PostgreSQL builds its indexes in one pass); other months go through the
  // partitioned table.
  const loading = new Set<string>();
  const tableFor = async (occurredAt: string) => {
    const name = `audit_event_p${occurredAt.slice(0, 4)}${occurredAt.slice(5, 7)}`;
    if (existing.has(name)) return 'audit_event';
    if (!loading.has(name)) {
      await db.query(
        `CREATE TABLE ${name} (LIKE audit_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
      loading.add(name);
    }
    return name;
  };
  const attach = async (name: string) => {
    const month = `${name.slice(13, 17)}-${name.slice(17, 19)}-01`;
    const next = new Date(`${month}T00:00:00Z`);
    next.setUTCMonth(next.getUTCMonth() + 1);
    await db.query(
      `ALTER TABLE audit_event ATTACH PARTITION ${name}
       FOR VALUES FROM ('${month} 00:00:00+00') TO ('${next.toISOString().slice(0, 10)} 00:00:00+00')`,
    );
    await db.query(
      `CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON ${name}
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
    );
    existing.add(name);
    loading.delete(name);
  };
  const actors: Actor[] = (
    await db.query(
      `SELECT id, username, array_to_string(roles, ',') AS roles FROM app_user ORDER BY username LIMIT 500`,
    )
  ).rows;
  const prisoners: { id: string; facility_id: string }[] = (
    await db.query(`SELECT id, facility_id FROM prisoner ORDER BY id LIMIT 50000`)
  ).rows;
  if (actors.length === 0 || prisoners.length === 0) throw new Error('seed people first');
  const actions = [
    ['prisoner.read', 'prisoner'],
    ['prisoner.read', 'prisoner'],
    ['assessment.read', 'assessment'],
    ['plan.read', 'programme_plan'],
    ['prisoner.list', null],
    ['assessment.list', null],
    ['prisoner.update', 'prisoner'],
  ] as const;
  const batch = 50_000;
  let checkpoints: unknown[][] = [];
  const flushCheckpoints = async () => {
    if (checkpoints.length === 0) return;
    const values = checkpoints.map(
      (_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`,
    );
    await db.query(
      `INSERT INTO audit_checkpoint (created_at, head_seq, heads, key_id, signature) VALUES ${values.join(', ')}`,
      checkpoints.flat(),
    );
    checkpoints = [];
  };
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  const started = Date.now();
  for (let from = 0; from < count; from += batch) {
    const byTable = new Map<string, string[]>();
    for (let i = from; i < Math.min(count, from + batch); i++) {
      seq += 1;
      const chainId = (i % options.chains) + 1;
      const head = heads.get(chainId)!;
      const actor = actors[i % actors.length];
      const prisoner = prisoners[(i * 7919) % prisoners.length];
      const [action, entityType] = actions[i % actions.length];
      const list = entityType === null;
      const record: AuditRecord = {
        seq: String(seq),
        chainId,
        chainSeq: String(head.chainSeq + 1),
        occurredAt: new Date(start + ((end - start) * i) / count).toISOString(),
        actorId: actor.id,
        actorUsername: actor.username,
        actorRoles: actor.roles.split(','),
        action,
        entityType,
        entityId: list ? null : prisoner.id,
        prisonerId: list ? null : prisoner.id,
        facilityId: prisoner.facility_id,
        outcome: i % 97 === 0 ? 'denied' : 'success',
        purpose: null,
        requestId: `seed-${i}`,
        ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        userAgent: 'Mozilla/5.0 (scale seed)',
        changedFields: action === 'prisoner.update' ? ['expectedReleaseDate'] : null,
        details: list ? { resultCount: i % 50, limit: 50 } : null,
        prevHash: head.hash,
      };
      const hash = auditHash(record);
      const table = await tableFor(record.occurredAt);
      const lines = byTable.get(table) ?? [];
      byTable.set(table, lines);
      head.chainSeq += 1;
      head.seq = seq;
      head.hash = hash;
      lines.push(
        [
          record.seq,
          chainId,
          record.chainSeq,
          record.occurredAt,
          record.actorId,
          record.actorUsername,
          `{${record.actorRoles.join(',')}}`,
          action,
          entityType,
          record.entityId,
          record.prisonerId,
          record.facilityId,
          record.outcome,
          null,
          record.requestId,
          record.ip,
          record.userAgent,
          record.changedFields ? `{${record.changedFields.join(',')}}` : null,
          record.details ? JSON.stringify(record.details) : null,
          record.prevHash,
          hash,
        ]
          .map(copyValue)
          .join('\t'),
      );
      if ((i + 1) % options.checkpointEvery === 0 || i === count - 1) {
        const signed: CheckpointHead[] = [...heads]
          .filter(([, h]) => h.chainSeq > 0)
          .map(([chainId, h]) => ({ chainId, chainSeq: h.chainSeq, seq: h.seq, hash: h.hash }));
        const payload = {
          createdAt: record.occurredAt,
          headSeq: Math.max(...signed.map((h) => h.seq)),
          heads: signed,
        };
        checkpoints.push([
          payload.createdAt,
          payload.headSeq,
          JSON.stringify(signed),
          options.signing.keyId,
          signCheckpoint(payload, options.signing.privateKey),
        ]);
        if (checkpoints.length >= 1000) await flushCheckpoints();
      }
    }
    // The database writes one batch while the next is hashed here.
    await pending;
    pending = (async () => {
      for (const [table, lines] of byTable) {
        written += await copyFrom(db, table, AUDIT_COLUMNS, lines);
      }
    })();
    pending.catch(() => undefined);
    // A month is complete once a later one has begun.
    for (const name of [...loading]) {
      const last = [...byTable.keys()].at(-1);
      if (name !== last) {
        await pending;
        await attach(name);
      }
    }
    const rate = (written / (Date.now() - started)) * 1000;
    if ((from / batch) % 10 === 0 || written === count) {
      log(
        `audit events ${written.toLocaleString('en')} of ${count.toLocaleString('en')} ` +
          `(${Math.round(rate).toLocaleString('en')}/s, about ${Math.round((count - written) / rate)} s left)`,
      );
    }
  }
  await pending;
  await flushCheckpoints();
  for (const name of [...loading]) await attach(name);
  for (const [chainId, head] of heads) {
    if (head.chainSeq === 0) continue;
    await db.query(
      `UPDATE audit_chain_head SET chain_seq = $2, seq = $3, hash = $4
       WHERE chain_id = $1 AND chain_seq < $2`,
      [chainId, head.chainSeq, head.seq, head.hash],
    );
  }
}

/** Seeds everything at `size`; the database must be migrated and hold one user at least. */
export async function seedScale(
  url: string,
  size: ScaleSize,
  signing: { privateKey: KeyObject; keyId: string },
  chains = 16,
): Promise<{ seconds: number }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const started = Date.now();
  try {
    await db.query(`SET synchronous_commit = off`);
    await timed(`${size.facilities} facilities, ${size.prisoners} prisoners`, () =>
      seedPeople(db, size),
    );
    await seedCases(db, size);
    await timed(`${size.auditEvents} audit events`, () =>
      seedAudit(db, size.auditEvents, {
        months: size.months,
        chains,
        checkpointEvery: 1000,
        signing,
      }),
    );
    // The case tables vacuumed, as autovacuum keeps them in a database in use (index-only
    // scans need the visibility map); the audit months are only analysed (vacuuming twenty
    // million events would add minutes to the seed, and no audit query relies on it).
    await timed('vacuum and analyze', async () => {
      const tables = (
        await db.query(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'audit_event%'`,
        )
      ).rows.map((r: { relname: string }) => `"${r.relname}"`);
      if (tables.length > 0) await db.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
      await db.query('ANALYZE');
    });
  } finally {
    await db.end();
  }
  return { seconds: (Date.now() - started) / 1000 };
}

/**
 * `npm run seed:scale` (DATABASE_URL, DATA_DIR for the checkpoint key, SCALE_SIZE): seeds a
 * migrated database in bulk through SQL (generate_series, COPY), not through the API.
 */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must name the database to seed');
  const size = scaleSize();
  const key = loadAuditSigningKey(process.env.AUDIT_SIGNING_KEY, process.env.DATA_DIR ?? './.data');
  seedScale(url, size, key, Number(process.env.AUDIT_CHAINS ?? 16)).then(
    ({ seconds }) => log(`${size.name} seeded in ${seconds.toFixed(0)} s`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
