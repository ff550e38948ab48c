import type { Role } from '../access/roles.js';

/** Case roles: whoever holds one sees case content in some view. */
export const CASE_ROLES: readonly Role[] = [
  'psychologist',
  'pve_inspector',
  'security_officer',
  'supervisor',
];

export interface RoleSeparationPolicy {
  /** Also keep supervision (oversight of the others' work) on accounts of its own. */
  separateSupervisor: boolean;
}

/**
 * Why a set of roles may not be held by one account, or undefined when it may. Administration
 * never goes with a case role: an administrator manages accounts, so holding both would let them
 * grant themselves case access. Settings can only make this stricter.
 */
export function roleSeparationProblem(
  roles: readonly string[],
  policy: RoleSeparationPolicy,
): string | undefined {
  const besides = roles.filter((r) => r !== 'inspector');
  if (roles.includes('inspector') && besides.length > 0) {
    return (
      `roles must not combine inspector with other roles (${besides.join(', ')}): an inspector ` +
      'is independent of the staff inspected (Mandela Rules 83-84); use a separate account for each'
    );
  }
  const cases = CASE_ROLES.filter((r) => roles.includes(r));
  if (roles.includes('administrator') && cases.length > 0) {
    return (
      `roles must not combine administrator with case roles (${cases.join(', ')}): ` +
      'use a separate account for each'
    );
  }
  const others = cases.filter((r) => r !== 'supervisor');
  if (policy.separateSupervisor && roles.includes('supervisor') && others.length > 0) {
    return (
      `roles must not combine supervisor with other case roles (${others.join(', ')}) ` +
      'in this service (SEPARATE_SUPERVISOR_ROLE): use a separate account for each'
    );
  }
  return undefined;
}
