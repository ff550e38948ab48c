import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { RuleSetErrorCode, RuleSetKind } from './rule-set.types.js';

const SCHEMA_FILES: Record<RuleSetKind, string> = {
  instrument: 'instrument.schema.json',
  'intervention-catalogue': 'intervention-catalogue.schema.json',
};

/**
 * The JSON Schemas live in `rule-sets/schema/` (where editors find them); they belong to the
 * code, not to RULE_SETS_DIR. Found by walking up from this file, so the same lookup works
 * from `src/` (tests) and `dist/src/` (built).
 */
export function findSchemaDirectory(
  from: string = dirname(fileURLToPath(import.meta.url)),
): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'rule-sets', 'schema');
    if (existsSync(join(candidate, SCHEMA_FILES.instrument))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`rule-sets/schema not found above ${from}`);
    dir = parent;
  }
}

let validators: Record<RuleSetKind, ValidateFunction> | undefined;

/** The rule-set JSON Schemas (2020-12) as parsed from rule-sets/schema/. */
export function ruleSetJsonSchemas(): Record<RuleSetKind, object> {
  const dir = findSchemaDirectory();
  const load = (kind: RuleSetKind) =>
    JSON.parse(readFileSync(join(dir, SCHEMA_FILES[kind]), 'utf8')) as object;
  return {
    instrument: load('instrument'),
    'intervention-catalogue': load('intervention-catalogue'),
  };
}

/** What the OpenAPI document calls each schema (an instrument version's `definition`). */
export const RULE_SET_SCHEMA_NAMES: Record<RuleSetKind, string> = {
  instrument: 'InstrumentDefinition',
  'intervention-catalogue': 'InterventionCatalogueDefinition',
};

export function schemaValidators(): Record<RuleSetKind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const schemas = ruleSetJsonSchemas();
    validators = {
      instrument: ajv.compile(schemas.instrument),
      'intervention-catalogue': ajv.compile(schemas['intervention-catalogue']),
    };
  }
  return validators;
}

/** `/domains/2/items/0/code` -> `domains[2].items[0].code`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, segment) =>
        /^\d+$/.test(segment)
          ? `${path}[${segment}]`
          : path === ''
            ? segment
            : `${path}.${segment}`,
      '',
    );
}

const join2 = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

const PATTERN_MESSAGES: Record<string, { code: RuleSetErrorCode; message: string }> = {
  duration: {
    code: 'invalid_duration',
    message: 'must be an ISO-8601 duration such as P3M, P14D or PT1H30M',
  },
  semver: { code: 'invalid_version', message: 'must be a semantic version such as 1.0.0' },
  semverRange: {
    code: 'invalid_version',
    message: 'must be an exact version (1.0.0) or a caret range (^1.0.0)',
  },
  key: {
    code: 'invalid_key',
    message: 'must be lower-case letters and digits in words joined by hyphens (ve-risk-spj)',
  },
  text: { code: 'schema', message: 'must not be blank' },
  upperCode: {
    code: 'schema',
    message: 'must be upper-case letters, digits or _, starting with a letter (BA01)',
  },
  lowerCode: {
    code: 'schema',
    message: 'must be lower-case letters, digits or _, starting with a letter (moderate)',
  },
};

export interface SchemaIssue {
  path: string;
  code: RuleSetErrorCode;
  message: string;
}

function definitionName(schemaPath: string): string | undefined {
  return /#\/\$defs\/([^/]+)\/[^/]+$/.exec(schemaPath)?.[1];
}

/** Readable, path-addressed issues from ajv errors (one per path and message). */
export function schemaIssues(errors: ErrorObject[], doc: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    const basePath = pointerToPath(error.instancePath);
    // Errors about a property's name (propertyNames) carry the name separately.
    const path = error.propertyName ? join2(basePath, error.propertyName) : basePath;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        issues.push({
          path: join2(path, String(params.missingProperty)),
          code: 'schema',
          message: 'is required',
        });
        break;
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        issues.push({
          path: join2(path, name),
          code: 'schema',
          message:
            retiredField(path, name, valueAt(doc, error.instancePath)) ?? 'is not a known field',
        });
        break;
      }
      case 'enum':
        issues.push({
          path,
          code: 'schema',
          message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
        });
        break;
      case 'const':
        issues.push({
          path,
          code: 'schema',
          message: `must be ${JSON.stringify(params.allowedValue)}`,
        });
        break;
      case 'pattern': {
        const known = PATTERN_MESSAGES[definitionName(error.schemaPath) ?? ''];
        issues.push({
          path,
          code: known?.code ?? 'schema',
          message: known?.message ?? `must match ${String(params.pattern)}`,
        });
        break;
      }
      case 'not':
        issues.push({
          path,
          code: 'schema',
          message: 'must not be a CEL reserved word, constructor or prototype',
        });
        break;
      case 'type': {
        const value = valueAt(doc, error.instancePath);
        const hint =
          typeof value === 'boolean' && params.type === 'string'
            ? ` (YAML reads ${String(value)} as a boolean: quote it, '${String(value)}')`
            : typeof value === 'number' && params.type === 'string'
              ? ` (YAML reads ${String(value)} as a number: quote it)`
              : '';
        issues.push({ path, code: 'schema', message: `must be ${String(params.type)}${hint}` });
        break;
      }
      case 'propertyNames':
        break; // the nested error names the offending property
      default:
        issues.push({ path, code: 'schema', message: error.message ?? 'is not valid' });
    }
  }
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Fields rule-sets once had, told apart from typing mistakes: the message says where their
 * content goes now. A declared type's or discipline's per-language `titles` moved into
 * `translations`, with the rest of the catalogue's text in other languages.
 */
function retiredField(path: string, name: string, entry: unknown): string | undefined {
  const term = /^(types|disciplines)\[\d+\]$/.exec(path);
  if (name !== 'titles' || !term) return undefined;
  const { code, titles } = (entry ?? {}) as { code?: unknown; titles?: unknown };
  const locales = titles && typeof titles === 'object' ? Object.keys(titles) : [];
  const locale = locales.length === 1 ? locales[0] : '<locale>';
  const at = `translations.${locale}.${term[1]}.${typeof code === 'string' ? code : '<code>'}.title`;
  return `is no longer a field: give the title in other languages in ${at} (see "Translations" in rule-sets/README.md)`;
}

function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let value: unknown = doc;
  for (const segment of pointer.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}
