import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { asSubject } from '../access/ability.factory.js';
import { AuditTrail, Denial, type AuditOrigin } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  evaluate,
  type EvaluationResult,
  type ItemRating,
  type Ratings,
} from '../instruments/engine/evaluate.js';
import { InstrumentsService } from '../instruments/instruments.service.js';
import { loadRuleSetFiles } from '../instruments/rule-sets/load-rule-set-files.js';
import type {
  InstrumentDefinition,
  RuleSetError,
  RuleSetFile,
} from '../instruments/rule-sets/rule-set.types.js';
import { canonicalSha256 } from '../crypto/canonical-json.js';
import { basename } from 'node:path';
import {
  badRequest,
  conflict,
  notFound,
  staleVersion,
  unprocessable,
} from '../errors/problem.exception.js';
import {
  isTrainingRuleSet,
  type CertificationRuleDefinition,
  type PracticeCaseDefinition,
  type TrainingRuleSetKind,
} from './rule-sets/training-rule-set.types.js';
import { validateTrainingRuleSets } from './rule-sets/validate-training-rule-sets.js';
import {
  certificationDates,
  checkCertification,
  compareWithReference,
  mergeTrainingRatings,
  recalibrateFrom,
  referenceIcc,
  trainingSubmitReasons,
  type AttemptAgreement,
  type CertificationCheck,
  type TraineeJudgement,
} from './training-scoring.js';
import { itemAgreement, cohensKappa } from './agreement.js';

export interface TrainingImportReport {
  imported: { file: string; kind: TrainingRuleSetKind; key: string; version: string }[];
  unchanged: number;
  errors: RuleSetError[];
}

interface CaseRow {
  id: string;
  key: string;
  version: string;
  title: string;
  status: string;
  instrument_key: string;
  instrument_version_id: string;
  content: PracticeCaseDefinition;
  content_sha256: string;
}

interface AttemptRow {
  id: string;
  trainee_id: string;
  practice_case_id: string;
  instrument_key: string;
  status: 'draft' | 'submitted';
  ratings: Ratings;
  final_level: string | null;
  final_needs: { code: string; priority: string }[];
  final_rationale: string | null;
  agreement: AttemptAgreement | null;
  version: number;
  created_at: Date;
  submitted_at: Date | null;
}

export interface PracticeCaseSummary {
  id: string;
  key: string;
  version: string;
  title: string;
  notice: string;
  language: string;
  instrument: { key: string; version: string; title: string; purpose: 'risk' | 'needs' };
  summary: string;
  /** The caller's open attempt, if any. */
  draftAttemptId: string | null;
  submittedAttempts: number;
}

export interface PracticeCaseDetail extends PracticeCaseSummary {
  sha256: string;
  author: { name: string; role: string };
  reviewer: { name: string; role: string; approvedOn: string };
  sections: PracticeCaseDefinition['caseFile']['sections'];
}

export interface AttemptView {
  id: string;
  practiceCase: { id: string; key: string; version: string; title: string; notice: string };
  instrument: { key: string; version: string };
  status: 'draft' | 'submitted';
  ratings: ({ item: string } & ItemRating)[];
  finalLevel: string | null;
  finalNeeds: { code: string; priority: string }[];
  finalRationale: string | null;
  indicative: {
    level: string | null;
    ratingsComplete: boolean;
    flags: EvaluationResult['flags'];
    reasons: EvaluationResult['reasons'];
  };
  /** Only once submitted: the item-by-item comparison with the reference, and its ICC. */
  agreement: (Omit<AttemptAgreement, 'pairs' | 'categories'> & { icc: number | null }) | null;
  version: number;
  createdAt: string;
  submittedAt: string | null;
  /** After submission: the certification rule's check and whether this submission earned it. */
  certification: (CertificationCheck & { earned: boolean; validUntil: string | null }) | null;
}

export interface AttemptChanges {
  ratings?: Record<string, unknown>;
  finalLevel?: string | null;
  finalNeeds?: { code: string; priority: string }[] | null;
  finalRationale?: string | null;
}

export interface ProgressEntry {
  instrumentKey: string;
  rule: { version: string; title: string; description: string | null } | null;
  check: CertificationCheck | null;
  certification: {
    source: 'earned' | 'external';
    validUntil: string;
    current: boolean;
    recalibrationDue: boolean;
  } | null;
}

export interface OverviewPerson {
  id: string;
  displayName: string;
  roles: string[];
  instruments: {
    instrumentKey: string;
    casesRated: number;
    kappa: number | null;
    icc: number | null;
    exactRate: number | null;
    certifiedUntil: string | null;
    source: 'earned' | 'external' | null;
    status: 'certified' | 'recalibration_due' | 'expired' | 'not_certified';
  }[];
}

export interface OverviewItem {
  instrumentKey: string;
  item: string;
  prompt: string;
  ratings: number;
  exactRate: number | null;
  adjacentRate: number | null;
}

const ASSESSING_ROLES = ['psychologist', 'pve_inspector', 'security_officer'];
const today = () => new Date().toISOString().slice(0, 10);

/**
 * Training and calibration on fictional practice cases: their import, trainees' attempts
 * (rated with the instrument's own engine), the comparison with the reference ratings, earned
 * certifications and the supervisors' overview. Nothing here touches a prisoner: every row is
 * in the training tables, every audit event has no prisoner and no facility.
 */
@Injectable()
export class TrainingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly instruments: InstrumentsService,
  ) {}

  // ------------------------------------------------------------------ import

  /**
   * Imports the practice cases and certification rules under `dir`, all or nothing, after the
   * instruments (cases pin an imported instrument version). A version never changes: the same
   * key and version with other content is an error naming both hashes.
   */
  async importDirectory(origin: AuditOrigin, dir: string): Promise<TrainingImportReport> {
    const loaded = await loadRuleSetFiles(dir);
    const files = loaded.files.filter(isTrainingRuleSet);
    const report: TrainingImportReport = { imported: [], unchanged: 0, errors: [] };
    if (files.length === 0) return report;
    if (await this.allImportedUnchanged(files)) return { ...report, unchanged: files.length };
    const instruments: { id: string; content: InstrumentDefinition }[] =
      await this.dataSource.query(
        `SELECT id, content FROM instrument_version WHERE kind = 'instrument'`,
      );
    const { sets, errors } = validateTrainingRuleSets(files, {
      instruments: instruments.map((i) => i.content),
    });
    report.errors = errors;
    if (errors.length > 0) return report;
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('training-rule-set-import'))`);
      const stored: { kind: string; key: string; version: string; content_sha256: string }[] =
        await m.query(`SELECT kind, key, version, content_sha256 FROM training_rule_set_version`);
      const byId = new Map(stored.map((s) => [`${s.kind} ${s.key}@${s.version}`, s]));
      const insert = [];
      for (const set of sets) {
        const known = byId.get(`${set.kind} ${set.key}@${set.version}`);
        if (!known) insert.push(set);
        else if (known.content_sha256 !== set.sha256)
          report.errors.push({
            file: set.file,
            path: 'version',
            code: 'version_conflict',
            message: `${set.key}@${set.version} is already imported with sha256 ${known.content_sha256}; this file has ${set.sha256}. Bump the version to change it`,
          });
        else report.unchanged += 1;
      }
      if (report.errors.length > 0) return report;
      for (const set of insert) {
        const definition = set.definition;
        const instrumentKey =
          definition.kind === 'practice-case' ? definition.instrument.key : definition.key;
        const instrumentId =
          definition.kind === 'practice-case'
            ? instruments.find(
                (i) =>
                  i.content.key === definition.instrument.key &&
                  i.content.version === definition.instrument.version,
              )!.id
            : null;
        const [{ id }]: { id: string }[] = await m.query(
          `INSERT INTO training_rule_set_version (kind, key, version, title, status,
             instrument_key, instrument_version_id, content, content_sha256, source_file, imported_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
          [
            set.kind,
            set.key,
            set.version,
            set.title,
            set.status,
            instrumentKey,
            instrumentId,
            JSON.stringify(definition),
            set.sha256,
            set.file,
            origin.actor?.id ?? null,
          ],
        );
        await this.audit.append(m, origin, [
          {
            action: 'training_rule_set.import',
            entityType: 'training_rule_set_version',
            entityId: id,
            details: {
              kind: set.kind,
              key: set.key,
              version: set.version,
              sha256: set.sha256,
              file: set.file,
            },
          },
        ]);
        report.imported.push({
          file: set.file,
          kind: set.kind,
          key: set.key,
          version: set.version,
        });
      }
      return report;
    });
  }

  /** Every file already imported with the same content: the usual start-up, no validation needed. */
  private async allImportedUnchanged(files: RuleSetFile[]): Promise<boolean> {
    const stored: { kind: string; key: string; version: string; content_sha256: string }[] =
      await this.dataSource.query(
        `SELECT kind, key, version, content_sha256 FROM training_rule_set_version`,
      );
    const known = new Set(stored.map((s) => `${s.kind} ${s.key}@${s.version} ${s.content_sha256}`));
    return files.every((file) => {
      const doc = file.doc as { kind?: unknown; key?: unknown; version?: unknown };
      if (
        basename(file.file).replace(/\.ya?ml$/i, '') !== `${String(doc.key)}@${String(doc.version)}`
      )
        return false;
      try {
        return known.has(
          `${String(doc.kind)} ${String(doc.key)}@${String(doc.version)} ${canonicalSha256(doc)}`,
        );
      } catch {
        return false;
      }
    });
  }

  // ------------------------------------------------------------------ practice cases

  async listCases(ctx: RequestContext): Promise<PracticeCaseSummary[]> {
    const rows: (CaseRow & { draft_id: string | null; submitted: number })[] =
      await this.dataSource.query(
        `SELECT c.*, d.id AS draft_id,
           (SELECT count(*)::int FROM training_attempt s
             WHERE s.practice_case_id = c.id AND s.trainee_id = $1 AND s.status = 'submitted') AS submitted
         FROM training_rule_set_version c
         LEFT JOIN training_attempt d
           ON d.practice_case_id = c.id AND d.trainee_id = $1 AND d.status = 'draft'
         WHERE c.kind = 'practice-case' AND c.status = 'active'
         ORDER BY c.instrument_key, c.key, c.version`,
        [ctx.actor.id],
      );
    return Promise.all(rows.map((row) => this.summaryOf(row, row.draft_id, row.submitted)));
  }

  async getCase(ctx: RequestContext, id: string): Promise<PracticeCaseDetail> {
    const row = await this.caseRow(this.dataSource.manager, id);
    if (!row || row.status === 'draft') throw notFound('Practice case');
    const [draft]: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM training_attempt WHERE practice_case_id = $1 AND trainee_id = $2 AND status = 'draft'`,
      [id, ctx.actor.id],
    );
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM training_attempt
       WHERE practice_case_id = $1 AND trainee_id = $2 AND status = 'submitted'`,
      [id, ctx.actor.id],
    );
    const summary = await this.summaryOf(row, draft?.id ?? null, n);
    const c = row.content;
    return {
      ...summary,
      sha256: row.content_sha256,
      author: c.author,
      reviewer: c.reviewer,
      sections: c.caseFile.sections,
    };
  }

  private async summaryOf(
    row: CaseRow,
    draftId: string | null,
    submitted: number,
  ): Promise<PracticeCaseSummary> {
    const instrument = await this.instruments.pinned(row.instrument_version_id);
    const definition = instrument!.definition as InstrumentDefinition;
    return {
      id: row.id,
      key: row.key,
      version: row.version,
      title: row.title,
      notice: row.content.notice,
      language: row.content.language,
      instrument: {
        key: definition.key,
        version: definition.version,
        title: definition.title,
        purpose: definition.purpose,
      },
      summary: row.content.caseFile.summary,
      draftAttemptId: draftId,
      submittedAttempts: submitted,
    };
  }

  private async caseRow(m: EntityManager, id: string): Promise<CaseRow | undefined> {
    const [row]: CaseRow[] = await m.query(
      `SELECT * FROM training_rule_set_version WHERE id = $1 AND kind = 'practice-case'`,
      [id],
    );
    return row;
  }

  // ------------------------------------------------------------------ attempts

  async startAttempt(ctx: RequestContext, caseId: string): Promise<AttemptView> {
    const result = await this.dataSource.transaction(async (m) => {
      const row = await this.caseRow(m, caseId);
      if (!row || row.status !== 'active') throw notFound('Practice case');
      const [open]: { id: string }[] = await m.query(
        `SELECT id FROM training_attempt WHERE practice_case_id = $1 AND trainee_id = $2 AND status = 'draft'`,
        [caseId, ctx.actor.id],
      );
      if (open)
        throw conflict('attempt_open', 'You already have an open attempt of this case', {
          attemptId: open.id,
        });
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO training_attempt (trainee_id, practice_case_id, instrument_key)
         VALUES ($1, $2, $3) RETURNING id`,
        [ctx.actor.id, caseId, row.instrument_key],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'training_attempt.create',
          entityType: 'training_attempt',
          entityId: id,
          details: { practiceCase: `${row.key}@${row.version}` },
        },
      ]);
      return id;
    });
    return this.view(ctx, result, null);
  }

  async getAttempt(ctx: RequestContext, id: string): Promise<AttemptView> {
    const row = await this.ownAttempt(this.dataSource.manager, ctx, id, 'read');
    await this.audit.appendStandalone(ctx, [
      { action: 'training_attempt.read', entityType: 'training_attempt', entityId: id },
    ]);
    return this.view(ctx, row.id, null);
  }

  async updateAttempt(
    ctx: RequestContext,
    id: string,
    expectedVersion: number,
    changes: AttemptChanges,
  ): Promise<AttemptView> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.ownAttempt(m, ctx, id, 'update', true);
      if (row.version !== expectedVersion) throw staleVersion(row.version);
      if (row.status !== 'draft')
        throw conflict('attempt_submitted', 'A submitted attempt cannot be changed');
      const practiceCase = (await this.caseRow(m, row.practice_case_id))!;
      const definition = await this.definitionOf(practiceCase);
      const { ratings, problems } = mergeTrainingRatings(
        definition,
        row.ratings,
        changes.ratings ?? {},
      );
      if (problems.length > 0)
        throw badRequest('invalid_ratings', 'Some ratings do not fit the instrument', problems);
      const changed = Object.keys(changes).filter(
        (k) => changes[k as keyof AttemptChanges] !== undefined,
      );
      const pick = <T>(value: T | undefined, current: T): T =>
        value === undefined ? current : value;
      await m.query(
        `UPDATE training_attempt SET ratings = $2, final_level = $3, final_needs = $4,
           final_rationale = $5, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [
          id,
          JSON.stringify(ratings),
          pick(changes.finalLevel, row.final_level) || null,
          JSON.stringify(pick(changes.finalNeeds, row.final_needs) ?? []),
          pick(changes.finalRationale, row.final_rationale) || null,
        ],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'training_attempt.update',
          entityType: 'training_attempt',
          entityId: id,
          changedFields: changed,
        },
      ]);
    });
    return this.view(ctx, id, null);
  }

  async submitAttempt(
    ctx: RequestContext,
    id: string,
    expectedVersion: number,
  ): Promise<AttemptView> {
    const certification = await this.dataSource.transaction(async (m) => {
      const row = await this.ownAttempt(m, ctx, id, 'submit', true);
      if (row.version !== expectedVersion) throw staleVersion(row.version);
      if (row.status !== 'draft')
        throw conflict('attempt_submitted', 'This attempt is already submitted');
      const practiceCase = (await this.caseRow(m, row.practice_case_id))!;
      const definition = await this.definitionOf(practiceCase);
      const evaluation = evaluate(definition, row.ratings);
      const judgement = this.judgementOf(row);
      const reasons = trainingSubmitReasons(definition, evaluation, judgement);
      if (reasons.length > 0)
        throw unprocessable('not_ready', 'The attempt cannot be submitted yet', {
          errors: reasons,
        });
      const agreement = compareWithReference(
        definition,
        practiceCase.content,
        row.ratings,
        judgement,
      );
      await m.query(
        `UPDATE training_attempt SET status = 'submitted', submitted_at = now(), indicative = $2,
           agreement = $3, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [id, JSON.stringify(evaluation), JSON.stringify(agreement)],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'training_attempt.submit',
          entityType: 'training_attempt',
          entityId: id,
          changedFields: ['status'],
          details: {
            practiceCase: `${practiceCase.key}@${practiceCase.version}`,
            compared: agreement.compared,
            exactRate: round(agreement.exactRate),
            kappaLinear: round(agreement.kappaLinear),
          },
        },
      ]);
      return this.certifyIfMet(m, ctx, practiceCase.instrument_key);
    });
    return this.view(ctx, id, certification);
  }

  /**
   * After a submission: checks the instrument's certification rule over the trainee's attempts
   * and records an earned certification (with its evidence) when the rule is met and the
   * trainee holds no current certification that lasts at least as long.
   */
  private async certifyIfMet(
    m: EntityManager,
    ctx: RequestContext,
    instrumentKey: string,
  ): Promise<AttemptView['certification']> {
    const rule = await this.activeRule(m, instrumentKey);
    if (!rule) return null;
    const check = checkCertification(
      rule.content,
      await this.submitted(m, ctx.actor.id, instrumentKey),
    );
    if (!check.met) return { ...check, earned: false, validUntil: null };
    const { validUntil } = certificationDates(rule.content, new Date());
    const [held]: { valid_until: string }[] = await m.query(
      `SELECT to_char(max(valid_until), 'YYYY-MM-DD') AS valid_until FROM certification
       WHERE user_id = $1 AND instrument_key = $2`,
      [ctx.actor.id, instrumentKey],
    );
    if (held?.valid_until && held.valid_until >= validUntil)
      return { ...check, earned: false, validUntil: held.valid_until };
    const evidence = {
      attempts: check.attempts,
      statistic: check.statistic,
      value: round(check.value),
      minimum: check.minimum,
      minimumCases: check.minimumCases,
      finalJudgementWithin: check.finalJudgementWithin,
      earnedOn: today(),
    };
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO certification (user_id, instrument_key, valid_until, source, rule_version, evidence)
       VALUES ($1, $2, $3, 'earned', $4, $5) RETURNING id`,
      [ctx.actor.id, instrumentKey, validUntil, rule.version, JSON.stringify(evidence)],
    );
    await this.audit.append(m, ctx, [
      {
        action: 'certification.earn',
        entityType: 'certification',
        entityId: id,
        changedFields: ['instrumentKey', 'validUntil', 'evidence'],
        details: {
          userId: ctx.actor.id,
          instrumentKey,
          ruleVersion: rule.version,
          cases: check.attempts.length,
          value: round(check.value),
          validUntil,
        },
      },
    ]);
    return { ...check, earned: true, validUntil };
  }

  private async activeRule(
    m: EntityManager,
    instrumentKey: string,
  ): Promise<{ version: string; content: CertificationRuleDefinition } | undefined> {
    const rows: { version: string; content: CertificationRuleDefinition }[] = await m.query(
      `SELECT version, content FROM training_rule_set_version
       WHERE kind = 'certification-rule' AND key = $1 AND status = 'active'`,
      [instrumentKey],
    );
    return rows.sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }))[0];
  }

  private async submitted(m: EntityManager, traineeId: string, instrumentKey: string) {
    const rows: {
      id: string;
      key: string;
      version: string;
      submitted_at: Date;
      agreement: AttemptAgreement;
    }[] = await m.query(
      `SELECT a.id, c.key, c.version, a.submitted_at, a.agreement
       FROM training_attempt a JOIN training_rule_set_version c ON c.id = a.practice_case_id
       WHERE a.trainee_id = $1 AND a.instrument_key = $2 AND a.status = 'submitted'`,
      [traineeId, instrumentKey],
    );
    return rows.map((r) => ({
      id: r.id,
      caseKey: r.key,
      caseVersion: r.version,
      submittedAt: r.submitted_at,
      agreement: r.agreement,
    }));
  }

  private judgementOf(row: AttemptRow): TraineeJudgement {
    return { level: row.final_level, needs: row.final_needs, rationale: row.final_rationale };
  }

  private async definitionOf(practiceCase: CaseRow): Promise<InstrumentDefinition> {
    const instrument = await this.instruments.pinned(practiceCase.instrument_version_id);
    return instrument!.definition as InstrumentDefinition;
  }

  /** The caller's own attempt; anyone else's answers 404 (recorded as a denied attempt). */
  private async ownAttempt(
    m: EntityManager,
    ctx: RequestContext,
    id: string,
    action: 'read' | 'update' | 'submit',
    lock = false,
  ): Promise<AttemptRow> {
    const [row]: AttemptRow[] = await m.query(
      `SELECT * FROM training_attempt WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw notFound('Training attempt');
    if (!ctx.ability.can(action, asSubject('TrainingAttempt', { traineeId: row.trainee_id }))) {
      const auditAction =
        action === 'read'
          ? 'training_attempt.read'
          : action === 'update'
            ? 'training_attempt.update'
            : 'training_attempt.submit';
      await this.audit.refuse(
        ctx,
        new Denial(notFound('Training attempt'), {
          action: auditAction,
          entityType: 'training_attempt',
          entityId: id,
        }),
      );
    }
    return row;
  }

  private async view(
    ctx: RequestContext,
    id: string,
    certification: AttemptView['certification'],
  ): Promise<AttemptView> {
    const [row]: AttemptRow[] = await this.dataSource.query(
      `SELECT * FROM training_attempt WHERE id = $1`,
      [id],
    );
    const practiceCase = (await this.caseRow(this.dataSource.manager, row.practice_case_id))!;
    const definition = await this.definitionOf(practiceCase);
    let cert = certification;
    if (!cert && row.status === 'submitted') {
      const rule = await this.activeRule(this.dataSource.manager, row.instrument_key);
      if (rule) {
        const check = checkCertification(
          rule.content,
          await this.submitted(this.dataSource.manager, ctx.actor.id, row.instrument_key),
        );
        cert = { ...check, earned: false, validUntil: null };
      }
    }
    const evaluation = evaluate(definition, row.ratings, {
      cacheKey: practiceCase.instrument_version_id,
    });
    const agreement = row.agreement
      ? (({ pairs, categories: _categories, ...rest }) => ({
          ...rest,
          icc: round(referenceIcc(pairs)),
        }))(row.agreement)
      : null;
    return {
      id: row.id,
      practiceCase: {
        id: practiceCase.id,
        key: practiceCase.key,
        version: practiceCase.version,
        title: practiceCase.title,
        notice: practiceCase.content.notice,
      },
      instrument: { key: definition.key, version: definition.version },
      status: row.status,
      ratings: Object.entries(row.ratings).map(([item, rating]) => ({ item, ...rating })),
      finalLevel: row.final_level,
      finalNeeds: row.final_needs,
      finalRationale: row.final_rationale,
      indicative: {
        level: evaluation.indicativeLevel,
        ratingsComplete: evaluation.reasons.length === 0,
        flags: evaluation.flags,
        reasons: evaluation.reasons,
      },
      agreement,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      submittedAt: row.submitted_at?.toISOString() ?? null,
      certification: cert,
    };
  }

  // ------------------------------------------------------------------ progress and oversight

  /** The caller's standing per instrument that has a certification rule. */
  async progress(ctx: RequestContext): Promise<ProgressEntry[]> {
    const m = this.dataSource.manager;
    const rules: { key: string; version: string; content: CertificationRuleDefinition }[] =
      await m.query(
        `SELECT key, version, content FROM training_rule_set_version
         WHERE kind = 'certification-rule' AND status = 'active' ORDER BY key`,
      );
    const certs = await this.certifications(m, [ctx.actor.id]);
    const keys = [...new Set(rules.map((r) => r.key))];
    return Promise.all(
      keys.map(async (key) => {
        const rule = (await this.activeRule(m, key))!;
        const check = checkCertification(rule.content, await this.submitted(m, ctx.actor.id, key));
        const cert = certs.find((c) => c.instrument_key === key);
        return {
          instrumentKey: key,
          rule: {
            version: rule.version,
            title: rule.content.title,
            description: rule.content.description ?? null,
          },
          check,
          certification: cert
            ? {
                source: cert.source,
                validUntil: cert.valid_until,
                current: cert.valid_until >= today(),
                recalibrationDue:
                  cert.valid_until < today() ||
                  recalibrateFrom(rule.content, cert.valid_until) <= today(),
              }
            : null,
        };
      }),
    );
  }

  /** The newest certification per user and instrument key. */
  private async certifications(m: EntityManager, userIds: string[]) {
    const rows: {
      user_id: string;
      instrument_key: string;
      valid_until: string;
      source: 'earned' | 'external';
    }[] = await m.query(
      `SELECT DISTINCT ON (user_id, instrument_key) user_id, instrument_key,
         to_char(valid_until, 'YYYY-MM-DD') AS valid_until, source
       FROM certification WHERE user_id = ANY($1::uuid[])
       ORDER BY user_id, instrument_key, valid_until DESC`,
      [userIds],
    );
    return rows;
  }

  /**
   * For supervisors: the staff who assess in the supervisor's facilities, with their
   * certification status and agreement per instrument, and agreement per item across all of
   * them (worst first), so the service sees who is due to recalibrate and which items it
   * trains badly.
   */
  async overview(
    ctx: RequestContext,
  ): Promise<{ people: OverviewPerson[]; items: OverviewItem[] }> {
    const m = this.dataSource.manager;
    const people: { id: string; display_name: string; roles: string[] }[] = await m.query(
      `SELECT DISTINCT u.id, u.display_name, u.roles FROM app_user u
       JOIN user_facility uf ON uf.user_id = u.id
       WHERE uf.facility_id = ANY($1::uuid[]) AND u.active AND u.roles && $2::text[]
       ORDER BY u.display_name, u.id`,
      [ctx.actor.facilityIds, ASSESSING_ROLES],
    );
    const ids = people.map((p) => p.id);
    const rules: { key: string; content: CertificationRuleDefinition }[] = await m.query(
      `SELECT key, content FROM training_rule_set_version
       WHERE kind = 'certification-rule' AND status = 'active'`,
    );
    const attempts: {
      trainee_id: string;
      instrument_key: string;
      key: string;
      submitted_at: Date;
      agreement: AttemptAgreement;
    }[] = await m.query(
      `SELECT a.trainee_id, a.instrument_key, c.key, a.submitted_at, a.agreement
       FROM training_attempt a JOIN training_rule_set_version c ON c.id = a.practice_case_id
       WHERE a.trainee_id = ANY($1::uuid[]) AND a.status = 'submitted'`,
      [ids],
    );
    const certs = await this.certifications(m, ids);
    const instrumentKeys = [
      ...new Set([
        ...rules.map((r) => r.key),
        ...attempts.map((a) => a.instrument_key),
        ...certs.map((c) => c.instrument_key),
      ]),
    ].sort();
    const now = today();
    const result: OverviewPerson[] = people.map((p) => ({
      id: p.id,
      displayName: p.display_name,
      roles: p.roles,
      instruments: instrumentKeys.map((key) => {
        const mine = attempts.filter((a) => a.trainee_id === p.id && a.instrument_key === key);
        const pairs = mine.flatMap((a) => a.agreement.pairs);
        const categories = Math.max(2, ...mine.map((a) => a.agreement.categories));
        const cert = certs.find((c) => c.user_id === p.id && c.instrument_key === key);
        const rule = rules.find((r) => r.key === key);
        const status: OverviewPerson['instruments'][number]['status'] = !cert
          ? 'not_certified'
          : cert.valid_until < now
            ? 'expired'
            : rule && recalibrateFrom(rule.content, cert.valid_until) <= now
              ? 'recalibration_due'
              : 'certified';
        return {
          instrumentKey: key,
          casesRated: new Set(mine.map((a) => a.key)).size,
          kappa: round(pairs.length > 0 ? cohensKappa(pairs, categories, 'linear') : null),
          icc: round(referenceIcc(pairs)),
          exactRate: round(itemAgreement(pairs).exactRate),
          certifiedUntil: cert?.valid_until ?? null,
          source: cert?.source ?? null,
          status,
        };
      }),
    }));
    const perItem = new Map<
      string,
      { key: string; item: string; prompt: string; pairs: { rater: number; reference: number }[] }
    >();
    for (const attempt of attempts) {
      for (const item of attempt.agreement.items) {
        const id = `${attempt.instrument_key} ${item.item}`;
        const entry = perItem.get(id) ?? {
          key: attempt.instrument_key,
          item: item.item,
          prompt: item.prompt,
          pairs: [],
        };
        // The gap against a zero reference: exact when 0, adjacent when 1 (any scale).
        if (item.gap !== null) entry.pairs.push({ rater: item.gap, reference: 0 });
        perItem.set(id, entry);
      }
    }
    const items: OverviewItem[] = [...perItem.values()]
      .map((e) => {
        const agreement = itemAgreement(e.pairs);
        return {
          instrumentKey: e.key,
          item: e.item,
          prompt: e.prompt,
          ratings: agreement.n,
          exactRate: round(agreement.exactRate),
          adjacentRate: round(agreement.adjacentRate),
        };
      })
      .sort(
        (a, b) =>
          (a.exactRate ?? 2) - (b.exactRate ?? 2) ||
          a.instrumentKey.localeCompare(b.instrumentKey) ||
          a.item.localeCompare(b.item),
      );
    await this.audit.appendStandalone(ctx, [
      {
        action: 'training_overview.read',
        entityType: 'training_overview',
        details: { people: people.length },
      },
    ]);
    return { people: result, items };
  }
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
