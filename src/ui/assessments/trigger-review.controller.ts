import { Body, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TRIGGER_REVIEW_OUTCOMES, TriggerReviewDto } from '../../assessments/dto/assessment.dto.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound, ProblemException } from '../../errors/problem.exception.js';
import { PrisonerEventsService } from '../../reviews/prisoner-events.service.js';
import { formErrors, problemFieldErrors, validateForm, type FormErrors } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import type { PageState } from '../common/page-state.js';
import { redirect, render } from '../common/render.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { AssessmentPageData, type LoadedAssessment } from './assessment-page-data.js';
import { formBody, textOf } from './form-body.js';

const AssessmentId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

const OUTCOME_LABEL: Record<(typeof TRIGGER_REVIEW_OUTCOMES)[number], MessageKey> = {
  no_change: 'assessment.triggerReview.outcome.no_change',
  reassess: 'assessment.triggerReview.outcome.reassess',
  amend: 'assessment.triggerReview.outcome.amend',
};
const FIELDS = {
  eventId: { id: 'eventId', message: 'assessment.triggerReview.errors.event' },
  outcome: { id: 'outcome', message: 'assessment.triggerReview.errors.outcome' },
  rationale: { id: 'rationale', message: 'assessment.triggerReview.errors.rationale' },
} as const;

/**
 * The review an event or a flag made due (the instrument's trigger says `review`), recorded on
 * the current approved assessment without a new one: which event, the outcome and the reasons.
 * The service decides what may be reviewed; the page shows its refusals beside the fields.
 */
@PageController('assessments')
export class TriggerReviewController {
  constructor(
    private readonly data: AssessmentPageData,
    private readonly events: PrisonerEventsService,
  ) {}

  @Get(':id/trigger-review')
  @Authorize('read', 'Assessment')
  async page(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
  ): Promise<void> {
    const loaded = await this.data.load(ctx, id, request.uiPage!.locale);
    if (!this.data.actions(loaded, ctx).amend) return redirect(reply, `/assessments/${id}`);
    return this.form(ctx, request.uiPage!, reply, loaded, {});
  }

  @Post(':id/trigger-review')
  @Authorize('create', 'Assessment')
  async record(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @AssessmentId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const body = formBody(raw);
    const values = {
      eventId: textOf(body, 'eventId'),
      outcome: textOf(body, 'outcome'),
      rationale: textOf(body, 'rationale'),
    };
    const { value, errors } = await validateForm(TriggerReviewDto, values);
    let shown: FormErrors | undefined = errors.length
      ? formErrors(state.t, errors, FIELDS)
      : undefined;
    if (!shown) {
      try {
        await this.data.assessments.triggerReview(ctx, id, value);
        return await redirect(reply, `/assessments/${id}?done=reviewed`);
      } catch (error) {
        const code = error instanceof ProblemException ? error.body.code : undefined;
        if (code === 'no_review_due' || code === 'already_reviewed') {
          const text = state.t(
            code === 'no_review_due'
              ? 'assessment.triggerReview.errors.notDue'
              : 'assessment.triggerReview.errors.already',
          );
          shown = { summary: [{ text, href: '#eventId' }], fields: { eventId: { text } } };
        } else {
          const fields = problemFieldErrors(error);
          if (!fields) throw error;
          shown = formErrors(state.t, fields, FIELDS);
        }
      }
    }
    return this.form(ctx, state, reply, await this.data.load(ctx, id, state.locale), values, shown);
  }

  private async form(
    ctx: RequestContext,
    state: PageState,
    reply: FastifyReply,
    loaded: LoadedAssessment,
    values: Record<string, string>,
    errors?: FormErrors,
  ): Promise<void> {
    const t = state.t;
    const events = await this.events.list(ctx, loaded.assessment.prisonerId, { limit: 50 });
    return render(
      reply,
      'pages/assessments/trigger-review.njk',
      {
        ...this.data.frame(loaded, ctx, state),
        values,
        errors,
        events: events.items.map((e) => ({
          value: e.id,
          text: `${e.type.replace(/_/g, ' ')}${e.note ? `: ${e.note}` : ''}`,
          hint: { text: e.occurredAt.slice(0, 10) },
        })),
        outcomes: TRIGGER_REVIEW_OUTCOMES.map((o) => ({ value: o, text: t(OUTCOME_LABEL[o]) })),
      },
      errors ? 422 : 200,
    );
  }
}
