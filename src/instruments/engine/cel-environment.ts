import { Environment, ParseError } from '@marcbachmann/cel-js';
import type { ASTNode, ParseResult } from '@marcbachmann/cel-js';
import type { InstrumentDefinition } from '../rule-sets/rule-set.types.js';

export const KIND_GROUPS = ['risk', 'protective', 'motivation'] as const;

export type CelIssueCode =
  | 'cel_syntax'
  | 'cel_unknown_reference'
  | 'cel_type'
  /** A band reads an item (or an all-historical domain) marked historical. */
  | 'historical_in_band';

export interface CelIssue {
  code: CelIssueCode;
  message: string;
}

export interface CelEnvironments {
  rules: Environment;
  needRules: Environment;
  contributions: Environment;
  optionCodes: string[];
}

export function optionCodesOf(definition: InstrumentDefinition): string[] {
  const codes = new Set<string>();
  for (const scale of definition.scales) for (const option of scale.options) codes.add(option.code);
  return [...codes];
}

function fields(names: Iterable<string>, type: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = type;
  return out;
}

/**
 * The CEL variables that band, flag and need-priority rules may read. Everything is built
 * from RATED items only: a not-rated (or unanswered, or invalid) item is absent from
 * `score`/`rating` and adds nothing to any count, so it can neither raise nor lower a
 * result by itself (see rule-sets/README.md, "CEL environment").
 *
 *   score.<ITEM>       int     score of the item's rating; absent unless rated (`has(score.X)`)
 *   rating.<ITEM>      string  option code of the item's rating; absent unless rated
 *   domains.<DOMAIN>   Stats   over the items of the domain
 *   all                Stats   over every item
 *   risk | protective | motivation   Stats over the items of that kind
 *   need               Stats   over the items mapped to the need (need-priority rules only)
 *
 *   Stats: total (items declared), rated, sum (of scores), count.<OPTION>, atLeast.<OPTION>
 *   (rated items whose scale has OPTION and whose score is >= OPTION's score).
 *
 * Contribution expressions see one rated item: item.code, item.domain, item.kind,
 * item.need ('' when none), item.option, item.score, item.minScore, item.maxScore.
 *
 * One typed environment per instrument version, so unknown items and options fail to check.
 */
export function buildCelEnvironments(definition: InstrumentDefinition): CelEnvironments {
  const optionCodes = optionCodesOf(definition);
  const itemCodes = definition.domains.flatMap((domain) => domain.items.map((item) => item.code));
  const base = new Environment({ homogeneousAggregateLiterals: false })
    .registerType('OptionCounts', { fields: fields(optionCodes, 'int') })
    .registerType('Stats', {
      fields: {
        total: 'int',
        rated: 'int',
        sum: 'int',
        count: 'OptionCounts',
        atLeast: 'OptionCounts',
      },
    })
    .registerType('Domains', {
      fields: fields(
        definition.domains.map((domain) => domain.code),
        'Stats',
      ),
    })
    .registerType('Scores', { fields: fields(itemCodes, 'int') })
    .registerType('Ratings', { fields: fields(itemCodes, 'string') })
    .registerVariable('score', 'Scores')
    .registerVariable('rating', 'Ratings')
    .registerVariable('domains', 'Domains')
    .registerVariable('all', 'Stats')
    .registerVariable('risk', 'Stats')
    .registerVariable('protective', 'Stats')
    .registerVariable('motivation', 'Stats');
  const rules = base.clone();
  const needRules = base.clone().registerVariable('need', 'Stats');
  const contributions = new Environment()
    .registerType('ItemFacts', {
      fields: {
        code: 'string',
        domain: 'string',
        kind: 'string',
        need: 'string',
        option: 'string',
        score: 'int',
        minScore: 'int',
        maxScore: 'int',
      },
    })
    .registerVariable('item', 'ItemFacts');
  return { rules, needRules, contributions, optionCodes };
}

export interface ReferenceSets {
  items: ReadonlySet<string>;
  domains: ReadonlySet<string>;
  options: ReadonlySet<string>;
}

export function referenceSetsOf(definition: InstrumentDefinition): ReferenceSets {
  return {
    items: new Set(definition.domains.flatMap((d) => d.items.map((i) => i.code))),
    domains: new Set(definition.domains.map((d) => d.code)),
    options: new Set(optionCodesOf(definition)),
  };
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function children(node: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const visit = (value: unknown): void => {
    if (isNode(value)) out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  if (node.op !== 'value' && node.op !== 'id') visit(node.args);
  return out;
}

function member(node: ASTNode): { receiver: ASTNode; name: string } | undefined {
  if (node.op === '.' || node.op === '.?') return { receiver: node.args[0], name: node.args[1] };
  if ((node.op === '[]' || node.op === '[?]') && node.args[1].op === 'value') {
    const key = node.args[1].args;
    return typeof key === 'string' ? { receiver: node.args[0], name: key } : undefined;
  }
  return undefined;
}

/**
 * Names of items, domains and options that the expression reads but the instrument does
 * not declare. The type checker finds most of these, but not inside `has(...)`.
 */
export function unknownReferences(ast: ASTNode, refs: ReferenceSets): string[] {
  const problems: string[] = [];
  const walk = (node: ASTNode): void => {
    const access = member(node);
    if (access !== undefined) {
      const { receiver, name } = access;
      if (receiver.op === 'id' && (receiver.args === 'score' || receiver.args === 'rating')) {
        if (!refs.items.has(name))
          problems.push(`unknown item '${name}' in ${receiver.args}.${name}`);
      } else if (receiver.op === 'id' && receiver.args === 'domains') {
        if (!refs.domains.has(name)) problems.push(`unknown domain '${name}' in domains.${name}`);
      } else if (
        (receiver.op === '.' || receiver.op === '.?') &&
        (receiver.args[1] === 'count' || receiver.args[1] === 'atLeast') &&
        !refs.options.has(name)
      ) {
        problems.push(`unknown option '${name}' in ${receiver.args[1]}.${name}`);
      }
    }
    for (const child of children(node)) walk(child);
  };
  walk(ast);
  return [...new Set(problems)];
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

const UNKNOWN_REFERENCE_CODES = new Set(['unknown_variable', 'no_such_key', 'no_such_field']);

/**
 * Parses and type-checks one expression. Returns the program, or the issue that stops it.
 * `expected` is the CEL type the expression must produce.
 */
export function compileExpression(
  env: Environment,
  expression: string,
  expected: 'bool' | 'number',
  refs?: ReferenceSets,
): { program: ParseResult } | { issue: CelIssue } {
  let program: ParseResult;
  try {
    program = env.parse(expression);
  } catch (error) {
    const message = error instanceof Error ? firstLine(error.message) : String(error);
    const code = error instanceof ParseError ? 'cel_syntax' : 'cel_type';
    return {
      issue: { code, message: code === 'cel_syntax' ? `syntax error: ${message}` : message },
    };
  }
  if (refs) {
    const unknown = unknownReferences(program.ast, refs);
    if (unknown.length > 0)
      return { issue: { code: 'cel_unknown_reference', message: unknown.join('; ') } };
  }
  const checked = program.check();
  if (!checked.valid) {
    const error = checked.error;
    const code = (error as { code?: string } | undefined)?.code ?? '';
    const message = error ? firstLine(error.message) : 'type check failed';
    if (error instanceof ParseError) return { issue: { code: 'cel_syntax', message } };
    return {
      issue: {
        code:
          UNKNOWN_REFERENCE_CODES.has(code) || /^(Unknown variable|No such key)/.test(message)
            ? 'cel_unknown_reference'
            : 'cel_type',
        message,
      },
    };
  }
  const type = checked.type ?? 'dyn';
  const ok =
    expected === 'bool' ? type === 'bool' : type === 'int' || type === 'double' || type === 'uint';
  if (!ok) {
    return {
      issue: {
        code: 'cel_type',
        message: `expression must produce ${expected === 'bool' ? 'a bool' : 'an int or a double'}, not ${type}`,
      },
    };
  }
  return { program };
}
