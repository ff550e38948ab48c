import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { basename } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type AuditOrigin } from '../audit/audit-trail.service.js';
import { canonicalSha256 } from '../crypto/canonical-json.js';
import { notFound, unprocessable } from '../errors/problem.exception.js';
import type {
  InstrumentSummaryResponse,
  InstrumentVersionResponse,
} from './dto/instrument.response.js';
import { planImport, type CandidateVersion, type StoredVersion } from './plan-import.js';
import {
  diffInstrumentDefinitions,
  type InstrumentDiff,
} from './rule-sets/diff-instrument-definitions.js';
import { loadRuleSetFiles } from './rule-sets/load-rule-set-files.js';
import { withBorrowedTranslations } from './rule-sets/borrow-translations.js';
import { localizeRuleSet, servedLocale } from './rule-sets/localize-rule-set.js';
import { isTrainingRuleSet } from '../training/rule-sets/training-rule-set.types.js';
import {
  RULE_SET_KINDS,
  RULE_SET_STATUSES,
  type InstrumentDefinition,
  type InterventionCatalogue,
  type RuleSetDefinition,
  type RuleSetError,
  type RuleSetFile,
  type RuleSetKind,
  type RuleSetLocale,
  type RuleSetStatus,
} from './rule-sets/rule-set.types.js';
import { compareSemVer, parseSemVer } from './rule-sets/semver.js';
import { validateRuleSets } from './rule-sets/validate-rule-sets.js';

/** One imported version as other features use it. `definition` is frozen: never mutate it. */
export interface InstrumentVersion {
  id: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  title: string;
  purpose: 'risk' | 'needs' | null;
  /** Read fresh from the database on every call (a version can be retired at any time). */
  status: RuleSetStatus;
  sha256: string;
  definition: RuleSetDefinition;
}

export interface RuleSetReportEntry {
  file: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  status: RuleSetStatus;
  sha256: string;
}

/** What an import did. With any error nothing at all was written. */
export interface RuleSetImportReport {
  dir: string;
  imported: RuleSetReportEntry[];
  retired: RuleSetReportEntry[];
  unchanged: RuleSetReportEntry[];
  errors: RuleSetError[];
}

type Immutable = Omit<InstrumentVersion, 'status'>;

interface StoredRow {
  id: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  status: RuleSetStatus;
  content_status: RuleSetStatus;
  content_sha256: string;
  retired_at: Date | null;
}

interface VersionRow {
  id: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  title: string;
  purpose: 'risk' | 'needs' | null;
  status: RuleSetStatus;
  content_sha256: string;
  source_file: string;
  imported_at: Date;
  retired_at: Date | null;
}

const VERSION_COLUMNS = `id, kind, key, version, title, purpose, status, content_sha256, source_file,
  imported_at, retired_at`;

const entryOf = (c: CandidateVersion): RuleSetReportEntry => ({
  file: c.file,
  kind: c.kind,
  key: c.key,
  version: c.version,
  status: c.status,
  sha256: c.sha256,
});

const bySemVerDescending = (a: { version: string }, b: { version: string }) =>
  compareSemVer(parseSemVer(b.version)!, parseSemVer(a.version)!);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A parsed file as it would import, without validating it: enough to recognise a file that is
 * already imported unchanged (the common case at every start-up) without the cost of
 * validation. Anything unusual returns undefined and takes the full path.
 */
function quickCandidate(file: RuleSetFile): CandidateVersion | undefined {
  const doc = file.doc as Record<string, unknown> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const { kind, key, version, status } = doc;
  if (typeof key !== 'string' || typeof version !== 'string') return undefined;
  if (!RULE_SET_KINDS.includes(kind as RuleSetKind)) return undefined;
  if (!RULE_SET_STATUSES.includes(status as RuleSetStatus)) return undefined;
  if (basename(file.file).replace(/\.ya?ml$/i, '') !== `${key}@${version}`) return undefined;
  try {
    return {
      file: file.file,
      kind: kind as RuleSetKind,
      key,
      version,
      status: status as RuleSetStatus,
      sha256: canonicalSha256(doc),
      definition: doc,
    };
  } catch {
    return undefined;
  }
}

/**
 * Imported rule-set versions: the import (files -> immutable versions, audited), reads for
 * other features (pinned by id; definitions cached, since a version never changes), and the
 * catalogue the API shows. Reading a definition is not case content and is not audited.
 */
@Injectable()
export class InstrumentsService {
  private readonly cache = new Map<string, Immutable>();
  /**
   * Version id -> its definition with translations borrowed from the other versions of its key,
   * and the ids of the versions it was built from (sorted): rebuilt only when that set changes.
   */
  private readonly readable = new Map<string, { from: string; definition: RuleSetDefinition }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  // ------------------------------------------------------------------ import

  /**
   * Imports every rule-set file under `dir`, all or nothing: every file is validated and
   * compared with what is imported first, and only when nothing at all is wrong are new
   * versions inserted and retirements applied, in one transaction. Versions imported earlier
   * whose files are gone stay. Errors are returned in the report, not thrown.
   */
  async importDirectory(origin: AuditOrigin, dir: string): Promise<RuleSetImportReport> {
    const report: RuleSetImportReport = {
      dir,
      imported: [],
      retired: [],
      unchanged: [],
      errors: [],
    };
    const loaded = await loadRuleSetFiles(dir);
    const loadErrors = loaded.errors;
    // Practice cases and certification rules share the folder; the training feature imports them.
    const files = loaded.files.filter((file) => !isTrainingRuleSet(file));
    const stored = await this.storedVersions(this.dataSource.manager);

    if (loadErrors.length === 0) {
      const quick = files.map(quickCandidate);
      const ids = new Set(quick.map((c) => c && `${c.key}@${c.version}`));
      if (quick.every((c) => c !== undefined) && ids.size === quick.length) {
        const plan = planImport(quick, stored);
        if (plan.unchanged.length === quick.length) {
          report.unchanged = plan.unchanged.map((u) => entryOf(u.candidate));
          return report;
        }
      }
    }

    const { sets, errors } = validateRuleSets(files, {
      catalogues: await this.importedCatalogues(files),
    });
    const candidates: CandidateVersion[] = sets.map((set) => ({ ...set }));
    report.errors = [...loadErrors, ...errors, ...planImport(candidates, stored).errors];
    if (report.errors.length > 0) return report;

    return this.dataSource.transaction(async (m) => {
      // Two instances starting together: the second waits, then finds everything imported.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('rule-set-import'))`);
      const plan = planImport(candidates, await this.storedVersions(m));
      if (plan.errors.length > 0) return { ...report, errors: plan.errors };
      const actorId = origin.actor?.id ?? null;
      for (const candidate of plan.insert) {
        const definition = candidate.definition as RuleSetDefinition;
        const [{ id }]: { id: string }[] = await m.query(
          `INSERT INTO instrument_version (kind, key, version, title, purpose, status, content,
             content_sha256, source_file, imported_by, retired_at, retired_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
             CASE WHEN $6 = 'retired' THEN now() END, CASE WHEN $6 = 'retired' THEN $10::uuid END)
           RETURNING id`,
          [
            candidate.kind,
            candidate.key,
            candidate.version,
            definition.title,
            definition.kind === 'instrument' ? definition.purpose : null,
            candidate.status,
            JSON.stringify(definition),
            candidate.sha256,
            candidate.file,
            actorId,
          ],
        );
        await this.audit.append(m, origin, [
          {
            action: 'rule_set.import',
            entityType: 'instrument_version',
            entityId: id,
            details: {
              kind: candidate.kind,
              key: candidate.key,
              version: candidate.version,
              status: candidate.status,
              sha256: candidate.sha256,
              file: candidate.file,
            },
          },
        ]);
      }
      for (const { candidate, stored: row } of plan.retire) {
        await m.query(
          `UPDATE instrument_version SET status = 'retired', retired_at = now(), retired_by = $2
           WHERE id = $1`,
          [row.id, actorId],
        );
        await this.audit.append(m, origin, [
          {
            action: 'rule_set.retire',
            entityType: 'instrument_version',
            entityId: row.id,
            changedFields: ['status'],
            details: {
              kind: row.kind,
              key: row.key,
              version: row.version,
              previousStatus: row.status,
              sha256: row.sha256,
              file: candidate.file,
            },
          },
        ]);
      }
      return {
        ...report,
        imported: plan.insert.map(entryOf),
        retired: plan.retire.map((r) => entryOf(r.candidate)),
        unchanged: plan.unchanged.map((u) => entryOf(u.candidate)),
      };
    });
  }

  private async storedVersions(m: EntityManager): Promise<StoredVersion[]> {
    const rows: StoredRow[] = await m.query(
      `SELECT id, kind, key, version, status, content ->> 'status' AS content_status,
         content_sha256, retired_at
       FROM instrument_version`,
    );
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      key: row.key,
      version: row.version,
      status: row.status,
      contentStatus: row.content_status,
      sha256: row.content_sha256,
      retiredAt: row.retired_at,
    }));
  }

  /** Imported catalogues that instruments may refer to, except those the files define again. */
  private async importedCatalogues(files: RuleSetFile[]): Promise<InterventionCatalogue[]> {
    const inFiles = new Set(
      files.map((file) => {
        const doc = file.doc as { key?: unknown; version?: unknown } | null;
        return `${String(doc?.key)}@${String(doc?.version)}`;
      }),
    );
    const rows: { key: string; version: string; content: InterventionCatalogue }[] =
      await this.dataSource.query(
        `SELECT key, version, content FROM instrument_version
         WHERE kind = 'intervention-catalogue'`,
      );
    return rows.filter((row) => !inFiles.has(`${row.key}@${row.version}`)).map((r) => r.content);
  }

  // ------------------------------------------------------------------ reads for other features

  /** A version by id (assessments pin this id), or undefined. */
  async getById(
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InstrumentVersion | undefined> {
    const [row]: { id: string; status: RuleSetStatus }[] = await m.query(
      `SELECT id, status FROM instrument_version WHERE id = $1`,
      [id],
    );
    return row && this.withStatus(m, row);
  }

  /** A version by key and version, or undefined. */
  async getVersion(
    key: string,
    version: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InstrumentVersion | undefined> {
    const [row]: { id: string; status: RuleSetStatus }[] = await m.query(
      `SELECT id, status FROM instrument_version WHERE key = $1 AND version = $2`,
      [key, version],
    );
    return row && this.withStatus(m, row);
  }

  /** The active version with the highest semantic version, the one new assessments use. */
  async newestActive(
    key: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InstrumentVersion | undefined> {
    const rows: { id: string; version: string; status: RuleSetStatus }[] = await m.query(
      `SELECT id, version, status FROM instrument_version WHERE key = $1 AND status = 'active'`,
      [key],
    );
    const [newest] = rows.sort(bySemVerDescending);
    return newest && this.withStatus(m, newest);
  }

  /** Instrument keys that assessors must be certified for (any version not retired). */
  async keysRequiringCertification(m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { key: string }[] = await m.query(
      `SELECT DISTINCT key FROM instrument_version
       WHERE kind = 'instrument' AND status <> 'retired'
         AND (content ->> 'requiresCertification')::boolean
       ORDER BY key`,
    );
    return rows.map((row) => row.key);
  }

  /**
   * The immutable part of a version (definition, key, version, title) without its current
   * status: what reading an assessment needs, from memory after the first call.
   */
  async pinned(
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Omit<InstrumentVersion, 'status'> | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const [row]: { id: string; status: RuleSetStatus }[] = await m.query(
      `SELECT id, status FROM instrument_version WHERE id = $1`,
      [id],
    );
    return row && this.withStatus(m, row);
  }

  private async withStatus(
    m: EntityManager,
    row: { id: string; status: RuleSetStatus },
  ): Promise<InstrumentVersion> {
    let immutable = this.cache.get(row.id);
    if (!immutable) {
      const [full]: (VersionRow & { content: RuleSetDefinition })[] = await m.query(
        `SELECT ${VERSION_COLUMNS}, content FROM instrument_version WHERE id = $1`,
        [row.id],
      );
      immutable = {
        id: full.id,
        kind: full.kind,
        key: full.key,
        version: full.version,
        title: full.title,
        purpose: full.purpose,
        sha256: full.content_sha256,
        definition: deepFreeze(full.content),
      };
      // Bounded by the number of imported versions: a handful per instrument.
      this.cache.set(row.id, immutable);
    }
    return { ...immutable, status: row.status };
  }

  /**
   * The definition of `version` to show a reader, for servedLocale and localizeRuleSet: the
   * stored one, with the translations it lacks borrowed from the other imported versions of
   * the same rule-set wherever their text is the same (see withBorrowedTranslations). Versions
   * never change, so this is built once per version and kept; it is built again only when
   * the versions of its key are not the ones it was built from (an import, by this instance
   * or another, added one). The stored definition is never touched.
   */
  async readableDefinition(
    version: Pick<InstrumentVersion, 'id' | 'key' | 'definition'>,
    m: EntityManager = this.dataSource.manager,
  ): Promise<RuleSetDefinition> {
    const rows: { id: string; status: RuleSetStatus }[] = await m.query(
      `SELECT id, status FROM instrument_version WHERE key = $1 ORDER BY id`,
      [version.key],
    );
    const from = rows.map((row) => row.id).join(',');
    const known = this.readable.get(version.id);
    if (known?.from === from) return known.definition;
    const others = await Promise.all(
      rows.filter((row) => row.id !== version.id).map((row) => this.withStatus(m, row)),
    );
    const definition = deepFreeze(
      withBorrowedTranslations(
        version.definition,
        others.map((other) => other.definition),
      ),
    );
    // Bounded like the definitions' cache: one entry per imported version.
    this.readable.set(version.id, { from, definition });
    return definition;
  }

  /** `version`'s text in `asked` where it or another version of it has that text (see above). */
  private async localize(
    version: Pick<InstrumentVersion, 'id' | 'key' | 'definition'>,
    asked: RuleSetLocale | undefined,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ locale: RuleSetLocale; localized: RuleSetDefinition }> {
    const readable = await this.readableDefinition(version, m);
    const locale = servedLocale(readable, asked);
    return { locale, localized: localizeRuleSet(readable, locale) };
  }

  // ------------------------------------------------------------------ API

  /** Every key with its versions; each title in `asked` where the newest version has it. */
  async list(asked?: RuleSetLocale): Promise<InstrumentSummaryResponse[]> {
    const rows: VersionRow[] = await this.dataSource.query(
      `SELECT ${VERSION_COLUMNS} FROM instrument_version`,
    );
    const byKey = new Map<string, VersionRow[]>();
    for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
    const keys = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return Promise.all(
      keys.map(async ([key, versions]) => {
        versions.sort(bySemVerDescending);
        const newest = versions[0];
        const { locale, localized } = await this.localize(
          await this.withStatus(this.dataSource.manager, newest),
          asked,
        );
        return {
          key,
          kind: newest.kind,
          title: localized.title,
          locale,
          purpose: newest.purpose,
          versions: versions.map((v) => ({
            version: v.version,
            status: v.status,
            sha256: v.content_sha256,
            importedAt: v.imported_at.toISOString(),
            retiredAt: v.retired_at?.toISOString() ?? null,
          })),
        };
      }),
    );
  }

  async describeVersion(
    key: string,
    version: string,
    asked?: RuleSetLocale,
  ): Promise<InstrumentVersionResponse> {
    const [row]: VersionRow[] = await this.dataSource.query(
      `SELECT ${VERSION_COLUMNS} FROM instrument_version WHERE key = $1 AND version = $2`,
      [key, version],
    );
    if (!row) throw notFound(`Version ${version} of ${key}`);
    const stored = await this.withStatus(this.dataSource.manager, row);
    const { definition } = stored;
    const { locale, localized: text } = await this.localize(stored, asked);
    // Borrowed text shows in the fields it translates; `translations` stays the version's own.
    const { translations: _borrowed, ...rest } = text;
    const localized = (
      definition.translations ? { ...rest, translations: definition.translations } : rest
    ) as RuleSetDefinition;
    return {
      key: row.key,
      version: row.version,
      kind: row.kind,
      title: localized.title,
      purpose: row.purpose,
      status: row.status,
      sha256: row.content_sha256,
      sourceFile: row.source_file,
      importedAt: row.imported_at.toISOString(),
      retiredAt: row.retired_at?.toISOString() ?? null,
      definition,
      locale,
      localized,
    };
  }

  async diff(key: string, from: string, to: string): Promise<InstrumentDiff> {
    const [a, b] = await Promise.all([this.getVersion(key, from), this.getVersion(key, to)]);
    if (!a && !b) {
      const [known] = await this.dataSource.query(
        `SELECT 1 FROM instrument_version WHERE key = $1 LIMIT 1`,
        [key],
      );
      if (!known) throw notFound(`Instrument ${key}`);
    }
    if (!a) throw notFound(`Version ${from} of ${key}`);
    if (!b) throw notFound(`Version ${to} of ${key}`);
    if (a.kind !== 'instrument')
      throw unprocessable(
        'not_an_instrument',
        `${key} is an ${a.kind}; the diff compares versions of an instrument`,
      );
    return diffInstrumentDefinitions(
      a.definition as InstrumentDefinition,
      b.definition as InstrumentDefinition,
    );
  }
}
