import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The served OpenAPI document states the service's limits: OpenAPI 3.1 (JSON Schema 2020-12)
 * that validators accept, one problem schema on every error status, rate-limit headers, closed
 * and bounded request bodies, no untyped objects. What each exchange does is checked against it
 * in every e2e file (test/support/openapi-contract.ts); this file checks the document itself.
 */

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Schema }>;
}

let t: TestApp;
let doc: Schema;
let operations: { name: string; path: string; method: string; op: Operation }[];

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.http.get('/docs-json').expect(200)).body;
  operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op,
      })),
  );
});
afterAll(() => t.close());

const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()]) : schema;

/** Every (path, schema) a schema reaches, following refs once each. */
function walk(
  schema: Schema,
  path: string,
  visit: (s: Schema, path: string) => void,
  seen = new Set<Schema>(),
) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  // What a request may carry back from a GET and the service ignores.
  if (schema.readOnly === true) return;
  seen.add(schema);
  if (schema.$ref) return walk(resolve(schema), path, visit, seen);
  visit(schema, path);
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>))
    walk(v, `${path}.${k}`, visit, seen);
  if (schema.items) walk(schema.items, `${path}[]`, visit, seen);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    walk(schema.additionalProperties, `${path}{}`, visit, seen);
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    (schema[key] ?? []).forEach((s: Schema) => walk(s, path, visit, seen));
}

const types = (s: Schema): string[] => [].concat(s.type ?? []);

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1: nullable as JSON Schema 2020-12 types, every schema compiles, every ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"nullable"');
    for (const ref of new Set(text.match(/"\$ref":"[^"]+"/g) ?? [])) {
      const pointer = JSON.parse(`{${ref}}`).$ref as string;
      const target = pointer
        .slice(2)
        .split('/')
        .reduce((node: Schema | undefined, key) => node?.[key], doc);
      expect({ ref: pointer, resolves: target !== undefined }).toEqual({
        ref: pointer,
        resolves: true,
      });
    }
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ ...doc, $id: 'openapi' }, 'openapi');
    for (const name of Object.keys(doc.components.schemas))
      expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`)).not.toThrow();
    // A nested object that may be null is `anyOf: [schema, {type: 'null'}]`, not allOf + nullable.
    const plan = doc.components.schemas.PlanResponse.properties;
    expect(plan.prisonerAgreement.anyOf).toEqual([
      { $ref: '#/components/schemas/AgreementResponse' },
      { type: 'null' },
    ]);
  });

  it('renders in Swagger UI (a version that reads OpenAPI 3.1)', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('swagger-ui');
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"openapi": "3.1.0"');
    const ui = JSON.parse(readFileSync('node_modules/swagger-ui-dist/package.json', 'utf8')) as {
      version: string;
    };
    expect(Number(ui.version.split('.')[0])).toBeGreaterThanOrEqual(5);
  });

  it('documents one problem schema on every error status, with rate-limit and request-id headers', () => {
    const problem = { $ref: '#/components/schemas/Problem' };
    for (const { name, path, method, op } of operations) {
      const api = path.startsWith('/api/');
      const statuses = Object.keys(op.responses).map(Number);
      const expected = [400, 500, ...(api ? [429] : [])];
      if ((op.security ?? []).length > 0) expected.push(401);
      if ((op.parameters ?? []).some((p) => p.in === 'path')) expected.push(404);
      if (op.requestBody) expected.push(413, 415);
      if ((op.parameters ?? []).some((p) => p.name === 'If-Match')) expected.push(409, 428);
      if (api && method !== 'get') expected.push(409);
      expect({ name, missing: expected.filter((s) => !statuses.includes(s)) }).toEqual({
        name,
        missing: [],
      });
      for (const [status, response] of Object.entries(op.responses)) {
        const headers = Object.keys(response.headers ?? {});
        expect({ name, status, headers }).toEqual({
          name,
          status,
          headers: expect.arrayContaining([
            'X-Request-Id',
            ...(api ? ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] : []),
            ...(status === '429' ? ['Retry-After'] : []),
          ]),
        });
        if (Number(status) >= 400)
          expect({ name, status, content: response.content }).toEqual({
            name,
            status,
            content: { 'application/problem+json': { schema: problem } },
          });
      }
    }
    const schema = doc.components.schemas.Problem;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'type',
        'title',
        'status',
        'code',
        'detail',
        'errors',
        'reasons',
        'currentVersion',
        'openPlanId',
        'openAssessmentId',
        'retryAfter',
      ]),
    );
  });

  it('says which operations need no token, and which send or need a version', () => {
    const byName = Object.fromEntries(operations.map((o) => [o.name, o.op]));
    for (const name of ['POST /api/v1/auth/login', 'GET /health/live', 'GET /health/ready'])
      expect(byName[name].security).toEqual([]);
    for (const { name, op } of operations.filter((o) => !o.name.includes('/health/')))
      if (name !== 'POST /api/v1/auth/login')
        expect({ name, s: op.security }).toEqual({ name, s: [{ bearer: [] }] });
    expect(doc.security).toEqual([{ bearer: [] }]);
    for (const name of [
      'PATCH /api/v1/plans/{id}',
      'POST /api/v1/plans/{id}/submit',
      'POST /api/v1/plans/{id}/activate',
      'PATCH /api/v1/assessments/{id}',
      'PATCH /api/v1/prisoners/{id}',
      'PATCH /api/v1/users/{id}',
    ]) {
      const ifMatch = byName[name].parameters!.find((p) => p.name === 'If-Match')!;
      expect({ name, required: ifMatch.required }).toEqual({ name, required: true });
      expect(new RegExp(ifMatch.schema!.pattern).test('W/"3"')).toBe(true);
      expect(Object.keys(byName[name].responses['200'].headers!)).toContain('ETag');
    }
    for (const name of [
      'GET /api/v1/plans/{id}',
      'GET /api/v1/assessments/{id}',
      'GET /api/v1/prisoners/{id}',
      'GET /api/v1/users/{id}',
    ])
      expect(Object.keys(byName[name].responses['200'].headers!)).toContain('ETag');
    const exported = byName['GET /api/v1/audit/events/export'].responses['200'].content!;
    expect(Object.keys(exported).sort()).toEqual(['application/x-ndjson', 'text/csv']);
    expect(Object.keys(byName['POST /api/v1/auth/logout'].responses)).toContain('204');
    expect(Object.keys(byName['POST /api/v1/auth/password'].responses)).toContain('204');
  });

  it('closes and bounds every request body: additionalProperties false, maxLength, maxItems', () => {
    const problems: string[] = [];
    for (const { name, op } of operations) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      walk(schema, name, (s, path) => {
        const t = types(s);
        if (t.includes('object') && s.additionalProperties === undefined)
          problems.push(`${path}: additionalProperties undeclared`);
        if (t.includes('string') && s.maxLength === undefined && !s.enum && s.const === undefined)
          problems.push(`${path}: string without maxLength`);
        if (t.includes('array') && s.maxItems === undefined)
          problems.push(`${path}: array without maxItems`);
      });
    }
    for (const { name, op } of operations)
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' && p.in !== 'path') continue;
        walk(p.schema ?? {}, `${name} ${p.name}`, (s, path) => {
          if (types(s).includes('string') && s.maxLength === undefined && !s.enum)
            problems.push(`${path}: string without maxLength`);
          if (types(s).includes('array') && s.maxItems === undefined)
            problems.push(`${path}: array without maxItems`);
        });
      }
    expect(problems).toEqual([]);
  });

  it('types every object: none is left as a bare `object`', () => {
    const untyped: string[] = [];
    const check = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => check(n, `${path}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const s = node as Schema;
      if (
        types(s).includes('object') &&
        !s.properties &&
        !s.patternProperties &&
        (s.additionalProperties === undefined || s.additionalProperties === true)
      )
        untyped.push(path);
      for (const [k, v] of Object.entries(s))
        if (!['example', 'examples', 'default', 'enum', 'const'].includes(k))
          check(v, `${path}.${k}`);
    };
    check(doc.components.schemas, 'schemas');
    check(doc.paths, 'paths');
    // Values of the instrument diff are any JSON value (a changed field of any type).
    expect(untyped.filter((p) => !p.startsWith('schemas.FieldChangeResponse.'))).toEqual([]);
    const s = doc.components.schemas;
    expect(s.AssessmentResponse.properties.indicative.anyOf[0]).toEqual({
      $ref: '#/components/schemas/IndicativeResponse',
    });
    expect(s.AssessmentResponse.properties.history.items).toEqual({
      $ref: '#/components/schemas/TransitionDto',
    });
    expect(s.AssessmentResponse.properties.assessor.$ref).toBe('#/components/schemas/StaffRef');
    expect(s.StaffRef.required).toEqual(['id', 'displayName']);
    expect(s.AuditEventResponse.properties.details.additionalProperties).toBeDefined();
    expect(s.InstrumentVersionResponse.properties.definition.oneOf).toEqual([
      { $ref: '#/components/schemas/InstrumentDefinition' },
      { $ref: '#/components/schemas/InterventionCatalogueDefinition' },
    ]);
    expect(s.AgreementResponse.properties.prisonerWords.type).toEqual(['string', 'null']);
    expect(s.ConsentResponse.properties.note.type).toEqual(['string', 'null']);
    expect(s.AgreementDto.properties.prisonerWords.type).toEqual(['string', 'null']);
    expect(s.ConsentDto.properties.note.type).toEqual(['string', 'null']);
  });
});

describe('the request DTOs', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  const dtoFiles = files('src').filter((f) => f.includes('/dto/'));

  it('use one convention for optional fields: @Optional() (null refused) or @Nullable()', () => {
    const bare = dtoFiles.filter((f) => /\bIsOptional\b/.test(readFileSync(f, 'utf8')));
    expect(bare).toEqual([]);
  });

  it('have unique class names, so the document never mixes two schemas up', () => {
    const names = dtoFiles.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^(?:export )?class (\w+)/gm)].map((m) => m[1]),
    );
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
