import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { FieldError } from '../../errors/problem.exception.js';
import { CreateAppointmentDto } from '../../inspectors/dto/appointment.dto.js';
import { InspectorAppointmentsService } from '../../inspectors/inspector-appointments.service.js';
import { formErrors, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { submitForm } from '../common/submit-form.js';
import { keysetLinks } from '../common/pagination.js';
import { redirect, render } from '../common/render.js';
import { field, fields, postedVersion, UuidPageParam } from '../common/uuid-page-param.js';

const APPOINTMENT_FIELDS: FieldMessages = {
  userId: { id: 'userId', message: 'appointments.errors.userId' },
  body: { id: 'body', message: 'appointments.errors.body' },
  mandate: { id: 'mandate', message: 'appointments.errors.mandate' },
  kind: { id: 'kind', message: 'appointments.errors.kind' },
  healthProfessional: {
    id: 'healthProfessional',
    message: 'appointments.errors.healthProfessional',
  },
  facilityIds: { id: 'facilityIds', message: 'appointments.errors.facilityIds' },
  startsOn: { id: 'startsOn', message: 'appointments.errors.startsOn' },
  endsOn: { id: 'endsOn', message: 'appointments.errors.endsOn' },
};

interface AppointmentValues {
  userId: string;
  body: string;
  mandate: string;
  kind: string;
  healthProfessional: string;
  facilityIds: string[];
  startsOn: string;
  endsOn: string;
}

/** Administrators appoint inspectors to facilities for a period, and end appointments early. */
@PageController('admin/appointments')
export class AppointmentPagesController {
  constructor(private readonly appointments: InspectorAppointmentsService) {}

  @Get()
  @Authorize('manage', 'InspectorAppointment')
  async list(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const page = await this.appointments
      .list(ctx, { limit: 50, cursor })
      .catch(() => this.appointments.list(ctx, { limit: 50 }));
    const t = request.uiPage!.t;
    return render(reply, 'pages/inspection/appointments.njk', {
      rows: page.items.map((a) => ({
        id: a.id,
        version: a.version,
        inspector: `${a.user.displayName} (${a.user.username})`,
        body: a.body,
        facilities: a.facilities.map((f) => f.code).join(', '),
        startsOn: a.startsOn,
        endsOn: a.endsOn,
        status: t(`appointments.status.${a.status}`),
        clinical: a.healthProfessional ? t('measures.yes') : t('measures.no'),
        canEnd: a.status === 'active' || a.status === 'scheduled',
      })),
      links: keysetLinks('/admin/appointments', { cursor }, page.nextCursor),
    });
  }

  @Get('new')
  @Authorize('manage', 'InspectorAppointment')
  async form(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.formPage(request, reply, {
      userId: '',
      body: '',
      mandate: '',
      kind: '',
      healthProfessional: '',
      facilityIds: [],
      startsOn: new Date().toISOString().slice(0, 10),
      endsOn: '',
    });
  }

  @Post('new')
  @Authorize('manage', 'InspectorAppointment')
  async create(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    const values: AppointmentValues = {
      userId: field(body, 'userId'),
      body: field(body, 'body').trim(),
      mandate: field(body, 'mandate').trim(),
      kind: field(body, 'kind'),
      healthProfessional: field(body, 'healthProfessional'),
      facilityIds: fields(body, 'facilityIds'),
      startsOn: field(body, 'startsOn').trim(),
      endsOn: field(body, 'endsOn').trim(),
    };
    return submitForm(CreateAppointmentDto, {
      input: {
        ...values,
        healthProfessional:
          values.healthProfessional === 'yes'
            ? true
            : values.healthProfessional === 'no'
              ? false
              : '',
      },
      save: (value) => this.appointments.create(ctx, value),
      refuse: (found) => this.formPage(request, reply, values, found),
      done: () => redirect(reply, '/admin/appointments'),
    });
  }

  @Post(':id/end')
  @Authorize('manage', 'InspectorAppointment')
  async end(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.appointments.end(ctx, id, postedVersion(body));
    return redirect(reply, '/admin/appointments');
  }

  private async formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: AppointmentValues,
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const options = await this.appointments.formOptions();
    return render(
      reply,
      'pages/inspection/appointment-new.njk',
      {
        values,
        inspectors: [
          { value: '', text: t('appointments.chooseInspector') },
          ...options.inspectors.map((u) => ({
            value: u.id,
            text: `${u.displayName} (${u.username})`,
            selected: values.userId === u.id,
          })),
        ],
        facilities: options.facilities.map((f) => ({
          value: f.id,
          text: `${f.name} (${f.code})`,
          checked: values.facilityIds.includes(f.id),
        })),
        errors: errors.length
          ? formErrors(
              t,
              errors.map((e) =>
                e.path.startsWith('facilityIds[') ? { ...e, path: 'facilityIds' } : e,
              ),
              APPOINTMENT_FIELDS,
            )
          : undefined,
      },
      errors.length ? 400 : 200,
    );
  }
}
