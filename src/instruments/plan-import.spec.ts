import { describe, expect, it } from '@jest/globals';
import { canonicalSha256 } from '../crypto/canonical-json.js';
import { planImport, type CandidateVersion, type StoredVersion } from './plan-import.js';
import type { RuleSetStatus } from './rule-sets/rule-set.types.js';

function candidate(
  key: string,
  version: string,
  status: RuleSetStatus = 'active',
  extra: Record<string, unknown> = {},
): CandidateVersion {
  const definition = { kind: 'instrument', key, version, status, title: 'T', ...extra };
  return {
    file: `${key}@${version}.yaml`,
    kind: 'instrument',
    key,
    version,
    status,
    sha256: canonicalSha256(definition),
    definition,
  };
}

function stored(c: CandidateVersion, status: RuleSetStatus = c.status): StoredVersion {
  return {
    id: `id-${c.key}-${c.version}`,
    kind: c.kind,
    key: c.key,
    version: c.version,
    status,
    contentStatus: c.status,
    sha256: c.sha256,
    retiredAt: status === 'retired' ? new Date('2026-01-02T03:04:05Z') : null,
  };
}

describe('planImport', () => {
  it('inserts new versions and leaves identical ones alone', () => {
    const old = candidate('a', '1.0.0');
    const next = candidate('a', '1.1.0');
    const plan = planImport([old, next], [stored(old)]);
    expect(plan.insert).toEqual([next]);
    expect(plan.unchanged.map((u) => u.candidate)).toEqual([old]);
    expect(plan.errors).toEqual([]);
  });

  it('refuses the same version with other content, naming the version and both hashes', () => {
    const imported = candidate('a', '1.0.0');
    const changed = candidate('a', '1.0.0', 'active', { title: 'Changed' });
    const plan = planImport([changed], [stored(imported)]);
    expect(plan.insert).toEqual([]);
    expect(plan.errors).toEqual([
      {
        file: 'a@1.0.0.yaml',
        path: 'version',
        code: 'version_conflict',
        message: expect.stringContaining('version 1.0.0 of a'),
      },
    ]);
    expect(plan.errors[0].message).toContain(imported.sha256);
    expect(plan.errors[0].message).toContain(changed.sha256);
  });

  it('retires an active version whose file now says retired (same content otherwise)', () => {
    const imported = candidate('a', '1.0.0');
    const retired = candidate('a', '1.0.0', 'retired');
    expect(retired.sha256).not.toBe(imported.sha256);
    const plan = planImport([retired], [stored(imported)]);
    expect(plan.errors).toEqual([]);
    expect(plan.retire.map((r) => r.stored.id)).toEqual(['id-a-1.0.0']);
  });

  it('treats a retired file for a retired version as unchanged', () => {
    const imported = candidate('a', '1.0.0');
    const plan = planImport([candidate('a', '1.0.0', 'retired')], [stored(imported, 'retired')]);
    expect(plan.errors).toEqual([]);
    expect(plan.unchanged).toHaveLength(1);
  });

  it('refuses to bring a retired version back, or to change a status to anything but retired', () => {
    const imported = candidate('a', '1.0.0');
    const back = planImport([imported], [stored(imported, 'retired')]);
    expect(back.errors[0]).toMatchObject({
      path: 'status',
      code: 'version_conflict',
      message: expect.stringContaining('was retired on 2026-01-02 and stays retired'),
    });
    const toDraft = planImport([candidate('a', '1.0.0', 'draft')], [stored(imported)]);
    expect(toDraft.errors[0]).toMatchObject({
      path: 'status',
      message: expect.stringContaining('may only change to retired'),
    });
  });

  it('refuses a status change combined with a content change as a conflict', () => {
    const imported = candidate('a', '1.0.0');
    const both = candidate('a', '1.0.0', 'retired', { title: 'Changed' });
    const plan = planImport([both], [stored(imported)]);
    expect(plan.retire).toEqual([]);
    expect(plan.errors[0]).toMatchObject({ path: 'version', code: 'version_conflict' });
  });

  it('keeps a key to one kind, in the files and against what is imported', () => {
    const instrument = candidate('a', '1.0.0');
    const catalogue: CandidateVersion = {
      ...candidate('a', '2.0.0'),
      kind: 'intervention-catalogue',
      file: 'cat/a@2.0.0.yaml',
    };
    expect(planImport([catalogue], [stored(instrument)]).errors[0]).toMatchObject({
      file: 'cat/a@2.0.0.yaml',
      path: 'kind',
      message: expect.stringContaining('already used by instrument a@1.0.0'),
    });
    expect(planImport([instrument, catalogue], []).errors[0]).toMatchObject({
      file: 'cat/a@2.0.0.yaml',
      path: 'kind',
    });
  });
});
