import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalSha256 } from '../../crypto/canonical-json.js';
import { isPositiveDuration, parseIsoDuration } from '../../instruments/rule-sets/iso-duration.js';
import { findSchemaDirectory, schemaIssues } from '../../instruments/rule-sets/rule-set-schemas.js';
import { withLines, type Issue } from '../../instruments/rule-sets/validate-rule-sets.js';
import type {
  InstrumentDefinition,
  RuleSetError,
  RuleSetErrorCode,
  RuleSetFile,
} from '../../instruments/rule-sets/rule-set.types.js';
import {
  TRAINING_RULE_SET_KINDS,
  type CertificationRuleDefinition,
  type PracticeCaseDefinition,
  type TrainingRuleSetDefinition,
  type TrainingRuleSetKind,
} from './training-rule-set.types.js';

export interface ValidatedTrainingRuleSet {
  file: string;
  kind: TrainingRuleSetKind;
  key: string;
  version: string;
  title: string;
  status: 'active' | 'retired' | 'draft';
  sha256: string;
  definition: TrainingRuleSetDefinition;
}

const SCHEMA_FILES: Record<TrainingRuleSetKind, string> = {
  'practice-case': 'practice-case.schema.json',
  'certification-rule': 'certification-rule.schema.json',
};

let validators: Record<TrainingRuleSetKind, ValidateFunction> | undefined;

/** The two JSON Schemas, from rule-sets/schema/ beside the instrument schemas. */
export function trainingJsonSchemas(): Record<TrainingRuleSetKind, object> {
  const dir = findSchemaDirectory();
  const load = (kind: TrainingRuleSetKind) =>
    JSON.parse(readFileSync(join(dir, SCHEMA_FILES[kind]), 'utf8')) as object;
  return {
    'practice-case': load('practice-case'),
    'certification-rule': load('certification-rule'),
  };
}

function schemaValidators(): Record<TrainingRuleSetKind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    const schemas = trainingJsonSchemas();
    validators = {
      'practice-case': ajv.compile(schemas['practice-case']),
      'certification-rule': ajv.compile(schemas['certification-rule']),
    };
  }
  return validators;
}

type Report = (path: string, code: RuleSetErrorCode, message: string) => void;

/** The instrument versions a batch may refer to, by `key@version`. */
export interface TrainingContext {
  instruments: InstrumentDefinition[];
}

function checkPracticeCase(
  doc: PracticeCaseDefinition,
  instruments: Map<string, InstrumentDefinition>,
  report: Report,
): void {
  if (doc.author.name.trim().toLowerCase() === doc.reviewer.name.trim().toLowerCase())
    report(
      'reviewer.name',
      'schema',
      'the reviewer who approves the reference ratings must be someone other than the case author',
    );
  if (!/fictional|вымышлен/i.test(doc.notice))
    report('notice', 'notice_required', 'the notice must say that the case is fictional');
  const instrument = instruments.get(`${doc.instrument.key}@${doc.instrument.version}`);
  if (!instrument) {
    report(
      'instrument',
      'unknown_catalogue',
      `instrument ${doc.instrument.key}@${doc.instrument.version} is not imported`,
    );
    return;
  }
  const scales = new Map(instrument.scales.map((s) => [s.code, s]));
  const items = instrument.domains.flatMap((d) => d.items);
  const known = new Set(items.map((i) => i.code));
  for (const code of Object.keys(doc.reference.ratings)) {
    if (!known.has(code))
      report(
        `reference.ratings.${code}`,
        'unknown_option',
        `item ${code} is not in ${instrument.key}@${instrument.version}`,
      );
  }
  for (const item of items) {
    const rating = doc.reference.ratings[item.code];
    if (!rating) {
      report(
        'reference.ratings',
        'schema',
        `item ${item.code} needs a reference rating (a value, or notRated with a reason)`,
      );
      continue;
    }
    if (rating.value !== undefined) {
      const options = scales.get(item.scale)?.options.map((o) => o.code) ?? [];
      if (!options.includes(rating.value))
        report(
          `reference.ratings.${item.code}.value`,
          'unknown_option',
          `"${rating.value}" is not an option of scale ${item.scale} (${options.join(', ')})`,
        );
    }
  }
  const levels = (instrument.levels ?? []).map((l) => l.code);
  const judgement = doc.reference.finalJudgement;
  if (levels.length > 0 && judgement.level === undefined)
    report(
      'reference.finalJudgement.level',
      'unknown_level',
      'the instrument has levels: give one',
    );
  if (judgement.level !== undefined && !levels.includes(judgement.level))
    report(
      'reference.finalJudgement.level',
      'unknown_level',
      `"${judgement.level}" is not a level of the instrument (${levels.join(', ') || 'none'})`,
    );
  if (instrument.purpose === 'needs') {
    const needs = new Set(items.map((i) => i.need).filter((n): n is string => !!n));
    const priorities = new Set(instrument.needPriorities?.priorities.map((p) => p.code) ?? []);
    if (!judgement.needs || judgement.needs.length === 0)
      report('reference.finalJudgement.needs', 'need_required', 'a needs case lists its needs');
    (judgement.needs ?? []).forEach((need, i) => {
      if (!needs.has(need.code))
        report(
          `reference.finalJudgement.needs[${i}].code`,
          'unknown_need',
          `need "${need.code}" is not rated by the instrument`,
        );
      if (!priorities.has(need.priority))
        report(
          `reference.finalJudgement.needs[${i}].priority`,
          'unknown_priority',
          `"${need.priority}" is not a priority of the instrument`,
        );
    });
  }
}

function checkCertificationRule(
  doc: CertificationRuleDefinition,
  instruments: Map<string, InstrumentDefinition>,
  activeCases: Map<string, number>,
  report: Report,
): void {
  const instrument = [...instruments.values()].find((i) => i.key === doc.key);
  if (!instrument) {
    report('key', 'unknown_catalogue', `no imported instrument has the key ${doc.key}`);
    return;
  }
  for (const field of ['validFor', 'recalibrationNotice'] as const) {
    const parsed = parseIsoDuration(doc[field]);
    if (!parsed || !isPositiveDuration(parsed))
      report(field, 'invalid_duration', `"${doc[field]}" must be a positive ISO-8601 duration`);
  }
  const cases = activeCases.get(doc.key) ?? 0;
  if (doc.status === 'active' && cases < doc.minimumCases)
    report(
      'minimumCases',
      'schema',
      `${doc.minimumCases} cases are required but only ${cases} active practice cases of ${doc.key} exist`,
    );
}

/**
 * Validates practice cases and certification rules: schema, then semantic checks against the
 * imported instrument versions (reference ratings name the pinned version's items and scale
 * options, levels and needs exist; author and reviewer differ; a rule's instrument exists and
 * enough active cases exist to meet it). Every error is reported at once.
 */
export function validateTrainingRuleSets(
  files: RuleSetFile[],
  context: TrainingContext,
): { sets: ValidatedTrainingRuleSet[]; errors: RuleSetError[] } {
  const schemas = schemaValidators();
  const instruments = new Map(context.instruments.map((i) => [`${i.key}@${i.version}`, i]));
  const errors: RuleSetError[] = [];
  const checked: { file: RuleSetFile; doc: TrainingRuleSetDefinition; issues: Issue[] }[] = [];
  for (const file of files) {
    const doc = file.doc as Record<string, unknown> | null;
    const kind = doc?.kind as TrainingRuleSetKind;
    if (!TRAINING_RULE_SET_KINDS.includes(kind)) {
      errors.push({
        file: file.file,
        path: 'kind',
        code: 'schema',
        message: `must be one of: ${TRAINING_RULE_SET_KINDS.join(', ')}`,
      });
      continue;
    }
    const validate = schemas[kind];
    if (!validate(doc)) {
      errors.push(...withLines(file, schemaIssues(validate.errors ?? [], doc)));
      continue;
    }
    const typed = doc as unknown as TrainingRuleSetDefinition;
    const issues: Issue[] = [];
    const expected = `${typed.key}@${typed.version}`;
    if (basename(file.file).replace(/\.ya?ml$/i, '') !== expected)
      issues.push({
        path: '',
        code: 'file_name',
        message: `file name must be ${expected}.yaml (one file per key and version)`,
      });
    checked.push({ file, doc: typed, issues });
  }
  const seen = new Map<string, string>();
  for (const entry of checked) {
    const id = `${entry.doc.kind} ${entry.doc.key}@${entry.doc.version}`;
    const earlier = seen.get(id);
    if (earlier !== undefined)
      entry.issues.push({
        path: 'version',
        code: 'duplicate_version',
        message: `${entry.doc.key}@${entry.doc.version} is also defined in ${earlier}`,
      });
    else seen.set(id, entry.file.file);
  }
  const activeCases = new Map<string, number>();
  for (const entry of checked) {
    const report: Report = (path, code, message) => entry.issues.push({ path, code, message });
    if (entry.doc.kind !== 'practice-case') continue;
    checkPracticeCase(entry.doc, instruments, report);
    if (entry.issues.length === 0 && entry.doc.status === 'active') {
      const key = entry.doc.instrument.key;
      activeCases.set(key, (activeCases.get(key) ?? 0) + 1);
    }
  }
  for (const entry of checked) {
    const report: Report = (path, code, message) => entry.issues.push({ path, code, message });
    if (entry.doc.kind === 'certification-rule')
      checkCertificationRule(entry.doc, instruments, activeCases, report);
  }
  const sets: ValidatedTrainingRuleSet[] = [];
  for (const entry of checked) {
    if (entry.issues.length > 0) {
      errors.push(...withLines(entry.file, entry.issues));
      continue;
    }
    sets.push({
      file: entry.file.file,
      kind: entry.doc.kind,
      key: entry.doc.key,
      version: entry.doc.version,
      title: entry.doc.title,
      status: entry.doc.status,
      sha256: canonicalSha256(entry.doc),
      definition: entry.doc,
    });
  }
  return { sets, errors };
}
