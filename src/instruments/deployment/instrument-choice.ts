import type { InstrumentDefinition, InterventionCatalogue } from '../rule-sets/rule-set.types.js';
import { satisfiesRange } from '../rule-sets/semver.js';

/**
 * What a deployment operates with each instrument: the environment variable that names it and
 * what the service does with it. Several instruments may be imported side by side; these say
 * which one each purpose uses instead of "the newest assessment of any risk instrument".
 */
export const INSTRUMENT_USES = {
  planIntensity: 'INSTRUMENT_FOR_PLAN_INTENSITY',
  planNeeds: 'INSTRUMENT_FOR_PLAN_NEEDS',
  intake: 'INSTRUMENT_FOR_INTAKE',
  timeline: 'INSTRUMENT_FOR_TIMELINE',
} as const;
export type InstrumentUse = keyof typeof INSTRUMENT_USES;

/** `key`, optionally `@1.1.0` or `@^1.1.0`, optionally `#judgement`. */
export const INSTRUMENT_CHOICE_PATTERN =
  /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:@(\^?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?))?(?:#([a-z][a-z0-9_]*))?$/;

export interface InstrumentChoice {
  key: string;
  /** An exact version or a caret range; absent: every version of the key. */
  range?: string;
  judgement?: string;
}

export function parseInstrumentChoice(text: string | undefined): InstrumentChoice | undefined {
  const match = text === undefined ? null : INSTRUMENT_CHOICE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return {
    key: match[1],
    ...(match[2] ? { range: match[2] } : {}),
    ...(match[3] ? { judgement: match[3] } : {}),
  };
}

export function formatChoice(choice: InstrumentChoice): string {
  return `${choice.key}${choice.range ? `@${choice.range}` : ''}${choice.judgement ? `#${choice.judgement}` : ''}`;
}

export function inRange(choice: InstrumentChoice, version: string): boolean {
  return !choice.range || satisfiesRange(version, choice.range);
}

export interface ImportedVersion {
  key: string;
  version: string;
  definition: InstrumentDefinition | InterventionCatalogue;
}

/** Level codes a choice rates on in one instrument version (its judgement's, else its own). */
function levelsOf(definition: InstrumentDefinition, judgement: string | undefined) {
  if (judgement)
    return definition.judgements?.find((j) => j.code === judgement)?.levels.map((l) => l.code);
  return definition.levels?.map((l) => l.code);
}

/**
 * Every reason the configured choices cannot be operated with the imported rule-sets: an
 * instrument no imported version matches, one of the wrong purpose, a judgement a matching
 * version does not declare, or catalogue intensity keys the intensity judgement has no level
 * for. Messages name the variable, so start-up can stop with them.
 */
export function checkInstrumentChoices(
  choices: Partial<Record<InstrumentUse, InstrumentChoice>>,
  imported: ImportedVersion[],
): string[] {
  const errors: string[] = [];
  const instruments = imported.filter(
    (v): v is ImportedVersion & { definition: InstrumentDefinition } =>
      v.definition.kind === 'instrument',
  );
  for (const use of Object.keys(INSTRUMENT_USES) as InstrumentUse[]) {
    const choice = choices[use];
    if (!choice) continue;
    const name = `${INSTRUMENT_USES[use]}=${formatChoice(choice)}`;
    const matching = instruments.filter((v) => v.key === choice.key && inRange(choice, v.version));
    if (matching.length === 0) {
      const known = [...new Set(instruments.map((v) => `${v.key}@${v.version}`))].sort();
      errors.push(
        `${name}: no imported instrument version matches (imported: ${known.join(', ') || 'none'})`,
      );
      continue;
    }
    const purpose = use === 'planNeeds' ? 'needs' : use === 'planIntensity' ? 'risk' : undefined;
    for (const v of matching) {
      if (purpose && v.definition.purpose !== purpose)
        errors.push(
          `${name}: ${v.key}@${v.version} is a ${v.definition.purpose} instrument; this use needs a ${purpose} instrument`,
        );
      if (choice.judgement && !v.definition.judgements?.some((j) => j.code === choice.judgement))
        errors.push(
          `${name}: ${v.key}@${v.version} declares no judgement "${choice.judgement}" (it declares: ${
            (v.definition.judgements ?? []).map((j) => j.code).join(', ') || 'none'
          }); name one of them or narrow the version range`,
        );
    }
    if (use !== 'planIntensity' || errors.length > 0) continue;
    for (const catalogue of imported) {
      if (catalogue.definition.kind !== 'intervention-catalogue') continue;
      for (const v of matching) {
        const levels = new Set(levelsOf(v.definition, choice.judgement) ?? []);
        catalogue.definition.interventions.forEach((intervention) => {
          const unknown = Object.keys(intervention.intensity ?? {}).filter((k) => !levels.has(k));
          if (unknown.length > 0)
            errors.push(
              `${name}: catalogue ${catalogue.key}@${catalogue.version} intervention ${intervention.code} has intensity for ${unknown.join(', ')}, which ${v.key}@${v.version}${choice.judgement ? ` judgement ${choice.judgement}` : ''} has no level for`,
            );
        });
      }
    }
  }
  return errors;
}
