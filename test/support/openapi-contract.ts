import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Checks every request and response a test makes against the OpenAPI 3.1 document the service
 * serves at /docs-json, as a validating proxy would, and more strictly than most:
 *
 * - the operation and the status are documented;
 * - the response has a documented media type and its body matches the schema, with every object
 *   closed: a field the document does not name is a departure (so a generated client can read
 *   every field the service sends);
 * - the response headers the document declares (ETag, RateLimit-*, Retry-After, X-Request-Id,
 *   WWW-Authenticate) are present where required and match their schemas, and none of those is
 *   sent where the document does not declare it;
 * - a request the service accepted (2xx) matches what the document asks for: path and query
 *   parameters (no undocumented ones), header parameters such as If-Match, and the body (media
 *   type and schema). A request refused with a 4xx is not held to the document: tests send bad
 *   input on purpose. A test that sends something undocumented the service accepts anyway marks
 *   that request with UNDOCUMENTED_REQUEST; its response is still checked.
 *
 * Streamed bodies (the audit export) are checked for their media type only.
 */

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface MediaType {
  schema?: Schema;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, HeaderObject | { $ref: string }>;
}
interface HeaderObject {
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; headers?: Record<string, HeaderObject> };
}

export interface ContractViolation {
  operation: string;
  status: number;
  message: string;
}

/** Marks a request a test sends deliberately outside the document; its response is checked. */
export const UNDOCUMENTED_REQUEST = { 'x-test-undocumented-request': 'deliberate' } as const;

/** Response headers the document must declare wherever the service sends them. */
const CONTRACT_HEADERS = [
  'etag',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'x-request-id',
  'www-authenticate',
];

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'uri-reference': /^\S*$/,
};

/** A streamed body: its media type is checked, not its content. */
export const STREAMED = Symbol('streamed');

export interface Exchange {
  method: string;
  /** Fastify's route url (`/api/v1/plans/:id`). */
  routeUrl: string;
  status: number;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  requestHeaders: Record<string, unknown>;
  requestContentType?: string;
  requestBody: unknown;
  responseHeaders: Record<string, unknown>;
  payload: string | typeof STREAMED | undefined;
}

const mediaOf = (contentType: unknown) =>
  String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly document: OpenApiDocument;

  /** `served` is the document as /docs-json serves it (parsed JSON). */
  constructor(served: object) {
    const document = served as OpenApiDocument;
    if (!String(document.openapi).startsWith('3.1'))
      throw new Error(`expected an OpenAPI 3.1 document, got ${document.openapi}`);
    this.document = closeObjects(structuredClone(document)) as OpenApiDocument;
    this.ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
    for (const [name, pattern] of Object.entries(FORMATS)) this.ajv.addFormat(name, pattern);
    for (const format of collectFormats(document))
      if (!FORMATS[format]) this.ajv.addFormat(format, true);
    this.ajv.addSchema({ ...this.document, $id: 'openapi' } as object, 'openapi');
  }

  /** The document's path for a Fastify route url (`/api/v1/plans/:id` -> `/api/v1/plans/{id}`). */
  static pathOf(routeUrl: string): string {
    return routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  }

  check(exchange: Exchange, checkRequest = true): ContractViolation[] {
    const { method, status } = exchange;
    const path = ContractChecker.pathOf(exchange.routeUrl);
    const name = `${method.toUpperCase()} ${path}`;
    const violations: ContractViolation[] = [];
    const violation = (message: string) => violations.push({ operation: name, status, message });
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) {
      violation('the operation is not in the document');
      return violations;
    }
    const response = operation.responses?.[String(status)] ?? operation.responses?.default;
    if (!response) violation('the status is not documented');
    else this.checkResponse(response, exchange, violation);
    if (checkRequest && status >= 200 && status < 300)
      this.checkRequest(operation, exchange, violation);
    return violations;
  }

  private checkResponse(
    response: ResponseObject,
    exchange: Exchange,
    violation: (message: string) => void,
  ): void {
    const { payload, status } = exchange;
    const media = mediaOf(exchange.responseHeaders['content-type']);
    const hasBody = payload !== undefined && payload !== '' && status !== 204;
    if (hasBody) {
      const documented = response.content?.[media];
      if (!documented) {
        violation(
          `a ${media || 'body'} body is not documented (documented: ${
            Object.keys(response.content ?? {}).join(', ') || 'none'
          })`,
        );
      } else if (documented.schema && media.endsWith('json') && payload !== STREAMED) {
        for (const m of this.validate(documented.schema, parse(payload as string)))
          violation(`response ${m}`);
      }
    } else if (Object.keys(response.content ?? {}).length > 0) {
      violation('the documented body is missing');
    }
    const documentedHeaders = new Map(
      Object.entries(response.headers ?? {}).map(([k, h]) => [k.toLowerCase(), this.header(h)]),
    );
    for (const [key, header] of documentedHeaders) {
      const value = exchange.responseHeaders[key];
      if (value === undefined) {
        if (header.required) violation(`response header ${key} is missing`);
        continue;
      }
      if (header.schema)
        for (const m of this.validate(header.schema, coerce(header.schema, String(value))))
          violation(`response header ${key} ${m}`);
    }
    for (const key of CONTRACT_HEADERS) {
      if (exchange.responseHeaders[key] !== undefined && !documentedHeaders.has(key))
        violation(`response header ${key} is sent but not documented`);
    }
  }

  private checkRequest(
    operation: Operation,
    exchange: Exchange,
    violation: (message: string) => void,
  ): void {
    const parameters = operation.parameters ?? [];
    const documented = (where: Parameter['in']) => parameters.filter((p) => p.in === where);
    const checkValue = (p: Parameter, value: unknown) => {
      if (!p.schema) return;
      for (const m of this.validate(p.schema, coerce(p.schema, value)))
        violation(`accepted ${p.in} parameter ${p.name} ${m}`);
    };
    for (const p of documented('path')) checkValue(p, exchange.params[p.name]);
    for (const [key, value] of Object.entries(exchange.query)) {
      const p = documented('query').find((q) => q.name === key);
      if (!p) violation(`accepted query parameter ${key} is not documented`);
      else checkValue(p, value);
    }
    for (const p of [...documented('query'), ...documented('header')]) {
      const value =
        p.in === 'query' ? exchange.query[p.name] : exchange.requestHeaders[p.name.toLowerCase()];
      if (value === undefined) {
        if (p.required) violation(`accepted request lacks the required ${p.in} ${p.name}`);
      } else if (p.in === 'header') checkValue(p, value);
    }
    const body = exchange.requestBody;
    const documentedBody = operation.requestBody;
    if (body === undefined) {
      if (documentedBody?.required) violation('accepted request has no body, but one is required');
      return;
    }
    const media = mediaOf(exchange.requestContentType);
    const schema = documentedBody?.content?.[media]?.schema;
    if (!documentedBody) violation('a request body was accepted but none is documented');
    else if (!documentedBody.content?.[media])
      violation(`an accepted ${media || 'untyped'} request body is not documented`);
    else if (schema)
      for (const m of this.validate(schema, body)) violation(`accepted request ${m}`);
  }

  private header(header: HeaderObject | { $ref: string }): HeaderObject {
    if ('$ref' in header) {
      const name = header.$ref.replace('#/components/headers/', '');
      const found = this.document.components?.headers?.[name];
      if (!found) throw new Error(`unresolved header ${header.$ref}`);
      return found;
    }
    return header;
  }

  private validate(schema: object, value: unknown): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema) as object);
      this.compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(root)'} ${e.message}${describeParams(e.params)}`,
    );
  }
}

function parse(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/** A parameter or header value as text, typed as its schema says (`"3"` -> 3 for integers). */
function coerce(schema: Schema, value: unknown): unknown {
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes('array')) {
    const items = (schema.items ?? {}) as Schema;
    return ([] as unknown[]).concat(value).map((v) => coerce(items, v));
  }
  if (typeof value !== 'string') return value;
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function describeParams(params: Record<string, unknown>): string {
  const interesting = [
    'additionalProperty',
    'unevaluatedProperty',
    'missingProperty',
    'allowedValues',
    'format',
  ];
  const parts = interesting.filter((k) => params[k] !== undefined).map((k) => `${k}=${params[k]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `#/components/...` refs resolve inside the document registered as `openapi`. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith('#/')
          ? `openapi${v}`
          : rewriteRefs(v),
      ]),
    );
  }
  return value;
}

/**
 * Every object schema that names its properties and says nothing about others is closed
 * (`unevaluatedProperties: false`): what the service sends must be in the document.
 */
function closeObjects(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(closeObjects);
  else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'example' || key === 'examples' || key === 'default' || key === 'enum') continue;
      closeObjects(child);
    }
    if (
      isRecord(value.properties) &&
      value.additionalProperties === undefined &&
      value.unevaluatedProperties === undefined
    )
      value.unevaluatedProperties = false;
  }
  return value;
}

function collectFormats(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => collectFormats(v, found));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else collectFormats(v, found);
    }
  }
  return found;
}

function exchangeOf(
  request: FastifyRequest,
  reply: FastifyReply,
  url: string,
  payload: unknown,
): Exchange {
  const body =
    typeof payload === 'string'
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString('utf8')
        : payload === null || payload === undefined
          ? undefined
          : STREAMED;
  const responseHeaders = Object.fromEntries(
    Object.entries(reply.getHeaders()).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    method: request.method,
    routeUrl: url,
    status: reply.statusCode,
    params: (request.params ?? {}) as Record<string, unknown>,
    query: (request.query ?? {}) as Record<string, unknown>,
    requestHeaders: request.headers,
    requestContentType: request.headers['content-type'],
    requestBody: request.body ?? undefined,
    responseHeaders,
    payload: body,
  };
}

/**
 * Records every exchange of the routes the document describes (the API and the health checks;
 * not /docs or the web pages) once the checker is set. Returns the list the violations are
 * collected in.
 */
export function recordContract(fastify: FastifyInstance): {
  violations: ContractViolation[];
  exchanges: { count: number };
  use(checker: ContractChecker): void;
} {
  const violations: ContractViolation[] = [];
  const exchanges = { count: 0 };
  let checker: ContractChecker | undefined;
  const deliberate = Object.keys(UNDOCUMENTED_REQUEST)[0];
  fastify.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    if (!checker || !url || !(url.startsWith('/api/') || url.startsWith('/health/')))
      return payload;
    exchanges.count += 1;
    try {
      violations.push(
        ...checker.check(
          exchangeOf(request, reply, url, payload),
          request.headers[deliberate] === undefined,
        ),
      );
    } catch (error) {
      // Never let the checker change the answer; a document it cannot use is a departure.
      violations.push({
        operation: `${request.method} ${ContractChecker.pathOf(url)}`,
        status: reply.statusCode,
        message: `the document could not be used: ${(error as Error).message}`,
      });
    }
    return payload;
  });
  return { violations, exchanges, use: (c) => (checker = c) };
}
