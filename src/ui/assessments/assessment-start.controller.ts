import { localizeInstrument } from '../../instruments/rule-sets/localize-rule-set.js';
import { Body, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AssessmentsService } from '../../assessments/assessments.service.js';
import { CreateAssessmentDto } from '../../assessments/dto/assessment.dto.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { notFound, ProblemException } from '../../errors/problem.exception.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { PrisonersService } from '../../prisoners/prisoners.service.js';
import { PrisonerEventsService } from '../../reviews/prisoner-events.service.js';
import {
  formErrors,
  problemFieldErrors,
  validateForm,
  type FieldMessages,
  type FormErrors,
} from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { redirect, render } from '../common/render.js';
import type { Translate } from '../i18n/catalogue.js';
import { prisonerFrame } from '../prisoners/prisoner.view.js';
import { EVENT_TYPE } from '../records/records.view.js';
import { formBody, textOf } from './form-body.js';

const PrisonerId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

const START_FIELDS: FieldMessages = {
  instrumentKey: { id: 'instrument', message: 'assessment.start.errors.instrument' },
  instrumentVersion: { id: 'instrument', message: 'assessment.start.errors.instrument' },
  reason: { id: 'reason', message: 'assessment.start.errors.reason' },
  trigger: { id: 'trigger', message: 'assessment.start.errors.trigger' },
  triggerEventId: { id: 'triggerEventId', message: 'assessment.start.errors.triggerEvent' },
};

interface StartValues {
  instrument: string;
  reason: string;
  trigger: string;
  triggerEventId: string;
}

/**
 * Starting an assessment from the prisoner's Assessments tab: an active instrument version, the
 * reason (intake, periodic, or an event: a recorded one or a description). The service decides
 * everything else (certification, one open assessment per instrument) and its refusals are
 * shown beside the fields they concern.
 */
@PageController('prisoners')
export class AssessmentStartController {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly instruments: InstrumentsService,
    private readonly prisoners: PrisonersService,
    private readonly events: PrisonerEventsService,
  ) {}

  @Get(':id/assessments/new')
  @Authorize('create', 'Assessment')
  form(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
  ): Promise<void> {
    return this.page(ctx, request, reply, id, {
      instrument: '',
      reason: '',
      trigger: '',
      triggerEventId: '',
    });
  }

  @Post(':id/assessments')
  @Authorize('create', 'Assessment')
  async start(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @PrisonerId() id: string,
    @Body() raw: unknown,
  ): Promise<void> {
    const state = request.uiPage!;
    const body = formBody(raw);
    const values: StartValues = {
      instrument: textOf(body, 'instrument'),
      reason: textOf(body, 'reason'),
      trigger: textOf(body, 'trigger'),
      triggerEventId: textOf(body, 'triggerEventId'),
    };
    const [instrumentKey, instrumentVersion] = values.instrument.split('@');
    const event = values.reason === 'event';
    const { value, errors } = await validateForm(CreateAssessmentDto, {
      instrumentKey: instrumentKey ?? '',
      ...(instrumentVersion ? { instrumentVersion } : {}),
      reason: values.reason,
      ...(event && values.trigger.trim() ? { trigger: values.trigger.trim() } : {}),
      ...(event && values.triggerEventId ? { triggerEventId: values.triggerEventId } : {}),
    });
    if (errors.length > 0) {
      return this.page(ctx, request, reply, id, values, formErrors(state.t, errors, START_FIELDS));
    }
    try {
      const created = await this.assessments.create(ctx, id, value);
      return await redirect(reply, `/assessments/${created.id}?done=started`);
    } catch (error) {
      const shown = this.refusal(error, state.t);
      if (!shown) throw error;
      return this.page(ctx, request, reply, id, values, shown);
    }
  }

  /** The service's refusals, beside the field each concerns; undefined for anything else. */
  private refusal(error: unknown, t: Translate): FormErrors | undefined {
    const fields = problemFieldErrors(error);
    if (fields) return formErrors(t, fields, START_FIELDS);
    if (!(error instanceof ProblemException)) return undefined;
    const on = (field: string, id: string, text: string, href = `#${id}`): FormErrors => ({
      summary: [{ text, href }],
      fields: { [field]: { text } },
    });
    switch (error.body.code) {
      case 'unknown_instrument':
      case 'instrument_not_active':
        return on('instrumentKey', 'instrument', t('assessment.start.errors.notActive'));
      case 'certification_required':
        return on('instrumentKey', 'instrument', t('assessment.errors.certification'));
      case 'assessment_in_progress':
        return on(
          'instrumentKey',
          'instrument',
          t('assessment.start.errors.inProgress'),
          `/assessments/${String(error.body.openAssessmentId)}`,
        );
      default:
        return undefined;
    }
  }

  private async page(
    ctx: RequestContext,
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: StartValues,
    errors?: FormErrors,
  ): Promise<void> {
    const state = request.uiPage!;
    const t = state.t;
    const prisoner = await this.prisoners.get(ctx, id);
    const events = await this.events.list(ctx, id, { limit: 20 });
    const options: { value: string; text: string; hint?: { text: string } }[] = [];
    for (const summary of await this.instruments.list()) {
      if (summary.kind !== 'instrument') continue;
      for (const version of summary.versions.filter((v) => v.status === 'active')) {
        const found = await this.instruments.getVersion(summary.key, version.version);
        const definition = found?.definition as InstrumentDefinition | undefined;
        if (!found || !definition) continue;
        const readable = await this.instruments.readableDefinition(found);
        options.push({
          value: `${summary.key}@${version.version}`,
          text: t('assessment.start.instrumentOption', {
            title: localizeInstrument(readable as InstrumentDefinition, state.locale).title,
            version: version.version,
          }),
          ...(definition.requiresCertification
            ? { hint: { text: t('assessment.start.certified') } }
            : {}),
        });
      }
    }
    const { prisoner: identity, emergency } = prisonerFrame(
      prisoner,
      'assessments',
      ctx.ability,
      state.grants,
      t,
    );
    return render(
      reply,
      'pages/assessments/start.njk',
      {
        prisoner: identity,
        emergency,
        instruments: options,
        events: events.items.map((e) => ({
          value: e.id,
          text: `${EVENT_TYPE[e.type] ? t(EVENT_TYPE[e.type]) : e.type}`,
          occurredAt: e.occurredAt,
        })),
        values,
        errors,
        back: `/prisoners/${id}/assessments`,
      },
      errors ? 422 : 200,
    );
  }
}
