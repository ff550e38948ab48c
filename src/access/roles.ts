export const ROLES = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
  'administrator',
] as const;

export type Role = (typeof ROLES)[number];

/** Roles that work with prisoners' cases (everyone but the system administrator). */
export const CASE_ROLES: readonly Role[] = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
];
