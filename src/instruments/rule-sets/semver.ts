/** The small part of semantic versioning that rule-sets need (no build metadata). */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const IDENT = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const SEMVER = new RegExp(
  `^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-(${IDENT}(?:\\.${IDENT})*))?$`,
);

export function parseSemVer(text: string): SemVer | null {
  const match = SEMVER.exec(text);
  if (!match) return null;
  const [major, minor, patch] = match.slice(1, 4).map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, prerelease: match[4] ? match[4].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Number(a) - Number(b);
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const part of ['major', 'minor', 'patch'] as const)
    if (a[part] !== b[part]) return a[part] - b[part];
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const order = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (order !== 0) return order;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** `range` is an exact version (`1.2.0`) or a caret range (`^1.2.0`, `^0.3.1`). */
export function satisfiesRange(version: string, range: string): boolean {
  const parsed = parseSemVer(version);
  const caret = range.startsWith('^');
  const base = parseSemVer(caret ? range.slice(1) : range);
  if (!parsed || !base) return false;
  if (!caret) return compareSemVer(parsed, base) === 0;
  if (parsed.prerelease.length > 0) return false;
  if (compareSemVer(parsed, base) < 0) return false;
  if (base.major > 0) return parsed.major === base.major;
  if (base.minor > 0) return parsed.major === 0 && parsed.minor === base.minor;
  return parsed.major === 0 && parsed.minor === 0 && parsed.patch === base.patch;
}
