import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../access/roles.js';
import { AuditTrail, type AuditOrigin } from '../audit/audit-trail.service.js';
import { AuthService } from '../auth/auth.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { AppConfig } from '../config/app-config.js';
import {
  badRequest,
  conflict,
  notFound,
  ProblemException,
  staleVersion,
  type FieldError,
} from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import type { CreateCertificationDto } from './dto/create-certification.dto.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import type { UserResponse } from './dto/user.response.js';
import { hashPassword } from './password-hasher.js';
import { passwordProblem } from './password-policy.js';
import { roleSeparationProblem, type RoleSeparationPolicy } from './role-separation.js';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  facilities: { id: string; code: string; name: string }[];
  certifications: { id: string; instrumentKey: string; validUntil: string; current: boolean }[];
}

const USER_SELECT = `
  SELECT u.id, u.username, u.display_name, u.roles, u.active, u.version, u.created_at, u.updated_at,
    COALESCE((SELECT json_agg(json_build_object('id', f.id, 'code', f.code, 'name', f.name) ORDER BY f.code)
              FROM user_facility uf JOIN facility f ON f.id = uf.facility_id
              WHERE uf.user_id = u.id), '[]') AS facilities,
    COALESCE((SELECT json_agg(json_build_object('id', c.id, 'instrumentKey', c.instrument_key,
                'validUntil', to_char(c.valid_until, 'YYYY-MM-DD'), 'current', c.valid_until >= current_date)
                ORDER BY c.instrument_key, c.valid_until)
              FROM certification c WHERE c.user_id = u.id), '[]') AS certifications
  FROM app_user u`;

const toResponse = (row: UserRow): UserResponse => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  roles: row.roles,
  active: row.active,
  facilities: row.facilities,
  certifications: row.certifications,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Accounts, roles, facility scope and certifications: the administrator's work. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  private get separation(): RoleSeparationPolicy {
    return { separateSupervisor: this.config.env.SEPARATE_SUPERVISOR_ROLE };
  }

  /**
   * Names, in a start-up warning, the accounts whose roles the separation rules refuse (made
   * before the rules, or before SEPARATE_SUPERVISOR_ROLE was set). They are not changed behind
   * an administrator's back; the next change to each must separate its roles.
   */
  async warnAboutUnseparatedRoles(): Promise<string[]> {
    const rows: { username: string; roles: Role[] }[] = await this.dataSource.query(
      `SELECT username, roles FROM app_user WHERE cardinality(roles) > 1 ORDER BY username`,
    );
    const usernames = rows
      .filter((r) => roleSeparationProblem(r.roles, this.separation) !== undefined)
      .map((r) => r.username);
    if (usernames.length > 0) {
      this.logger.warn(
        { usernames },
        'accounts combine administration or supervision with other roles the service keeps ' +
          'apart; an administrator must give them separate accounts (their next change must)',
      );
    }
    return usernames;
  }

  async list(query: PageQueryDto): Promise<Page<UserResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    const rows: UserRow[] = await this.dataSource.query(
      `${USER_SELECT} WHERE ($1::text IS NULL OR u.username > $1) ORDER BY u.username LIMIT $2`,
      [after?.[0] ?? null, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.username], toResponse);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserResponse> {
    const [row]: UserRow[] = await manager.query(`${USER_SELECT} WHERE u.id = $1`, [id]);
    if (!row) throw notFound('User');
    return toResponse(row);
  }

  /** `origin` is a signed-in administrator, or the command line creating the first one. */
  async create(origin: AuditOrigin, dto: CreateUserDto): Promise<UserResponse> {
    const problems: FieldError[] = [];
    const weak = passwordProblem(dto.password, dto);
    if (weak) problems.push({ path: 'password', message: `password ${weak}` });
    const mixed = roleSeparationProblem(dto.roles, this.separation);
    if (mixed) problems.push({ path: 'roles', message: mixed });
    if (problems.length > 0) throw validationProblem(problems);
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (m) => {
      await this.checkFacilities(m, dto.facilityIds);
      const [existing]: unknown[] = await m.query(`SELECT 1 FROM app_user WHERE username = $1`, [
        dto.username,
      ]);
      if (existing)
        throw conflict('username_taken', `The username ${dto.username} is already in use`);
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO app_user (username, display_name, password_hash, roles)
         VALUES ($1, $2, $3, $4) RETURNING id`,
        [dto.username, dto.displayName, passwordHash, dto.roles],
      );
      await this.setFacilities(m, id, dto.facilityIds);
      await this.audit.append(m, origin, [
        {
          action: 'user.create',
          entityType: 'user',
          entityId: id,
          changedFields: ['username', 'displayName', 'password', 'roles', 'facilityIds'],
        },
      ]);
      return this.get(id, m);
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    version: number,
    dto: UpdateUserDto,
  ): Promise<UserResponse> {
    const [current]: { username: string; display_name: string; roles: Role[] }[] =
      await this.dataSource.query(
        `SELECT username, display_name, roles FROM app_user WHERE id = $1`,
        [id],
      );
    if (!current) throw notFound('User');
    if (id === ctx.actor.id && dto.roles !== undefined && !sameSet(dto.roles, current.roles)) {
      throw new ProblemException(
        403,
        'own_roles_change',
        'Forbidden',
        'Administrators cannot change their own roles; another administrator must do it',
      );
    }
    if (id === ctx.actor.id && dto.password !== undefined) {
      // Whoever holds an administrator's session must not be able to take the account over.
      throw new ProblemException(
        403,
        'own_password_change',
        'Forbidden',
        'Change your own password with POST /auth/password, which asks for the current one',
      );
    }
    const problems: FieldError[] = [];
    if (dto.password !== undefined) {
      const weak = passwordProblem(dto.password, {
        username: current.username,
        displayName: dto.displayName ?? current.display_name,
      });
      if (weak) problems.push({ path: 'password', message: `password ${weak}` });
    }
    // An account that predates the separation (or a stricter setting) must be separated by
    // whatever change is made to it next, so it never stays mixed through an edit; only
    // deactivating it, which ends its use, may leave the roles as they are.
    const mixed = roleSeparationProblem(dto.roles ?? current.roles, this.separation);
    const deactivatesOnly = dto.roles === undefined && dto.active === false;
    if (mixed && !deactivatesOnly) {
      const hint =
        dto.roles === undefined ? '; this account still combines them: send its roles' : '';
      problems.push({ path: 'roles', message: `${mixed}${hint}` });
    }
    if (problems.length > 0) throw validationProblem(problems);
    const passwordHash = dto.password === undefined ? undefined : await hashPassword(dto.password);
    return this.dataSource.transaction(async (m) => {
      const [row]: { version: number; roles: Role[]; active: boolean }[] = await m.query(
        `SELECT version, roles, active FROM app_user WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (row.version !== version) throw staleVersion(row.version);
      const before = await this.get(id, m);
      const changed: string[] = [];
      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (field: string, column: string, value: unknown) => {
        params.push(value);
        sets.push(`${column} = $${params.length}`);
        changed.push(field);
      };
      if (dto.displayName !== undefined && dto.displayName !== before.displayName) {
        set('displayName', 'display_name', dto.displayName);
      }
      if (dto.roles !== undefined && !sameSet(dto.roles, before.roles))
        set('roles', 'roles', dto.roles);
      if (dto.active !== undefined && dto.active !== before.active)
        set('active', 'active', dto.active);
      if (passwordHash !== undefined) set('password', 'password_hash', passwordHash);
      const facilitiesChanged =
        dto.facilityIds !== undefined &&
        !sameSet(
          dto.facilityIds,
          before.facilities.map((f) => f.id),
        );
      if (facilitiesChanged) {
        await this.checkFacilities(m, dto.facilityIds!);
        await this.setFacilities(m, id, dto.facilityIds!);
        changed.push('facilityIds');
      }
      if (changed.length === 0) return before;
      await m.query(
        `UPDATE app_user SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
         WHERE id = $1`,
        params,
      );
      await this.ensureAnAdministratorRemains(m);
      // Access follows the account at once: the next request with an old token is refused.
      if (changed.some((f) => ['roles', 'active', 'facilityIds', 'password'].includes(f))) {
        await this.auth.revokeSessions(m, id, 'account_changed');
      }
      await this.audit.append(m, ctx, [
        { action: 'user.update', entityType: 'user', entityId: id, changedFields: changed },
      ]);
      return this.get(id, m);
    });
  }

  async addCertification(
    ctx: RequestContext,
    userId: string,
    dto: CreateCertificationDto,
  ): Promise<UserResponse> {
    return this.dataSource.transaction(async (m) => {
      const [user]: { roles: Role[] }[] = await m.query(
        `SELECT roles FROM app_user WHERE id = $1`,
        [userId],
      );
      if (!user) throw notFound('User');
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO certification (user_id, instrument_key, valid_until, granted_by)
         VALUES ($1, $2, $3, $4) RETURNING id`,
        [userId, dto.instrumentKey, dto.validUntil, ctx.actor.id],
      );
      await this.audit.append(m, ctx, [
        {
          action: 'certification.grant',
          entityType: 'certification',
          entityId: id,
          changedFields: ['instrumentKey', 'validUntil'],
          details: { userId, instrumentKey: dto.instrumentKey },
        },
      ]);
      return this.get(userId, m);
    });
  }

  /** Facility ids for codes (the command line speaks in codes); unknown codes are an error. */
  async facilityIdsByCode(codes: string[]): Promise<string[]> {
    const rows: { id: string; code: string }[] = await this.dataSource.query(
      `SELECT id, code FROM facility WHERE code = ANY($1::text[])`,
      [codes],
    );
    const unknown = codes.filter((c) => !rows.some((r) => r.code === c));
    if (unknown.length > 0)
      throw badRequest('unknown_facility', `Unknown facility: ${unknown.join(', ')}`);
    return codes.map((c) => rows.find((r) => r.code === c)!.id);
  }

  private async checkFacilities(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const found: { id: string }[] = await m.query(
      `SELECT id FROM facility WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const known = new Set(found.map((f) => f.id));
    const unknown = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (unknown.length > 0) {
      throw badRequest(
        'unknown_facility',
        'Some facilities do not exist',
        unknown.map(({ i }) => ({ path: `facilityIds[${i}]`, message: 'facility does not exist' })),
      );
    }
  }

  private async setFacilities(m: EntityManager, userId: string, ids: string[]): Promise<void> {
    await m.query(`DELETE FROM user_facility WHERE user_id = $1`, [userId]);
    if (ids.length > 0) {
      await m.query(
        `INSERT INTO user_facility (user_id, facility_id) SELECT $1, unnest($2::uuid[])`,
        [userId, ids],
      );
    }
  }

  /** Nobody may lock the service out of its own administration. */
  private async ensureAnAdministratorRemains(m: EntityManager): Promise<void> {
    const [{ count }]: { count: number }[] = await m.query(
      `SELECT count(*)::int AS count FROM app_user WHERE active AND 'administrator' = ANY(roles)`,
    );
    if (count === 0) {
      throw conflict('last_administrator', 'This change would leave no active administrator');
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
