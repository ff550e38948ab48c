import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { canonicalSha256 } from '../../crypto/canonical-json.js';
import {
  CATALOGUE_FILE,
  CATALOGUE_1_0_1_FILE,
  NEEDS_FILE,
  NEEDS_1_0_1_FILE,
  RISK_FILE,
  RISK_1_1_FILE,
  RISK_1_1_1_FILE,
  SHIPPED_DIR,
  mutatedFile,
  shippedCatalogue,
  shippedFile,
  shippedFiles,
} from './fixtures/shipped.js';
import { loadRuleSetFiles } from './load-rule-set-files.js';
import type { RuleSetError, RuleSetErrorCode, RuleSetFile } from './rule-set.types.js';
import {
  CONFIDENTIALITY_CLASSES,
  DISCIPLINES,
  INTERVENTION_TYPES,
  TRIGGER_EVENTS,
} from './rule-set.types.js';
import { validateRuleSets } from './validate-rule-sets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutation = (doc: any) => void;

async function batchWith(file: string, mutate: Mutation): Promise<RuleSetFile[]> {
  const files = await shippedFiles();
  const changed = await mutatedFile(file, mutate);
  return files.map((entry) => (entry.file === file ? changed : entry));
}

async function errorsAfter(file: string, mutate: Mutation): Promise<RuleSetError[]> {
  return validateRuleSets(await batchWith(file, mutate)).errors;
}

function simplified(errors: RuleSetError[]) {
  return errors.map(({ file, path, code }) => ({ file, path, code }));
}

describe('validateRuleSets: shipped rule-sets', () => {
  it('accepts all seven shipped files and hashes them over canonical JSON', async () => {
    const files = await shippedFiles();
    const { sets, errors } = validateRuleSets(files);
    expect(errors).toEqual([]);
    expect(sets.map((set) => [set.kind, set.key, set.version, set.status]).sort()).toEqual([
      ['instrument', 've-needs', '1.0.0', 'active'],
      ['instrument', 've-needs', '1.0.1', 'active'],
      ['instrument', 've-risk-spj', '1.0.0', 'active'],
      ['instrument', 've-risk-spj', '1.1.0', 'active'],
      ['instrument', 've-risk-spj', '1.1.1', 'active'],
      ['intervention-catalogue', 'handbook-interventions', '1.0.0', 'active'],
      ['intervention-catalogue', 'handbook-interventions', '1.0.1', 'active'],
    ]);
    for (const set of sets) {
      const file = files.find((entry) => entry.file === set.file) as RuleSetFile;
      expect(set.sha256).toBe(canonicalSha256(file.doc));
      expect(set.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('validates an instrument alone against catalogues given as context', async () => {
    const catalogue = await shippedCatalogue();
    const { sets, errors } = validateRuleSets([await shippedFile(RISK_FILE)], {
      catalogues: [catalogue],
    });
    expect(errors).toEqual([]);
    expect(sets).toHaveLength(1);
  });

  it('keeps the TypeScript vocabularies and the JSON Schemas in step', () => {
    const read = (name: string) =>
      JSON.parse(readFileSync(join(SHIPPED_DIR, 'schema', name), 'utf8')) as any;
    const instrument = read('instrument.schema.json');
    const catalogue = read('intervention-catalogue.schema.json');
    expect(instrument.$defs.review.properties.triggers.items.properties.event.enum).toEqual([
      ...TRIGGER_EVENTS,
    ]);
    expect(instrument.$defs.item.properties.confidentiality.enum).toEqual([
      ...CONFIDENTIALITY_CLASSES,
    ]);
    // Types and disciplines are declared by each catalogue; the schema documents the defaults.
    for (const code of DISCIPLINES)
      expect(catalogue.properties.disciplines.description).toContain(code);
    for (const code of INTERVENTION_TYPES)
      expect(catalogue.properties.types.description).toContain(code);
  });
});

describe('validateRuleSets: schema', () => {
  it('reports a missing field, an unknown field and a wrong type, with paths and lines', async () => {
    const errors = await errorsAfter(RISK_FILE, (doc) => {
      delete doc.title;
      doc.domains[0].items[1].colour = 'red';
      doc.domains[2].items[0].kind = 'danger';
    });
    expect(simplified(errors)).toEqual([
      { file: RISK_FILE, path: 'title', code: 'schema' },
      { file: RISK_FILE, path: 'domains[0].items[1].colour', code: 'schema' },
      { file: RISK_FILE, path: 'domains[2].items[0].kind', code: 'schema' },
    ]);
    expect(errors[0].message).toBe('is required');
    expect(errors[1].message).toBe('is not a known field');
    expect(errors[2].message).toBe('must be one of: risk, protective, motivation');
    expect(errors[1].line).toBeGreaterThan(1);
  });

  it('explains an unquoted true in a rule', async () => {
    const errors = await errorsAfter(RISK_FILE, (doc) => {
      doc.bands[2].when = true;
    });
    expect(simplified(errors)).toEqual([
      { file: RISK_FILE, path: 'bands[2].when', code: 'schema' },
    ]);
    expect(errors[0].message).toContain("quote it, 'true'");
  });

  it('refuses an unknown kind', async () => {
    const errors = await errorsAfter(RISK_FILE, (doc) => {
      doc.kind = 'review-policy';
    });
    expect(simplified(errors)).toEqual([{ file: RISK_FILE, path: 'kind', code: 'schema' }]);
  });

  it('refuses an option code that is a CEL reserved word', async () => {
    const errors = await errorsAfter(RISK_FILE, (doc) => {
      doc.scales[0].options[0].code = 'in';
    });
    expect(simplified(errors)).toContainEqual({
      file: RISK_FILE,
      path: 'scales[0].options[0].code',
      code: 'schema',
    });
  });
});

interface Case {
  name: string;
  file: string;
  mutate: Mutation;
  code: RuleSetErrorCode;
  path: string;
  message?: RegExp;
}

const cases: Case[] = [
  {
    name: 'a band that reads a historical item',
    file: RISK_FILE,
    mutate: (doc) => {
      doc.domains[2].items[0].timeframe = 'historical';
      doc.bands[1].when = 'has(score.HC01) && score.HC01 >= 1';
    },
    code: 'historical_in_band',
    path: 'bands[1].when',
    message: /score\.HC01 is historical/,
  },
  {
    name: 'a key that is not lower-case words joined by hyphens',
    file: RISK_FILE,
    mutate: (doc) => (doc.key = 'VE Risk'),
    code: 'invalid_key',
    path: 'key',
  },
  {
    name: 'a version that is not semver',
    file: RISK_FILE,
    mutate: (doc) => (doc.version = '1.0'),
    code: 'invalid_version',
    path: 'version',
  },
  {
    name: 'a catalogue version range that is neither exact nor caret',
    file: RISK_FILE,
    mutate: (doc) => (doc.catalogue.version = '>=1.0.0'),
    code: 'invalid_version',
    path: 'catalogue.version',
  },
  {
    name: 'a file name that does not match key@version',
    file: RISK_FILE,
    mutate: (doc) => (doc.version = '1.0.1'),
    code: 'file_name',
    path: '',
    message: /ve-risk-spj@1\.0\.1\.yaml/,
  },
  {
    name: 'illustrative content without a notice',
    file: RISK_FILE,
    mutate: (doc) => delete doc.notice,
    code: 'notice_required',
    path: 'notice',
  },
  {
    name: 'a duplicate item code across domains',
    file: RISK_FILE,
    mutate: (doc) => (doc.domains[1].items[0].code = 'BA01'),
    code: 'duplicate_code',
    path: 'domains[1].items[0].code',
    message: /domains\[0\]\.items\[0\]\.code/,
  },
  {
    name: 'a duplicate domain code',
    file: RISK_FILE,
    mutate: (doc) => (doc.domains[4].code = 'CM'),
    code: 'duplicate_code',
    path: 'domains[4].code',
  },
  {
    name: 'a duplicate option code in a scale',
    file: RISK_FILE,
    mutate: (doc) => (doc.scales[0].options[2].code = 'moderate'),
    code: 'duplicate_code',
    path: 'scales[0].options[2].code',
  },
  {
    name: 'a duplicate level code',
    file: RISK_FILE,
    mutate: (doc) => (doc.levels[2].code = 'moderate'),
    code: 'duplicate_code',
    path: 'levels[2].code',
  },
  {
    name: 'a duplicate flag code',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[1].code = doc.flags[0].code),
    code: 'duplicate_code',
    path: 'flags[1].code',
  },
  {
    name: 'a duplicate trigger event',
    file: RISK_FILE,
    mutate: (doc) => (doc.review.triggers[1].event = 'transfer'),
    code: 'duplicate_code',
    path: 'review.triggers[1].event',
  },
  {
    name: 'a duplicate intervention code',
    file: CATALOGUE_FILE,
    mutate: (doc) => (doc.interventions[1].code = doc.interventions[0].code),
    code: 'duplicate_code',
    path: 'interventions[1].code',
  },
  {
    name: 'scale scores that do not increase strictly',
    file: RISK_FILE,
    mutate: (doc) => (doc.scales[0].options[2].score = 1),
    code: 'scale_order',
    path: 'scales[0].options[2].score',
  },
  {
    name: 'an item on an undeclared scale',
    file: RISK_FILE,
    mutate: (doc) => (doc.domains[0].items[0].scale = 'lmh'),
    code: 'unknown_scale',
    path: 'domains[0].items[0].scale',
  },
  {
    name: 'an evidence rule on an undeclared option',
    file: RISK_FILE,
    mutate: (doc) => (doc.evidence.rules[0].options = ['moderate', 'severe']),
    code: 'unknown_option',
    path: 'evidence.rules[0].options[1]',
  },
  {
    name: 'a band that produces an undeclared level',
    file: RISK_FILE,
    mutate: (doc) => (doc.bands[0].level = 'extreme'),
    code: 'unknown_level',
    path: 'bands[0].level',
  },
  {
    name: 'a review interval for an undeclared level',
    file: RISK_FILE,
    mutate: (doc) => (doc.review.intervals.extreme = 'P1M'),
    code: 'unknown_level',
    path: 'review.intervals.extreme',
  },
  {
    name: 'a risk instrument without levels',
    file: RISK_FILE,
    mutate: (doc) => {
      delete doc.levels;
      delete doc.review.intervals;
      doc.review.interval = 'P6M';
    },
    code: 'purpose_requirements',
    path: 'levels',
  },
  {
    name: 'a needs instrument without need priorities',
    file: NEEDS_FILE,
    mutate: (doc) => delete doc.needPriorities,
    code: 'purpose_requirements',
    path: 'needPriorities',
  },
  {
    name: 'band rules without a final catch-all',
    file: RISK_FILE,
    mutate: (doc) => (doc.bands[2].when = 'all.rated >= 0'),
    code: 'catch_all_missing',
    path: 'bands[2].when',
  },
  {
    name: 'need-priority rules without a final catch-all',
    file: NEEDS_FILE,
    mutate: (doc) => doc.needPriorities.rules.pop(),
    code: 'catch_all_missing',
    path: 'needPriorities.rules[2].when',
  },
  {
    name: 'a catch-all before the last band',
    file: RISK_FILE,
    mutate: (doc) => (doc.bands[0].when = ' true '),
    code: 'unreachable_rule',
    path: 'bands[0].when',
  },
  {
    name: 'a need-priority rule naming an undeclared priority',
    file: NEEDS_FILE,
    mutate: (doc) => (doc.needPriorities.rules[0].priority = 'urgent'),
    code: 'unknown_priority',
    path: 'needPriorities.rules[0].priority',
  },
  {
    name: 'a CEL syntax error',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[0].when = 'has(score.SC04) && score.SC04 >='),
    code: 'cel_syntax',
    path: 'flags[0].when',
  },
  {
    name: 'a CEL rule reading an unknown item inside has()',
    file: RISK_FILE,
    mutate: (doc) => (doc.bands[0].when = 'has(score.ZZ99)'),
    code: 'cel_unknown_reference',
    path: 'bands[0].when',
    message: /unknown item 'ZZ99'/,
  },
  {
    name: 'a CEL rule reading an unknown domain',
    file: RISK_FILE,
    mutate: (doc) => (doc.bands[1].when = 'domains.XX.rated > 0'),
    code: 'cel_unknown_reference',
    path: 'bands[1].when',
    message: /unknown domain 'XX'/,
  },
  {
    name: 'a CEL rule reading an unknown option',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[5].when = 'protective.atLeast.extreme >= 1'),
    code: 'cel_unknown_reference',
    path: 'flags[5].when',
    message: /unknown option 'extreme'/,
  },
  {
    name: 'a CEL rule reading an unknown variable',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[6].when = 'religion == "x"'),
    code: 'cel_unknown_reference',
    path: 'flags[6].when',
  },
  {
    name: 'a CEL rule that does not produce a bool',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[6].when = 'all.rated'),
    code: 'cel_type',
    path: 'flags[6].when',
    message: /bool/,
  },
  {
    name: 'a contribution that does not produce a number',
    file: RISK_FILE,
    mutate: (doc) => (doc.contributions.default = 'item.option'),
    code: 'cel_type',
    path: 'contributions.default',
  },
  {
    name: 'a rule that reads an unrated item without has()',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[3].when = 'score.HC06 >= 1'),
    code: 'cel_runtime',
    path: 'flags[3].when',
    message: /nothing is rated/,
  },
  {
    name: 'a contribution that fails at run time',
    file: RISK_FILE,
    mutate: (doc) => (doc.domains[0].items[2].contribution = '1 / (item.score - item.score)'),
    code: 'cel_runtime',
    path: 'domains[0].items[2].contribution',
  },
  {
    name: 'a level without a review interval',
    file: RISK_FILE,
    mutate: (doc) => delete doc.review.intervals.moderate,
    code: 'review_intervals',
    path: 'review.intervals.moderate',
  },
  {
    name: 'an instrument without levels and without review.interval',
    file: NEEDS_FILE,
    mutate: (doc) => delete doc.review.interval,
    code: 'review_intervals',
    path: 'review.interval',
  },
  {
    name: 'a review interval that is not ISO-8601',
    file: RISK_FILE,
    mutate: (doc) => (doc.review.intervals.high = '3 months'),
    code: 'invalid_duration',
    path: 'review.intervals.high',
  },
  {
    name: 'a zero duration',
    file: RISK_FILE,
    mutate: (doc) => (doc.review.triggers[0].within = 'P0D'),
    code: 'invalid_duration',
    path: 'review.triggers[0].within',
  },
  {
    name: 'a dosage frequency that is not ISO-8601',
    file: CATALOGUE_FILE,
    mutate: (doc) => (doc.interventions[0].dosage.frequency = 'weekly'),
    code: 'invalid_duration',
    path: 'interventions[0].dosage.frequency',
  },
  {
    name: 'pre_release without a lead time',
    file: RISK_FILE,
    mutate: (doc) => delete doc.review.triggers[5].leadTime,
    code: 'trigger_lead_time',
    path: 'review.triggers[5].leadTime',
  },
  {
    name: 'a catalogue reference that matches no catalogue',
    file: RISK_FILE,
    mutate: (doc) => (doc.catalogue.version = '^2.0.0'),
    code: 'unknown_catalogue',
    path: 'catalogue',
  },
  {
    name: 'items with needs but no catalogue',
    file: RISK_FILE,
    mutate: (doc) => delete doc.catalogue,
    code: 'missing_catalogue',
    path: 'catalogue',
  },
  {
    name: 'a needs item without a need',
    file: NEEDS_FILE,
    mutate: (doc) => delete doc.domains[3].items[1].need,
    code: 'need_required',
    path: 'domains[3].items[1].need',
  },
  {
    name: 'an item need the catalogue does not declare',
    file: NEEDS_FILE,
    mutate: (doc) => (doc.domains[8].items[0].need = 'housing'),
    code: 'unknown_need',
    path: 'domains[8].items[0].need',
    message: /handbook-interventions@1\.0\.0/,
  },
  {
    name: 'an intervention addressing an undeclared need',
    file: CATALOGUE_FILE,
    mutate: (doc) => (doc.interventions[2].needs[0] = 'housing'),
    code: 'unknown_need',
    path: 'interventions[2].needs[0]',
  },
  {
    name: 'a declared need no intervention addresses',
    file: CATALOGUE_FILE,
    mutate: (doc) => doc.needs.push({ code: 'housing', label: 'Housing' }),
    code: 'need_without_intervention',
    path: 'needs[9].code',
  },
  {
    name: 'faith-based dialogue without consent',
    file: CATALOGUE_FILE,
    mutate: (doc) => {
      const dialogue = doc.interventions.find((i: any) => i.type === 'faith_dialogue');
      dialogue.consentRequired = false;
    },
    code: 'consent_required',
    path: 'interventions[4].consentRequired',
    message: /Rule 65/,
  },
  {
    name: 'an item whose prompt refers to prayer, without a note',
    file: RISK_FILE,
    mutate: (doc) => {
      doc.domains[0].items[3].prompt = 'Prays five times a day and attends the mosque';
    },
    code: 'non_discrimination',
    path: 'domains[0].items[3].prompt',
    message: /prays.*Mandela Rule 2/i,
  },
  {
    name: 'an item whose code refers to ethnicity, without a note',
    file: RISK_FILE,
    mutate: (doc) => (doc.domains[1].items[0].code = 'ETHNIC_GROUP'),
    code: 'non_discrimination',
    path: 'domains[1].items[0].code',
  },
  {
    name: 'a flag label referring to nationality, without a note',
    file: RISK_FILE,
    mutate: (doc) => (doc.flags[2].label = 'Foreign national with contacts abroad'),
    code: 'non_discrimination',
    path: 'flags[2].label',
  },
  {
    name: 'a translation of an item the instrument does not have',
    file: RISK_FILE,
    mutate: (doc) => (doc.translations = { ru: { items: { ZZ99: { prompt: 'Нет такого' } } } }),
    code: 'unknown_translation_code',
    path: 'translations.ru.items.ZZ99',
    message: /item "ZZ99" is not in this rule-set/,
  },
];

describe('validateRuleSets: semantic checks, one failing fixture each', () => {
  it.each(cases)('$code: $name', async ({ file, mutate, code, path, message }) => {
    const errors = await errorsAfter(file, mutate);
    const match = errors.find((error) => error.code === code && error.path === path);
    expect(match).toBeDefined();
    expect(match?.file).toBe(file);
    if (message) expect(match?.message).toMatch(message);
  });

  it('covers every error code with a failing case somewhere in the suites', () => {
    const covered = new Set<string>([
      ...cases.map((entry) => entry.code),
      'schema',
      'duplicate_version',
      'yaml_syntax',
      'read_error',
      'version_conflict', // raised by the import, against the database
      'unknown_intensity_level', // src/instruments/engine/judgement-bands.spec.ts
      'team_roles', // src/instruments/rule-sets/team-rules.spec.ts
      'unknown_type', // 'accepts types and disciplines a catalogue declares' below
      'unknown_discipline',
    ]);
    const all = [
      ...new Set(
        readFileSync(new URL('./rule-set.types.ts', import.meta.url), 'utf8')
          .split('RULE_SET_ERROR_CODES = [')[1]
          .split(']')[0]
          .match(/'[a-z_]+'/g)
          ?.map((quoted) => quoted.slice(1, -1)),
      ),
    ];
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((code) => !covered.has(code))).toEqual([]);
  });

  it('refuses the same key and version twice in one batch', async () => {
    const files = await shippedFiles();
    const copy = { ...(await shippedFile(RISK_FILE)), file: 'archive/ve-risk-spj@1.0.0.yaml' };
    const { errors, sets } = validateRuleSets([...files, copy]);
    expect(simplified(errors)).toEqual([
      { file: 'archive/ve-risk-spj@1.0.0.yaml', path: 'version', code: 'duplicate_version' },
    ]);
    expect(errors[0].message).toContain(RISK_FILE);
    // Every shipped version once: the duplicate is the only one refused.
    expect(files).toHaveLength(7);
    expect(sets.map((set) => set.file)).toEqual(files.map((file) => file.file));
  });

  it('checks an instrument need against a context catalogue that lacks interventions for it', async () => {
    const catalogue = await shippedCatalogue();
    catalogue.interventions = catalogue.interventions.map((intervention) => ({
      ...intervention,
      needs: intervention.needs.filter((need) => need !== 'family'),
    }));
    const { errors } = validateRuleSets([await shippedFile(NEEDS_FILE)], {
      catalogues: [catalogue],
    });
    expect(simplified(errors)).toEqual([
      { file: NEEDS_FILE, path: 'domains[4].items[0].need', code: 'need_without_intervention' },
      { file: NEEDS_FILE, path: 'domains[4].items[1].need', code: 'need_without_intervention' },
    ]);
  });

  it('accepts types and disciplines a catalogue declares, and refuses entries using others', async () => {
    const declared = await errorsAfter(CATALOGUE_FILE, (doc) => {
      doc.types = [
        ...INTERVENTION_TYPES.map((code) => ({ code, title: code })),
        { code: 'restorative', title: 'Restorative justice' },
      ];
      doc.translations = {
        ru: {
          types: { restorative: { title: 'Восстановительное правосудие' } },
          disciplines: {
            restorative_facilitator: { title: 'Медиатор восстановительного правосудия' },
          },
        },
      };
      doc.disciplines = [
        ...DISCIPLINES.map((code) => ({ code, title: code })),
        { code: 'restorative_facilitator', title: 'Restorative justice facilitator' },
      ];
      doc.interventions[0].type = 'restorative';
      doc.interventions[0].discipline = 'restorative_facilitator';
    });
    expect(declared).toEqual([]);
    const undeclared = await errorsAfter(CATALOGUE_FILE, (doc) => {
      doc.types = [{ code: 'restorative', title: 'Restorative justice' }];
      doc.types.push({ code: 'restorative', title: 'Twice' });
      doc.interventions = [doc.interventions[0]];
      doc.needs = doc.needs.filter((n: { code: string }) =>
        doc.interventions[0].needs.includes(n.code),
      );
      doc.interventions[0].type = 'restorative';
      doc.interventions[0].discipline = 'theologian';
      doc.interventions[0].supportingDisciplines = ['psychologist', 'imam_x'];
    });
    expect(simplified(undeclared).filter((e) => e.file === CATALOGUE_FILE)).toEqual([
      { file: CATALOGUE_FILE, path: 'types[1].code', code: 'duplicate_code' },
      { file: CATALOGUE_FILE, path: 'interventions[0].discipline', code: 'unknown_discipline' },
      {
        file: CATALOGUE_FILE,
        path: 'interventions[0].supportingDisciplines[1]',
        code: 'unknown_discipline',
      },
    ]);
    // Without declared types, only the defaults are accepted.
    const unknownType = await errorsAfter(CATALOGUE_FILE, (doc) => {
      doc.interventions[0].type = 'aftercare';
    });
    expect(simplified(unknownType).filter((e) => e.file === CATALOGUE_FILE)).toEqual([
      { file: CATALOGUE_FILE, path: 'interventions[0].type', code: 'unknown_type' },
    ]);
  });

  it('treats an instrument as referring to a missing catalogue when the catalogue is invalid', async () => {
    // Every shipped catalogue version the instruments' range matches is made invalid.
    const breakCodes: Mutation = (doc) => {
      doc.interventions[0].code = doc.interventions[1].code;
    };
    const broken = new Map(
      await Promise.all(
        [CATALOGUE_FILE, CATALOGUE_1_0_1_FILE].map(
          async (file) => [file, await mutatedFile(file, breakCodes)] as const,
        ),
      ),
    );
    const files = (await shippedFiles()).map((entry) => broken.get(entry.file) ?? entry);
    const { errors } = validateRuleSets(files);
    expect(simplified(errors)).toEqual([
      { file: CATALOGUE_FILE, path: 'interventions[1].code', code: 'duplicate_code' },
      { file: CATALOGUE_1_0_1_FILE, path: 'interventions[1].code', code: 'duplicate_code' },
      // The renamed entry leaves its Russian text without an entry.
      {
        file: CATALOGUE_1_0_1_FILE,
        path: 'translations.ru.interventions.psychological_support',
        code: 'unknown_translation_code',
      },
      { file: NEEDS_FILE, path: 'catalogue', code: 'unknown_catalogue' },
      { file: NEEDS_1_0_1_FILE, path: 'catalogue', code: 'unknown_catalogue' },
      { file: RISK_FILE, path: 'catalogue', code: 'unknown_catalogue' },
      { file: RISK_1_1_FILE, path: 'catalogue', code: 'unknown_catalogue' },
      { file: RISK_1_1_1_FILE, path: 'catalogue', code: 'unknown_catalogue' },
    ]);
  });

  it('finds an instrument its catalogue when one version its range matches is valid', async () => {
    const errors = await errorsAfter(CATALOGUE_FILE, (doc) => {
      doc.interventions[0].code = doc.interventions[1].code;
    });
    expect(simplified(errors)).toEqual([
      { file: CATALOGUE_FILE, path: 'interventions[1].code', code: 'duplicate_code' },
    ]);
  });

  it('reports all errors of all files at once, in file order', async () => {
    const files = await shippedFiles();
    const risk = await mutatedFile(RISK_FILE, (doc) => {
      doc.domains[0].items[0].scale = 'nope';
      doc.bands[0].level = 'extreme';
      doc.review.intervals.low = 'P0D';
    });
    const needs = await mutatedFile(NEEDS_FILE, (doc) => {
      delete doc.title;
    });
    const batch = files.map((file) =>
      file.file === RISK_FILE ? risk : file.file === NEEDS_FILE ? needs : file,
    );
    const { errors, sets } = validateRuleSets(batch);
    expect(simplified(errors)).toEqual([
      { file: NEEDS_FILE, path: 'title', code: 'schema' },
      { file: RISK_FILE, path: 'domains[0].items[0].scale', code: 'unknown_scale' },
      { file: RISK_FILE, path: 'bands[0].level', code: 'unknown_level' },
      { file: RISK_FILE, path: 'review.intervals.low', code: 'invalid_duration' },
    ]);
    expect(sets.map((set) => `${set.key}@${set.version}`)).toEqual([
      'handbook-interventions@1.0.0',
      'handbook-interventions@1.0.1',
      've-needs@1.0.1',
      've-risk-spj@1.1.0',
      've-risk-spj@1.1.1',
    ]);
  });
});

describe('validateRuleSets: the prayer fixture file', () => {
  it('refuses an item about prayer without a note, naming file, path and line', async () => {
    const dir = new URL('./fixtures/prayer-item', import.meta.url).pathname;
    const { files, errors: loadErrors } = await loadRuleSetFiles(dir);
    expect(loadErrors).toEqual([]);
    const { sets, errors } = validateRuleSets(files);
    expect(sets).toEqual([]);
    expect(errors).toEqual([
      {
        file: 'prayer-item@1.0.0.yaml',
        path: 'domains[0].items[3].prompt',
        code: 'non_discrimination',
        line: 45,
        message: expect.stringContaining('"prayers" (religion'),
      },
      // Its guidance names religious practice without saying it is not an indicator.
      {
        file: 'prayer-item@1.0.0.yaml',
        path: 'domains[0].items[3].guidance',
        code: 'non_discrimination',
        line: 46,
        message: expect.stringContaining('"religious" (religion'),
      },
    ]);
  });

  it('accepts the same item once it carries a nonDiscriminationNote', async () => {
    const dir = new URL('./fixtures/prayer-item', import.meta.url).pathname;
    const [file] = (await loadRuleSetFiles(dir)).files;
    const doc = structuredClone(file.doc) as any;
    doc.domains[0].items[3].nonDiscriminationNote =
      'Rates only expressed endorsement of violence; religious practice is not in itself an indicator.';
    expect(validateRuleSets([{ ...file, doc }]).errors).toEqual([]);
  });
});
