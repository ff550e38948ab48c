import type { ParseResult } from '@marcbachmann/cel-js';
import type { FlagRule, InstrumentDefinition, ItemKind } from '../rule-sets/rule-set.types.js';
import { timeframeOf } from '../rule-sets/rule-set.types.js';
import {
  KIND_GROUPS,
  buildCelEnvironments,
  compileExpression,
  referenceSetsOf,
} from './cel-environment.js';
import type { CelIssueCode } from './cel-environment.js';

export interface RuleIssue {
  /** Path inside the instrument, like `bands[2].when`. */
  path: string;
  code: CelIssueCode | 'cel_runtime';
  message: string;
}

/** Thrown by compileInstrument for a definition that did not pass validation. */
export class InstrumentCompileError extends Error {
  constructor(
    readonly key: string,
    readonly version: string,
    readonly issues: RuleIssue[],
  ) {
    super(
      `instrument ${key}@${version} does not compile: ` +
        issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    );
    this.name = 'InstrumentCompileError';
  }
}

export interface EvidenceNeeds {
  evidenceFor: boolean;
  evidenceAgainst: boolean;
  reliability: boolean;
  /** 0 when sources are not required. */
  minSources: number;
}

export interface CompiledOption {
  code: string;
  score: number;
  bigScore: bigint;
  /** Index of the option code in `optionCodes`. */
  codeIndex: number;
  /** Indexes (in `optionCodes`) of the options of the same scale at or below this one. */
  atLeast: number[];
  evidence: EvidenceNeeds;
  /** Precomputed value of the item's contribution expression; null without one. */
  contribution: number | null;
}

export interface CompiledItem {
  code: string;
  index: number;
  domainIndex: number;
  kind: ItemKind;
  /** Counter groups the item adds to when rated: its domain, its kind, all, its need. */
  groups: number[];
  options: Map<string, CompiledOption>;
}

export interface CompiledRule<T> {
  path: string;
  rule: T;
  program: ParseResult;
}

export interface CompiledInstrument {
  definition: InstrumentDefinition;
  items: CompiledItem[];
  itemByCode: Map<string, CompiledItem>;
  optionCodes: string[];
  domainCodes: string[];
  /** Per domain: indexes (in `optionCodes`) of the options its items can take. */
  domainOptions: number[][];
  domainMinPercent: number[];
  needCodes: string[];
  /** Per need (same order as needCodes): the codes of the items mapped to it. */
  needItems: string[][];
  /** Counter group layout: domains, then risk/protective/motivation, then all, then needs. */
  groupCount: number;
  groupTotals: number[];
  kindGroup: Record<ItemKind, number>;
  allGroup: number;
  needGroupBase: number;
  bands: CompiledRule<{ level: string }>[];
  /** Per declared judgement (same order): its indicative bands (may be empty). */
  judgementBands: { code: string; bands: CompiledRule<{ level: string }>[] }[];
  /**
   * The instrument without its historical items, which bands read instead of the whole
   * instrument; null when every item is current (bands then read the same context as flags).
   */
  bandBase: CompiledInstrument | null;
  flags: CompiledRule<FlagRule>[];
  needRules: CompiledRule<{ priority: string }>[];
  hasContributions: boolean;
}

function compileRules<T extends { when: string }>(
  rules: T[] | undefined,
  basePath: string,
  compile: (expression: string) => ReturnType<typeof compileExpression>,
  issues: RuleIssue[],
): CompiledRule<T>[] {
  const out: CompiledRule<T>[] = [];
  (rules ?? []).forEach((rule, index) => {
    const path = `${basePath}[${index}].when`;
    const result = compile(rule.when);
    if ('issue' in result) issues.push({ path, ...result.issue });
    else out.push({ path, rule, program: result.program });
  });
  return out;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'object' && value !== null && 'valueOf' in value) {
    const primitive = (value as { valueOf(): unknown }).valueOf();
    if (typeof primitive === 'bigint' || typeof primitive === 'number') return toNumber(primitive);
  }
  return undefined;
}

/**
 * Compiles every expression of an instrument and precomputes the per-item tables the
 * engine needs. Collects all issues; `compileInstrument` throws when there are any.
 */
export function compileInstrumentCollecting(definition: InstrumentDefinition): {
  compiled: CompiledInstrument | null;
  issues: RuleIssue[];
} {
  const issues: RuleIssue[] = [];
  const envs = buildCelEnvironments(definition);
  const refs = referenceSetsOf(definition);
  const optionCodes = envs.optionCodes;
  const optionIndex = new Map(optionCodes.map((code, index) => [code, index]));
  const domainCount = definition.domains.length;
  const kindGroup = {
    risk: domainCount,
    protective: domainCount + 1,
    motivation: domainCount + 2,
  } as Record<ItemKind, number>;
  const allGroup = domainCount + KIND_GROUPS.length;
  const needGroupBase = allGroup + 1;
  const needCodes: string[] = [];
  for (const domain of definition.domains)
    for (const item of domain.items)
      if (item.need !== undefined && !needCodes.includes(item.need)) needCodes.push(item.need);
  const groupCount = needGroupBase + needCodes.length;
  const groupTotals = new Array<number>(groupCount).fill(0);

  const scales = new Map(definition.scales.map((scale) => [scale.code, scale]));
  const evidenceFor = (optionCode: string): EvidenceNeeds => {
    const needs: EvidenceNeeds = {
      evidenceFor: false,
      evidenceAgainst: false,
      reliability: false,
      minSources: 0,
    };
    for (const rule of definition.evidence.rules) {
      if (!rule.options.includes(optionCode)) continue;
      if (rule.require.includes('evidenceFor')) needs.evidenceFor = true;
      if (rule.require.includes('evidenceAgainst')) needs.evidenceAgainst = true;
      if (rule.require.includes('reliability')) needs.reliability = true;
      if (rule.require.includes('sources'))
        needs.minSources = Math.max(needs.minSources, rule.minSources ?? 1);
    }
    return needs;
  };

  let defaultContribution: ParseResult | null = null;
  if (definition.contributions) {
    const result = compileExpression(
      envs.contributions,
      definition.contributions.default,
      'number',
    );
    if ('issue' in result) issues.push({ path: 'contributions.default', ...result.issue });
    else defaultContribution = result.program;
  }

  const items: CompiledItem[] = [];
  const domainOptions: number[][] = [];
  definition.domains.forEach((domain, domainIndex) => {
    const optionsHere = new Set<number>();
    domain.items.forEach((item, itemIndex) => {
      const itemPath = `domains[${domainIndex}].items[${itemIndex}]`;
      const scale = scales.get(item.scale);
      const groups = [domainIndex, kindGroup[item.kind], allGroup];
      if (item.need !== undefined) groups.push(needGroupBase + needCodes.indexOf(item.need));
      for (const group of groups) groupTotals[group] += 1;

      let contributionProgram = defaultContribution;
      let contributionPath = 'contributions.default';
      if (item.contribution !== undefined) {
        contributionPath = `${itemPath}.contribution`;
        const result = compileExpression(envs.contributions, item.contribution, 'number');
        if ('issue' in result) {
          issues.push({ path: contributionPath, ...result.issue });
          contributionProgram = null;
        } else contributionProgram = result.program;
      }

      const options = new Map<string, CompiledOption>();
      const scaleOptions = scale?.options ?? [];
      const minScore = Math.min(...scaleOptions.map((o) => o.score));
      const maxScore = Math.max(...scaleOptions.map((o) => o.score));
      scaleOptions.forEach((option) => {
        const codeIndex = optionIndex.get(option.code) ?? -1;
        optionsHere.add(codeIndex);
        let contribution: number | null = null;
        if (contributionProgram) {
          try {
            const value = contributionProgram({
              item: {
                code: item.code,
                domain: domain.code,
                kind: item.kind,
                need: item.need ?? '',
                option: option.code,
                score: BigInt(option.score),
                minScore: BigInt(minScore),
                maxScore: BigInt(maxScore),
              },
            });
            const numeric = toNumber(value);
            if (numeric === undefined)
              issues.push({
                path: contributionPath,
                code: 'cel_type',
                message: `contribution of ${item.code}=${option.code} is not a finite number`,
              });
            else contribution = numeric;
          } catch (error) {
            issues.push({
              path: contributionPath,
              code: 'cel_runtime',
              message: `contribution of ${item.code}=${option.code} fails: ${
                error instanceof Error ? error.message.split('\n')[0] : String(error)
              }`,
            });
          }
        }
        options.set(option.code, {
          code: option.code,
          score: option.score,
          bigScore: BigInt(option.score),
          codeIndex,
          atLeast: scaleOptions
            .filter((other) => other.score <= option.score)
            .map((other) => optionIndex.get(other.code) ?? -1),
          evidence: evidenceFor(option.code),
          contribution,
        });
      });
      items.push({
        code: item.code,
        index: items.length,
        domainIndex,
        kind: item.kind,
        groups,
        options,
      });
    });
    domainOptions.push([...optionsHere].sort((a, b) => a - b));
  });

  const rulesCompile = (expression: string) =>
    compileExpression(envs.rules, expression, 'bool', refs);

  // Bands read current items only: historical ones are context, never a reason for a band.
  const historicalItems = new Set<string>();
  const historicalDomains = new Set<string>();
  for (const domain of definition.domains) {
    const past = domain.items.filter((item) => timeframeOf(domain, item) === 'historical');
    for (const item of past) historicalItems.add(item.code);
    if (past.length === domain.items.length) historicalDomains.add(domain.code);
  }
  let bandBase: CompiledInstrument | null = null;
  let bandCompile = rulesCompile;
  if (historicalItems.size > 0) {
    const currentOnly: InstrumentDefinition = {
      ...definition,
      domains: definition.domains
        .map((domain) => ({
          ...domain,
          items: domain.items
            .filter((item) => !historicalItems.has(item.code))
            .map(({ contribution: _contribution, ...item }) => item),
        }))
        .filter((domain) => domain.items.length > 0),
      bands: undefined,
      judgements: undefined,
      flags: undefined,
      contributions: undefined,
      needPriorities: undefined,
    };
    bandBase = compileInstrumentCollecting(currentOnly).compiled;
    const bandEnvs = buildCelEnvironments(currentOnly);
    const bandRefs = referenceSetsOf(currentOnly);
    bandCompile = (expression: string): ReturnType<typeof compileExpression> => {
      const used = [
        ...new Set(
          [...expression.matchAll(/\b(score|rating|domains)\s*\.\s*([A-Z][A-Z0-9_]*)/g)]
            .filter(([, variable, code]) =>
              variable === 'domains' ? historicalDomains.has(code) : historicalItems.has(code),
            )
            .map(([, variable, code]) => `${variable}.${code}`),
        ),
      ];
      if (used.length > 0)
        return {
          issue: {
            code: 'historical_in_band',
            message: `bands use current items only; ${used.join(', ')} ${
              used.length === 1 ? 'is' : 'are'
            } historical (context, not a reason for a band)`,
          },
        } as const;
      return compileExpression(bandEnvs.rules, expression, 'bool', bandRefs);
    };
  }
  const needCompile = (expression: string) =>
    compileExpression(envs.needRules, expression, 'bool', refs);
  const bands = compileRules(definition.bands, 'bands', bandCompile, issues);
  const judgementBands = (definition.judgements ?? []).map((judgement, index) => ({
    code: judgement.code,
    bands: compileRules(judgement.bands, `judgements[${index}].bands`, bandCompile, issues),
  }));
  const flags = compileRules(definition.flags, 'flags', rulesCompile, issues);
  const needRules = compileRules(
    definition.needPriorities?.rules,
    'needPriorities.rules',
    needCompile,
    issues,
  );

  // One issue per path and message, so a failing default is not repeated for every item.
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length > 0) return { compiled: null, issues: unique };

  return {
    issues: [],
    compiled: {
      definition,
      items,
      itemByCode: new Map(items.map((item) => [item.code, item])),
      optionCodes,
      domainCodes: definition.domains.map((domain) => domain.code),
      domainOptions,
      domainMinPercent: definition.domains.map(
        (domain) => domain.minimumRatedPercent ?? definition.minimumRated.perDomainPercent,
      ),
      needCodes,
      needItems: needCodes.map((need) =>
        definition.domains.flatMap((domain) =>
          domain.items.filter((item) => item.need === need).map((item) => item.code),
        ),
      ),
      groupCount,
      groupTotals,
      kindGroup,
      allGroup,
      needGroupBase,
      bands,
      judgementBands,
      bandBase,
      flags,
      needRules,
      hasContributions:
        definition.contributions !== undefined ||
        definition.domains.some((domain) => domain.items.some((item) => item.contribution)),
    },
  };
}

const cache = new WeakMap<object, CompiledInstrument>();
const keyedCache = new Map<string, CompiledInstrument>();
const KEYED_CACHE_LIMIT = 64;

/**
 * Compiles once per definition object (WeakMap), or once per `cacheKey` when given (use the
 * version's content SHA-256, so definitions re-read from the database hit the cache).
 */
export function compileInstrument(
  definition: InstrumentDefinition,
  cacheKey?: string,
): CompiledInstrument {
  const byObject = cache.get(definition);
  if (byObject) return byObject;
  if (cacheKey !== undefined) {
    const byKey = keyedCache.get(cacheKey);
    if (byKey) {
      cache.set(definition, byKey);
      return byKey;
    }
  }
  const { compiled, issues } = compileInstrumentCollecting(definition);
  if (!compiled) throw new InstrumentCompileError(definition.key, definition.version, issues);
  cache.set(definition, compiled);
  if (cacheKey !== undefined) {
    if (keyedCache.size >= KEYED_CACHE_LIMIT) {
      const oldest = keyedCache.keys().next().value;
      if (oldest !== undefined) keyedCache.delete(oldest);
    }
    keyedCache.set(cacheKey, compiled);
  }
  return compiled;
}
