import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Compiles one self-contained source file (node built-ins and packages only) to an ES module
 * under node_modules/.cache, so a test can run it in a process of its own and kill that process
 * with SIGKILL, as an operator or the kernel would kill the service.
 */
export function compiledModule(source: string): string {
  const out = join(ROOT, 'node_modules', '.cache', 'vep-tests', source.replace(/\.ts$/, '.mjs'));
  mkdirSync(dirname(out), { recursive: true });
  const { outputText } = ts.transpileModule(readFileSync(join(ROOT, source), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(out, outputText);
  return out;
}

/** Runs an ES module script in a new node process; resolves with its first line of output. */
export function runScript(code: string): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolveRun({ child, line: out.slice(0, newline) });
    });
    child.on('exit', (code) => reject(new Error(`script exited (${code}): ${err}`)));
  });
}
