import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RuleSetError, RuleSetFile } from './rule-set.types.js';

const YAML_FILE = /\.ya?ml$/i;

async function listYamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && YAML_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Parses one rule-set file. YAML 1.2 core schema only, so every value is plain JSON; one
 * document per file; duplicate keys are errors.
 */
export function parseRuleSetText(
  file: string,
  text: string,
): { ruleSet?: RuleSetFile; errors: RuleSetError[] } {
  const documents = parseAllDocuments(text, {
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
  });
  const list = Array.isArray(documents) ? documents : [];
  const errors: RuleSetError[] = [];
  for (const document of list) {
    for (const error of document.errors) {
      errors.push({
        file,
        path: '',
        code: 'yaml_syntax',
        line: error.linePos?.[0]?.line,
        message: error.message.split('\n')[0],
      });
    }
  }
  if (errors.length > 0) return { errors };
  if (list.length !== 1) {
    return {
      errors: [
        {
          file,
          path: '',
          code: 'yaml_syntax',
          message:
            list.length === 0 ? 'the file is empty' : 'a file must hold exactly one YAML document',
        },
      ],
    };
  }
  try {
    const doc: unknown = list[0].toJS({ maxAliasCount: 100 });
    return { ruleSet: { file, text, doc }, errors: [] };
  } catch (error) {
    return {
      errors: [
        {
          file,
          path: '',
          code: 'yaml_syntax',
          message: error instanceof Error ? error.message : String(error),
        },
      ],
    };
  }
}

/**
 * Reads every `.yaml`/`.yml` file under `dir` (recursively, in path order). `file` is the
 * path relative to `dir` with forward slashes. YAML errors are returned, not thrown.
 */
export async function loadRuleSetFiles(
  dir: string,
): Promise<{ files: RuleSetFile[]; errors: RuleSetError[] }> {
  const files: RuleSetFile[] = [];
  const errors: RuleSetError[] = [];
  let paths: string[];
  try {
    paths = await listYamlFiles(dir);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { files, errors: [{ file: dir, path: '', code: 'read_error', message }] };
  }
  for (const path of paths) {
    const file = relative(dir, path).split(sep).join('/');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ file, path: '', code: 'read_error', message });
      continue;
    }
    const parsed = parseRuleSetText(file, text);
    if (parsed.ruleSet) files.push(parsed.ruleSet);
    errors.push(...parsed.errors);
  }
  return { files, errors };
}
