import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';

export const STATISTICS_PERIODS = ['month', 'quarter'] as const;
export type StatisticsPeriod = (typeof STATISTICS_PERIODS)[number];

export const STATISTICS_COMPLAINTS_COUNTED = [
  'made_to_staff',
  'made_to_staff_and_inspectors',
] as const;
export type StatisticsComplaintsCounted = (typeof STATISTICS_COMPLAINTS_COUNTED)[number];

export class StatisticsQueryDto {
  @ApiPropertyOptional({ enum: STATISTICS_PERIODS, default: 'month' })
  @Optional()
  @IsIn(STATISTICS_PERIODS)
  period?: StatisticsPeriod;

  @ApiPropertyOptional({
    format: 'date',
    maxLength: 10,
    description: 'First day counted (default: the start of the period 11 months or 3 quarters ago)',
  })
  @Optional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    maxLength: 10,
    description: 'Last day counted (default: today)',
  })
  @Optional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description: 'One of the caller’s facilities only',
  })
  @Optional()
  @IsUUID()
  facilityId?: string;
}

export class StatisticsExportQueryDto extends StatisticsQueryDto {
  @ApiProperty({ enum: ['csv'] })
  @IsIn(['csv'])
  format!: 'csv';
}

export class StatisticsCell {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The count; null when suppressed',
  })
  value!: number | null;
  @ApiProperty({
    description:
      'Below the threshold, or withheld because it would reveal such a count from the totals',
  })
  suppressed!: boolean;
}

export class StatisticsRow {
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty() facilityCode!: string;
  @ApiProperty({ description: '`YYYY-MM` or `YYYY-Qn`' }) period!: string;
  @ApiProperty({ type: [StatisticsCell], description: 'One per category, in `categories` order' })
  cells!: StatisticsCell[];
  @ApiProperty({ type: StatisticsCell }) total!: StatisticsCell;
}

export class StatisticsTable {
  @ApiProperty({
    enum: [
      'assessments_by_status',
      'assessments_by_final_level',
      'overdue',
      'plans_by_status',
      'sessions_by_attendance',
      'consent',
      'emergency_access_by_outcome',
      'restrictive_measures_by_type',
      'restrictive_measures_by_duration',
      'complaints_by_subject',
      'complaints_answered_by_outcome',
      'complaints_answered_on_time',
      'ill_treatment_allegations',
    ],
    description:
      'The statistic. Complaints: received by subject (by `receivedOn`), answered by outcome and ' +
      'on time or late (after `respondBy`; by the day answered), and ill-treatment allegations ' +
      'received by how soon they were referred (`referred_within_1_day`, `referred_later`, ' +
      '`not_referred`)',
  })
  key!: string;
  @ApiPropertyOptional({
    enum: STATISTICS_COMPLAINTS_COUNTED,
    description:
      'Complaint tables only: which complaints are counted. A supervisor’s statistics count ' +
      'complaints made to staff only (`made_to_staff`); confidential complaints made to ' +
      'inspectors (Rule 56(1)) are counted only in an inspector’s (`made_to_staff_and_inspectors`)',
  })
  complaintsCounted?: StatisticsComplaintsCounted;
  @ApiProperty({ type: [String] }) categories!: string[];
  @ApiProperty({ type: [StatisticsRow] }) rows!: StatisticsRow[];
  @ApiProperty({ type: [StatisticsCell], description: 'Column totals' }) totals!: StatisticsCell[];
  @ApiProperty({ type: StatisticsCell }) grandTotal!: StatisticsCell;
}

export class StatisticsResponse {
  @ApiProperty({ enum: STATISTICS_PERIODS }) period!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ type: 'integer', description: 'Counts below this are suppressed' })
  threshold!: number;
  @ApiProperty({ type: [String] }) periods!: string[];
  @ApiProperty({ type: [StatisticsTable] }) tables!: StatisticsTable[];
}
