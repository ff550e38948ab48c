import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { canonicalSha256 } from '../../crypto/canonical-json.js';
import { checkInstrumentRules } from '../engine/check-instrument-rules.js';
import { checkCatalogueTranslations, checkInstrumentTranslations } from './check-translations.js';
import { isPositiveDuration, parseIsoDuration } from './iso-duration.js';
import { consentSensitiveEntries, lintNonDiscrimination } from './non-discrimination-lint.js';
import { schemaIssues, schemaValidators } from './rule-set-schemas.js';
import { satisfiesRange } from './semver.js';
import type {
  InstrumentDefinition,
  InterventionCatalogue,
  RuleSetError,
  RuleSetErrorCode,
  RuleSetFile,
  RuleSetKind,
  ValidatedRuleSet,
} from './rule-set.types.js';
import { catalogueDisciplines, catalogueTypes, RULE_SET_KINDS } from './rule-set.types.js';

export interface Issue {
  path: string;
  code: RuleSetErrorCode;
  message: string;
}

type Report = (path: string, code: RuleSetErrorCode, message: string) => void;

function duplicates<T>(
  list: T[],
  codeOf: (entry: T) => string,
  pathOf: (index: number) => string,
  what: string,
  report: Report,
): void {
  const first = new Map<string, number>();
  list.forEach((entry, index) => {
    const code = codeOf(entry);
    const earlier = first.get(code);
    if (earlier === undefined) first.set(code, index);
    else
      report(
        pathOf(index),
        'duplicate_code',
        `${what} code "${code}" is already used at ${pathOf(earlier)}`,
      );
  });
}

function checkDuration(path: string, value: string | undefined, report: Report): void {
  if (value === undefined) return;
  const parsed = parseIsoDuration(value);
  if (!parsed) report(path, 'invalid_duration', `"${value}" is not an ISO-8601 duration`);
  else if (!isPositiveDuration(parsed))
    report(path, 'invalid_duration', `"${value}" must be longer than zero`);
}

function checkFileName(file: string, key: string, version: string, report: Report): void {
  const expected = `${key}@${version}`;
  const name = basename(file).replace(/\.ya?ml$/i, '');
  if (name !== expected)
    report('', 'file_name', `file name must be ${expected}.yaml (one file per key and version)`);
}

function checkNotice(doc: { illustrative: boolean; notice?: string }, report: Report): void {
  if (doc.illustrative && (doc.notice === undefined || doc.notice.trim() === ''))
    report('notice', 'notice_required', 'illustrative content needs a notice saying so');
}

// ---------------------------------------------------------------- catalogue

function checkCatalogue(catalogue: InterventionCatalogue, report: Report): void {
  checkNotice(catalogue, report);
  duplicates(
    catalogue.needs,
    (n) => n.code,
    (i) => `needs[${i}].code`,
    'need',
    report,
  );
  duplicates(
    catalogue.interventions,
    (n) => n.code,
    (i) => `interventions[${i}].code`,
    'intervention',
    report,
  );
  for (const [list, what] of [
    [catalogue.types, 'types'],
    [catalogue.disciplines, 'disciplines'],
  ] as const)
    if (list)
      duplicates(
        list,
        (n) => n.code,
        (i) => `${what}[${i}].code`,
        what === 'types' ? 'type' : 'discipline',
        report,
      );
  const types = new Set(catalogueTypes(catalogue).map((t) => t.code));
  const disciplines = new Set(catalogueDisciplines(catalogue).map((d) => d.code));
  const declared = (what: 'types' | 'disciplines') =>
    (what === 'types' ? catalogue.types : catalogue.disciplines)
      ? `is not declared in ${what}`
      : `is not one of the default ${what} (declare ${what} to use others)`;
  const needs = new Set(catalogue.needs.map((need) => need.code));
  const addressed = new Set<string>();
  catalogue.interventions.forEach((intervention, i) => {
    const base = `interventions[${i}]`;
    if (!types.has(intervention.type))
      report(`${base}.type`, 'unknown_type', `type "${intervention.type}" ${declared('types')}`);
    [intervention.discipline, ...(intervention.supportingDisciplines ?? [])].forEach((d, j) => {
      if (!disciplines.has(d))
        report(
          j === 0 ? `${base}.discipline` : `${base}.supportingDisciplines[${j - 1}]`,
          'unknown_discipline',
          `discipline "${d}" ${declared('disciplines')}`,
        );
    });
    intervention.needs.forEach((need, j) => {
      addressed.add(need);
      if (!needs.has(need))
        report(`${base}.needs[${j}]`, 'unknown_need', `need "${need}" is not declared in needs`);
    });
    if (intervention.type === 'faith_dialogue' && !intervention.consentRequired)
      report(
        `${base}.consentRequired`,
        'consent_required',
        'faith-based or ideological dialogue must be opt-in: consentRequired must be true (Mandela Rule 65(3))',
      );
    checkDuration(`${base}.dosage.frequency`, intervention.dosage.frequency, report);
    checkDuration(`${base}.dosage.sessionLength`, intervention.dosage.sessionLength, report);
    checkDuration(`${base}.dosage.duration`, intervention.dosage.duration, report);
  });
  // Entries a faith advisor delivers or the lint flags enter a plan only with consent.
  for (const { index, entry, why } of consentSensitiveEntries(catalogue))
    if (!entry.consentRequired && entry.type !== 'faith_dialogue')
      report(
        `interventions[${index}].consentRequired`,
        'consent_required',
        `${entry.code} ${why}: it is offered only with the prisoner's consent, so consentRequired must be true (Mandela Rules 2, 65(3))`,
      );
  checkCatalogueTranslations(catalogue, report);
  catalogue.needs.forEach((need, i) => {
    if (!addressed.has(need.code))
      report(
        `needs[${i}].code`,
        'need_without_intervention',
        `no intervention addresses need "${need.code}"`,
      );
  });
}

// ---------------------------------------------------------------- instrument

const lastIsCatchAll = (rules: { when: string }[]): boolean =>
  rules.length > 0 && rules[rules.length - 1].when.trim() === 'true';

function checkCatchAll(
  rules: { when: string }[],
  base: string,
  what: string,
  report: Report,
): void {
  if (rules.length === 0) return;
  if (!lastIsCatchAll(rules))
    report(
      `${base}[${rules.length - 1}].when`,
      'catch_all_missing',
      `the last ${what} rule must be the catch-all 'true', so every evaluation has a result`,
    );
  rules.forEach((rule, index) => {
    if (index < rules.length - 1 && rule.when.trim() === 'true')
      report(
        `${base}[${index}].when`,
        'unreachable_rule',
        `'true' before the last ${what} rule makes the rules after it unreachable`,
      );
  });
}

/**
 * A catalogue's `intensity` keys must be levels of the judgement it names in `intensityFrom`
 * (or of the instrument's overall levels), so no intensity hint can silently never apply.
 */
function checkIntensityLevels(
  instrument: InstrumentDefinition,
  catalogue: InterventionCatalogue,
  report: Report,
): void {
  const name = catalogue.intensityFrom?.judgement;
  const judgement = name ? instrument.judgements?.find((j) => j.code === name) : undefined;
  const where = `catalogue ${catalogue.key}@${catalogue.version}`;
  // A version from before the instrument declared judgements is not held to one.
  if (name && !instrument.judgements) return;
  if (name && !judgement) {
    report(
      'judgements',
      'unknown_intensity_level',
      `${where} takes its intensity from judgement "${name}", which this instrument does not declare`,
    );
    return;
  }
  const levels = new Set((judgement?.levels ?? instrument.levels ?? []).map((l) => l.code));
  const keys = new Set(catalogue.interventions.flatMap((i) => Object.keys(i.intensity ?? {})));
  for (const key of keys)
    if (!levels.has(key))
      report(
        name ? 'judgements' : 'levels',
        'unknown_intensity_level',
        `${where} has an intensity for "${key}", which is not a level of ${name ? `judgement ${name}` : 'this instrument'}`,
      );
}

function checkInstrument(
  instrument: InstrumentDefinition,
  catalogues: InterventionCatalogue[],
  report: Report,
): void {
  checkNotice(instrument, report);

  // Scales and options.
  duplicates(
    instrument.scales,
    (s) => s.code,
    (i) => `scales[${i}].code`,
    'scale',
    report,
  );
  instrument.scales.forEach((scale, s) => {
    duplicates(
      scale.options,
      (o) => o.code,
      (i) => `scales[${s}].options[${i}].code`,
      'option',
      report,
    );
    scale.options.forEach((option, o) => {
      if (o > 0 && option.score <= scale.options[o - 1].score)
        report(
          `scales[${s}].options[${o}].score`,
          'scale_order',
          `scores must increase strictly in the listed order: ${option.code} (${option.score}) does not exceed ${scale.options[o - 1].code} (${scale.options[o - 1].score})`,
        );
    });
  });
  const scaleCodes = new Set(instrument.scales.map((scale) => scale.code));
  const optionCodes = new Set(instrument.scales.flatMap((s) => s.options.map((o) => o.code)));

  // Levels, domains, items.
  const levels = instrument.levels ?? [];
  duplicates(
    levels,
    (l) => l.code,
    (i) => `levels[${i}].code`,
    'level',
    report,
  );
  const levelCodes = new Set(levels.map((level) => level.code));
  duplicates(
    instrument.domains,
    (d) => d.code,
    (i) => `domains[${i}].code`,
    'domain',
    report,
  );
  const items = instrument.domains.flatMap((domain, d) =>
    domain.items.map((item, i) => ({ item, path: `domains[${d}].items[${i}]` })),
  );
  duplicates(
    items,
    (entry) => entry.item.code,
    (i) => `${items[i].path}.code`,
    'item',
    report,
  );
  for (const { item, path } of items) {
    if (!scaleCodes.has(item.scale))
      report(`${path}.scale`, 'unknown_scale', `scale "${item.scale}" is not declared in scales`);
    if (instrument.purpose === 'needs' && item.need === undefined)
      report(`${path}.need`, 'need_required', 'every item of a needs instrument maps to a need');
  }

  // Evidence rules.
  instrument.evidence.rules.forEach((rule, r) => {
    rule.options.forEach((option, o) => {
      if (!optionCodes.has(option))
        report(
          `evidence.rules[${r}].options[${o}]`,
          'unknown_option',
          `option "${option}" is not an option of any scale`,
        );
    });
  });

  // Purpose: what a risk and a needs instrument must have.
  // Bands are optional: an instrument may leave every judgement to the assessor.
  if (instrument.purpose === 'risk') {
    if (!instrument.levels && !instrument.judgements)
      report(
        'levels',
        'purpose_requirements',
        'a risk instrument declares its levels, its judgements, or both',
      );
  } else if (!instrument.needPriorities) {
    report(
      'needPriorities',
      'purpose_requirements',
      'a needs instrument declares needPriorities (its indicative output)',
    );
  }
  if (instrument.bands && !instrument.levels)
    report('levels', 'purpose_requirements', 'band rules need declared levels');

  // Judgements: each with its own levels and optional bands.
  const judgements = instrument.judgements ?? [];
  duplicates(
    judgements,
    (j) => j.code,
    (i) => `judgements[${i}].code`,
    'judgement',
    report,
  );
  judgements.forEach((judgement, j) => {
    const base = `judgements[${j}]`;
    duplicates(
      judgement.levels,
      (l) => l.code,
      (i) => `${base}.levels[${i}].code`,
      'level',
      report,
    );
    const own = new Set(judgement.levels.map((level) => level.code));
    (judgement.bands ?? []).forEach((band, b) => {
      if (!own.has(band.level))
        report(
          `${base}.bands[${b}].level`,
          'unknown_level',
          `level "${band.level}" is not one of the levels of judgement ${judgement.code}`,
        );
    });
    checkCatchAll(judgement.bands ?? [], `${base}.bands`, 'band', report);
  });

  // Bands and flags.
  const bands = instrument.bands ?? [];
  bands.forEach((band, b) => {
    if (instrument.levels && !levelCodes.has(band.level))
      report(
        `bands[${b}].level`,
        'unknown_level',
        `level "${band.level}" is not declared in levels`,
      );
  });
  checkCatchAll(bands, 'bands', 'band', report);
  duplicates(
    instrument.flags ?? [],
    (f) => f.code,
    (i) => `flags[${i}].code`,
    'flag',
    report,
  );
  (instrument.flags ?? []).forEach((flag, f) =>
    checkDuration(`flags[${f}].makesDue.within`, flag.makesDue?.within, report),
  );

  // Need priorities.
  if (instrument.needPriorities) {
    const { priorities, rules } = instrument.needPriorities;
    duplicates(
      priorities,
      (p) => p.code,
      (i) => `needPriorities.priorities[${i}].code`,
      'priority',
      report,
    );
    const priorityCodes = new Set(priorities.map((priority) => priority.code));
    rules.forEach((rule, r) => {
      if (!priorityCodes.has(rule.priority))
        report(
          `needPriorities.rules[${r}].priority`,
          'unknown_priority',
          `priority "${rule.priority}" is not declared in needPriorities.priorities`,
        );
    });
    checkCatchAll(rules, 'needPriorities.rules', 'need-priority', report);
  }

  // CEL: compile, references, types, and run-time failures on sample ratings.
  try {
    for (const issue of checkInstrumentRules(instrument))
      report(issue.path, issue.code, issue.message);
  } catch (error) {
    // The CEL library refused the environment itself; report it against the file rather
    // than fail the whole import.
    report('', 'cel_type', `rules could not be compiled: ${(error as Error).message}`);
  }

  // Review policy.
  const review = instrument.review;
  if (levels.length > 0) {
    if (!review.intervals)
      report('review.intervals', 'review_intervals', 'an interval is needed for every level');
    else {
      for (const level of levels)
        if (review.intervals[level.code] === undefined)
          report(
            `review.intervals.${level.code}`,
            'review_intervals',
            `level "${level.code}" has no review interval`,
          );
      for (const [code, value] of Object.entries(review.intervals)) {
        if (!levelCodes.has(code))
          report(`review.intervals.${code}`, 'unknown_level', `"${code}" is not a declared level`);
        checkDuration(`review.intervals.${code}`, value, report);
      }
    }
    if (review.interval !== undefined)
      report(
        'review.interval',
        'review_intervals',
        'an instrument with levels sets review.intervals per level, not review.interval',
      );
  } else {
    if (review.interval === undefined)
      report(
        'review.interval',
        'review_intervals',
        'an instrument without levels needs review.interval',
      );
    else checkDuration('review.interval', review.interval, report);
    if (review.intervals !== undefined)
      report('review.intervals', 'review_intervals', 'review.intervals needs declared levels');
  }
  duplicates(
    review.triggers,
    (t) => t.event,
    (i) => `review.triggers[${i}].event`,
    'trigger',
    report,
  );
  review.triggers.forEach((trigger, t) => {
    const base = `review.triggers[${t}]`;
    checkDuration(`${base}.within`, trigger.within, report);
    checkDuration(`${base}.leadTime`, trigger.leadTime, report);
    if (trigger.event === 'pre_release' && trigger.leadTime === undefined)
      report(
        `${base}.leadTime`,
        'trigger_lead_time',
        'pre_release needs leadTime: how long before the expected release date it falls due',
      );
    if (trigger.event !== 'pre_release' && trigger.leadTime !== undefined)
      report(`${base}.leadTime`, 'trigger_lead_time', 'leadTime applies to pre_release only');
  });

  // Needs -> catalogue.
  const withNeeds = items.filter((entry) => entry.item.need !== undefined);
  if (!instrument.catalogue) {
    if (withNeeds.length > 0)
      report(
        'catalogue',
        'missing_catalogue',
        'items map to needs, so the instrument must name the intervention catalogue they map to',
      );
  } else {
    const { key, version } = instrument.catalogue;
    const matching = catalogues.filter(
      (catalogue) => catalogue.key === key && satisfiesRange(catalogue.version, version),
    );
    if (matching.length === 0) {
      report(
        'catalogue',
        'unknown_catalogue',
        `no valid intervention catalogue ${key}@${version} in this import or already imported`,
      );
    }
    for (const catalogue of matching) {
      const declared = new Set(catalogue.needs.map((need) => need.code));
      const addressed = new Set(catalogue.interventions.flatMap((i) => i.needs));
      for (const { item, path } of withNeeds) {
        const need = item.need as string;
        if (!declared.has(need))
          report(
            `${path}.need`,
            'unknown_need',
            `need "${need}" is not declared in catalogue ${catalogue.key}@${catalogue.version}`,
          );
        else if (!addressed.has(need))
          report(
            `${path}.need`,
            'need_without_intervention',
            `no intervention in ${catalogue.key}@${catalogue.version} addresses need "${need}"`,
          );
      }
    }
  }

  // Catalogues that take their RNR intensity from this instrument: its keys are levels.
  // Without intensityFrom, a catalogue's intensity keys are the levels of the risk instruments
  // that name it.
  for (const catalogue of catalogues) {
    const names =
      catalogue.intensityFrom?.instrument === instrument.key ||
      (!catalogue.intensityFrom &&
        instrument.purpose === 'risk' &&
        (instrument.levels?.length ?? 0) > 0 &&
        instrument.catalogue?.key === catalogue.key &&
        satisfiesRange(catalogue.version, instrument.catalogue.version));
    if (names) checkIntensityLevels(instrument, catalogue, report);
  }

  checkTeam(instrument, report);
  checkInstrumentTranslations(instrument, report);

  // Mandela Rule 2.
  for (const finding of lintNonDiscrimination(instrument))
    report(finding.path, 'non_discrimination', finding.message);
}

/**
 * Roles outside psychology get the full view of the assessments they assess or countersign, so
 * an instrument naming them holds no clinical or restricted item (Mandela Rule 32).
 */
function checkTeam(instrument: InstrumentDefinition, report: Report): void {
  if (!instrument.team) return;
  for (const side of ['assessors', 'countersigners'] as const) {
    const others = (instrument.team[side] ?? []).filter((role) => role !== 'psychologist');
    if (others.length === 0) continue;
    instrument.domains.forEach((domain, d) =>
      domain.items.forEach((item, i) => {
        if (item.confidentiality !== 'standard')
          report(
            `domains[${d}].items[${i}].confidentiality`,
            'team_roles',
            `team.${side} names ${others.join(', ')}, who would read this ${item.confidentiality} item: only standard items when roles outside psychology assess or countersign`,
          );
      }),
    );
  }
}

// ---------------------------------------------------------------- lines and batch

function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return segments;
}

/**
 * Schema and semantic issues of one file as its errors, with 1-based line numbers found by
 * re-reading the YAML (only when there are errors). Shared by every rule-set validator.
 */
export function withLines(file: RuleSetFile, issues: Issue[]): RuleSetError[] {
  let locate: (path: string) => number | undefined = () => undefined;
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(file.text, { lineCounter, schema: 'core' });
    locate = (path) => {
      const segments = pathSegments(path);
      while (segments.length > 0) {
        const node = document.getIn(segments, true) as Node | undefined;
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
        segments.pop();
      }
      return undefined;
    };
  } catch {
    // Lines are a convenience; the path alone identifies the place.
  }
  return issues.map((issue) => {
    const line = issue.path === '' ? undefined : locate(issue.path);
    return { file: file.file, ...issue, ...(line !== undefined ? { line } : {}) };
  });
}

interface Checked {
  file: RuleSetFile;
  kind: RuleSetKind;
  doc: InstrumentDefinition | InterventionCatalogue;
  issues: Issue[];
}

/**
 * Validates a batch of rule-set files and reports every error at once: schema first (per
 * file), then semantic checks (for files whose schema passed), including references from
 * instruments to catalogues in the batch or in `context.catalogues`.
 */
export function validateRuleSets(
  files: RuleSetFile[],
  context: { catalogues?: InterventionCatalogue[] } = {},
): { sets: ValidatedRuleSet[]; errors: RuleSetError[] } {
  const validators = schemaValidators();
  const errors: RuleSetError[] = [];
  const checked: Checked[] = [];

  for (const file of files) {
    const doc = file.doc as Record<string, unknown> | null;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      errors.push({ file: file.file, path: '', code: 'schema', message: 'must be a YAML mapping' });
      continue;
    }
    const kind = doc.kind as RuleSetKind;
    if (!RULE_SET_KINDS.includes(kind)) {
      errors.push(
        ...withLines(file, [
          {
            path: 'kind',
            code: 'schema',
            message: `must be one of: ${RULE_SET_KINDS.join(', ')}`,
          },
        ]),
      );
      continue;
    }
    const validate = validators[kind];
    if (!validate(doc)) {
      errors.push(...withLines(file, schemaIssues(validate.errors ?? [], doc)));
      continue;
    }
    const typed = doc as unknown as InstrumentDefinition | InterventionCatalogue;
    const issues: Issue[] = [];
    checkFileName(file.file, typed.key, typed.version, (path, code, message) =>
      issues.push({ path, code, message }),
    );
    checked.push({ file, kind, doc: typed, issues });
  }

  const seen = new Map<string, string>();
  for (const entry of checked) {
    const id = `${entry.kind} ${entry.doc.key}@${entry.doc.version}`;
    const earlier = seen.get(id);
    if (earlier !== undefined)
      entry.issues.push({
        path: 'version',
        code: 'duplicate_version',
        message: `${entry.doc.key}@${entry.doc.version} is also defined in ${earlier}`,
      });
    else seen.set(id, entry.file.file);
  }

  const validCatalogues: InterventionCatalogue[] = [];
  for (const entry of checked) {
    if (entry.kind !== 'intervention-catalogue') continue;
    const report: Report = (path, code, message) => entry.issues.push({ path, code, message });
    checkCatalogue(entry.doc as InterventionCatalogue, report);
    if (entry.issues.length === 0) validCatalogues.push(entry.doc as InterventionCatalogue);
  }
  const catalogues = [...validCatalogues, ...(context.catalogues ?? [])];
  for (const entry of checked) {
    if (entry.kind !== 'instrument') continue;
    const report: Report = (path, code, message) => entry.issues.push({ path, code, message });
    checkInstrument(entry.doc as InstrumentDefinition, catalogues, report);
  }

  const sets: ValidatedRuleSet[] = [];
  for (const entry of checked) {
    if (entry.issues.length > 0) {
      errors.push(...withLines(entry.file, entry.issues));
      continue;
    }
    sets.push({
      file: entry.file.file,
      kind: entry.kind,
      key: entry.doc.key,
      version: entry.doc.version,
      title: entry.doc.title,
      status: entry.doc.status,
      sha256: canonicalSha256(entry.doc),
      definition: entry.doc,
    });
  }
  const order = new Map(files.map((file, index) => [file.file, index]));
  errors.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1));
  return { sets, errors };
}
