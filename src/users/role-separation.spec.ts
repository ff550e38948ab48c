import { describe, expect, it } from '@jest/globals';
import { roleSeparationProblem } from './role-separation.js';

describe('roleSeparationProblem', () => {
  const standard = { separateSupervisor: false };
  const strict = { separateSupervisor: true };

  it('keeps administration apart from every case role, in every setting', () => {
    for (const role of ['psychologist', 'pve_inspector', 'security_officer', 'supervisor']) {
      expect(roleSeparationProblem(['administrator', role], standard)).toContain(role);
      expect(roleSeparationProblem([role, 'administrator'], strict)).toContain(role);
    }
    expect(roleSeparationProblem(['administrator'], strict)).toBeUndefined();
  });

  it('lets case roles combine, unless supervision is separated too', () => {
    expect(roleSeparationProblem(['supervisor', 'pve_inspector'], standard)).toBeUndefined();
    expect(roleSeparationProblem(['supervisor', 'pve_inspector'], strict)).toMatch(
      /supervisor with other case roles \(pve_inspector\)/,
    );
    expect(roleSeparationProblem(['psychologist', 'pve_inspector'], strict)).toBeUndefined();
    expect(roleSeparationProblem(['supervisor'], strict)).toBeUndefined();
  });
  it('keeps an inspector on an account of its own, under any policy', () => {
    for (const role of [
      'psychologist',
      'pve_inspector',
      'security_officer',
      'supervisor',
      'administrator',
    ])
      expect(roleSeparationProblem(['inspector', role], standard)).toMatch(
        new RegExp(`inspector with other roles \\(${role}\\)`),
      );
    expect(roleSeparationProblem(['inspector'], strict)).toBeUndefined();
  });
});
