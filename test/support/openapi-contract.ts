import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Checks every request and response a test makes against the OpenAPI document the service
 * serves at /docs-json, as a validating proxy would: the operation and the status are
 * documented, the body has the documented media type and matches its schema, and a request
 * body the service accepted (2xx) matches the documented request schema. A client generated
 * from the document can then read every answer the tests saw.
 */

interface MediaType {
  schema?: object;
}
interface Operation {
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

export interface ContractViolation {
  operation: string;
  status: number;
  message: string;
}

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/** A streamed body: its media type is checked, not its content. */
export const STREAMED = Symbol('streamed');

const mediaOf = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0].trim().toLowerCase();

export class ContractChecker {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    for (const [name, pattern] of Object.entries(FORMATS)) this.ajv.addFormat(name, pattern);
    for (const format of collectFormats(document))
      if (!FORMATS[format]) this.ajv.addFormat(format, true);
    this.ajv.addSchema({ ...document, $id: 'openapi' } as object, 'openapi');
  }

  /** The document's path for a Fastify route url (`/api/v1/plans/:id` -> `/api/v1/plans/{id}`). */
  static pathOf(routeUrl: string): string {
    return routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  }

  check(
    method: string,
    routeUrl: string,
    status: number,
    contentType: string | undefined,
    payload: string | typeof STREAMED | undefined,
    requestBody: unknown,
  ): ContractViolation[] {
    const path = ContractChecker.pathOf(routeUrl);
    const name = `${method.toUpperCase()} ${path}`;
    const violation = (message: string): ContractViolation => ({
      operation: name,
      status,
      message,
    });
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) return [violation('the operation is not in the document')];
    const violations: ContractViolation[] = [];
    const response = operation.responses?.[String(status)] ?? operation.responses?.default;
    if (!response) violations.push(violation('the status is not documented'));
    const media = mediaOf(contentType);
    const hasBody = payload !== undefined && payload !== '' && status !== 204;
    if (response && hasBody) {
      const documented = response.content?.[media];
      if (!documented) {
        violations.push(
          violation(
            `a ${media || 'body'} body is not documented (documented: ${
              Object.keys(response.content ?? {}).join(', ') || 'none'
            })`,
          ),
        );
      } else if (documented.schema && media.endsWith('json') && payload !== STREAMED) {
        violations.push(
          ...this.validate(documented.schema, parse(payload as string)).map((m) =>
            violation(`response ${m}`),
          ),
        );
      }
    } else if (response && !hasBody && status !== 204) {
      const json = Object.keys(response.content ?? {}).filter((m) => m.endsWith('json'));
      if (json.length > 0) violations.push(violation('the documented body is missing'));
    }
    if (status >= 200 && status < 300 && requestBody !== undefined) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      if (!schema) violations.push(violation('a request body was accepted but none is documented'));
      else
        violations.push(
          ...this.validate(schema, requestBody).map((m) => violation(`accepted request ${m}`)),
        );
    }
    return violations;
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

function describeParams(params: Record<string, unknown>): string {
  const interesting = ['additionalProperty', 'missingProperty', 'allowedValues', 'format'];
  const parts = interesting.filter((k) => params[k] !== undefined).map((k) => `${k}=${params[k]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `#/components/...` refs resolve inside the document registered as `openapi`. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
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

function collectFormats(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => collectFormats(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else collectFormats(v, found);
    }
  }
  return found;
}

/**
 * Records every exchange of the app's API routes (not /docs, /health or the web pages) once the
 * checker is set. Returns the list the violations are collected in.
 */
export function recordContract(fastify: FastifyInstance): {
  violations: ContractViolation[];
  use(checker: ContractChecker): void;
} {
  const violations: ContractViolation[] = [];
  let checker: ContractChecker | undefined;
  fastify.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    if (!checker || !url || !url.startsWith('/api/')) return payload;
    const body =
      typeof payload === 'string'
        ? payload
        : payload === null || payload === undefined
          ? undefined
          : STREAMED;
    violations.push(
      ...checker.check(
        request.method,
        url,
        reply.statusCode,
        String(reply.getHeader('content-type') ?? ''),
        body,
        request.body ?? undefined,
      ),
    );
    return payload;
  });
  return { violations, use: (c) => (checker = c) };
}
