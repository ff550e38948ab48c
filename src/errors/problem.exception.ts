import { HttpException } from '@nestjs/common';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * An RFC 9457 problem with a stable machine `code`. Services throw these; the global filter
 * renders them as `application/problem+json`.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ) {
    // Extensions never override the standard members.
    super(
      {
        ...extensions,
        type: `/problems/${code}`,
        title,
        status,
        code,
        ...(detail ? { detail } : {}),
      },
      status,
    );
  }

  get body(): ProblemBody {
    return this.getResponse() as ProblemBody;
  }
}

export const notFound = (what = 'Resource') =>
  new ProblemException(404, 'not_found', 'Not found', `${what} was not found`);

export const forbidden = (detail = 'Your role does not allow this action') =>
  new ProblemException(403, 'forbidden', 'Forbidden', detail);

export const conflict = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new ProblemException(409, code, 'Conflict', detail, extensions);

export const staleVersion = (current?: number) =>
  new ProblemException(
    409,
    'version_conflict',
    'Conflict',
    'The record was changed by someone else since you read it; reload it and apply your change again',
    current === undefined ? {} : { currentVersion: current },
  );

export const preconditionRequired = () =>
  new ProblemException(
    428,
    'precondition_required',
    'Precondition required',
    'Send the version you edited in an If-Match header',
  );

export const unprocessable = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new ProblemException(422, code, 'Unprocessable content', detail, extensions);

export const badRequest = (code: string, detail: string, errors?: FieldError[]) =>
  new ProblemException(400, code, 'Bad request', detail, errors ? { errors } : {});
