import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';

/** An account as the administration pages and API work with it (camelCase). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  facilities: { id: string; code: string; name: string }[];
  certifications: {
    id: string;
    instrumentKey: string;
    validUntil: string;
    current: boolean;
    source: 'earned' | 'external';
    issuingBody: string | null;
    documentReference: string | null;
  }[];
}

/** The account fields a change may write, by field. */
export const USER_COLUMNS = {
  displayName: 'display_name',
  roles: 'roles',
  active: 'active',
  passwordHash: 'password_hash',
} as const;

export type UserChanges = Partial<{
  displayName: string;
  roles: Role[];
  active: boolean;
  passwordHash: string;
}>;

interface Row {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  facilities: User['facilities'];
  certifications: User['certifications'];
}

const SELECT = `
  SELECT u.id, u.username, u.display_name, u.roles, u.active, u.version, u.created_at, u.updated_at,
    COALESCE((SELECT json_agg(json_build_object('id', f.id, 'code', f.code, 'name', f.name) ORDER BY f.code)
              FROM user_facility uf JOIN facility f ON f.id = uf.facility_id
              WHERE uf.user_id = u.id), '[]') AS facilities,
    COALESCE((SELECT json_agg(json_build_object('id', c.id, 'instrumentKey', c.instrument_key,
                'validUntil', to_char(c.valid_until, 'YYYY-MM-DD'), 'current', c.valid_until >= current_date,
                'source', c.source, 'issuingBody', c.issuing_body, 'documentReference', c.document_reference)
                ORDER BY c.instrument_key, c.valid_until)
              FROM certification c WHERE c.user_id = u.id), '[]') AS certifications
  FROM app_user u`;

const toUser = (r: Row): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  roles: r.roles,
  active: r.active,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  facilities: r.facilities,
  certifications: r.certifications,
});

/** The users feature's SQL; rows leave here in camelCase. */
@Injectable()
export class UsersRepository {
  async find(m: EntityManager, id: string): Promise<User | undefined> {
    const [row]: Row[] = await m.query(`${SELECT} WHERE u.id = $1`, [id]);
    return row && toUser(row);
  }

  /** The row's version, roles and state, locked for a change until the transaction ends. */
  async lock(m: EntityManager, id: string): Promise<{ version: number } | undefined> {
    const [row]: { version: number }[] = await m.query(
      `SELECT version FROM app_user WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row;
  }

  /** Accounts by username after `after`: limit + 1. */
  async page(m: EntityManager, after: string | undefined, limit: number): Promise<User[]> {
    const rows: Row[] = await m.query(
      `${SELECT} WHERE ($1::text IS NULL OR u.username > $1) ORDER BY u.username LIMIT $2`,
      [after ?? null, limit + 1],
    );
    return rows.map(toUser);
  }

  /** Accounts whose roles combine more than one role (for the separation warning). */
  async withSeveralRoles(m: EntityManager): Promise<{ username: string; roles: Role[] }[]> {
    return m.query(
      `SELECT username, roles FROM app_user WHERE cardinality(roles) > 1 ORDER BY username`,
    );
  }

  async usernameTaken(m: EntityManager, username: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM app_user WHERE username = $1`, [username]);
    return rows.length > 0;
  }

  async insert(
    m: EntityManager,
    user: { username: string; displayName: string; passwordHash: string; roles: Role[] },
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO app_user (username, display_name, password_hash, roles)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [user.username, user.displayName, user.passwordHash, user.roles],
    );
    return id;
  }

  /** Writes the given fields and moves the version on. */
  async update(m: EntityManager, id: string, changes: UserChanges): Promise<void> {
    const params: unknown[] = [id];
    const sets = Object.entries(changes).map(
      ([field, value]) => `${USER_COLUMNS[field as keyof UserChanges]} = $${params.push(value)}`,
    );
    await m.query(
      `UPDATE app_user SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
       WHERE id = $1`,
      params,
    );
  }

  /** Facility ids among `ids` that exist. */
  async existingFacilities(m: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM facility WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async facilitiesByCode(
    m: EntityManager,
    codes: string[],
  ): Promise<{ id: string; code: string }[]> {
    return m.query(`SELECT id, code FROM facility WHERE code = ANY($1::text[])`, [codes]);
  }

  async setFacilities(m: EntityManager, userId: string, ids: string[]): Promise<void> {
    await m.query(`DELETE FROM user_facility WHERE user_id = $1`, [userId]);
    if (ids.length > 0) {
      await m.query(
        `INSERT INTO user_facility (user_id, facility_id) SELECT $1, unnest($2::uuid[])`,
        [userId, ids],
      );
    }
  }

  async insertCertification(
    m: EntityManager,
    c: {
      userId: string;
      instrumentKey: string;
      validUntil: string;
      grantedBy: string;
      issuingBody?: string;
      documentReference?: string;
    },
  ): Promise<string> {
    // Recorded by an administrator: an external certification (earned ones come from training).
    const [{ id }]: { id: string }[] = await m.query(
      `INSERT INTO certification (user_id, instrument_key, valid_until, granted_by, source,
         issuing_body, document_reference)
       VALUES ($1, $2, $3, $4, 'external', $5, $6) RETURNING id`,
      [
        c.userId,
        c.instrumentKey,
        c.validUntil,
        c.grantedBy,
        c.issuingBody ?? null,
        c.documentReference ?? null,
      ],
    );
    return id;
  }

  async activeAdministrators(m: EntityManager): Promise<number> {
    const [{ count }]: { count: number }[] = await m.query(
      `SELECT count(*)::int AS count FROM app_user WHERE active AND 'administrator' = ANY(roles)`,
    );
    return count;
  }
}
