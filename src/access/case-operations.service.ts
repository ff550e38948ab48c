import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditAction } from '../audit/audit-actions.js';
import type { AuditDetails, AuditEntry } from '../audit/audit-event.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { EmergencyGrant } from '../auth/actor.js';
import type { RequestContext } from '../auth/request-context.js';
import {
  forbidden,
  notFound,
  staleVersion,
  type ProblemException,
} from '../errors/problem.exception.js';
import { asSubject, type AppAction, type AppSubject } from './ability.factory.js';

/** Where a case row sits: the prisoner and the facility that scopes access to it. */
export interface CaseLocation {
  prisonerId: string | null;
  facilityId: string;
}

/** What a case operation acts on, once its row is loaded. */
export interface CaseTarget {
  /** The CASL subject type the operation's permission is checked on. */
  subject: AppSubject;
  /** The fields that subject's rule conditions refer to. */
  fields: Record<string, unknown>;
  /** The prisoner and facility that scope it (and that its audit events name). */
  location: CaseLocation;
  /** The audit event's entity; `id` may be given later by the work (a create). */
  entity: { type: string; id?: string };
  /**
   * Visibility, decided before the permission: may the caller see what the operation is about?
   * Default: `read` on the same subject. Another subject for operations under a parent (an
   * assessment created for a prisoner); `false` when nothing is hidden (a facility, by id).
   */
  readAs?: { subject: AppSubject; fields: Record<string, unknown> } | false;
  /**
   * Audit details every event of the operation carries, refusals included: identifiers that
   * place it (the parent a new row belongs to), never content.
   */
  details?: AuditDetails;
}

/** What the mechanism tells the work about the access it decided. */
export interface CaseAccess {
  /** The emergency grant the access relies on, when the prisoner is outside the caller's scope. */
  grant: EmergencyGrant | undefined;
  /** `{ emergencyAccessId }` for responses made under a grant, else `{}`. */
  grantField: { emergencyAccessId?: string };
  /**
   * Refuses the operation from inside the work (a rule decided on what the change would do):
   * everything written so far is rolled back, the denied attempt is audited, the problem thrown.
   */
  refuse(
    problem: ProblemException,
    extra?: Pick<AuditEntry, 'changedFields' | 'details' | 'prisonerId' | 'facilityId'>,
  ): never;
}

/** What every operation on one case declares. */
interface CaseOperation<R> {
  /** What a 404 calls it: "<name> was not found". */
  name: string;
  /** Loads the row (a change locks it, FOR UPDATE); undefined answers 404. */
  load(m: EntityManager): Promise<R | undefined>;
  target(row: R): CaseTarget;
}

export interface CaseRead<R, T> extends CaseOperation<R> {
  /** The audit action of the read (and of its refusal). */
  action: AuditAction;
  /** Further refusals once the caller may see the row (403, audited). */
  refuse?(row: R): ProblemException | undefined;
  /** The answer, already in the caller's view. */
  respond(row: R, access: CaseAccess, m: EntityManager): Promise<T> | T;
  /** Audit details (identifiers, counts, the view: never content). */
  details?(row: R, answer: T): AuditDetails;
}

export interface CaseChange<R, T> extends CaseOperation<R> {
  /** The audit action of the change (and of its refusal). */
  action: AuditAction;
  /**
   * The CASL action checked on the target; a function when it depends on the row (`read`
   * checks visibility only, for work that refuses on its own what the row does not allow).
   */
  permission: AppAction | ((row: R) => AppAction);
  /** The 403 detail when the permission is missing. */
  forbidden?: string | ((row: R) => string | undefined);
  /** Further refusals decided on the row before any work (four eyes, certification): 403s. */
  refuse?(row: R, m: EntityManager): Promise<ProblemException | undefined>;
  /** The If-Match version the client edited, checked against the row's after access (409). */
  version?: { expected: number; current(row: R): number };
  /** Does the change, in the transaction; may refuse through `access.refuse`. */
  apply(row: R, access: CaseAccess, m: EntityManager): Promise<Applied<T>>;
}

export interface Applied<T> {
  /** Names of the fields changed, never their values; empty when nothing changed. */
  changedFields: string[];
  /** The entity the event names, when the change created it. */
  entityId?: string;
  details?: AuditDetails;
  /** The answer, read in the same transaction after the change (and its event) are written. */
  respond(): Promise<T> | T;
}

export interface CaseList<T> {
  action: AuditAction;
  entityType?: string;
  /**
   * The facilities whose supervisors see the list's event: one event each (details that say
   * what was searched for stay with the searcher's own facilities). Default: one event, with no
   * facility.
   */
  facilityIds?: string[];
  run(m: EntityManager): Promise<T>;
  details(answer: T): AuditDetails;
  /**
   * Prisoners outside the caller's facilities that the answer shows through emergency grants:
   * each gets its own event carrying the grant's reason as purpose, so every read made under a
   * grant is attributed to it.
   */
  prisonersShown?(answer: T): { prisonerId: string; facilityId: string }[];
}

/** A refusal thrown inside an operation; caught outside its transaction and audited. */
class Refusal extends Error {
  constructor(
    readonly problem: ProblemException,
    readonly entry: AuditEntry,
  ) {
    super(problem.message);
  }
}

/** The grant a read relies on, when the prisoner is outside the caller's facilities. */
export function emergencyGrantFor(
  ctx: RequestContext,
  location: CaseLocation,
): EmergencyGrant | undefined {
  if (location.prisonerId === null || ctx.actor.facilityIds.includes(location.facilityId))
    return undefined;
  return ctx.actor.emergencyGrants.find((g) => g.prisonerId === location.prisonerId);
}

/**
 * The audit fields of an access to a case: prisoner, facility, `details`, and, for an access
 * under an emergency grant, the grant (in the details) and its reason as the purpose.
 */
export function caseAuditFields(
  ctx: RequestContext,
  location: CaseLocation,
  details: AuditDetails = {},
): Pick<AuditEntry, 'prisonerId' | 'facilityId' | 'purpose' | 'details'> {
  const grant = emergencyGrantFor(ctx, location);
  const merged = grant ? { ...details, emergencyAccessId: grant.id } : details;
  return {
    prisonerId: location.prisonerId,
    facilityId: location.facilityId,
    ...(grant ? { purpose: grant.reason } : {}),
    ...(Object.keys(merged).length > 0 ? { details: merged } : {}),
  };
}

/**
 * The access decision on a loaded row: 'not_found' when the caller may not see it (answer 404,
 * as for a row that does not exist), 'forbidden' when they may see it but not take `action`.
 */
export function decide(
  ctx: RequestContext,
  action: AppAction,
  target: Pick<CaseTarget, 'subject' | 'fields' | 'readAs'>,
): 'allowed' | 'not_found' | 'forbidden' {
  const visibility = target.readAs ?? { subject: target.subject, fields: target.fields };
  if (visibility && !ctx.ability.can('read', asSubject(visibility.subject, visibility.fields)))
    return 'not_found';
  if (action !== 'read' && !ctx.ability.can(action, asSubject(target.subject, target.fields)))
    return 'forbidden';
  return 'allowed';
}

/**
 * The target of an operation on something a prisoner has (their assessments, plans, events):
 * visible when the prisoner is, permitted by `subject`'s rules on the prisoner's location.
 */
export function underPrisoner(
  location: { prisonerId: string; facilityId: string },
  subject: AppSubject,
  entityType: string,
  fields: Record<string, unknown> = {},
): CaseTarget {
  return {
    subject,
    fields: { ...location, ...fields },
    location,
    entity: { type: entityType },
    readAs: {
      subject: 'Prisoner',
      fields: { id: location.prisonerId, facilityId: location.facilityId },
    },
  };
}

const withDetails = (entry: AuditEntry, details?: AuditDetails): AuditEntry => {
  const merged = { ...entry.details, ...details };
  return Object.keys(merged).length > 0 ? { ...entry, details: merged } : entry;
};

/**
 * The one path every case read and change goes through: transaction, load, access decision
 * (404 when the caller may not see it, 403 when they may not act), the denied attempt audited
 * on its own, the work, its event with the names of the changed fields written in the same
 * transaction, and the answer. Services declare only what differs: how to load, what the row
 * is, what the work does and how the answer is projected for the caller's view.
 */
@Injectable()
export class CaseOperations {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * A read: the event is committed (group-committed with concurrent reads) before the answer
   * is returned, so nothing is shown that is not on record.
   */
  async read<R, T>(ctx: RequestContext, op: CaseRead<R, T>): Promise<T> {
    const m = this.dataSource.manager;
    const row = await op.load(m);
    const target = this.targetOf(op, row);
    const entry = this.entry(ctx, op.action, target);
    const decision = decide(ctx, 'read', target);
    const problem =
      decision === 'not_found' ? notFound(op.name) : (op.refuse?.(row as R) ?? undefined);
    if (problem) return this.deny(ctx, problem, entry);
    const answer = await op.respond(row as R, this.access(ctx, target, entry), m);
    await this.audit.append(m, ctx, [withDetails(entry, op.details?.(row as R, answer))]);
    return answer;
  }

  /** A change, all or nothing; its event is written in its transaction. */
  async change<R, T>(ctx: RequestContext, op: CaseChange<R, T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const row = await op.load(m);
        const target = this.targetOf(op, row);
        const entry = this.entry(ctx, op.action, target);
        const permission =
          typeof op.permission === 'function' ? op.permission(row!) : op.permission;
        const decision = decide(ctx, permission, target);
        if (decision === 'not_found') throw new Refusal(notFound(op.name), entry);
        if (decision === 'forbidden') {
          const detail = typeof op.forbidden === 'function' ? op.forbidden(row!) : op.forbidden;
          throw new Refusal(forbidden(detail), entry);
        }
        const refused = await op.refuse?.(row!, m);
        if (refused) throw new Refusal(refused, entry);
        if (op.version) {
          const current = op.version.current(row!);
          if (current !== op.version.expected) throw staleVersion(current);
        }
        const applied = await op.apply(row!, this.access(ctx, target, entry), m);
        await this.audit.append(m, ctx, [
          withDetails(
            {
              ...entry,
              ...(applied.entityId ? { entityId: applied.entityId } : {}),
              changedFields: applied.changedFields,
            },
            applied.details,
          ),
        ]);
        return applied.respond();
      });
    } catch (error) {
      if (error instanceof Refusal) return this.deny(ctx, error.problem, error.entry);
      throw error;
    }
  }

  /**
   * A list across cases, filtered in SQL by the caller's rules: one event for the list, and
   * one per prisoner it shows under an emergency grant.
   */
  async list<T>(ctx: RequestContext, op: CaseList<T>): Promise<T> {
    const m = this.dataSource.manager;
    const answer = await op.run(m);
    const details = op.details(answer);
    const facilities = op.facilityIds?.length ? op.facilityIds : [null];
    const entries = facilities.map((facilityId): AuditEntry => ({
      action: op.action,
      ...(op.entityType ? { entityType: op.entityType } : {}),
      facilityId,
      details,
    }));
    const granted = new Map<string, { prisonerId: string; facilityId: string }>();
    for (const shown of op.prisonersShown?.(answer) ?? []) {
      if (emergencyGrantFor(ctx, shown)) granted.set(shown.prisonerId, shown);
    }
    const grantEvents = [...granted.values()].map((location): AuditEntry => ({
      action: op.action,
      ...(op.entityType ? { entityType: op.entityType } : {}),
      ...caseAuditFields(ctx, location, { viaList: true }),
    }));
    await this.audit.append(m, ctx, [...entries, ...grantEvents]);
    return answer;
  }

  /**
   * Where a prisoner is held, which scopes every case row about them; undefined when unknown.
   * `share` locks the prisoner row against a transfer until the caller's transaction ends.
   */
  async locate(
    m: EntityManager,
    prisonerId: string,
    share = false,
  ): Promise<{ prisonerId: string; facilityId: string } | undefined> {
    const [row]: { facility_id: string }[] = await m.query(
      `SELECT facility_id FROM prisoner WHERE id = $1${share ? ' FOR SHARE' : ''}`,
      [prisonerId],
    );
    return row && { prisonerId, facilityId: row.facility_id };
  }

  /** Records a denied attempt on its own, then throws the refusal. */
  async deny(ctx: RequestContext, problem: ProblemException, entry: AuditEntry): Promise<never> {
    await this.audit.appendStandalone(ctx, [{ ...entry, outcome: 'denied' }]);
    throw problem;
  }

  private targetOf<R>(op: CaseOperation<R>, row: R | undefined): CaseTarget {
    if (row === undefined || row === null) throw notFound(op.name);
    return op.target(row);
  }

  private entry(ctx: RequestContext, action: AuditAction, target: CaseTarget): AuditEntry {
    return {
      action,
      entityType: target.entity.type,
      ...(target.entity.id ? { entityId: target.entity.id } : {}),
      ...caseAuditFields(ctx, target.location, target.details),
    };
  }

  private access(ctx: RequestContext, target: CaseTarget, entry: AuditEntry): CaseAccess {
    const grant = emergencyGrantFor(ctx, target.location);
    return {
      grant,
      grantField: grant ? { emergencyAccessId: grant.id } : {},
      refuse: (problem, extra = {}) => {
        throw new Refusal(problem, withDetails({ ...entry, ...extra }, extra.details));
      },
    };
  }
}
