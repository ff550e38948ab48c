import { Injectable } from '@nestjs/common';
import { RestrictiveMeasuresService } from '../../restrictive-measures/restrictive-measures.service.js';
import { InspectorAppointmentsService } from '../../inspectors/inspector-appointments.service.js';
import { HomeSections } from '../home/home-sections.js';
import { alertRows } from './inspection.view.js';

/** The inspector's appointments open their home page; alerts follow the oversight queues. */
const APPOINTMENTS_ORDER = 5;
const ALERTS_ORDER = 12;
const SHOWN = 10;

/**
 * Home sections: an inspector's appointments in force (body, facilities, dates, whether the
 * clinical view is open) with the ways in (prisoners, statistics, audit trail, alerts); and,
 * for everyone who reads restrictive measures, the alerts on solitary confinement.
 */
@Injectable()
export class InspectionHome {
  constructor(
    sections: HomeSections,
    appointments: InspectorAppointmentsService,
    measures: RestrictiveMeasuresService,
  ) {
    sections.add(APPOINTMENTS_ORDER, async (ctx) => {
      if (!ctx.actor.roles.includes('inspector')) return undefined;
      return {
        template: 'pages/inspection/home-appointments.njk',
        model: { appointments: await appointments.mine(ctx) },
      };
    });
    sections.add(ALERTS_ORDER, async (ctx, state) => {
      if (!ctx.ability.can('read', 'RestrictiveMeasure')) return undefined;
      const page = await measures.alerts(ctx, { limit: SHOWN });
      return {
        template: 'pages/inspection/home-alerts.njk',
        model: { rows: alertRows(page.items, state.t), more: page.nextCursor !== null },
      };
    });
  }
}
