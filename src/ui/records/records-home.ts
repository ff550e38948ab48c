import { Injectable } from '@nestjs/common';
import { HomeSections } from '../home/home-sections.js';

/** Before the reviews due (100): the security officer's record work. */
const RECORDS_ORDER = 60;

/** The security officer's starting points on the home page: record a prisoner, or find one. */
@Injectable()
export class RecordsHome {
  constructor(sections: HomeSections) {
    sections.add(RECORDS_ORDER, async (ctx) =>
      ctx.ability.can('create', 'Prisoner')
        ? { template: 'pages/records/home.njk', model: {} }
        : undefined,
    );
  }
}
