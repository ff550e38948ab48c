import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlFilter } from '../access/accessible-where.js';

/** An emergency-access grant (camelCase; `active` as of the query). */
export interface Grant {
  id: string;
  user: { id: string; username: string; displayName: string };
  prisonerId: string;
  prisonNumber: string;
  facilityId: string;
  reason: string;
  grantedAt: Date;
  expiresAt: Date;
  active: boolean;
  review: {
    by: { id: string; username: string; displayName: string };
    at: Date;
    outcome: string;
    note: string;
  } | null;
  ended: { by: { id: string; displayName: string }; at: Date; reason: string } | null;
  version: number;
  /** The keyset sort key of lists: grant time to the microsecond (a Date keeps milliseconds). */
  sortKey: [string, string];
}

interface Row {
  id: string;
  user_id: string;
  username: string;
  display_name: string;
  prisoner_id: string;
  prison_number: string;
  facility_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
  active: boolean;
  reviewed_by: string | null;
  reviewer_username: string | null;
  reviewer_display_name: string | null;
  reviewed_at: Date | null;
  outcome: string | null;
  review_note: string | null;
  ended_at: Date | null;
  ended_by: string | null;
  ender_display_name: string | null;
  end_reason: string | null;
  version: number;
  sort_granted: string;
}

const SELECT = `
  SELECT g.id, g.user_id, u.username, u.display_name, g.prisoner_id, p.prison_number, g.facility_id,
    g.reason, g.granted_at, g.expires_at, g.expires_at > now() AS active, g.reviewed_by,
    r.username AS reviewer_username, r.display_name AS reviewer_display_name, g.reviewed_at,
    g.outcome, g.review_note, g.ended_at, g.ended_by, e.display_name AS ender_display_name,
    g.end_reason, g.version,
    to_char(g.granted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_granted
  FROM emergency_access g
  JOIN app_user u ON u.id = g.user_id
  JOIN prisoner p ON p.id = g.prisoner_id
  LEFT JOIN app_user r ON r.id = g.reviewed_by
  LEFT JOIN app_user e ON e.id = g.ended_by`;

const toGrant = (r: Row): Grant => ({
  id: r.id,
  user: { id: r.user_id, username: r.username, displayName: r.display_name },
  prisonerId: r.prisoner_id,
  prisonNumber: r.prison_number,
  facilityId: r.facility_id,
  reason: r.reason,
  grantedAt: r.granted_at,
  expiresAt: r.expires_at,
  active: r.active,
  review: r.reviewed_at
    ? {
        by: {
          id: r.reviewed_by!,
          username: r.reviewer_username!,
          displayName: r.reviewer_display_name!,
        },
        at: r.reviewed_at,
        outcome: r.outcome!,
        note: r.review_note!,
      }
    : null,
  ended: r.ended_at
    ? {
        by: { id: r.ended_by!, displayName: r.ender_display_name! },
        at: r.ended_at,
        reason: r.end_reason!,
      }
    : null,
  version: r.version,
  sortKey: [r.sort_granted, r.id],
});

/** An event recorded under a grant: what its holder read (or tried to) with it. */
export interface GrantRead {
  seq: number;
  occurredAt: Date;
  action: string;
  entityType: string | null;
  entityId: string | null;
  outcome: string;
}

/** The emergency-access feature's SQL; rows leave here in camelCase. */
@Injectable()
export class EmergencyAccessRepository {
  async find(m: EntityManager, id: string, lock = false): Promise<Grant | undefined> {
    const [row]: Row[] = await m.query(
      `${SELECT} WHERE g.id = $1${lock ? ' FOR UPDATE OF g' : ''}`,
      [id],
    );
    return row && toGrant(row);
  }

  /**
   * The audit events of the grant's holder that name the grant (every case read made under it),
   * oldest first: at most `limit`.
   */
  async readsUnder(m: EntityManager, grant: Grant, limit: number): Promise<GrantRead[]> {
    const rows: {
      seq: string;
      occurred_at: Date;
      action: string;
      entity_type: string | null;
      entity_id: string | null;
      outcome: string;
    }[] = await m.query(
      `SELECT seq, occurred_at, action, entity_type, entity_id, outcome FROM audit_event
       WHERE actor_id = $1 AND details ->> 'emergencyAccessId' = $2
       ORDER BY seq LIMIT $3`,
      [grant.user.id, grant.id, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      occurredAt: r.occurred_at,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      outcome: r.outcome,
    }));
  }

  async insert(
    m: EntityManager,
    grant: { userId: string; prisonerId: string; facilityId: string; reason: string; ttl: number },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO emergency_access (user_id, prisoner_id, facility_id, reason, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id`,
      [grant.userId, grant.prisonerId, grant.facilityId, grant.reason, grant.ttl],
    );
    return id;
  }

  /** Grants within `scope`, pending or reviewed, newest first: limit + 1. */
  async list(
    m: EntityManager,
    scope: SqlFilter,
    status: 'pending' | 'reviewed',
    after: (string | number)[] | undefined,
    limit: number,
  ): Promise<Grant[]> {
    const params = [...scope.params];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const where = [
      scope.sql,
      status === 'pending' ? 'g.reviewed_at IS NULL' : 'g.reviewed_at IS NOT NULL',
    ];
    if (after)
      where.push(
        `(g.granted_at, g.id) < (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`,
      );
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY g.granted_at DESC, g.id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    return rows.map(toGrant);
  }

  async review(
    m: EntityManager,
    id: string,
    review: { by: string; outcome: string; note: string },
  ): Promise<void> {
    await m.query(
      `UPDATE emergency_access SET reviewed_by = $2, reviewed_at = now(), outcome = $3, review_note = $4,
         version = version + 1
       WHERE id = $1`,
      [id, review.by, review.outcome, review.note],
    );
  }

  /** Ends a live grant now: every check of a live grant stops honouring it at once. */
  async end(m: EntityManager, id: string, by: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE emergency_access SET ended_at = now(), ended_by = $2, end_reason = $3,
         expires_at = LEAST(expires_at, now()), version = version + 1
       WHERE id = $1 AND expires_at > now()`,
      [id, by, reason],
    );
  }
}
