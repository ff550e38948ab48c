import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Factories, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Every limit the served document declares on a request is enforced, derived from the document
 * itself so that a new field is covered the day it is added: for every field of every request
 * body (nested objects, array items and map values included) and every query parameter,
 *
 * - a string one character over its `maxLength`,
 * - an array one item over its `maxItems`,
 * - a number over its `maximum`,
 * - null where the document does not allow null,
 * - a property the document does not name (`additionalProperties: false`)
 *
 * is refused with 400 naming that field's path; and null where the document allows it is never
 * refused for that field.
 */

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Case {
  name: string;
  body?: unknown;
  query?: string;
  /** The path the refusal must name; undefined: must not be refused for `field`. */
  path?: string;
  field: string;
}

let t: TestApp;
let doc: Schema;
let users: Record<'admin' | 'security' | 'psychologist' | 'pve' | 'supervisor', TestUser>;
let draftId: string;
let attemptId: string;
let itemCode: string;

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.http.get('/docs-json').expect(200)).body;
  const f = new Factories(t);
  const facility = await f.facility();
  users = {
    admin: await f.user(['administrator']),
    security: await f.user(['security_officer'], [facility]),
    psychologist: await f.user(['psychologist'], [facility]),
    pve: await f.user(['pve_inspector'], [facility]),
    supervisor: await f.user(['supervisor'], [facility]),
  };
  const prisoner = await f.prisoner(facility);
  draftId = await f.openAssessment(prisoner, users.psychologist, 'draft', 've-risk-spj');
  const [{ code }] = await t.db.query(
    `SELECT iv.content -> 'domains' -> 0 -> 'items' -> 0 ->> 'code' AS code
     FROM instrument_version iv WHERE iv.key = 've-risk-spj' LIMIT 1`,
  );
  itemCode = code;
  // A practice-case attempt on the same instrument, so its rating checks are reached too.
  const cases = await t.http
    .get('/api/v1/training/cases')
    .set('authorization', users.psychologist.auth)
    .expect(200);
  const riskCase = cases.body.find(
    (c: { instrument: { key: string; version: string } }) =>
      c.instrument.key === 've-risk-spj' && c.instrument.version === '1.0.0',
  );
  attemptId = (
    await t.http
      .post(`/api/v1/training/cases/${riskCase.id}/attempts`)
      .set('authorization', users.psychologist.auth)
      .expect(201)
  ).body.id;
});
afterAll(() => t.close());

/** A user whose roles reach the operation's validation (guards run before the pipes). */
function userFor(method: string, path: string): TestUser | undefined {
  if (path.endsWith('/auth/login')) return undefined;
  if (path.includes('/auth/')) return users.psychologist;
  if (path.includes('/users') || path.includes('/facilities')) return users.admin;
  if (path.includes('/inspector-appointments')) return users.admin;
  if (path.includes('/statistics')) return users.supervisor;
  if (/\/(disclosures|subject-access-requests)/.test(path)) return users.supervisor;
  if (path.endsWith('/challenges/{id}/answer')) return users.supervisor;
  if (path.endsWith('/escalations/{escalationId}/decision')) return users.supervisor;
  if (/\/complaints\/\{id\}\/(answer|referrals)$/.test(path)) return users.supervisor;
  if (/\/prisoners\/\{id\}\/(discharge|readmit)$/.test(path)) return users.supervisor;
  if (path.includes('/training/')) return users.psychologist;
  if (path.endsWith('/countersign-assignments')) return users.supervisor;
  if (path.endsWith('/health-objections')) return users.psychologist;
  if (/\/emergency-access\/\{id\}/.test(path) || path.includes('/audit/')) return users.supervisor;
  if (/\/(activate|approve|return)$/.test(path)) return users.supervisor;
  if (path.includes('assessments')) return users.psychologist;
  if (path.includes('/plans') || path.includes('/reviews/')) return users.pve;
  if (path.startsWith('/api/v1/instruments')) return users.psychologist;
  if (method === 'get' && path.endsWith('/emergency-access')) return users.supervisor;
  return users.security;
}

const resolve = (schema: Schema): Schema =>
  schema?.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()]) : schema;

/** The schema without its null alternative, and whether null is allowed. */
function split(schema: Schema): { core: Schema; nullable: boolean } {
  const s = resolve(schema);
  if (Array.isArray(s.anyOf) && s.anyOf.some((m: Schema) => m.type === 'null')) {
    const core = s.anyOf.find((m: Schema) => m.type !== 'null');
    return { core: { ...resolve(core), readOnly: s.readOnly }, nullable: true };
  }
  const types: string[] = [].concat(s.type ?? []);
  return { core: s, nullable: types.includes('null') };
}

const typeOf = (s: Schema) => ([].concat(s.type ?? []) as string[]).find((x) => x !== 'null');

/** A value of the schema's type, not necessarily a valid one (an item to fill an array with). */
function sample(schema: Schema): unknown {
  const { core } = split(schema);
  if (core.enum) return core.enum.find((v: unknown) => v !== null);
  if (core.anyOf) return sample(core.anyOf[0]);
  switch (typeOf(core)) {
    case 'string':
      return 'x';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      return {};
  }
}

/** Cases for one field at `path`, placed in a body by `place`. */
function fieldCases(
  name: string,
  schema: Schema,
  path: string,
  place: (value: unknown) => unknown,
  mapKey: string,
): Case[] {
  const { core, nullable } = split(schema);
  if (core.readOnly || resolve(schema).readOnly) return [];
  const cases: Case[] = [
    nullable
      ? { name: `${name} ${path} = null`, body: place(null), field: path }
      : { name: `${name} ${path} = null`, body: place(null), path, field: path },
  ];
  const type = typeOf(core);
  if (type === 'string' && core.maxLength !== undefined)
    cases.push({
      name: `${name} ${path}: ${core.maxLength + 1} characters`,
      body: place('x'.repeat(core.maxLength + 1)),
      path,
      field: path,
    });
  if ((type === 'integer' || type === 'number') && core.maximum !== undefined)
    cases.push({
      name: `${name} ${path} = ${core.maximum + 1}`,
      body: place(core.maximum + 1),
      path,
      field: path,
    });
  if (type === 'array') {
    if (core.maxItems !== undefined)
      cases.push({
        name: `${name} ${path}: ${core.maxItems + 1} items`,
        body: place(Array.from({ length: core.maxItems + 1 }, () => sample(core.items))),
        path,
        field: path,
      });
    const item = split(core.items).core;
    if (typeOf(item) === 'object')
      cases.push(...objectCases(name, item, `${path}[0]`, (v) => place([v]), mapKey));
    // Validators of each item of a list of values name the list.
    else if (typeOf(item) === 'string' && item.maxLength !== undefined)
      cases.push({
        name: `${name} ${path}[0]: ${item.maxLength + 1} characters`,
        body: place(['x'.repeat(item.maxLength + 1)]),
        path,
        field: path,
      });
  }
  if (type === 'object') cases.push(...objectCases(name, core, path, place, mapKey));
  return cases;
}

/** Cases for the properties of an object schema, and for a property it does not name. */
function objectCases(
  name: string,
  schema: Schema,
  path: string,
  place: (value: unknown) => unknown,
  mapKey: string,
): Case[] {
  const s = resolve(schema);
  const join = (key: string) => (path ? `${path}.${key}` : key);
  const cases: Case[] = [];
  if (s.additionalProperties === false)
    cases.push({
      name: `${name} ${join('unexpectedField')}`,
      body: place({ unexpectedField: 1 }),
      path: join('unexpectedField'),
      field: join('unexpectedField'),
    });
  for (const [key, property] of Object.entries((s.properties ?? {}) as Record<string, Schema>))
    cases.push(...fieldCases(name, property, join(key), (v) => place({ [key]: v }), mapKey));
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    cases.push(
      ...fieldCases(
        name,
        s.additionalProperties,
        join(mapKey),
        (v) => place({ [mapKey]: v }),
        mapKey,
      ),
    );
  return cases;
}

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, item]) =>
      Object.entries(item)
        .filter(() => path.startsWith('/api/'))
        .map(([method, op]) => ({ method, path, op })),
  );
}

async function send(method: string, path: string, c: Case) {
  const url = path
    .replace(
      '{id}',
      path === '/api/v1/assessments/{id}'
        ? draftId
        : path === '/api/v1/training/attempts/{id}'
          ? attemptId
          : randomUUID(),
    )
    .replace('{escalationId}', randomUUID())
    .replace('{revision}', '1')
    .replace('{key}', 've-risk-spj')
    .replace('{version}', '1.0.0');
  const user = userFor(method, path);
  // The draft's edits must pass the version check to reach the rating checks.
  const version =
    path === '/api/v1/assessments/{id}'
      ? (await t.db.query(`SELECT version FROM assessment WHERE id = $1`, [draftId]))[0].version
      : path === '/api/v1/training/attempts/{id}'
        ? (await t.db.query(`SELECT version FROM training_attempt WHERE id = $1`, [attemptId]))[0]
            .version
        : 1;
  let request = t.http[method as 'get' | 'post' | 'patch'](
    c.query === undefined ? url : `${url}?${c.query}`,
  ).set('if-match', `"${version}"`);
  if (user) request = request.set('authorization', user.auth);
  return c.body === undefined ? request : request.send(c.body as object);
}

describe('every declared request limit is enforced, naming the field', () => {
  it('request bodies: maxLength, maxItems, maximum, null, additionalProperties', async () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { method, path, op } of operations()) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const name = `${method.toUpperCase()} ${path}`;
      for (const c of objectCases(name, schema, '', (v) => v, itemCode)) {
        const res = await send(method, path, c);
        checked += 1;
        const paths: string[] = (res.body.errors ?? []).map((e: { path: string }) => e.path);
        if (res.status >= 500) wrong.push(`${c.name}: ${res.status}`);
        else if (c.path !== undefined && (res.status !== 400 || !paths.includes(c.path)))
          wrong.push(`${c.name}: ${res.status} ${JSON.stringify(paths)}`);
        else if (c.path === undefined && res.status === 400 && paths.includes(c.field))
          wrong.push(`${c.name}: null refused though the document allows it`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('query parameters: maxLength, maxItems, maximum', async () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { method, path, op } of operations()) {
      for (const p of (op.parameters ?? []).filter((q) => q.in === 'query')) {
        const s = p.schema ?? {};
        const values: string[][] = [];
        if (typeOf(s) === 'string' && s.maxLength !== undefined)
          values.push(['x'.repeat(s.maxLength + 1)]);
        if (typeOf(s) === 'array' && s.maxItems !== undefined)
          values.push(Array.from({ length: s.maxItems + 1 }, () => String(sample(s.items))));
        if (typeOf(s) === 'integer' && s.maximum !== undefined)
          values.push([String(s.maximum + 1)]);
        for (const value of values) {
          const query = value.map((v) => `${p.name}=${encodeURIComponent(v)}`).join('&');
          const required = (op.parameters ?? [])
            .filter(
              (q) =>
                q.in === 'query' && q.name !== p.name && (q as { required?: boolean }).required,
            )
            .map((q) => `${q.name}=${encodeURIComponent(String(sample(q.schema ?? {})))}`);
          const c: Case = {
            name: `${method.toUpperCase()} ${path}?${p.name}`,
            query: [query, ...required].join('&'),
            path: p.name,
            field: p.name,
          };
          const res = await send(method, path, c);
          checked += 1;
          const paths: string[] = (res.body.errors ?? []).map((e: { path: string }) => e.path);
          if (res.status !== 400 || !paths.includes(p.name))
            wrong.push(
              `${c.name} (${value.length} x ${value[0].length}): ${res.status} ${JSON.stringify(paths)}`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
