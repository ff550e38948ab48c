import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

export const CHALLENGE_TARGETS = ['assessment', 'plan'] as const;
export const CHALLENGE_OUTCOMES = ['upheld', 'partly_upheld', 'not_upheld'] as const;
export type ChallengeOutcome = (typeof CHALLENGE_OUTCOMES)[number];
export const CHALLENGE_STATUSES = ['open', 'answered'] as const;
/** The outside bodies a prisoner may take a rejected or late challenge to (Mandela Rule 57(1)). */
export const ESCALATION_AUTHORITIES = [
  'central_administration',
  'inspectorate',
  'ombudsman',
  'judicial',
  'other',
] as const;
export type EscalationAuthority = (typeof ESCALATION_AUTHORITIES)[number];
/** Why it was escalated: the answer was `not_upheld`, `partly_upheld`, or late (undue delay). */
export const ESCALATION_GROUNDS = ['rejected', 'partly_rejected', 'delayed'] as const;
export type EscalationGrounds = (typeof ESCALATION_GROUNDS)[number];
export const ESCALATION_OUTCOMES = [
  'upheld',
  'partly_upheld',
  'not_upheld',
  'withdrawn',
  'declined',
] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

export class CreateChallengeDto {
  @ApiProperty({ enum: CHALLENGE_TARGETS })
  @IsIn(CHALLENGE_TARGETS)
  targetType!: (typeof CHALLENGE_TARGETS)[number];

  @ApiProperty({ format: 'uuid', description: 'The assessment or plan challenged' })
  @IsUUID()
  targetId!: string;

  @ApiProperty({ format: 'date', description: 'When the prisoner made the challenge' })
  @IsCalendarDate()
  receivedOn!: string;

  @ApiProperty({
    maxLength: 10000,
    description: 'The prisoner’s words, verbatim (as written or as dictated and read back)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  words!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'A psychologist or supervisor of the prisoner’s facility who did not author what is challenged; omitted: the one with the fewest open challenges',
  })
  @Optional()
  @IsUUID()
  assignedToId?: string;
}

export class AnswerChallengeDto {
  @ApiProperty({ enum: CHALLENGE_OUTCOMES })
  @IsIn(CHALLENGE_OUTCOMES)
  outcome!: ChallengeOutcome;

  @ApiProperty({ maxLength: 10000, description: 'The reasoned response given to the prisoner' })
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  response!: string;
}

export class EscalateChallengeDto {
  @ApiProperty({ enum: ESCALATION_AUTHORITIES, description: 'The kind of outside body' })
  @IsIn(ESCALATION_AUTHORITIES)
  authority!: EscalationAuthority;

  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Its name (the court, the office)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authorityName!: string;

  @ApiProperty({
    format: 'date',
    description:
      'When the prisoner referred it: not in the future, not before the challenge was received',
  })
  @IsCalendarDate()
  referredOn!: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'The outside body’s case reference' })
  @Optional()
  @IsString()
  @MaxLength(200)
  reference?: string;
}

export class DecideEscalationDto {
  @ApiProperty({
    format: 'date',
    description: 'When the outside body decided: not before the referral, not in the future',
  })
  @IsCalendarDate()
  decidedOn!: string;

  @ApiProperty({ enum: ESCALATION_OUTCOMES })
  @IsIn(ESCALATION_OUTCOMES)
  outcome!: EscalationOutcome;

  @ApiProperty({ minLength: 1, maxLength: 10000, description: 'What the outside body decided' })
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  summary!: string;
}

export class ListChallengesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CHALLENGE_STATUSES })
  @Optional()
  @IsIn(CHALLENGE_STATUSES)
  status?: (typeof CHALLENGE_STATUSES)[number];

  @ApiPropertyOptional({
    enum: ['true'],
    description: 'Only challenges routed to the caller to answer',
  })
  @Optional()
  @IsIn(['true'])
  assignedToMe?: 'true';
}

export class EscalationDecisionResponse {
  @ApiProperty({ format: 'date' }) decidedOn!: string;
  @ApiProperty({ enum: ESCALATION_OUTCOMES }) outcome!: string;
  @ApiPropertyOptional({
    description: 'Full view only: what the outside body decided (it may quote clinical content)',
  })
  summary?: string;
  @ApiProperty({ type: StaffRef, description: 'Who recorded the decision' }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class ChallengeEscalationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ESCALATION_AUTHORITIES }) authority!: string;
  @ApiProperty() authorityName!: string;
  @ApiProperty({ format: 'date' }) referredOn!: string;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({
    enum: ESCALATION_GROUNDS,
    description:
      'Why: the answer was `not_upheld` (`rejected`) or `partly_upheld` (`partly_rejected`), or it was still open past its deadline (`delayed`)',
  })
  grounds!: string;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({
    type: EscalationDecisionResponse,
    nullable: true,
    description: 'The outside body’s decision, once recorded',
  })
  decision!: EscalationDecisionResponse | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Decided upheld or partly upheld: when the amendment is due',
  })
  amendmentDue!: string | null;
  @ApiProperty({
    description:
      'Decided upheld or partly upheld and amended since (a newer approved assessment with the same instrument, or a new plan revision)',
  })
  amended!: boolean;
}

export class ChallengeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty({
    enum: ['full', 'summary'],
    description:
      '`summary` leaves out the prisoner’s words and the response (roles that do not read the challenged assessment in full)',
  })
  view!: 'full' | 'summary';
  @ApiProperty({ enum: CHALLENGE_TARGETS }) targetType!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assessmentId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) planId!: string | null;
  @ApiProperty({ format: 'date' }) receivedOn!: string;
  @ApiPropertyOptional({ description: 'Full view only: the prisoner’s words, verbatim' })
  words?: string;
  @ApiProperty({ type: StaffRef, description: 'Who must answer it' }) assignedTo!: StaffRef;
  @ApiProperty({ format: 'date' }) respondBy!: string;
  @ApiProperty({ description: 'Open past its deadline' }) overdue!: boolean;
  @ApiProperty({ enum: CHALLENGE_STATUSES }) status!: string;
  @ApiProperty({ enum: CHALLENGE_OUTCOMES, type: String, nullable: true }) outcome!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Full view only' })
  response?: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) answeredBy!: StaffRef | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Upheld or partly upheld: when the amendment is due',
  })
  amendmentDue!: string | null;
  @ApiProperty({
    description:
      'Upheld or partly upheld and amended since (a newer approved assessment with the same instrument, or a new plan revision)',
  })
  amended!: boolean;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({
    type: [ChallengeEscalationResponse],
    description: 'Escalations to outside authorities (Mandela Rule 57(1)), oldest first',
  })
  escalations!: ChallengeEscalationResponse[];
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class ChallengePageResponse {
  @ApiProperty({ type: [ChallengeResponse] }) items!: ChallengeResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
