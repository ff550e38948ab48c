import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ITEM_KINDS,
  RULE_SET_KINDS,
  RULE_SET_LOCALES,
  RULE_SET_STATUSES,
  type RuleSetDefinition,
} from '../rule-sets/rule-set.types.js';
import { RULE_SET_SCHEMA_NAMES } from '../rule-sets/rule-set-schemas.js';

const PURPOSES = ['risk', 'needs'];
/** A value of the definition: any JSON value. */
const ANY_JSON = [
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
  { type: 'object', additionalProperties: true },
  { type: 'array', items: {} },
];

export class InstrumentVersionSummary {
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({
    enum: RULE_SET_STATUSES,
    description:
      'active: usable for new assessments; retired: no new assessments, old ones unchanged; draft: for review only',
  })
  status!: string;
  @ApiProperty({
    description: 'SHA-256 (hex) over the RFC 8785 canonical JSON of the file as imported',
  })
  sha256!: string;
  @ApiProperty({ format: 'date-time' }) importedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) retiredAt!: string | null;
}

export class InstrumentSummaryResponse {
  @ApiProperty({ example: 've-risk-spj' }) key!: string;
  @ApiProperty({ enum: RULE_SET_KINDS }) kind!: string;
  @ApiProperty({ description: 'Title of the newest version, in `locale`' }) title!: string;
  @ApiProperty({
    enum: RULE_SET_LOCALES,
    description:
      'The language of `title`: the one asked for (`?locale=`, else Accept-Language) when the newest version has text in it (its own, or borrowed from another version with the same text), else its own',
  })
  locale!: string;
  @ApiProperty({
    enum: PURPOSES,
    nullable: true,
    type: String,
    description: 'Of the newest version; null for an intervention catalogue',
  })
  purpose!: string | null;
  @ApiProperty({ type: [InstrumentVersionSummary], description: 'Newest (highest semver) first' })
  versions!: InstrumentVersionSummary[];
}

export class InstrumentVersionResponse {
  @ApiProperty({ example: 've-risk-spj' }) key!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ enum: RULE_SET_KINDS }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: PURPOSES, nullable: true, type: String }) purpose!: string | null;
  @ApiProperty({
    enum: RULE_SET_STATUSES,
    description: 'The status now (the definition keeps the status it was imported with)',
  })
  status!: string;
  @ApiProperty({ description: 'SHA-256 (hex) over the RFC 8785 canonical JSON of `definition`' })
  sha256!: string;
  @ApiProperty({ description: 'The file it was imported from, relative to RULE_SETS_DIR' })
  sourceFile!: string;
  @ApiProperty({ format: 'date-time' }) importedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) retiredAt!: string | null;
  @ApiProperty({
    oneOf: Object.values(RULE_SET_SCHEMA_NAMES).map((name) => ({
      $ref: `#/components/schemas/${name}`,
    })),
    description:
      'The rule-set document exactly as imported, by `kind` (the schemas in rule-sets/schema/; fields: rule-sets/README.md)',
  })
  definition!: RuleSetDefinition;
  @ApiProperty({
    enum: RULE_SET_LOCALES,
    description:
      'The language of `localized` (also sent as Content-Language): the one asked for when the version has text in it, its own or borrowed from another version of the rule-set with the same text, else its own language',
  })
  locale!: string;
  @ApiProperty({
    oneOf: Object.values(RULE_SET_SCHEMA_NAMES).map((name) => ({
      $ref: `#/components/schemas/${name}`,
    })),
    description:
      '`definition` with its titles, prompts, guidance and labels in `locale`, entry by entry. Where this version does not translate a text, the newest other imported (not draft) version of the same rule-set that has the identical text in the same place and translates it lends its translation; whatever is left stays in the rule-set’s own language. Codes, rules and `translations` are as in `definition`',
  })
  localized!: RuleSetDefinition;
}

export class ItemSummaryResponse {
  @ApiProperty({ example: 'BA03' }) code!: string;
  @ApiProperty({ description: 'Code of the domain holding the item' }) domain!: string;
  @ApiProperty() prompt!: string;
  @ApiProperty({ enum: ITEM_KINDS }) kind!: string;
}

export class FieldChangeResponse {
  @ApiProperty({
    example: 'guidance',
    description:
      'The field: `prompt` within an item; `flags[influence].when`, `review.intervals.high` elsewhere',
  })
  field!: string;
  @ApiPropertyOptional({ description: 'Absent when the field was added', oneOf: ANY_JSON })
  from?: unknown;
  @ApiPropertyOptional({ description: 'Absent when the field was removed', oneOf: ANY_JSON })
  to?: unknown;
}

export class ChangedEntryResponse {
  @ApiProperty() code!: string;
  @ApiProperty({ type: [FieldChangeResponse] }) changes!: FieldChangeResponse[];
}

export class DomainRefResponse {
  @ApiProperty() code!: string;
  @ApiProperty() title!: string;
}

export class DomainChangesResponse {
  @ApiProperty({ type: [DomainRefResponse] }) added!: DomainRefResponse[];
  @ApiProperty({ type: [DomainRefResponse] }) removed!: DomainRefResponse[];
  @ApiProperty({ type: [ChangedEntryResponse] }) changed!: ChangedEntryResponse[];
}

export class VersionRefResponse {
  @ApiProperty() key!: string;
  @ApiProperty() version!: string;
}

export class InstrumentDiffResponse {
  @ApiProperty({ type: VersionRefResponse }) from!: VersionRefResponse;
  @ApiProperty({ type: VersionRefResponse }) to!: VersionRefResponse;
  @ApiProperty({ type: [ItemSummaryResponse] }) added!: ItemSummaryResponse[];
  @ApiProperty({ type: [ItemSummaryResponse] }) removed!: ItemSummaryResponse[];
  @ApiProperty({ type: [ChangedEntryResponse], description: 'Items changed, field by field' })
  changed!: ChangedEntryResponse[];
  @ApiProperty({ type: DomainChangesResponse }) domains!: DomainChangesResponse;
  @ApiProperty({
    type: [FieldChangeResponse],
    description: 'Bands, flags, contributions, need priorities, evidence and minimum-rated rules',
  })
  rules!: FieldChangeResponse[];
  @ApiProperty({
    type: [FieldChangeResponse],
    description:
      'Everything else: title, status, notice, certification, catalogue, scales, levels, review',
  })
  settings!: FieldChangeResponse[];
}
