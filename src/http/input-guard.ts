import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import { jsonNestingExceeds, malformedText } from './well-formed-text.js';

/** Arrays and objects nested deeper than this are refused while parsing. */
export const MAX_JSON_NESTING = 32;

/** Request headers whose text the audit trail records (X-Request-Id has its own pattern). */
const RECORDED_HEADERS = ['x-access-purpose', 'user-agent'];

const tooDeep = () =>
  badRequest(
    'nesting_too_deep',
    `The JSON body nests arrays or objects deeper than ${MAX_JSON_NESTING} levels`,
  );

/** Every field of the request that is not well-formed text: body, query, path and headers. */
function malformedInput(request: FastifyRequest) {
  const headers = Object.fromEntries(
    RECORDED_HEADERS.filter((name) => request.headers[name] !== undefined).map((name) => [
      name,
      request.headers[name],
    ]),
  );
  return [
    ...malformedText(request.body),
    ...malformedText(request.query),
    ...malformedText(request.params),
    ...malformedText(headers),
  ];
}

/**
 * Guards every route once, before validation, transformation or any handler: JSON bodies
 * nested deeper than MAX_JSON_NESTING are refused before they are parsed (a deep body would
 * otherwise cost a stack overflow in the transformer, or seconds of CPU, to an unauthenticated
 * client), and text that is not well formed, wherever it enters, is refused with a 400 naming
 * the field.
 */
export function guardInput(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  ) as unknown as (request: unknown, body: Buffer, done: (...args: never[]) => void) => void;
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (jsonNestingExceeds(body, MAX_JSON_NESTING)) done(tooDeep(), undefined);
    else parseJson(request, body, done);
  });
  fastify.addHook('preValidation', async (request) => {
    const errors = malformedInput(request);
    if (errors.length > 0) throw validationProblem(errors);
  });
}
