import type { RuleSetError } from './rule-sets/rule-set.types.js';

/** `<file>: <path>: <message>` (no path for the whole file), with the line when known. */
export function formatRuleSetError(error: RuleSetError): string {
  const line =
    error.line !== undefined && !error.message.includes(`line ${error.line}`)
      ? ` (line ${error.line})`
      : '';
  return error.path === ''
    ? `${error.file}: ${error.message}${line}`
    : `${error.file}: ${error.path}: ${error.message}${line}`;
}

/** The rule-sets directory could not be imported; nothing was written. Lists every error. */
export class RuleSetImportError extends Error {
  constructor(
    readonly dir: string,
    readonly errors: RuleSetError[],
  ) {
    super(
      `Rule-sets in ${dir} were not imported (${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written):\n` +
        errors.map((error) => `  ${formatRuleSetError(error)}`).join('\n'),
    );
    this.name = 'RuleSetImportError';
  }
}
