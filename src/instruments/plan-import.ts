import { canonicalSha256 } from '../crypto/canonical-json.js';
import type { RuleSetError, RuleSetKind, RuleSetStatus } from './rule-sets/rule-set.types.js';

/** A rule-set read from a file: validated, or (for the quick no-op check) merely parsed. */
export interface CandidateVersion {
  file: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  status: RuleSetStatus;
  sha256: string;
  definition: object;
}

/** What the database holds for one version (its content is not needed to plan). */
export interface StoredVersion {
  id: string;
  kind: RuleSetKind;
  key: string;
  version: string;
  /** The lifecycle status now. */
  status: RuleSetStatus;
  /** The status written in the content when it was imported (part of its hash). */
  contentStatus: RuleSetStatus;
  sha256: string;
  retiredAt: Date | null;
}

export interface ImportPlan {
  insert: CandidateVersion[];
  retire: { candidate: CandidateVersion; stored: StoredVersion }[];
  unchanged: { candidate: CandidateVersion; stored: StoredVersion }[];
  errors: RuleSetError[];
}

const conflict = (candidate: CandidateVersion, path: string, message: string): RuleSetError => ({
  file: candidate.file,
  path,
  code: 'version_conflict',
  message,
});

/**
 * Decides, for every file, whether its version is new, already imported (a no-op), to be
 * retired, or in conflict with what was imported. Pure: the caller writes the plan only when
 * it has no errors. `status` is the one field that may differ from the imported content, and
 * only towards `retired`; the content hash is compared with the status set back to the one
 * that was imported, so retiring a version is not mistaken for changing it.
 */
export function planImport(candidates: CandidateVersion[], stored: StoredVersion[]): ImportPlan {
  const plan: ImportPlan = { insert: [], retire: [], unchanged: [], errors: [] };
  const byVersion = new Map(stored.map((row) => [`${row.key}@${row.version}`, row]));
  const kindOfKey = new Map<string, { kind: RuleSetKind; where: string }>();
  for (const row of stored)
    kindOfKey.set(row.key, { kind: row.kind, where: `${row.key}@${row.version} (imported)` });

  for (const candidate of candidates) {
    const id = `${candidate.key}@${candidate.version}`;
    const known = kindOfKey.get(candidate.key);
    if (known && known.kind !== candidate.kind) {
      plan.errors.push(
        conflict(
          candidate,
          'kind',
          `key ${candidate.key} is already used by ${known.kind} ${known.where}; a key keeps its kind in every version`,
        ),
      );
      continue;
    }
    if (!known) kindOfKey.set(candidate.key, { kind: candidate.kind, where: candidate.file });

    const row = byVersion.get(id);
    if (!row) {
      plan.insert.push(candidate);
      continue;
    }
    const sameContent =
      candidate.sha256 === row.sha256 ||
      (candidate.status !== row.contentStatus &&
        canonicalSha256({ ...candidate.definition, status: row.contentStatus }) === row.sha256);
    if (!sameContent) {
      plan.errors.push(
        conflict(
          candidate,
          'version',
          `version ${candidate.version} of ${candidate.key} is already imported with other content ` +
            `(imported sha256 ${row.sha256}, this file sha256 ${candidate.sha256}); ` +
            'a version never changes: copy the file, bump its version and edit the copy',
        ),
      );
    } else if (candidate.status === row.status) {
      plan.unchanged.push({ candidate, stored: row });
    } else if (candidate.status === 'retired') {
      plan.retire.push({ candidate, stored: row });
    } else {
      const since = row.retiredAt ? ` on ${row.retiredAt.toISOString().slice(0, 10)}` : '';
      plan.errors.push(
        conflict(
          candidate,
          'status',
          row.status === 'retired'
            ? `${id} was retired${since} and stays retired; set status: retired in this file, ` +
                'or publish a new version to use it again'
            : `${id} is ${row.status}; its status may only change to retired ` +
                `(publish a new version instead of making it ${candidate.status})`,
        ),
      );
    }
  }
  return plan;
}
