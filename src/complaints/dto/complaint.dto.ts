import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

/** Who made the complaint: the prisoner, or someone on their behalf (Mandela Rule 56(4)). */
export const COMPLAINT_MADE_BY = [
  'prisoner',
  'legal_adviser',
  'family',
  'other_on_behalf',
] as const;
export type ComplaintMadeBy = (typeof COMPLAINT_MADE_BY)[number];
/** To whom: staff (the director or any staff member), or an inspector, confidentially. */
export const COMPLAINT_CHANNELS = ['staff', 'inspector'] as const;
export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];
export const COMPLAINT_SUBJECTS = [
  'treatment_by_staff',
  'conditions',
  'restrictive_measure',
  'assessment_or_plan',
  'programme_access',
  'health_care',
  'family_contact',
  'other',
] as const;
export type ComplaintSubject = (typeof COMPLAINT_SUBJECTS)[number];
export const COMPLAINT_OUTCOMES = ['upheld', 'partly_upheld', 'not_upheld', 'withdrawn'] as const;
export type ComplaintOutcome = (typeof COMPLAINT_OUTCOMES)[number];
export const COMPLAINT_STATUSES = ['open', 'answered'] as const;
/** The independent authorities a complaint (an ill-treatment allegation first) is referred to. */
export const REFERRAL_AUTHORITIES = [
  'prosecutor',
  'ombudsman',
  'inspectorate',
  'national_preventive_mechanism',
  'judicial',
  'other',
] as const;
export type ReferralAuthority = (typeof REFERRAL_AUTHORITIES)[number];
/** What the anti-retaliation watch lists: decisions about the complainant after the complaint. */
export const WATCH_KINDS = [
  'restrictive_measure',
  'prisoner_event',
  'approved_assessment',
] as const;
export type WatchKind = (typeof WATCH_KINDS)[number];
/** Prisoner events of disciplinary or security kinds, as the watch lists them. */
export const WATCHED_EVENT_TYPES = [
  'serious_incident',
  'disciplinary_finding',
  'separation_order',
  'intelligence_received',
  'transfer',
] as const;

export const MAX_CONCERNED_STAFF = 20;

export class CreateComplaintDto {
  @ApiProperty({ format: 'date', description: 'When the complaint was made: not in the future' })
  @IsCalendarDate()
  receivedOn!: string;

  @ApiProperty({ enum: COMPLAINT_MADE_BY, description: 'The prisoner, or who on their behalf' })
  @IsIn(COMPLAINT_MADE_BY)
  madeBy!: ComplaintMadeBy;

  @ApiProperty({ enum: COMPLAINT_SUBJECTS })
  @IsIn(COMPLAINT_SUBJECTS)
  subject!: ComplaintSubject;

  @ApiProperty({
    description:
      'The complaint alleges torture or other ill-treatment (Mandela Rule 57(3)): it must be referred to an independent authority before it is answered',
  })
  @IsBoolean()
  allegesIllTreatment!: boolean;

  @ApiProperty({
    minLength: 1,
    maxLength: 20000,
    description: 'The complaint in the complainant’s words, verbatim',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  words!: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_CONCERNED_STAFF,
    description:
      'The staff the complaint is about: active users of the prisoner’s facility. None of them handles it, and none reads it in full',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_CONCERNED_STAFF)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  concernsStaffIds?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Complaints made to staff: an active supervisor of the prisoner’s facility whom the complaint does not concern; omitted, the one with the fewest open complaints. Complaints made to an inspector are assigned to that inspector (only their own id is accepted)',
  })
  @Optional()
  @IsUUID()
  assignedToId?: string;
}

export class AnswerComplaintDto {
  @ApiProperty({ enum: COMPLAINT_OUTCOMES })
  @IsIn(COMPLAINT_OUTCOMES)
  outcome!: ComplaintOutcome;

  @ApiProperty({
    minLength: 1,
    maxLength: 20000,
    description: 'The reasoned response given to the complainant',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  response!: string;
}

export class ReferComplaintDto {
  @ApiProperty({ enum: REFERRAL_AUTHORITIES, description: 'The kind of independent authority' })
  @IsIn(REFERRAL_AUTHORITIES)
  authority!: ReferralAuthority;

  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Its name (the office, the court)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authorityName!: string;

  @ApiProperty({
    format: 'date',
    description: 'When it was referred: not before the complaint was received, not in the future',
  })
  @IsCalendarDate()
  referredOn!: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    description: 'The authority’s case reference',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reference?: string;
}

export class ListComplaintsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES })
  @Optional()
  @IsIn(COMPLAINT_STATUSES)
  status?: (typeof COMPLAINT_STATUSES)[number];

  @ApiPropertyOptional({
    enum: ['true'],
    description: 'Only complaints assigned to the caller to answer',
  })
  @Optional()
  @IsIn(['true'])
  assignedToMe?: 'true';
}

export class ComplaintReferralResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: REFERRAL_AUTHORITIES }) authority!: string;
  @ApiProperty() authorityName!: string;
  @ApiProperty({ format: 'date' }) referredOn!: string;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class ComplaintWatchItem {
  @ApiProperty({
    enum: WATCH_KINDS,
    description:
      '`restrictive_measure` imposed (by its start), `prisoner_event` of a disciplinary or security kind (by when it occurred), `approved_assessment` (by its approval)',
  })
  kind!: WatchKind;
  @ApiProperty({ format: 'uuid', description: 'The measure, event or assessment' }) id!: string;
  @ApiProperty({
    description: 'The measure’s type, the event’s type, or the assessment’s instrument key',
  })
  type!: string;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty({
    type: StaffRef,
    description: 'Who decided: who recorded the measure or event, the assessor of the assessment',
  })
  decidedBy!: StaffRef;
  @ApiProperty({
    description:
      'Decided (or, for an assessment, assessed or countersigned) by a member of staff the complaint concerns',
  })
  byConcernedStaff!: boolean;
}

export class ComplaintResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty({
    enum: ['full', 'summary'],
    description:
      '`summary` leaves out the words, the response, the concerned staff and the watch (roles that do not handle complaints, and staff the complaint concerns)',
  })
  view!: 'full' | 'summary';
  @ApiProperty({ enum: COMPLAINT_CHANNELS }) channel!: ComplaintChannel;
  @ApiProperty({
    description: 'Made to an inspector: it exists only for inspectors of its facility',
  })
  confidential!: boolean;
  @ApiProperty({ enum: COMPLAINT_MADE_BY }) madeBy!: string;
  @ApiProperty({ enum: COMPLAINT_SUBJECTS }) subject!: string;
  @ApiProperty() allegesIllTreatment!: boolean;
  @ApiProperty({ format: 'date' }) receivedOn!: string;
  @ApiPropertyOptional({ description: 'Full view only: the complaint, verbatim' })
  words?: string;
  @ApiPropertyOptional({
    type: [StaffRef],
    description: 'Full view only: the staff the complaint concerns',
  })
  concernedStaff?: StaffRef[];
  @ApiProperty({ type: StaffRef, description: 'Who handles and answers it' }) assignedTo!: StaffRef;
  @ApiProperty({ format: 'date' }) respondBy!: string;
  @ApiProperty({ description: 'Open past its deadline' }) overdue!: boolean;
  @ApiProperty({ enum: COMPLAINT_STATUSES }) status!: string;
  @ApiProperty({ enum: COMPLAINT_OUTCOMES, type: String, nullable: true }) outcome!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Full view only' })
  response?: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) answeredBy!: StaffRef | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) answeredAt!: string | null;
  @ApiProperty({
    description:
      'An ill-treatment allegation with no referral yet: it must be referred before it is answered',
  })
  referralRequired!: boolean;
  @ApiProperty({
    type: [ComplaintReferralResponse],
    description: 'Referrals to independent authorities, oldest first',
  })
  referrals!: ComplaintReferralResponse[];
  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Full view only: how many decisions in the watch were taken by staff the complaint concerns',
  })
  watchFlags?: number;
  @ApiPropertyOptional({
    type: [ComplaintWatchItem],
    description:
      'Full view of `GET /complaints/{id}` only: decisions affecting the complainant after the complaint was received, within the watch period (no content: kinds, dates, ids, who decided)',
  })
  watch?: ComplaintWatchItem[];
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class ComplaintPageResponse {
  @ApiProperty({ type: [ComplaintResponse] }) items!: ComplaintResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ComplaintStaffResponse {
  @ApiProperty({
    type: [StaffRef],
    description: 'The active staff of the prisoner’s facility, by name',
  })
  items!: StaffRef[];
}
