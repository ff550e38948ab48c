import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse, stringify } from 'yaml';
import { AppModule } from '../src/app.module.js';
import { createHttpAdapter } from '../src/configure-app.js';
import { canonicalSha256 } from '../src/crypto/canonical-json.js';
import { InstrumentsService } from '../src/instruments/instruments.service.js';
import type { Role } from '../src/access/roles.js';
import { Factories, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

class MemoryLog extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

const SHIPPED = join(process.cwd(), 'rule-sets');
const RISK = 'instruments/ve-risk-spj@1.0.0.yaml';
const PRAYER_FIXTURE = join(
  process.cwd(),
  'src/instruments/rule-sets/fixtures/prayer-item/prayer-item@1.0.0.yaml',
);
const ORIGIN = { requestId: 'test-import', ip: 'local' };
const ROLES: Role[] = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
  'administrator',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const temps: string[] = [];

/** A copy of the shipped rule-sets (YAML only) in a temporary directory. */
function copyOfShipped(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vep-rule-sets-'));
  temps.push(dir);
  cpSync(SHIPPED, dir, { recursive: true, filter: (src) => !src.includes('schema') });
  return dir;
}

const readDoc = (dir: string, file: string): Doc => parse(readFileSync(join(dir, file), 'utf8'));
const writeDoc = (dir: string, file: string, doc: Doc) =>
  writeFileSync(join(dir, file), stringify(doc));

/** ve-risk-spj 1.2.0: one item removed, one added, one reworded, and a new title. */
function riskV120(dir: string, status = 'active'): void {
  const doc = readDoc(dir, RISK);
  doc.version = '1.2.0';
  doc.status = status;
  doc.title = 'Violent extremism risk SPJ, revised (illustrative)';
  const items = doc.domains[0].items;
  const removed = items.pop();
  items[0].guidance = `${items[0].guidance} Revised guidance.`;
  items.push({ ...removed, code: 'BA99', prompt: 'Frames violence as the only option left' });
  writeDoc(dir, 'instruments/ve-risk-spj@1.2.0.yaml', doc);
}

describe('instruments: rule-set import and catalogue API', () => {
  let t: TestApp;
  let f: Factories;
  let service: InstrumentsService;
  let users: Record<Role, TestUser>;
  let psychologist: TestUser;
  const log = new MemoryLog();

  const counts = async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM instrument_version) AS versions,
         (SELECT count(*)::int FROM audit_event WHERE action LIKE 'rule_set.%') AS audits`,
    );
    return row as { versions: number; audits: number };
  };

  beforeAll(async () => {
    t = await createTestApp({ logDestination: log });
    f = new Factories(t);
    service = t.app.get(InstrumentsService);
    const facility = await f.facility();
    users = Object.fromEntries(
      await Promise.all(ROLES.map(async (role) => [role, await f.user([role], [facility])])),
    );
    psychologist = users.psychologist;
  });
  afterAll(async () => {
    await t.close();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  describe('start-up import', () => {
    it('imports the seven shipped files on start, in one log line with counts', async () => {
      const ready = log.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'rule-sets ready');
      expect(ready).toMatchObject({ imported: 7, retired: 0, unchanged: 0, dir: SHIPPED });
      expect(ready.ms).toBeLessThan(5000);
      const res = await t.http
        .get('/api/v1/instruments')
        .set('authorization', psychologist.auth)
        .expect(200);
      expect(res.body.map((i: Doc) => [i.key, i.kind, i.purpose])).toEqual([
        ['handbook-interventions', 'intervention-catalogue', null],
        ['ve-needs', 'instrument', 'needs'],
        ['ve-risk-spj', 'instrument', 'risk'],
      ]);
      // Newest first. ve-risk-spj ships 1.1.0 beside 1.0.0, which keeps its assessments; each
      // key's newest version is a patch that adds the Russian text and changes nothing else.
      const shipped: Record<string, string[]> = {
        'handbook-interventions': ['1.0.1', '1.0.0'],
        've-needs': ['1.0.1', '1.0.0'],
        've-risk-spj': ['1.1.1', '1.1.0', '1.0.0'],
      };
      for (const entry of res.body) {
        expect(entry.title).toEqual(expect.any(String));
        expect(entry.versions).toEqual(
          shipped[entry.key].map((version) => ({
            version,
            status: 'active',
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            importedAt: expect.any(String),
            retiredAt: null,
          })),
        );
      }
    });

    it('audits every import with kind, key, version and sha256, attributed to start-up', async () => {
      const rows = await t.db.query(
        `SELECT actor_id, request_id, entity_type, entity_id, outcome, details
         FROM audit_event WHERE action = 'rule_set.import' ORDER BY seq`,
      );
      const versions = await t.db.query(
        `SELECT id, key, version, kind, content_sha256 FROM instrument_version ORDER BY key`,
      );
      expect(rows).toHaveLength(7);
      expect(versions).toHaveLength(7);
      for (const v of versions) {
        const row = rows.find((r: Doc) => r.entity_id === v.id);
        expect(row).toMatchObject({
          actor_id: null,
          request_id: 'startup',
          entity_type: 'instrument_version',
          outcome: 'success',
          details: {
            key: v.key,
            version: v.version,
            kind: v.kind,
            sha256: v.content_sha256,
            status: 'active',
          },
        });
      }
    });

    it('re-importing the same files is a no-op', async () => {
      const before = await counts();
      const report = await service.importDirectory(ORIGIN, SHIPPED);
      expect(report.errors).toEqual([]);
      expect(report.imported).toEqual([]);
      expect(report.unchanged.map((u) => `${u.key}@${u.version}`).sort()).toEqual([
        'handbook-interventions@1.0.0',
        'handbook-interventions@1.0.1',
        've-needs@1.0.0',
        've-needs@1.0.1',
        've-risk-spj@1.0.0',
        've-risk-spj@1.1.0',
        've-risk-spj@1.1.1',
      ]);
      expect(await counts()).toEqual(before);
    });

    it('stops start-up when a shipped version was changed, listing file, version and both hashes', async () => {
      const dir = copyOfShipped();
      const doc = readDoc(dir, RISK);
      doc.domains[0].items[0].guidance = 'Edited without bumping the version.';
      writeDoc(dir, RISK, doc);
      const stored = (await service.getVersion('ve-risk-spj', '1.0.0'))!.sha256;
      const edited = canonicalSha256(doc);

      const moduleRef = await Test.createTestingModule({
        imports: [
          AppModule.forRoot({
            database: { url: t.databaseUrl, embedded: false },
            env: {
              DATA_DIR: t.dataDir,
              LOG_LEVEL: 'silent',
              SEED_DEMO: 'false',
              DATABASE_POOL_SIZE: '2',
              RULE_SETS_DIR: dir,
            },
          }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication<NestFastifyApplication>(
        createHttpAdapter({ trustProxy: false }),
        { logger: false },
      );
      try {
        const failure = await app.init().then(
          () => undefined,
          (error: Error) => error,
        );
        expect(failure?.message).toContain(`${RISK}: version: version 1.0.0 of ve-risk-spj`);
        expect(failure?.message).toContain(stored);
        expect(failure?.message).toContain(edited);
      } finally {
        await app.close();
      }
    });
  });

  describe('import refusals write nothing', () => {
    it('refuses the same version with other content, naming file, version and both hashes', async () => {
      const dir = copyOfShipped();
      const doc = readDoc(dir, RISK);
      doc.domains[1].items[0].prompt = `${doc.domains[1].items[0].prompt} (edited)`;
      writeDoc(dir, RISK, doc);
      riskV120(dir); // valid and new, but the batch is all or nothing
      const before = await counts();
      const report = await service.importDirectory(ORIGIN, dir);
      const stored = (await service.getVersion('ve-risk-spj', '1.0.0'))!.sha256;
      expect(report.errors).toEqual([
        {
          file: RISK,
          path: 'version',
          code: 'version_conflict',
          message: expect.stringContaining('version 1.0.0 of ve-risk-spj'),
        },
      ]);
      expect(report.errors[0].message).toContain(`imported sha256 ${stored}`);
      expect(report.errors[0].message).toContain(`this file sha256 ${canonicalSha256(doc)}`);
      expect(report.imported).toEqual([]);
      expect(await counts()).toEqual(before);
      expect(await service.getVersion('ve-risk-spj', '1.2.0')).toBeUndefined();
    });

    it('refuses an item about prayer without a nonDiscriminationNote, naming its path', async () => {
      const dir = copyOfShipped();
      cpSync(PRAYER_FIXTURE, join(dir, 'instruments/prayer-item@1.0.0.yaml'));
      riskV120(dir);
      const before = await counts();
      const report = await service.importDirectory(ORIGIN, dir);
      expect(report.errors).toEqual([
        expect.objectContaining({
          file: 'instruments/prayer-item@1.0.0.yaml',
          path: 'domains[0].items[3].prompt',
          code: 'non_discrimination',
        }),
        // Its guidance names religious practice without saying it is not an indicator.
        expect.objectContaining({
          file: 'instruments/prayer-item@1.0.0.yaml',
          path: 'domains[0].items[3].guidance',
          code: 'non_discrimination',
        }),
      ]);
      expect(await counts()).toEqual(before);
    });

    it('reports every error of a batch at once', async () => {
      const dir = copyOfShipped();
      cpSync(PRAYER_FIXTURE, join(dir, 'instruments/prayer-item@1.0.0.yaml'));
      const doc = readDoc(dir, RISK);
      doc.title = 'Changed title, same version';
      writeDoc(dir, RISK, doc);
      writeFileSync(join(dir, 'broken@1.0.0.yaml'), 'kind: [unclosed\n');
      const report = await service.importDirectory(ORIGIN, dir);
      expect(report.errors.map((e) => [e.file, e.code])).toEqual(
        expect.arrayContaining([
          ['broken@1.0.0.yaml', 'yaml_syntax'],
          ['instruments/prayer-item@1.0.0.yaml', 'non_discrimination'],
          [RISK, 'version_conflict'],
        ]),
      );
    });
  });

  describe('new versions, diff and retirement', () => {
    let newDir: string;

    it('imports a new version beside the old one; the list shows newest first', async () => {
      newDir = copyOfShipped();
      riskV120(newDir);
      const report = await service.importDirectory(ORIGIN, newDir);
      expect(report.errors).toEqual([]);
      expect(report.imported.map((e) => `${e.key}@${e.version}`)).toEqual(['ve-risk-spj@1.2.0']);
      expect(report.unchanged).toHaveLength(7);
      const res = await t.http
        .get('/api/v1/instruments')
        .set('authorization', users.security_officer.auth)
        .expect(200);
      const risk = res.body.find((i: Doc) => i.key === 've-risk-spj');
      expect(risk.title).toBe('Violent extremism risk SPJ, revised (illustrative)');
      expect(risk.versions.map((v: Doc) => [v.version, v.status])).toEqual([
        ['1.2.0', 'active'],
        ['1.1.1', 'active'],
        ['1.1.0', 'active'],
        ['1.0.0', 'active'],
      ]);
      expect((await service.newestActive('ve-risk-spj'))?.version).toBe('1.2.0');
    });

    it('diffs two versions: items added, removed and changed field by field', async () => {
      const res = await t.http
        .get('/api/v1/instruments/ve-risk-spj/diff?from=1.0.0&to=1.2.0')
        .set('authorization', psychologist.auth)
        .expect(200);
      const old = readDoc(SHIPPED, RISK);
      const first = old.domains[0].items[0];
      const last = old.domains[0].items[old.domains[0].items.length - 1];
      expect(res.body.from).toEqual({ key: 've-risk-spj', version: '1.0.0' });
      expect(res.body.to).toEqual({ key: 've-risk-spj', version: '1.2.0' });
      expect(res.body.added).toEqual([
        {
          code: 'BA99',
          domain: old.domains[0].code,
          prompt: 'Frames violence as the only option left',
          kind: last.kind,
        },
      ]);
      expect(res.body.removed).toEqual([
        { code: last.code, domain: old.domains[0].code, prompt: last.prompt, kind: last.kind },
      ]);
      expect(res.body.changed).toEqual([
        {
          code: first.code,
          changes: [
            { field: 'guidance', from: first.guidance, to: `${first.guidance} Revised guidance.` },
          ],
        },
      ]);
      expect(res.body.settings).toEqual([
        {
          field: 'title',
          from: old.title,
          to: 'Violent extremism risk SPJ, revised (illustrative)',
        },
      ]);
    });

    it('retires a version whose file says retired, keeps it listed, and audits it', async () => {
      const before = await service.getVersion('ve-risk-spj', '1.2.0');
      expect(before?.status).toBe('active'); // now cached
      const dir = copyOfShipped();
      riskV120(dir, 'retired');
      const report = await service.importDirectory(ORIGIN, dir);
      expect(report.errors).toEqual([]);
      expect(report.retired.map((e) => `${e.key}@${e.version}`)).toEqual(['ve-risk-spj@1.2.0']);
      expect(report.imported).toEqual([]);

      const res = await t.http
        .get('/api/v1/instruments')
        .set('authorization', users.administrator.auth)
        .expect(200);
      const risk = res.body.find((i: Doc) => i.key === 've-risk-spj');
      expect(risk.versions.map((v: Doc) => [v.version, v.status])).toEqual([
        ['1.2.0', 'retired'],
        ['1.1.1', 'active'],
        ['1.1.0', 'active'],
        ['1.0.0', 'active'],
      ]);
      expect(risk.versions[0].retiredAt).toEqual(expect.any(String));
      expect((await service.getById(before!.id))?.status).toBe('retired');
      expect((await service.newestActive('ve-risk-spj'))?.version).toBe('1.1.1');

      const [audit] = await t.db.query(
        `SELECT entity_id, changed_fields, details FROM audit_event WHERE action = 'rule_set.retire'`,
      );
      expect(audit).toMatchObject({
        entity_id: before!.id,
        changed_fields: ['status'],
        details: { key: 've-risk-spj', version: '1.2.0', sha256: before!.sha256 },
      });

      // The same files again: nothing to do. The file that still says active: refused.
      const again = await service.importDirectory(ORIGIN, dir);
      expect(again.errors).toEqual([]);
      expect(again.unchanged).toHaveLength(8);
      const revived = await service.importDirectory(ORIGIN, newDir);
      expect(revived.errors).toEqual([
        expect.objectContaining({
          file: 'instruments/ve-risk-spj@1.2.0.yaml',
          path: 'status',
          message: expect.stringContaining('stays retired'),
        }),
      ]);
      // Versions whose files are gone stay.
      expect((await service.importDirectory(ORIGIN, SHIPPED)).errors).toEqual([]);
      expect((await service.getVersion('ve-risk-spj', '1.2.0'))?.status).toBe('retired');
    });

    it('keeps imported versions immutable in the database itself', async () => {
      const [{ id }] = await t.db.query(
        `SELECT id FROM instrument_version WHERE key = 've-risk-spj' AND version = '1.0.0'`,
      );
      const refused = [
        [`UPDATE instrument_version SET content = content || '{"title":"x"}' WHERE id = $1`, [id]],
        [`UPDATE instrument_version SET content_sha256 = repeat('0', 64) WHERE id = $1`, [id]],
        [`UPDATE instrument_version SET version = '1.0.1' WHERE id = $1`, [id]],
        [`UPDATE instrument_version SET status = 'draft' WHERE id = $1`, [id]],
        [
          `UPDATE instrument_version SET status = 'active', retired_at = NULL WHERE status = 'retired'`,
          [],
        ],
        [`DELETE FROM instrument_version WHERE id = $1`, [id]],
        [`TRUNCATE instrument_version CASCADE`, []],
      ] as const;
      for (const [sql, params] of refused) {
        await expect(t.db.query(sql, [...params])).rejects.toThrow(
          /immutable|never deleted|cannot become/,
        );
      }
    });
  });

  describe('reading definitions', () => {
    it('returns the full definition, whose sha256 verifies', async () => {
      const res = await t.http
        .get('/api/v1/instruments/ve-risk-spj/versions/1.0.0')
        .set('authorization', users.pve_inspector.auth)
        .expect(200);
      expect(res.body).toMatchObject({
        key: 've-risk-spj',
        version: '1.0.0',
        kind: 'instrument',
        purpose: 'risk',
        status: 'active',
        sourceFile: RISK,
        retiredAt: null,
      });
      expect(res.body.definition.domains).toHaveLength(5);
      expect(canonicalSha256(res.body.definition)).toBe(res.body.sha256);
      expect(res.body.definition).toEqual(readDoc(SHIPPED, RISK));
    });

    it('serves the catalogue too', async () => {
      const res = await t.http
        .get('/api/v1/instruments/handbook-interventions/versions/1.0.0')
        .set('authorization', users.supervisor.auth)
        .expect(200);
      expect(res.body).toMatchObject({ kind: 'intervention-catalogue', purpose: null });
      expect(res.body.definition.interventions.length).toBeGreaterThan(5);
    });

    it.each(ROLES)('lets a %s read every endpoint', async (role) => {
      const auth = users[role].auth;
      await t.http.get('/api/v1/instruments').set('authorization', auth).expect(200);
      await t.http
        .get('/api/v1/instruments/ve-needs/versions/1.0.0')
        .set('authorization', auth)
        .expect(200);
      await t.http
        .get('/api/v1/instruments/ve-risk-spj/diff?from=1.0.0&to=1.0.0')
        .set('authorization', auth)
        .expect(200);
    });

    it('answers 401 without a token', async () => {
      for (const path of [
        '/api/v1/instruments',
        '/api/v1/instruments/ve-risk-spj/versions/1.0.0',
        '/api/v1/instruments/ve-risk-spj/diff?from=1.0.0&to=1.0.0',
      ])
        await t.http.get(path).expect(401);
    });

    it('answers 404 for an unknown key or version', async () => {
      const get = (path: string) =>
        t.http.get(`/api/v1/instruments/${path}`).set('authorization', psychologist.auth);
      expect((await get('no-such-thing/versions/1.0.0').expect(404)).body.code).toBe('not_found');
      expect((await get('ve-risk-spj/versions/9.9.9').expect(404)).body.detail).toContain('9.9.9');
      expect((await get('no-such-thing/diff?from=1.0.0&to=1.2.0').expect(404)).body.detail).toBe(
        'Instrument no-such-thing was not found',
      );
      expect((await get('ve-risk-spj/diff?from=1.0.0&to=2.0.0').expect(404)).body.detail).toBe(
        'Version 2.0.0 of ve-risk-spj was not found',
      );
    });

    it('answers 400 naming the parameter for a malformed key, version, from or to', async () => {
      const get = (path: string) =>
        t.http.get(`/api/v1/instruments/${path}`).set('authorization', psychologist.auth);
      const cases: [string, string][] = [
        ['ve-risk-spj/versions/1.0', 'version'],
        ['ve-risk-spj/versions/1.0.0+build.1', 'version'],
        ['ve-risk-spj/versions/01.0.0', 'version'],
        [`ve-risk-spj/versions/1.0.0-${'x'.repeat(80)}`, 'version'],
        ['VE_RISK/versions/1.0.0', 'key'],
        ['ve--risk/diff?from=1.0.0&to=1.0.0', 'key'],
        ['ve-risk-spj/diff?to=1.0.0', 'from'],
        ['ve-risk-spj/diff?from=1.0.0', 'to'],
        ['ve-risk-spj/diff?from=1.0.0&to=latest', 'to'],
        ['ve-risk-spj/diff?from=1.0.0&from=1.2.0&to=1.0.0', 'from'],
      ];
      for (const [path, field] of cases) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.body.errors.map((e: Doc) => e.path)).toEqual([field]);
      }
      const both = await get('ve-risk-spj/diff').expect(400);
      expect(both.body.errors.map((e: Doc) => e.path)).toEqual(['from', 'to']);
    });

    it('answers 422 when asked to diff a catalogue', async () => {
      const res = await t.http
        .get('/api/v1/instruments/handbook-interventions/diff?from=1.0.0&to=1.0.0')
        .set('authorization', psychologist.auth)
        .expect(422);
      expect(res.body.code).toBe('not_an_instrument');
    });

    it('does not audit reads of definitions (they are not case content)', async () => {
      const total = async () =>
        (await t.db.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n as number;
      const before = await total();
      const auth = psychologist.auth;
      await t.http.get('/api/v1/instruments').set('authorization', auth).expect(200);
      await t.http
        .get('/api/v1/instruments/ve-risk-spj/versions/1.0.0')
        .set('authorization', auth)
        .expect(200);
      await t.http
        .get('/api/v1/instruments/ve-risk-spj/diff?from=1.0.0&to=1.2.0')
        .set('authorization', auth)
        .expect(200);
      expect(await total()).toBe(before);
    });
  });
});

describe('instruments: demo certifications', () => {
  it('certifies both demo psychologists for instruments that require it, once', async () => {
    const env = { SEED_DEMO: 'true', DEMO_PASSWORD: 'demo password for tests' };
    const first = await createTestApp({ env });
    try {
      const certifications = () =>
        first.db.query(
          `SELECT u.username, c.instrument_key, c.valid_until::text AS valid_until
           FROM certification c JOIN app_user u ON u.id = c.user_id ORDER BY u.username`,
        );
      const rows = await certifications();
      const [{ expected }] = await first.db.query(
        `SELECT (current_date + interval '2 years')::date::text AS expected`,
      );
      expect(rows).toEqual([
        { username: 'demo.psychologist', instrument_key: 've-risk-spj', valid_until: expected },
        { username: 'demo.psychologist2', instrument_key: 've-risk-spj', valid_until: expected },
      ]);
      const [{ grants }] = await first.db.query(
        `SELECT count(*)::int AS grants FROM audit_event WHERE action = 'certification.grant'`,
      );
      expect(grants).toBe(2);

      const name = new URL(first.databaseUrl).pathname.slice(1);
      const second = await createTestApp({ env, database: { name, url: first.databaseUrl } });
      await second.close();
      expect(await certifications()).toEqual(rows);
    } finally {
      await first.close();
    }
  });
});
