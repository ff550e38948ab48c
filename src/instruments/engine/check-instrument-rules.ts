import type { InstrumentDefinition } from '../rule-sets/rule-set.types.js';
import { compileInstrumentCollecting } from './compile-instrument.js';
import type { CompiledInstrument, RuleIssue } from './compile-instrument.js';
import { bandContextOf, buildRuleContext, classifyRatings, statsOf } from './evaluate.js';
import type { Ratings } from './evaluate.js';

/**
 * Ratings that exercise every rule: nothing rated, every item at each position of its
 * scale, and each item rated alone at its lowest and highest option. A rule that reads
 * `score.X` without `has(score.X)` fails on the first of these.
 */
function smokeRatings(compiled: CompiledInstrument): Ratings[] {
  const samples: Ratings[] = [{}];
  const optionLists = compiled.items.map((item) => [...item.options.keys()]);
  const longest = Math.max(0, ...optionLists.map((options) => options.length));
  for (let position = 0; position < longest; position++) {
    const ratings: Ratings = {};
    compiled.items.forEach((item, index) => {
      const options = optionLists[index];
      ratings[item.code] = { value: options[Math.min(position, options.length - 1)] };
    });
    samples.push(ratings);
  }
  compiled.items.forEach((item, index) => {
    const options = optionLists[index];
    samples.push({ [item.code]: { value: options[0] } });
    samples.push({ [item.code]: { value: options[options.length - 1] } });
  });
  return samples;
}

function runtimeIssue(rule: { path: string }, error: unknown, sample: string): RuleIssue {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return {
    path: rule.path,
    code: 'cel_runtime',
    message: `fails when ${sample}: ${message} (guard items with has(score.X))`,
  };
}

function describeSample(ratings: Ratings): string {
  const codes = Object.keys(ratings);
  if (codes.length === 0) return 'nothing is rated';
  if (codes.length === 1) return `only ${codes[0]} is rated (${ratings[codes[0]].value})`;
  return 'every item is rated';
}

/**
 * Compiles every CEL expression of the instrument (syntax, references, types) and runs the
 * rules over sample ratings to find run-time failures. Returns all issues found.
 */
export function checkInstrumentRules(definition: InstrumentDefinition): RuleIssue[] {
  const { compiled, issues } = compileInstrumentCollecting(definition);
  if (!compiled) return issues;
  const found = new Map<string, RuleIssue>();
  for (const ratings of smokeRatings(compiled)) {
    const state = classifyRatings(compiled, ratings);
    const context = buildRuleContext(compiled, state);
    const bandContext = bandContextOf(compiled, ratings, context);
    const sample = describeSample(ratings);
    const bands = [...compiled.bands, ...compiled.judgementBands.flatMap((j) => j.bands)];
    for (const [rules, ruleContext] of [
      [bands, bandContext],
      [compiled.flags, context],
    ] as const) {
      for (const rule of rules) {
        if (found.has(rule.path)) continue;
        try {
          rule.program(ruleContext);
        } catch (error) {
          found.set(rule.path, runtimeIssue(rule, error, sample));
        }
      }
    }
    for (let index = 0; index < compiled.needCodes.length; index++) {
      const group = compiled.needGroupBase + index;
      if (state.counters[group * state.stride] === 0) continue;
      context.need = statsOf(compiled, state, group);
      for (const rule of compiled.needRules) {
        if (found.has(rule.path)) continue;
        try {
          rule.program(context);
        } catch (error) {
          found.set(rule.path, runtimeIssue(rule, error, sample));
        }
      }
    }
  }
  return [...found.values()];
}
