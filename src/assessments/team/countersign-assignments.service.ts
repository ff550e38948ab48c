import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { asSubject } from '../../access/ability.factory.js';
import { CaseOperations, type CaseTarget } from '../../access/case-operations.service.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import type { RequestContext } from '../../auth/request-context.js';
import { conflict, forbidden, unprocessable } from '../../errors/problem.exception.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import type { InstrumentDefinition } from '../../instruments/rule-sets/rule-set.types.js';
import { isOpen } from '../assessment-rules.js';
import { subjectOf } from '../assessment-view.js';
import { AssessmentsRepository, type Assessment } from '../assessments.repository.js';
import type {
  CountersignAssignmentListResponse,
  CountersignAssignmentResponse,
  CreateCountersignAssignmentDto,
} from './dto/team.dto.js';
import { TeamRepository, type CountersignAssignment } from './team.repository.js';

/** An assessment as the place an assignment is made: its facility's supervisors decide. */
const onAssessment = (a: Assessment): CaseTarget => ({
  subject: 'CountersignAssignment',
  fields: { facilityId: a.facilityId, prisonerId: a.prisonerId, assessmentId: a.id },
  location: { prisonerId: a.prisonerId, facilityId: a.facilityId },
  entity: { type: 'countersign_assignment' },
  // Visible to whoever may see the assessment; assigning is the supervisors'.
  readAs: { subject: 'Assessment', fields: { ...subjectOf(a) } },
  details: { assessmentId: a.id },
});

const toResponse = (c: CountersignAssignment): CountersignAssignmentResponse => ({
  id: c.id,
  assessmentId: c.assessmentId,
  prisonerId: c.prisonerId,
  assignee: c.assignee,
  assignedBy: c.assignedBy,
  reason: c.reason,
  assignedAt: c.assignedAt,
  usedAt: c.usedAt,
  revokedAt: c.revokedAt,
  revokedBy: c.revokedBy,
  state: c.revokedAt ? 'revoked' : c.usedAt ? 'used' : 'live',
  version: c.version,
});

/**
 * Cross-facility countersignature: where a facility has one psychologist, a supervisor of the
 * facility (or an administrator) assigns a psychologist of another facility to countersign one
 * assessment. The assignee then reads that assessment in full and countersigns it, nothing
 * else of the prisoner, until they approve it or the assignment is revoked. Every step audited.
 */
@Injectable()
export class CountersignAssignmentsService {
  constructor(
    private readonly cases: CaseOperations,
    private readonly assessments: AssessmentsRepository,
    private readonly team: TeamRepository,
    private readonly instruments: InstrumentsService,
    private readonly audit: AuditTrail,
  ) {}

  async create(
    ctx: RequestContext,
    assessmentId: string,
    dto: CreateCountersignAssignmentDto,
  ): Promise<CountersignAssignmentResponse> {
    return this.cases.change(ctx, {
      name: 'Assessment',
      action: 'countersign_assignment.create',
      permission: 'assign',
      load: (m) => this.assessments.lock(m, assessmentId),
      target: onAssessment,
      apply: async (a, _access, m) => {
        if (!isOpen(a.status))
          throw conflict(
            'invalid_status',
            `An assessment that is ${a.status} needs no countersignature`,
            { currentStatus: a.status },
          );
        await this.checkAssignee(m, a, dto.assigneeId);
        const id = await this.team.insertAssignment(m, {
          assessmentId: a.id,
          assigneeId: dto.assigneeId,
          assignedBy: ctx.actor.id,
          reason: dto.reason,
        });
        if (!id)
          throw conflict(
            'assignment_live',
            'This assessment already has a live countersign assignment: revoke it first',
          );
        return {
          entityId: id,
          changedFields: ['assignee', 'reason'],
          details: { assigneeId: dto.assigneeId },
          respond: async () => toResponse((await this.team.assignment(m, id))!),
        };
      },
    });
  }

  async list(
    ctx: RequestContext,
    assessmentId: string,
  ): Promise<CountersignAssignmentListResponse> {
    return this.cases.read(ctx, {
      name: 'Assessment',
      action: 'countersign_assignment.list',
      load: (m) => this.assessments.detail(m, assessmentId),
      target: (a) => ({ ...onAssessment(a), entity: { type: 'assessment', id: a.id } }),
      refuse: (a) =>
        ctx.ability.can('read', asSubject('CountersignAssignment', onAssessment(a).fields))
          ? undefined
          : forbidden('Supervisors of the prisoner’s facility read its countersign assignments'),
      respond: async (a, _access, m) => ({
        items: (await this.team.assignmentsOf(m, a.id)).map(toResponse),
      }),
      details: (_, answer) => ({ resultCount: answer.items.length }),
    });
  }

  /**
   * The assignments of an assessment and whom it could be assigned to, for the supervisors'
   * assignment page: audited as the list is.
   */
  async page(
    ctx: RequestContext,
    assessmentId: string,
  ): Promise<
    CountersignAssignmentListResponse & { candidates: { id: string; displayName: string }[] }
  > {
    return this.cases.read(ctx, {
      name: 'Assessment',
      action: 'countersign_assignment.list',
      load: (m) => this.assessments.detail(m, assessmentId),
      target: (a) => ({ ...onAssessment(a), entity: { type: 'assessment', id: a.id } }),
      refuse: (a) =>
        ctx.ability.can('assign', asSubject('CountersignAssignment', onAssessment(a).fields))
          ? undefined
          : forbidden('Supervisors of the prisoner’s facility assign countersignatures'),
      respond: async (a, _access, m) => {
        const { definition } = (await this.instruments.pinned(a.instrumentVersionId, m))!;
        const d = definition as InstrumentDefinition;
        const psychologists = (d.team?.countersigners ?? ['psychologist']).includes('psychologist');
        return {
          items: (await this.team.assignmentsOf(m, a.id)).map(toResponse),
          candidates: psychologists
            ? (
                await this.team.assignees(m, a.facilityId, d.requiresCertification ? d.key : null)
              ).filter((u) => u.id !== a.assessor.id)
            : [],
        };
      },
      details: (_, answer) => ({ resultCount: answer.items.length }),
    });
  }

  async revoke(
    ctx: RequestContext,
    id: string,
    version: number,
  ): Promise<CountersignAssignmentResponse> {
    return this.cases.change(ctx, {
      name: 'Countersign assignment',
      action: 'countersign_assignment.revoke',
      permission: 'revoke',
      load: (m) => this.team.assignment(m, id, true),
      target: (c) => ({
        subject: 'CountersignAssignment',
        fields: {
          facilityId: c.facilityId,
          prisonerId: c.prisonerId,
          assessmentId: c.assessmentId,
        },
        location: { prisonerId: c.prisonerId, facilityId: c.facilityId },
        entity: { type: 'countersign_assignment', id: c.id },
        details: { assessmentId: c.assessmentId },
      }),
      version: { expected: version, current: (c) => c.version },
      apply: async (c, _access, m) => {
        if (c.revokedAt || c.usedAt)
          throw conflict(
            'assignment_ended',
            `This assignment was already ${c.revokedAt ? 'revoked' : 'used'}`,
          );
        await this.team.revokeAssignment(m, c.id, ctx.actor.id);
        return {
          changedFields: ['revokedAt'],
          details: { assigneeId: c.assignee.id },
          respond: async () => toResponse((await this.team.assignment(m, c.id))!),
        };
      },
    });
  }

  /**
   * Called by an approval in its transaction: when the approver countersigned by assignment,
   * the assignment ends and its use is recorded.
   */
  async use(m: EntityManager, ctx: RequestContext, a: Assessment): Promise<string | undefined> {
    const used = await this.team.useAssignment(m, a.id, ctx.actor.id);
    if (used)
      await this.audit.append(m, ctx, [
        {
          action: 'countersign_assignment.use',
          entityType: 'countersign_assignment',
          entityId: used,
          prisonerId: a.prisonerId,
          facilityId: a.facilityId,
          changedFields: ['usedAt'],
          details: { assessmentId: a.id },
        },
      ]);
    return used;
  }

  /**
   * The assignee: an active psychologist, not the assessor, from another facility (none of
   * theirs is the prisoner's), who may countersign with the instrument: named by its team and
   * certified when it asks for it.
   */
  private async checkAssignee(m: EntityManager, a: Assessment, userId: string): Promise<void> {
    const fail = (message: string) => {
      throw unprocessable('invalid_assignee', `The assignee cannot countersign: ${message}`, {
        errors: [{ path: 'assigneeId', message }],
      });
    };
    const user = await this.team.candidate(m, userId);
    if (!user || !user.active) return fail('no such active user');
    if (!user.roles.includes('psychologist')) return fail('the assignee must be a psychologist');
    if (user.id === a.assessor.id) return fail('the assessor cannot countersign their own');
    if (user.facilityIds.includes(a.facilityId))
      return fail('the assignee works in the prisoner’s facility: no assignment is needed');
    const { definition } = (await this.instruments.pinned(a.instrumentVersionId, m))!;
    const d = definition as InstrumentDefinition;
    const countersigners = d.team?.countersigners ?? ['psychologist'];
    if (!countersigners.includes('psychologist'))
      return fail(`${d.key} is countersigned by ${countersigners.join(', ')}`);
    if (d.requiresCertification && !(await this.team.certified(m, user.id, d.key)))
      return fail(`the assignee holds no current certification for ${d.key}`);
  }
}
