import { Injectable } from '@nestjs/common';
import { UsersService } from '../../users/users.service.js';
import { HomeSections } from '../home/home-sections.js';
import { roleList } from './admin.view.js';

const ADMIN_ORDER = 10;

/** The administrator's home: where accounts, facilities and rule-sets are managed. */
@Injectable()
export class AdminHome {
  constructor(sections: HomeSections, users: UsersService) {
    sections.add(ADMIN_ORDER, async (ctx, state) => {
      if (!ctx.ability.can('manage', 'User')) return undefined;
      const page = await users.list({ limit: 10 });
      return {
        template: 'pages/admin/home.njk',
        model: {
          users: page.items.map((u) => ({
            href: `/admin/users/${u.id}`,
            username: u.username,
            displayName: u.displayName,
            roles: roleList(u.roles, state.t),
            facilities: u.facilities.map((f) => f.code).join(', '),
            active: u.active,
            certifications: u.certifications
              .filter((c) => c.current)
              .map((c) => c.instrumentKey)
              .join(', '),
          })),
          more: page.nextCursor !== null,
        },
      };
    });
  }
}
