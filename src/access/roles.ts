export const ROLES = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
  'administrator',
  // Internal or external inspection (Mandela Rules 83-85): read-only, appointed to facilities.
  'inspector',
] as const;

export type Role = (typeof ROLES)[number];
