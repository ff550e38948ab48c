import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SHIPPED_DIR } from './fixtures/shipped.js';
import { loadRuleSetFiles, parseRuleSetText } from './load-rule-set-files.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('loadRuleSetFiles', () => {
  it('reads every shipped YAML file, recursively and in path order, with relative names', async () => {
    const { files, errors } = await loadRuleSetFiles(SHIPPED_DIR);
    expect(errors).toEqual([]);
    expect(files.map((file) => file.file)).toEqual([
      'catalogues/handbook-interventions@1.0.0.yaml',
      'catalogues/handbook-interventions@1.0.1.yaml',
      'certification/ve-risk-spj@1.0.0.yaml',
      'instruments/ve-needs@1.0.0.yaml',
      'instruments/ve-needs@1.0.1.yaml',
      'instruments/ve-risk-spj@1.0.0.yaml',
      'instruments/ve-risk-spj@1.1.0.yaml',
      'instruments/ve-risk-spj@1.1.1.yaml',
      'practice-cases/ve-needs-practice-01@1.0.0.yaml',
      'practice-cases/ve-risk-spj-practice-01@1.0.0.yaml',
      'practice-cases/ve-risk-spj-practice-02@1.0.0.yaml',
    ]);
    for (const file of files) {
      expect(file.text.startsWith('# yaml-language-server: $schema=../schema/')).toBe(true);
      expect(file.doc).toEqual(expect.objectContaining({ kind: expect.any(String) }));
    }
  });

  it('turns a YAML syntax error into an error naming the file and the line', async () => {
    // Written at run time: a broken YAML file in the tree would break `prettier --check`.
    const dir = await mkdtemp(join(tmpdir(), 'rule-sets-'));
    try {
      await writeFile(
        join(dir, 'broken@1.0.0.yaml'),
        'kind: instrument\nkey: broken\nversion: 1.0.0\ndomains:\n  - code: AA\n    title: [unclosed\n',
      );
      const { files, errors } = await loadRuleSetFiles(dir);
      expect(files).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]).toEqual(
        expect.objectContaining({ file: 'broken@1.0.0.yaml', path: '', code: 'yaml_syntax' }),
      );
      expect(errors[0].line).toBeGreaterThanOrEqual(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses more than one document in a file', async () => {
    const { files, errors } = await loadRuleSetFiles(fixture('multi-document'));
    expect(files).toEqual([]);
    expect(errors).toEqual([
      {
        file: 'two@1.0.0.yaml',
        path: '',
        code: 'yaml_syntax',
        message: 'a file must hold exactly one YAML document',
      },
    ]);
  });

  it('reports a directory that cannot be read', async () => {
    const { files, errors } = await loadRuleSetFiles('/nonexistent/rule-sets');
    expect(files).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({ file: '/nonexistent/rule-sets', path: '', code: 'read_error' }),
    ]);
  });

  it('keeps loading the other files when one is broken, and ignores non-YAML files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rule-sets-'));
    try {
      await mkdir(join(dir, 'a'));
      await writeFile(join(dir, 'a', 'good@1.0.0.yml'), 'kind: instrument\nkey: good\n');
      await writeFile(join(dir, 'b@1.0.0.yaml'), 'kind: [\n');
      await writeFile(join(dir, 'README.md'), '# not a rule-set\n');
      const { files, errors } = await loadRuleSetFiles(dir);
      expect(files.map((file) => file.file)).toEqual(['a/good@1.0.0.yml']);
      expect(errors.map((error) => [error.file, error.code])).toEqual([
        ['b@1.0.0.yaml', 'yaml_syntax'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseRuleSetText', () => {
  it('refuses duplicate keys', () => {
    const { ruleSet, errors } = parseRuleSetText('x.yaml', 'key: a\nkey: b\n');
    expect(ruleSet).toBeUndefined();
    expect(errors[0]).toEqual(expect.objectContaining({ code: 'yaml_syntax', line: 2 }));
  });

  it('reads YAML 1.2 core scalars only (no timestamps, no yes/no booleans)', () => {
    const { ruleSet } = parseRuleSetText('x.yaml', 'a: 2024-01-01\nb: yes\nc: 1.0\nd: true\n');
    expect(ruleSet?.doc).toEqual({ a: '2024-01-01', b: 'yes', c: 1, d: true });
  });

  it('refuses an empty file', () => {
    expect(parseRuleSetText('x.yaml', '').errors).toEqual([
      expect.objectContaining({ code: 'yaml_syntax', message: 'the file is empty' }),
    ]);
  });
});
