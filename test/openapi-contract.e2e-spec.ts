import { describe, expect, it } from '@jest/globals';
import { ContractChecker, STREAMED, type Exchange } from './support/openapi-contract.js';

/**
 * The checker every e2e file runs its exchanges through must itself be strict: each departure
 * it exists to catch is caught here on a small OpenAPI 3.1 document.
 */

const document = {
  openapi: '3.1.0',
  paths: {
    '/api/v1/things/{id}': {
      patch: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 10 } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { name: { type: 'string', maxLength: 3 } },
                additionalProperties: false,
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'ok',
            headers: { ETag: { $ref: '#/components/headers/ETag' } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '400': {
            description: 'bad',
            content: { 'application/problem+json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/api/v1/export': {
      get: {
        responses: {
          '200': { description: 'stream', content: { 'text/csv': { schema: { type: 'string' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'note'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          note: { type: ['string', 'null'] },
          owner: { anyOf: [{ $ref: '#/components/schemas/Owner' }, { type: 'null' }] },
        },
      },
      Owner: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    },
    headers: { ETag: { required: true, schema: { type: 'string', pattern: '^"[0-9]+"$' } } },
  },
};

const ID = '6f1c2a3e-1b2c-4d5e-8f90-123456789abc';
const ok: Exchange = {
  method: 'PATCH',
  routeUrl: '/api/v1/things/:id',
  status: 200,
  params: { id: ID },
  query: {},
  requestHeaders: { 'if-match': '"1"' },
  requestContentType: 'application/json',
  requestBody: { name: 'abc' },
  responseHeaders: { 'content-type': 'application/json; charset=utf-8', etag: '"2"' },
  payload: JSON.stringify({ id: ID, note: null, owner: { id: 'u' } }),
};

const checker = new ContractChecker(document);
const messages = (change: Partial<Exchange>, checkRequest = true) =>
  checker.check({ ...ok, ...change }, checkRequest).map((v) => v.message);

describe('the contract checker', () => {
  it('passes an exchange that conforms (null and a nullable nested object included)', () => {
    expect(messages({})).toEqual([]);
    expect(messages({ payload: JSON.stringify({ id: ID, note: 'n', owner: null }) })).toEqual([]);
  });

  it('refuses a document that is not OpenAPI 3.1', () => {
    expect(() => new ContractChecker({ ...document, openapi: '3.0.0' })).toThrow(/3\.1/);
  });

  it('catches undocumented operations, statuses and media types', () => {
    expect(messages({ routeUrl: '/api/v1/other' })).toEqual([
      'the operation is not in the document',
    ]);
    expect(messages({ status: 409 })).toContain('the status is not documented');
    expect(
      messages({ responseHeaders: { ...ok.responseHeaders, 'content-type': 'text/plain' } }),
    ).toEqual(['a text/plain body is not documented (documented: application/json)']);
    expect(messages({ payload: undefined })).toContain('the documented body is missing');
  });

  it('holds response bodies to their schema, and closes objects: an undocumented field is a departure', () => {
    expect(messages({ payload: JSON.stringify({ id: ID }) })).toEqual([
      "response (root) must have required property 'note' (missingProperty=note)",
    ]);
    expect(messages({ payload: JSON.stringify({ id: ID, note: null, extra: 1 }) })).toEqual([
      'response (root) must NOT have unevaluated properties (unevaluatedProperty=extra)',
    ]);
    expect(
      messages({ payload: JSON.stringify({ id: ID, note: null, owner: { id: 'u', x: 1 } }) }),
    ).toContain('response /owner must NOT have unevaluated properties (unevaluatedProperty=x)');
  });

  it('checks the response headers the document declares, and flags contract headers it does not', () => {
    expect(messages({ responseHeaders: { 'content-type': 'application/json' } })).toEqual([
      'response header etag is missing',
    ]);
    expect(messages({ responseHeaders: { ...ok.responseHeaders, etag: 'W/2' } })).toEqual([
      'response header etag /pattern must match pattern "^"[0-9]+"$"'.replace(
        '/pattern ',
        '(root) ',
      ),
    ]);
    expect(messages({ responseHeaders: { ...ok.responseHeaders, 'retry-after': '3' } })).toEqual([
      'response header retry-after is sent but not documented',
    ]);
  });

  it('holds an accepted request to its parameters, headers and body', () => {
    expect(messages({ query: { page: '2' } })).toEqual([
      'accepted query parameter page is not documented',
    ]);
    expect(messages({ query: { limit: '11' } })).toEqual([
      'accepted query parameter limit (root) must be <= 10',
    ]);
    expect(messages({ params: { id: 'nope' } })).toEqual([
      'accepted path parameter id (root) must match format "uuid" (format=uuid)',
    ]);
    expect(messages({ requestHeaders: {} })).toEqual([
      'accepted request lacks the required header If-Match',
    ]);
    expect(messages({ requestBody: { name: 'abcd', x: 1 } })).toEqual([
      'accepted request (root) must NOT have additional properties (additionalProperty=x)',
      'accepted request /name must NOT have more than 3 characters',
    ]);
    expect(messages({ requestBody: undefined })).toEqual([
      'accepted request has no body, but one is required',
    ]);
  });

  it('does not hold refused or deliberately undocumented requests to the document, but still their responses', () => {
    const bad = { requestBody: { name: 'abcd' } };
    expect(
      messages({
        ...bad,
        status: 400,
        responseHeaders: { 'content-type': 'application/problem+json' },
        payload: '{}',
      }),
    ).toEqual([]);
    expect(messages(bad, false)).toEqual([]);
    expect(messages({ ...bad, payload: '{}' }, false)).toContain(
      "response (root) must have required property 'id' (missingProperty=id)",
    );
  });

  it('checks a streamed body’s media type only', () => {
    const stream: Exchange = {
      ...ok,
      method: 'GET',
      routeUrl: '/api/v1/export',
      params: {},
      requestHeaders: {},
      requestBody: undefined,
      responseHeaders: { 'content-type': 'text/csv; charset=utf-8' },
      payload: STREAMED,
    };
    expect(checker.check(stream)).toEqual([]);
    expect(
      checker
        .check({ ...stream, responseHeaders: { 'content-type': 'application/x-ndjson' } })
        .map((v) => v.message),
    ).toEqual(['a application/x-ndjson body is not documented (documented: text/csv)']);
  });
});
