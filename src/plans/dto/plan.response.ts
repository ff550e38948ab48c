import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INTERVENTION_PHASES } from '../../instruments/rule-sets/rule-set.types.js';
import {
  GOAL_STATUSES,
  INTERVENTION_STATUSES,
  PLAN_STATUSES,
  PRIORITIES,
} from '../plan-content.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

export { StaffRef };
export const AGREEMENT_RESPONSES = ['agreed', 'disagreed', 'could_not_answer'] as const;
export const RELEASE_TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export const PLAN_VIEWS = ['full', 'logistics'] as const;
export type PlanView = (typeof PLAN_VIEWS)[number];

export class AssessmentRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 've-needs' }) instrumentKey!: string;
  @ApiProperty({ example: '1.0.0' }) instrumentVersion!: string;
  @ApiProperty() approvedAt!: string;
}

export class CatalogueRef {
  @ApiProperty({ example: 'handbook-interventions' }) key!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
}

export class GoalResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() needCode!: string;
  @ApiProperty() needLabel!: string;
  @ApiProperty({ enum: PRIORITIES, nullable: true, type: String }) priority!: string | null;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) targetDate!: string | null;
  @ApiProperty({ enum: GOAL_STATUSES }) status!: string;
}

export class ConsentResponse {
  @ApiProperty() given!: boolean;
  @ApiProperty({ format: 'date' }) recordedOn!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) recordedBy!: StaffRef | null;
}

export class DosageResponse {
  @ApiProperty({ type: 'integer' }) sessions!: number;
  @ApiProperty({ example: 'P1W' }) frequency!: string;
  @ApiPropertyOptional({ example: 'PT1H' }) sessionLength?: string;
  @ApiProperty({ example: 'P3M' }) duration!: string;
}

export class InterventionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() catalogueCode!: string;
  @ApiProperty({ description: 'The entry’s intervention type, declared by the catalogue' })
  type!: string;
  @ApiPropertyOptional({
    enum: INTERVENTION_PHASES,
    nullable: true,
    description: 'The catalogue entry’s programme phase (null: none declared)',
  })
  phase?: string | null;
  @ApiProperty({
    description: 'The catalogue entry’s delivering discipline, declared by the catalogue',
  })
  discipline!: string;
  @ApiProperty({ type: StaffRef, nullable: true }) responsibleStaff!: StaffRef | null;
  @ApiProperty({ nullable: true, type: String }) provider!: string | null;
  @ApiProperty({ example: 'P1W' }) frequency!: string;
  @ApiProperty({ format: 'date' }) plannedStart!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) plannedEnd!: string | null;
  @ApiProperty({ nullable: true, type: String }) location!: string | null;
  @ApiProperty({ enum: INTERVENTION_STATUSES }) status!: string;
  @ApiPropertyOptional({ description: 'Full view only' }) title?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Full view only' })
  goalIds?: string[];
  @ApiPropertyOptional({ description: 'Full view only' }) consentRequired?: boolean;
  @ApiPropertyOptional({ type: ConsentResponse, nullable: true, description: 'Full view only' })
  consent?: ConsentResponse | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Full view only: the catalogue’s hint for the plan’s risk level (RNR)',
  })
  intensity?: string | null;
  @ApiPropertyOptional({ type: DosageResponse, description: 'Full view only: catalogue default' })
  dosage?: DosageResponse;
}

export class AgreementResponse {
  @ApiProperty({ enum: AGREEMENT_RESPONSES }) response!: string;
  @ApiProperty({ nullable: true, type: String }) prisonerWords!: string | null;
  @ApiProperty({ format: 'date' }) recordedOn!: string;
  @ApiProperty({ type: StaffRef, nullable: true }) recordedBy!: StaffRef | null;
}

export class ReleaseTaskResponse {
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) dueDate!: string | null;
  @ApiProperty({ enum: RELEASE_TASK_STATUSES }) status!: string;
}

export class HandoverResponse {
  @ApiProperty() agency!: string;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty() sharedWhat!: string;
  @ApiProperty({ nullable: true, type: String }) legalBasis!: string | null;
}

export class ReleaseResponse {
  @ApiProperty({ format: 'date', nullable: true, type: String }) expectedReleaseDate!:
    string | null;
  @ApiProperty({ type: [ReleaseTaskResponse] }) tasks!: ReleaseTaskResponse[];
  @ApiProperty({ type: [HandoverResponse] }) handovers!: HandoverResponse[];
}

export class NeedChange {
  @ApiProperty() code!: string;
  @ApiProperty({ enum: PRIORITIES }) from!: string;
  @ApiProperty({ enum: PRIORITIES }) to!: string;
}

export class NeedsChanges {
  @ApiProperty({ type: AssessmentRef }) basedOn!: AssessmentRef;
  @ApiProperty({ type: AssessmentRef }) latest!: AssessmentRef;
  @ApiProperty({ type: [String] }) added!: string[];
  @ApiProperty({ type: [String] }) resolved!: string[];
  @ApiProperty({ type: [NeedChange] }) changed!: NeedChange[];
}

export const PENDING_REVISION_STATUSES = ['draft', 'submitted', 'returned'] as const;

/**
 * A material change to an active or suspended plan, waiting for a supervisor's approval: what
 * the plan will be once approved. The current revision governs delivery until then. Full view
 * only. For interventions the current revision has, staff, provider, place, status and consent
 * are the current revision's.
 */
export class PendingRevisionResponse {
  @ApiProperty({ type: 'integer', description: 'The number it takes when approved' })
  revision!: number;
  @ApiProperty({ type: 'integer', description: 'The revision it was proposed against' })
  basedOnRevision!: number;
  @ApiProperty({
    enum: PENDING_REVISION_STATUSES,
    description:
      'draft: its author edits it; submitted: awaits a supervisor; returned: back to its author with comments',
  })
  status!: string;
  @ApiProperty({
    type: [String],
    description: 'What it changes against the current revision (field names)',
    example: ['goals.description', 'interventions'],
  })
  changedFields!: string[];
  @ApiProperty({ type: StaffRef }) author!: StaffRef;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: StaffRef, nullable: true }) submittedBy!: StaffRef | null;
  @ApiProperty({ nullable: true, type: String }) submittedAt!: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) returnedBy!: StaffRef | null;
  @ApiProperty({ nullable: true, type: String }) returnedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) returnComments!: string | null;
  @ApiProperty({ type: AssessmentRef }) basedOnAssessment!: AssessmentRef;
  @ApiProperty({ type: AssessmentRef, nullable: true }) riskAssessment!: AssessmentRef | null;
  @ApiProperty({ nullable: true, type: String }) riskLevel!: string | null;
  @ApiProperty({ type: [GoalResponse] }) goals!: GoalResponse[];
  @ApiProperty({ type: [InterventionResponse] }) interventions!: InterventionResponse[];
}

/** The newest return of a plan to draft by a supervisor, with what its author should change. */
export class PlanReturnResponse {
  @ApiProperty({ type: StaffRef }) by!: StaffRef;
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'What the author should change' }) comments!: string;
}

/**
 * A plan in the caller's view. `logistics` (security officers) carries only the fields marked
 * as in both views: status, dates and the intervention schedule. Everything marked "full view
 * only" is absent from it.
 */
export class PlanResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ enum: PLAN_VIEWS }) view!: PlanView;
  @ApiProperty({ enum: PLAN_STATUSES }) status!: string;
  @ApiProperty({
    type: 'integer',
    description: 'Goes up with each material change after activation',
  })
  revision!: number;
  @ApiProperty({
    type: 'integer',
    description:
      'Send in If-Match to change the plan or its pending revision (also in the ETag header)',
  })
  version!: number;
  @ApiProperty({ type: [InterventionResponse] }) interventions!: InterventionResponse[];
  @ApiProperty({ nullable: true, type: String }) approvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) suspendedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  revisedAt?: string | null;
  @ApiPropertyOptional({ type: AssessmentRef, description: 'Full view only' })
  basedOnAssessment?: AssessmentRef;
  @ApiPropertyOptional({ type: AssessmentRef, nullable: true, description: 'Full view only' })
  riskAssessment?: AssessmentRef | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'Full view only. The risk level intensity follows; null: no approved risk assessment, default dosages apply',
  })
  riskLevel?: string | null;
  @ApiPropertyOptional({ type: CatalogueRef, description: 'Full view only' })
  catalogue?: CatalogueRef;
  @ApiPropertyOptional({ type: [GoalResponse], description: 'Full view only' })
  goals?: GoalResponse[];
  @ApiPropertyOptional({ type: AgreementResponse, nullable: true, description: 'Full view only' })
  prisonerAgreement?: AgreementResponse | null;
  @ApiPropertyOptional({ type: ReleaseResponse, description: 'Full view only' })
  release?: ReleaseResponse;
  @ApiPropertyOptional({ type: StaffRef, description: 'Full view only' }) author?: StaffRef;
  @ApiPropertyOptional({ type: StaffRef, nullable: true, description: 'Full view only' })
  submittedBy?: StaffRef | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  submittedAt?: string | null;
  @ApiPropertyOptional({ type: StaffRef, nullable: true, description: 'Full view only' })
  approver?: StaffRef | null;
  @ApiPropertyOptional({
    type: PlanReturnResponse,
    nullable: true,
    description:
      'Full view only: the newest return of the plan to draft with comments (null when never returned)',
  })
  returned?: PlanReturnResponse | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  suspendReason?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  completionNote?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  closeReason?: string | null;
  @ApiPropertyOptional({
    format: 'date',
    nullable: true,
    type: String,
    description: 'Full view only',
  })
  lastReviewDate?: string | null;
  @ApiPropertyOptional({
    format: 'date',
    nullable: true,
    type: String,
    description: 'Full view only: the last review’s next date, or activation + 3 months',
  })
  nextReviewDate?: string | null;
  @ApiPropertyOptional({
    type: NeedsChanges,
    nullable: true,
    description: 'Full view only: needs assessed since the plan was based on its assessment',
  })
  needsChanges?: NeedsChanges | null;
  @ApiPropertyOptional({
    description: 'Full view only: a newer needs assessment has not been reviewed yet',
  })
  reviewRequired?: boolean;

  @ApiPropertyOptional({
    type: PendingRevisionResponse,
    nullable: true,
    description:
      'Full view only: a material change awaiting approval (null when none). The fields above are the current revision, which governs delivery until it is approved',
  })
  pendingRevision?: PendingRevisionResponse | null;

  @ApiPropertyOptional({ description: 'Revision reads of a superseded revision only' })
  supersededAt?: string;
  @ApiPropertyOptional({ description: 'Present when read through an emergency-access grant' })
  emergencyAccessId?: string;
}

export class PlanSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ enum: PLAN_STATUSES }) status!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) approvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
}

export class PlanPageResponse {
  @ApiProperty({ type: [PlanSummaryResponse] }) items!: PlanSummaryResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class PlanRevisionSummary {
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty() current!: boolean;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) supersededAt!: string | null;
  @ApiProperty({ type: StaffRef, nullable: true, description: 'Who made the change that ended it' })
  supersededBy!: StaffRef | null;
}

export class PlanRevisionPageResponse {
  @ApiProperty({ type: [PlanRevisionSummary] }) items!: PlanRevisionSummary[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
