import { ValidateBy, type ValidationOptions } from 'class-validator';
import { roleSeparationProblem } from '../role-separation.js';

/**
 * The rule that holds in every configuration (administration apart from case roles), checked
 * with the other fields so one answer names every problem; the service applies the configured
 * policy on top.
 */
export const SeparatedRoles = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'separatedRoles',
      validator: {
        validate: (value: unknown) =>
          !Array.isArray(value) ||
          roleSeparationProblem(value.map(String), { separateSupervisor: false }) === undefined,
        defaultMessage: (args) =>
          roleSeparationProblem(Array.isArray(args?.value) ? args.value.map(String) : [], {
            separateSupervisor: false,
          }) ?? 'roles must be separated',
      },
    },
    options,
  );
