export const ROLES = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
  'administrator',
] as const;

export type Role = (typeof ROLES)[number];
