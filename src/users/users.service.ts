import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
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
import { UsersRepository, type User, type UserChanges } from './users.repository.js';

const toResponse = (u: User): UserResponse => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  roles: u.roles,
  active: u.active,
  facilities: u.facilities,
  certifications: u.certifications,
  version: u.version,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
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
    private readonly users: UsersRepository,
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
    const rows = await this.users.withSeveralRoles(this.dataSource.manager);
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
    const rows = await this.users.page(
      this.dataSource.manager,
      after?.[0] as string | undefined,
      limit,
    );
    return toPage(rows, limit, (u) => [u.username], toResponse);
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserResponse> {
    const user = await this.users.find(manager, id);
    if (!user) throw notFound('User');
    return toResponse(user);
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
      if (await this.users.usernameTaken(m, dto.username))
        throw conflict('username_taken', `The username ${dto.username} is already in use`);
      const id = await this.users.insert(m, {
        username: dto.username,
        displayName: dto.displayName,
        passwordHash,
        roles: dto.roles,
      });
      await this.users.setFacilities(m, id, dto.facilityIds);
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
    const current = await this.users.find(this.dataSource.manager, id);
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
        displayName: dto.displayName ?? current.displayName,
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
      const row = (await this.users.lock(m, id))!;
      if (row.version !== version) throw staleVersion(row.version);
      const before = await this.get(id, m);
      const changes: UserChanges = {};
      const changed: string[] = [];
      if (dto.displayName !== undefined && dto.displayName !== before.displayName) {
        changes.displayName = dto.displayName;
        changed.push('displayName');
      }
      if (dto.roles !== undefined && !sameSet(dto.roles, before.roles)) {
        changes.roles = dto.roles;
        changed.push('roles');
      }
      if (dto.active !== undefined && dto.active !== before.active) {
        changes.active = dto.active;
        changed.push('active');
      }
      if (passwordHash !== undefined) {
        changes.passwordHash = passwordHash;
        changed.push('password');
      }
      const facilitiesChanged =
        dto.facilityIds !== undefined &&
        !sameSet(
          dto.facilityIds,
          before.facilities.map((f) => f.id),
        );
      if (facilitiesChanged) {
        await this.checkFacilities(m, dto.facilityIds!);
        await this.users.setFacilities(m, id, dto.facilityIds!);
        changed.push('facilityIds');
      }
      if (changed.length === 0) return before;
      await this.users.update(m, id, changes);
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
      if (!(await this.users.find(m, userId))) throw notFound('User');
      const id = await this.users.insertCertification(m, {
        userId,
        instrumentKey: dto.instrumentKey,
        validUntil: dto.validUntil,
        grantedBy: ctx.actor.id,
        issuingBody: dto.issuingBody,
        documentReference: dto.documentReference,
      });
      await this.audit.append(m, ctx, [
        {
          action: 'certification.grant',
          entityType: 'certification',
          entityId: id,
          changedFields: [
            'instrumentKey',
            'validUntil',
            ...(dto.issuingBody ? ['issuingBody'] : []),
            ...(dto.documentReference ? ['documentReference'] : []),
          ],
          details: { userId, instrumentKey: dto.instrumentKey, source: 'external' },
        },
      ]);
      return this.get(userId, m);
    });
  }

  /** Facility ids for codes (the command line speaks in codes); unknown codes are an error. */
  async facilityIdsByCode(codes: string[]): Promise<string[]> {
    const rows = await this.users.facilitiesByCode(this.dataSource.manager, codes);
    const unknown = codes.filter((c) => !rows.some((r) => r.code === c));
    if (unknown.length > 0)
      throw badRequest('unknown_facility', `Unknown facility: ${unknown.join(', ')}`);
    return codes.map((c) => rows.find((r) => r.code === c)!.id);
  }

  private async checkFacilities(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const known = await this.users.existingFacilities(m, ids);
    const unknown = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (unknown.length > 0) {
      throw badRequest(
        'unknown_facility',
        'Some facilities do not exist',
        unknown.map(({ i }) => ({ path: `facilityIds[${i}]`, message: 'facility does not exist' })),
      );
    }
  }

  /** Nobody may lock the service out of its own administration. */
  private async ensureAnAdministratorRemains(m: EntityManager): Promise<void> {
    if ((await this.users.activeAdministrators(m)) === 0) {
      throw conflict('last_administrator', 'This change would leave no active administrator');
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
