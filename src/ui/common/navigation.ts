import type { MessageKey } from '../i18n/catalogue.js';
import type { PageState } from './page-state.js';

export interface NavigationItem {
  href: string;
  /** Catalogue key of the link text. */
  textKey: MessageKey;
  active: boolean;
}

/**
 * The service navigation for the signed-in user: only what their roles may open. Add an entry
 * here when a new area of pages arrives.
 */
export function navigationFor(
  state: PageState,
): { href: string; text: string; current: boolean }[] {
  const ability = state.context?.ability;
  if (!ability) return [];
  const path = state.path.split('?')[0];
  const items: NavigationItem[] = [{ href: '/', textKey: 'nav.home', active: path === '/' }];
  if (ability.can('read', 'Prisoner')) {
    items.push({
      href: '/prisoners',
      textKey: 'nav.prisoners',
      active: path === '/prisoners' || path.startsWith('/prisoners/'),
    });
  }
  const area = (href: string, textKey: MessageKey, allowed: boolean) => {
    if (allowed)
      items.push({ href, textKey, active: path === href || path.startsWith(`${href}/`) });
  };
  area('/oversight/approvals', 'nav.approvals', ability.can('approve', 'Plan'));
  area(
    '/oversight/emergency-access',
    'nav.emergencyAccess',
    ability.can('review', 'EmergencyAccess'),
  );
  area('/audit', 'nav.audit', ability.can('read', 'AuditEvent'));
  area('/challenges', 'nav.challenges', ability.can('answer', 'Challenge'));
  area('/complaints', 'nav.complaints', ability.can('answer', 'Complaint'));
  area('/subject-access', 'nav.subjectAccess', ability.can('read', 'SubjectAccess'));
  area('/disclosures', 'nav.disclosures', ability.can('read', 'Disclosure'));
  area('/training/overview', 'nav.calibration', ability.can('read', 'TrainingOverview'));
  if (ability.can('read', 'PracticeCase'))
    items.push({
      href: '/training',
      textKey: 'nav.training',
      active:
        path === '/training' ||
        (path.startsWith('/training/') && !path.startsWith('/training/overview')),
    });
  area('/statistics', 'nav.statistics', ability.can('read', 'Statistics'));
  area(
    '/restrictive-measures/alerts',
    'nav.measureAlerts',
    ability.can('read', 'RestrictiveMeasure'),
  );
  area('/admin/appointments', 'nav.appointments', ability.can('manage', 'InspectorAppointment'));
  area('/admin/users', 'nav.users', ability.can('manage', 'User'));
  area('/admin/facilities', 'nav.facilities', ability.can('manage', 'Facility'));
  area('/admin/rule-sets', 'nav.ruleSets', ability.can('import', 'Instrument'));
  return items.map((item) => ({
    href: item.href,
    text: state.t(item.textKey),
    current: item.active,
  }));
}
