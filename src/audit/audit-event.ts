import { canonicalJson, sha256Hex } from '../crypto/canonical-json.js';
import type { AuditAction, AuditOutcome } from './audit-actions.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Metadata about an event: identifiers, counts, filters, reason codes. Never case content. */
export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

/** What a service says happened; the writer adds the actor, origin, position and hashes. */
export interface AuditEntry {
  action: AuditAction;
  outcome?: AuditOutcome;
  entityType?: string;
  entityId?: string;
  prisonerId?: string | null;
  facilityId?: string | null;
  /** Names of the fields a change touched, never their values. */
  changedFields?: string[];
  details?: AuditDetails;
  /** Overrides the request's declared purpose, e.g. with an emergency-access reason. */
  purpose?: string;
}

/** One row of `audit_event`, exactly the fields the hash covers (plus the hash itself). */
export interface AuditRecord {
  seq: string;
  chainId: number;
  chainSeq: string;
  occurredAt: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRoles: string[];
  action: string;
  entityType: string | null;
  entityId: string | null;
  prisonerId: string | null;
  facilityId: string | null;
  outcome: string;
  purpose: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  changedFields: string[] | null;
  details: AuditDetails | null;
  prevHash: string;
}

/** hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the row without its hashes). */
export function auditHash(record: AuditRecord): string {
  const { prevHash, ...row } = record;
  return sha256Hex(prevHash + canonicalJson(row));
}

/**
 * The SQL that reads rows back in the shape the hash was computed over. Its numbers come back
 * as text (`seq`, `chainSeq`), and in ORDER BY a bare name means the output column: order by
 * the table's column (`ORDER BY audit_event.seq`), never by `seq`, which would sort text.
 */
export const AUDIT_RECORD_COLUMNS = `
  seq::text AS "seq", chain_id AS "chainId", chain_seq::text AS "chainSeq",
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  actor_id AS "actorId", actor_username AS "actorUsername", actor_roles AS "actorRoles",
  action, entity_type AS "entityType", entity_id AS "entityId", prisoner_id AS "prisonerId",
  facility_id AS "facilityId", outcome, purpose, request_id AS "requestId", ip,
  user_agent AS "userAgent", changed_fields AS "changedFields", details,
  prev_hash AS "prevHash", hash`;
