import type { Role } from '../../access/roles.js';
import type { InstrumentSummaryResponse } from '../../instruments/dto/instrument.response.js';
import type {
  FieldChange,
  InstrumentDiff,
} from '../../instruments/rule-sets/diff-instrument-definitions.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

export const ROLE: Record<Role, MessageKey> = {
  psychologist: 'admin.role.psychologist',
  pve_inspector: 'admin.role.pve_inspector',
  security_officer: 'admin.role.security_officer',
  supervisor: 'admin.role.supervisor',
  administrator: 'admin.role.administrator',
  inspector: 'admin.role.inspector',
};
const STATUS: Record<string, MessageKey> = {
  active: 'admin.ruleSets.status.active',
  retired: 'admin.ruleSets.status.retired',
  draft: 'admin.ruleSets.status.draft',
};
const STATUS_TAG: Record<string, string> = {
  active: 'govuk-tag--green',
  retired: 'govuk-tag--grey',
  draft: 'govuk-tag--yellow',
};

export const roleList = (roles: readonly string[], t: Translate) =>
  roles.map((r) => (ROLE[r as Role] ? t(ROLE[r as Role]) : r)).join(', ');

/** Imported rule-sets: each key with its versions, newest first, status and fingerprint. */
export function ruleSetRows(list: InstrumentSummaryResponse[], t: Translate) {
  return list.map((r) => ({
    key: r.key,
    title: r.title,
    kind: t(r.kind === 'instrument' ? 'admin.ruleSets.instrument' : 'admin.ruleSets.catalogue'),
    purpose: r.purpose ?? '',
    diffHref:
      r.kind === 'instrument' && r.versions.length > 1
        ? `/admin/rule-sets/${encodeURIComponent(r.key)}/diff`
        : undefined,
    versions: r.versions.map((v) => ({
      version: v.version,
      status: STATUS[v.status] ? t(STATUS[v.status]) : v.status,
      statusClass: STATUS_TAG[v.status] ?? '',
      importedAt: v.importedAt,
      retiredAt: v.retiredAt,
      sha256: v.sha256,
    })),
  }));
}

/** A value of a definition as text: JSON for anything that is not a plain string or number. */
const shown = (value: unknown) =>
  value === undefined
    ? ''
    : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value, null, 1);

const changes = (list: FieldChange[]) =>
  list.map((c) => ({
    field: c.field,
    from: shown(c.from),
    to: shown(c.to),
    added: c.from === undefined,
    removed: c.to === undefined,
  }));

/** Two versions of an instrument side by side: items added, removed and changed field by field. */
export function diffModel(diff: InstrumentDiff, t: Translate) {
  return {
    from: diff.from.version,
    to: diff.to.version,
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed.map((c) => ({ code: c.code, changes: changes(c.changes) })),
    domains: {
      added: diff.domains.added,
      removed: diff.domains.removed,
      changed: diff.domains.changed.map((c) => ({ code: c.code, changes: changes(c.changes) })),
    },
    rules: changes(diff.rules),
    settings: changes(diff.settings),
    same:
      diff.added.length +
        diff.removed.length +
        diff.changed.length +
        diff.domains.added.length +
        diff.domains.removed.length +
        diff.domains.changed.length +
        diff.rules.length +
        diff.settings.length ===
      0,
    noChangesText: t('admin.ruleSets.noChanges'),
  };
}
