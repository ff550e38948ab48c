import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const PROBLEM_SCHEMA_NAME = 'Problem';

/**
 * The one RFC 9457 problem every error answer carries (`application/problem+json`), with the
 * extensions the service uses. Written as JSON Schema 2020-12 (OpenAPI 3.1).
 */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable and machine-readable; `title` and `detail` are ' +
    'for people. Extensions appear only where their description says.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: {
      type: 'string',
      format: 'uri-reference',
      description: '`/problems/<code>`',
      examples: ['/problems/validation_failed'],
    },
    title: { type: 'string', examples: ['Validation failed'] },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status' },
    code: {
      type: 'string',
      description:
        'What went wrong, for programs: e.g. `validation_failed`, `unauthenticated`, `forbidden`, ' +
        '`not_found`, `version_conflict`, `precondition_required`, `rate_limited`, ' +
        '`login_throttled`, `nesting_too_deep`, `internal_error`, and the codes each operation names',
      examples: ['validation_failed'],
    },
    detail: { type: 'string', description: 'This occurrence, in words' },
    requestId: {
      type: 'string',
      description: 'The request id (also in X-Request-Id): quote it when reporting a problem',
    },
    errors: {
      type: 'array',
      description: '400 and some 409/422: every failing field, named by its path in the request',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: {
            type: 'string',
            description:
              'The field: `goals[2].description`, `ratings.BA01.sources[1]`, a query parameter ' +
              '(`cursor`), a path parameter (`id`) or a header (`If-Match`, `x-access-purpose`)',
            examples: ['interventions[0].status'],
          },
          message: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    reasons: {
      type: 'array',
      description:
        '422 `assessment_incomplete` (assessment submit): everything to complete, as in `indicative.reasons`',
      items: { $ref: '#/components/schemas/SubmitReasonResponse' },
    },
    currentVersion: {
      type: 'integer',
      description: '409 `version_conflict`: the record’s version now (reload it)',
    },
    openPlanId: {
      type: 'string',
      format: 'uuid',
      description: '409 `plan_already_open`: the prisoner’s open plan',
    },
    openAssessmentId: {
      type: 'string',
      format: 'uuid',
      description:
        '409 `assessment_in_progress` / `amendment_in_progress`: the assessment in progress',
    },
    pendingRevision: {
      type: 'integer',
      description:
        '409 `revision_pending` and pending-revision steps: the revision awaiting approval',
    },
    revisionStatus: {
      type: 'string',
      enum: ['draft', 'submitted', 'returned'],
      description: '409 on a pending-revision step: the pending revision’s status',
    },
    planStatus: {
      type: 'string',
      description: '409 on a plan step the plan’s status does not allow: its status',
    },
    existingPrisonerId: {
      type: 'string',
      format: 'uuid',
      description:
        '409 `prison_number_taken`: the prisoner (in the caller’s scope) holding the number',
    },
    currentAssessmentId: {
      type: ['string', 'null'],
      format: 'uuid',
      description: '422 `assessment_not_current`: the prisoner’s current approved needs assessment',
    },
    currentStatus: {
      type: 'string',
      description: '409 `invalid_status` (assessments): the assessment’s status',
    },
    expiresAt: {
      type: 'string',
      format: 'date-time',
      description: '409 `grant_not_active`: when the grant expired or ended',
    },
    attemptId: {
      type: 'string',
      format: 'uuid',
      description: '409 `attempt_open` (training): the caller’s open attempt of the practice case',
    },
    retryAfter: {
      type: 'integer',
      minimum: 0,
      description: '429 and 503: seconds to wait (also in Retry-After)',
    },
    checks: {
      type: 'object',
      description:
        '503 `not_ready` (/health/ready): each failing check (`database`) with `status: down` and what it reports',
      additionalProperties: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['down'] } },
        additionalProperties: true,
      },
    },
  },
};

/**
 * Documents an error status an operation can answer; the body (a Problem, as
 * `application/problem+json`) is added to every error response when the document is built.
 */
export const ApiProblem = (status: number, description: string) =>
  ApiResponse({ status, description });

/** Several error statuses at once: `ApiProblems([404, 'No such plan in scope'], ...)`. */
export const ApiProblems = (...responses: [number, string][]) =>
  applyDecorators(...responses.map(([status, description]) => ApiProblem(status, description)));
