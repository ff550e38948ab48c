import { describe, expect, it } from '@jest/globals';
import { compareSemVer, parseSemVer, satisfiesRange } from './semver.js';

describe('semver', () => {
  it('parses strict semantic versions only', () => {
    expect(parseSemVer('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemVer('1.0.0-draft.2')?.prerelease).toEqual(['draft', '2']);
    for (const bad of ['1.0', '01.0.0', '1.0.0+build', 'v1.0.0', '1.0.0-', ' 1.0.0'])
      expect(parseSemVer(bad)).toBeNull();
  });

  it('orders versions, pre-releases first', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
    ];
    const sorted = [...order]
      .reverse()
      .sort((a, b) => compareSemVer(parseSemVer(a)!, parseSemVer(b)!));
    expect(sorted).toEqual(order);
  });

  it('matches exact versions and caret ranges', () => {
    expect(satisfiesRange('1.0.0', '1.0.0')).toBe(true);
    expect(satisfiesRange('1.0.1', '1.0.0')).toBe(false);
    expect(satisfiesRange('1.4.2', '^1.0.0')).toBe(true);
    expect(satisfiesRange('2.0.0', '^1.0.0')).toBe(false);
    expect(satisfiesRange('0.9.0', '^1.0.0')).toBe(false);
    expect(satisfiesRange('1.1.0-draft', '^1.0.0')).toBe(false);
    expect(satisfiesRange('0.3.5', '^0.3.1')).toBe(true);
    expect(satisfiesRange('0.4.0', '^0.3.1')).toBe(false);
    expect(satisfiesRange('0.0.3', '^0.0.3')).toBe(true);
    expect(satisfiesRange('0.0.4', '^0.0.3')).toBe(false);
  });
});
