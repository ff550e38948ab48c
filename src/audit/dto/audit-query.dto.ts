import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { AUDIT_ACTIONS, type AuditAction, type AuditOutcome } from '../audit-actions.js';
import { AUDIT_PROBLEM_KINDS, MAX_REPORTED_PROBLEMS } from '../audit-verifier.js';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  prisonerId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @Optional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ enum: ['success', 'denied', 'error'] })
  @Optional()
  @IsIn(['success', 'denied', 'error'])
  outcome?: AuditOutcome;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 40,
    description: 'Events at or after this time',
  })
  @Optional()
  @IsDateString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 40,
    description: 'Events before this time',
  })
  @Optional()
  @IsDateString()
  @MaxLength(40)
  to?: string;
}

export class AuditExportQueryDto extends AuditQueryDto {
  @ApiProperty({ enum: ['ndjson', 'csv'] })
  @IsIn(['ndjson', 'csv'])
  format!: 'ndjson' | 'csv';
}

/** `true`/`false` in a query string become booleans; anything else stays and fails validation. */
const booleanValue = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    description:
      'true: check every event of every chain. Default (false): incremental, from the newest signed ' +
      'verification mark (a verification that found the trail intact up to a signed checkpoint): only ' +
      'the events after that checkpoint and the checkpoints signed since are checked; without a mark, ' +
      'everything is',
  })
  @Optional()
  @Transform(booleanValue)
  @IsBoolean({ message: 'full must be true or false' })
  full?: boolean;
}

export class AuditActorResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) id!: string | null;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
}

export class AuditEventResponse {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ type: 'integer' }) chainId!: number;
  @ApiProperty({ type: 'integer' }) chainSeq!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: AuditActorResponse }) actor!: AuditActorResponse;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ type: String, nullable: true }) entityType!: string | null;
  @ApiProperty({ type: String, nullable: true }) entityId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) prisonerId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) facilityId!: string | null;
  @ApiProperty({ enum: ['success', 'denied', 'error'] }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) purpose!: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Names of the fields a change touched, never their values',
  })
  changedFields!: string[] | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: {
      anyOf: [
        { type: ['string', 'number', 'boolean', 'null'] },
        { type: 'array', items: { type: 'string' } },
      ],
    },
    description:
      'Metadata about the event, never case content: identifiers, counts, filters, reason codes ' +
      '(e.g. `resultCount`, `reason`, `decision`, `from`/`to` statuses)',
    example: { resultCount: 3 },
  })
  details!: Record<string, string | number | boolean | null | string[]> | null;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class AuditEventPageResponse {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AuditProblemResponse {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The event concerned (for checkpoint_invalid: the checkpoint’s headSeq)',
  })
  seq!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Its hash chain' }) chain!:
    number | null;
  @ApiProperty({
    enum: AUDIT_PROBLEM_KINDS,
    description:
      'altered: content does not match its hash; broken_link: prev_hash is not the hash of the event ' +
      'before it; missing_before: events missing before this one; missing_newest: the head is beyond ' +
      'the last event; head_mismatch: the chain does not end where its head says; checkpoint_invalid: ' +
      'a checkpoint’s signature does not verify; checkpoint_mismatch: an event a signed checkpoint ' +
      'vouches for is missing or different',
  })
  kind!: string;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'The checkpoint concerned' })
  checkpoint?: number;
}

export class AuditCheckpointSummary {
  @ApiProperty({ type: 'integer' }) id!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'integer', nullable: true }) headSeq!: number | null;
}

export class AuditUntrustedKeyResponse {
  @ApiProperty({ description: 'SHA-256 (hex) of the DER public key the signature names' })
  keyId!: string;
  @ApiProperty({
    type: 'integer',
    description: 'Signatures made with it that could not be checked',
  })
  signatures!: number;
  @ApiProperty({ example: 'cannot check signature: key 3f…a1 not trusted' }) detail!: string;
}

export class AuditVerifyResponse {
  @ApiProperty({ description: 'true when status is intact' }) ok!: boolean;
  @ApiProperty({
    enum: ['intact', 'tampered', 'unverifiable'],
    description:
      'intact: nothing wrong and every signature checked; tampered: problems found; unverifiable: ' +
      'nothing wrong found, but signatures by keys that are not trusted could not be checked ' +
      '(see untrustedKeys): not a sign of tampering',
  })
  status!: string;
  @ApiProperty({ enum: ['full', 'incremental'], description: 'What was checked' }) mode!: string;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description:
      'Incremental: the signed checkpoint trusted as verified; the events up to it were not read again',
  })
  fromCheckpoint!: number | null;
  @ApiProperty({ type: 'integer', description: 'Archived (detached) months taken into account' })
  archives!: number;
  @ApiProperty({ type: 'integer', description: 'How long the check took' }) durationMs!: number;
  @ApiProperty({ type: [AuditUntrustedKeyResponse] }) untrustedKeys!: AuditUntrustedKeyResponse[];
  @ApiProperty({ type: 'integer', description: 'Events checked (read and hashed)' })
  checked!: number;
  @ApiProperty({ type: 'integer', nullable: true }) headSeq!: number | null;
  @ApiProperty({ type: 'integer' }) chains!: number;
  @ApiProperty({ type: 'integer', description: 'Checkpoints whose signatures were checked' })
  checkpoints!: number;
  @ApiPropertyOptional({ type: AuditCheckpointSummary, description: 'The newest valid checkpoint' })
  lastCheckpoint?: AuditCheckpointSummary;
  @ApiProperty({
    type: [AuditProblemResponse],
    description: `Every problem found, in seq order (at most ${MAX_REPORTED_PROBLEMS}); empty when ok`,
  })
  problems!: AuditProblemResponse[];
  @ApiProperty({ type: 'integer', description: 'How many problems were found in all' })
  problemCount!: number;
  @ApiPropertyOptional({ type: 'integer', description: 'The lowest seq among the problems' })
  firstInvalidSeq?: number;
  @ApiPropertyOptional({ description: 'The detail of that problem' }) reason?: string;
}
