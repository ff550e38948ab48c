import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { RatingResponse, SubmitReasonResponse } from './assessments/dto/assessment.dto.js';
import {
  PROBLEM_MEDIA_TYPE,
  PROBLEM_SCHEMA,
  PROBLEM_SCHEMA_NAME,
} from './errors/problem.schema.js';
import { NOT_NULL } from './http/validation.js';
import {
  RULE_SET_SCHEMA_NAMES,
  ruleSetJsonSchemas,
} from './instruments/rule-sets/rule-set-schemas.js';

/**
 * The OpenAPI 3.1 document the service serves at /docs-json (and /docs renders): built by
 * @nestjs/swagger from the controllers' decorators, then completed here with what holds for every
 * operation, so that it states what the service does:
 *
 * - request DTO properties take their limits, `required` and nullability from the same
 *   class-validator metadata the ValidationPipe enforces (maxLength, pattern, maxItems, ...), and
 *   request bodies are closed (`additionalProperties: false`, as `forbidNonWhitelisted` is);
 * - every error status an operation can answer carries the one Problem schema as
 *   `application/problem+json`: 400 (every request passes the input guard), 500, 429 and the
 *   RateLimit-* headers on the API, 401 where a token is needed, 404 where a path names a record,
 *   413 and 415 where a body is read, 409 and 428 where If-Match is required;
 * - operations that need no token say `security: []`.
 */

type Schema = Record<string, unknown> & {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Response {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
}

const SCHEMAS = '#/components/schemas/';
const HEADERS = '#/components/headers/';

export const RESPONSE_HEADERS = {
  'RateLimit-Limit': {
    description: 'Requests allowed in the current window (the limit nearest to running out)',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window ends',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
  'X-Request-Id': {
    description:
      'The request’s id: the X-Request-Id sent (1-128 of A-Z a-z 0-9 . _ : -) or a generated one; in logs, problems and audit rows',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'WWW-Authenticate': {
    description: 'The scheme to authenticate with',
    required: true,
    schema: { type: 'string', const: 'Bearer' },
  },
  ETag: {
    description:
      'The record’s version, quoted (`"3"`): send it back in If-Match to change the record',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$', examples: ['"3"'] },
  },
} as const;

const DEFAULT_PROBLEMS: Record<number, string> = {
  400: 'Bad input: `validation_failed` with `errors` naming every failing field (body, query, path or header), a malformed JSON body, or `nesting_too_deep`',
  401: 'Missing, expired or revoked token (`unauthenticated`)',
  403: 'The caller’s roles do not allow this action (`forbidden`)',
  404: 'No such record in the caller’s scope (`not_found`): records out of scope are not revealed',
  409: 'The record was changed since it was read (`version_conflict` with `currentVersion`)',
  413: 'The body is larger than 1 MiB (`payload_too_large`)',
  415: 'The body is not `application/json` (`unsupported_media_type`)',
  422: 'The Idempotency-Key was used before with a different body (`idempotency_key_reused`)',
  428: 'No If-Match header (`precondition_required`)',
  429: 'Request limit of the address or user reached (`rate_limited`): wait Retry-After seconds',
  500: 'An unexpected error (`internal_error`): quote the request id when reporting it',
  503: 'The database cannot answer now: down or unreachable (`database_unavailable`), or a statement or lock timeout fired (`database_timeout`); try again after Retry-After seconds',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds the document main.ts serves and the tests check requests and responses against. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('VEP casework service')
    .setDescription(
      'Structured professional judgement assessments, disengagement programme plans, need-to-know ' +
        'access and a tamper-evident audit trail for the management of violent extremist prisoners.\n\n' +
        'Errors are RFC 9457 problem details (`application/problem+json`, schema `Problem`). ' +
        'Records with a `version` send it as `ETag`; changes send it back in `If-Match` ("3" or ' +
        'W/"3"). Read-only fields of a GET may be sent back in a PATCH and are ignored. Every ' +
        'response carries `RateLimit-*` headers; past a limit the answer is 429 with `Retry-After`. ' +
        'Send `X-Access-Purpose` to record why you open a case.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [SubmitReasonResponse, RatingResponse],
  });
  const schemas = (document.components!.schemas ??= {}) as Record<string, Schema>;
  schemas[PROBLEM_SCHEMA_NAME] = structuredClone(PROBLEM_SCHEMA) as Schema;
  document.components!.headers = structuredClone(RESPONSE_HEADERS) as never;
  addRuleSetSchemas(schemas);
  applyValidationMetadata(schemas);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (isRecord(operation) && 'responses' in operation)
        completeOperation(path, method, operation as unknown as Operation);
    }
  }
  closeRequestBodies(document.paths as never, schemas);
  return document;
}

// ------------------------------------------------------------------ rule-set definitions

/**
 * The JSON Schemas rule-set files are validated with on import (rule-sets/schema/), so an
 * instrument's `definition` is typed as what was imported: each file's `$defs` become components
 * named after it (`InstrumentDefinition_item`), and its refs point at them.
 */
function addRuleSetSchemas(schemas: Record<string, Schema>): void {
  for (const [kind, source] of Object.entries(ruleSetJsonSchemas())) {
    const name = RULE_SET_SCHEMA_NAMES[kind as keyof typeof RULE_SET_SCHEMA_NAMES];
    const {
      $defs,
      $schema: _s,
      $id: _i,
      ...root
    } = structuredClone(source) as Schema & {
      $defs?: Record<string, Schema>;
    };
    const relink = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(relink);
      if (!isRecord(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
            ? `${SCHEMAS}${name}_${v.slice('#/$defs/'.length)}`
            : relink(v),
        ]),
      );
    };
    schemas[name] = relink(root) as Schema;
    for (const [def, schema] of Object.entries($defs ?? {}))
      schemas[`${name}_${def}`] = relink(schema) as Schema;
  }
}

// ------------------------------------------------------------------ validation metadata

interface Storage {
  validationMetadatas: Map<unknown, ValidationMetadata[]>;
  getTargetValidationMetadatas(
    target: unknown,
    schema: string,
    always: boolean,
    strictGroups: boolean,
  ): ValidationMetadata[];
}

/**
 * Gives each request DTO's schema the limits its validators enforce, so the document and the
 * ValidationPipe cannot disagree: required unless a conditional (`@Optional`, `@Nullable`) lets it
 * be omitted, nullable exactly when `@Nullable` lets null through, and the length, size, range and
 * pattern constraints. A validated property missing from the schema is an error here.
 */
function applyValidationMetadata(schemas: Record<string, Schema>): void {
  const storage = getMetadataStorage() as unknown as Storage;
  const classes = new Map<string, unknown>();
  for (const target of storage.validationMetadatas.keys()) {
    const name = typeof target === 'function' ? (target as { name: string }).name : undefined;
    if (name === undefined || !schemas[name]) continue;
    if (classes.has(name) && classes.get(name) !== target)
      throw new Error(`Two validated classes are named ${name}: the document would mix them up`);
    classes.set(name, target);
  }
  for (const [name, target] of classes) {
    const schema = schemas[name];
    if (!schema?.properties) continue;
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const meta of storage.getTargetValidationMetadatas(target, '', true, false)) {
      byProperty.set(meta.propertyName, [...(byProperty.get(meta.propertyName) ?? []), meta]);
    }
    const required = new Set(schema.required ?? []);
    for (const [property, metas] of byProperty) {
      const documented = schema.properties[property];
      if (!documented)
        throw new Error(`${name}.${property} is validated but not in the OpenAPI document`);
      const conditional = metas.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
      const nullable = conditional.some((m) => m.name === 'isOptional');
      if (conditional.length > 0) required.delete(property);
      else required.add(property);
      const core = withoutNull(documented);
      for (const meta of metas) applyConstraint(core, meta);
      if (!nullable && !metas.some((m) => m.name === NOT_NULL) && conditional.length > 0)
        throw new Error(`${name}.${property}: use @Optional() or @Nullable() (see validation.ts)`);
      schema.properties[property] = nullable ? withNull(core) : core;
    }
    for (const [property, documented] of Object.entries(schema.properties)) {
      if (!byProperty.has(property) && documented.readOnly !== true)
        throw new Error(
          `${name}.${property} is documented but not validated: the service would refuse it`,
        );
    }
    schema.required = [...required].filter((p) => schema.properties![p]?.readOnly !== true);
    if (schema.required.length === 0) delete schema.required;
  }
}

function applyConstraint(core: Schema, meta: ValidationMetadata): void {
  const each = meta.each === true;
  const target = each ? core.items : core;
  if (!target) return;
  const [first, second] = (meta.constraints ?? []) as unknown[];
  switch (meta.name) {
    case 'maxLength':
      target.maxLength = first;
      break;
    case 'minLength':
      target.minLength = first;
      break;
    case 'isLength':
      target.minLength = first;
      if (second !== undefined) target.maxLength = second;
      break;
    case 'matches': {
      const pattern =
        first instanceof RegExp ? first : new RegExp(String(first), String(second ?? ''));
      if (pattern.flags === '') target.pattern = pattern.source;
      break;
    }
    case 'arrayMaxSize':
      core.maxItems = first;
      break;
    case 'arrayMinSize':
      core.minItems = first;
      break;
    case 'arrayUnique':
      core.uniqueItems = true;
      break;
    case 'min':
      target.minimum = first;
      break;
    case 'max':
      target.maximum = first;
      break;
    case 'isInt':
      target.type = 'integer';
      break;
    case 'isUuid':
      target.format = 'uuid';
      target.maxLength = 36;
      break;
    case 'isIn':
      if (!target.enum && Array.isArray(first)) target.enum = [...first];
      break;
  }
}

/** The schema without null: `type: [x, 'null']` -> `type: x`, `anyOf: [s, null]` -> s. */
function withoutNull(schema: Schema): Schema {
  const s: Schema = { ...schema };
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    s.type = types.length === 1 ? types[0] : types;
  }
  if (Array.isArray(s.enum)) s.enum = s.enum.filter((v) => v !== null);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = s[key];
    if (!Array.isArray(members)) continue;
    const rest = members.filter((m) => !(m.type === 'null' && Object.keys(m).length === 1));
    if (rest.length === members.length) continue;
    delete s[key];
    if (rest.length === 1) Object.assign(s, rest[0]);
    else s[key] = rest;
  }
  return s;
}

const ANNOTATIONS = ['description', 'readOnly', 'writeOnly', 'examples', 'example', 'default'];

/** The schema with null allowed too (JSON Schema 2020-12, as OpenAPI 3.1 has it). */
function withNull(schema: Schema): Schema {
  if (schema.$ref || schema.allOf || schema.anyOf || schema.oneOf) {
    const annotations = Object.fromEntries(
      Object.entries(schema).filter(([k]) => ANNOTATIONS.includes(k)),
    );
    let inner: Schema = Object.fromEntries(
      Object.entries(schema).filter(([k]) => !ANNOTATIONS.includes(k)),
    );
    if (Object.keys(inner).length === 1 && inner.allOf?.length === 1) inner = inner.allOf[0];
    return { ...annotations, anyOf: [inner, { type: 'null' }] };
  }
  const s: Schema = { ...schema };
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  else if (Array.isArray(s.type) && !s.type.includes('null')) s.type = [...s.type, 'null'];
  if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
  return s;
}

// ------------------------------------------------------------------ operations

const problemContent = () => ({
  [PROBLEM_MEDIA_TYPE]: { schema: { $ref: `${SCHEMAS}${PROBLEM_SCHEMA_NAME}` } },
});
const header = (name: keyof typeof RESPONSE_HEADERS) => ({ $ref: `${HEADERS}${name}` });

function completeOperation(path: string, method: string, op: Operation): void {
  const api = path.startsWith('/api/');
  // Operations without a security requirement of their own need no token.
  op.security ??= [];
  const secured = op.security.length > 0;
  const params = op.parameters ?? [];
  // 503: every operation may meet a database that is down or too slow.
  const statuses = new Set([400, 500, 503]);
  if (api) statuses.add(429);
  if (secured) statuses.add(401);
  if (params.some((p) => p.in === 'path')) statuses.add(404);
  if (op.requestBody) {
    statuses.add(413);
    statuses.add(415);
  }
  const ifMatch = params.some(
    (p) => p.in === 'header' && p.name.toLowerCase() === 'if-match' && p.required,
  );
  if (ifMatch) statuses.add(428);
  const idempotent = params.some(
    (p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
  );
  // The key was used with another body (`idempotency_key_reused`).
  if (idempotent) op.responses[422] ??= { description: DEFAULT_PROBLEMS[422] };
  // Every change may meet a concurrent one (a unique key taken meanwhile, a serialization failure).
  if (api && method !== 'get') statuses.add(409);
  for (const status of statuses) {
    op.responses[status] ??= {
      description:
        status === 409 && !ifMatch
          ? 'A concurrent change conflicted with this one (`concurrent_update`, `conflict`): try again'
          : DEFAULT_PROBLEMS[status],
    };
  }
  for (const [code, response] of Object.entries(op.responses)) {
    const status = Number(code);
    if (status >= 400 && !response.content) response.content = problemContent();
    if (status >= 400 && !response.description) response.description = DEFAULT_PROBLEMS[status];
    const headers: Record<string, unknown> = { 'X-Request-Id': header('X-Request-Id') };
    if (api) {
      headers['RateLimit-Limit'] = header('RateLimit-Limit');
      headers['RateLimit-Remaining'] = header('RateLimit-Remaining');
      headers['RateLimit-Reset'] = header('RateLimit-Reset');
    }
    if (status === 429 || status === 503) headers['Retry-After'] = header('Retry-After');
    if (status === 401) headers['WWW-Authenticate'] = header('WWW-Authenticate');
    response.headers = { ...headers, ...response.headers };
  }
}

// ------------------------------------------------------------------ request bodies

/** Every object schema a request body reaches is closed, as `forbidNonWhitelisted` is. */
function closeRequestBodies(
  paths: Record<string, Record<string, Operation>>,
  schemas: Record<string, Schema>,
): void {
  const seen = new Set<Schema>();
  const visit = (schema: unknown): void => {
    if (!isRecord(schema) || seen.has(schema as Schema)) return;
    const s = schema as Schema;
    seen.add(s);
    if (typeof s.$ref === 'string' && s.$ref.startsWith(SCHEMAS)) {
      visit(schemas[s.$ref.slice(SCHEMAS.length)]);
    }
    if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
    for (const child of Object.values(s.properties ?? {})) visit(child);
    visit(s.items);
    if (isRecord(s.additionalProperties)) visit(s.additionalProperties);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) s[key]?.forEach(visit);
  };
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const media of Object.values(op.requestBody?.content ?? {})) visit(media.schema);
    }
  }
}
