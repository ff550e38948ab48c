import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileInstrument } from '../src/instruments/engine/compile-instrument.js';
import { evaluateCompiled } from '../src/instruments/engine/evaluate.js';
import type { Ratings } from '../src/instruments/engine/evaluate.js';
import { loadRuleSetFiles } from '../src/instruments/rule-sets/load-rule-set-files.js';
import type { InstrumentDefinition } from '../src/instruments/rule-sets/rule-set.types.js';
import { validateRuleSets } from '../src/instruments/rule-sets/validate-rule-sets.js';

const INSTRUMENT_KEY = 've-risk-spj';
const WARM_UP_MS = 500;
const MEASURE_MS = 2500;
const BATCH = 500;

/** The shipped rule-sets directory, found from this file in `bench/` or `dist/bench/`. */
function shippedRuleSetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'rule-sets');
    if (existsSync(join(candidate, 'instruments'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rule-sets/ not found');
    dir = parent;
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so every run rates the same cases. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid, complete ratings: most items rated with evidence, some not rated with a reason. */
function randomRatings(definition: InstrumentDefinition, count: number): Ratings[] {
  const next = random(20240601);
  const scales = new Map(definition.scales.map((scale) => [scale.code, scale.options]));
  const out: Ratings[] = [];
  for (let n = 0; n < count; n++) {
    const ratings: Ratings = {};
    for (const domain of definition.domains) {
      for (const item of domain.items) {
        if (next() < 0.1) {
          ratings[item.code] = { notRated: true, reason: 'No reliable information available' };
          continue;
        }
        const options = scales.get(item.scale) ?? [];
        ratings[item.code] = {
          value: options[Math.floor(next() * options.length)].code,
          evidenceFor: 'Observed by wing staff on several occasions',
          evidenceAgainst: 'None identified',
          sources: ['wing observation log', 'interview'],
          reliability: 'medium',
        };
      }
    }
    out.push(ratings);
  }
  return out;
}

/**
 * Evaluations per second of the shipped risk instrument on one core, over random valid
 * ratings, after a warm-up. `samples` is the number of evaluations measured.
 */
export async function benchInstrumentEvaluation(): Promise<{
  scenario: string;
  evaluationsPerSecond: number;
  samples: number;
}> {
  const { files, errors: loadErrors } = await loadRuleSetFiles(shippedRuleSetsDir());
  const { sets, errors } = validateRuleSets(files);
  if (loadErrors.length + errors.length > 0)
    throw new Error(
      `shipped rule-sets do not validate: ${JSON.stringify([...loadErrors, ...errors])}`,
    );
  const set = sets.find((entry) => entry.kind === 'instrument' && entry.key === INSTRUMENT_KEY);
  if (!set) throw new Error(`${INSTRUMENT_KEY} is not among the shipped rule-sets`);
  const definition = set.definition as InstrumentDefinition;
  const compiled = compileInstrument(definition, set.sha256);
  const cases = randomRatings(definition, 1000);

  let sink = 0;
  const run = (milliseconds: number): { count: number; elapsed: number } => {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < milliseconds) {
      for (let i = 0; i < BATCH; i++) {
        const result = evaluateCompiled(compiled, cases[(count + i) % cases.length]);
        sink += result.flags.length;
      }
      count += BATCH;
      elapsed = performance.now() - start;
    }
    return { count, elapsed };
  };
  run(WARM_UP_MS);
  const { count, elapsed } = run(MEASURE_MS);
  if (sink < 0) throw new Error('unreachable');
  return {
    scenario: `evaluate ${set.key}@${set.version} (${compiled.items.length} items, random valid ratings)`,
    evaluationsPerSecond: Math.round((count / elapsed) * 1000),
    samples: count,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchInstrumentEvaluation().then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
