import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { RegistrationDto } from '../../registrations/dto/registration.dto';
import { IsMessageText } from '../../registrations/dto/validators';

export class ReasonDto {
  @ApiProperty({ example: 'Privacy policy and attestations reviewed; all requirements met.', minLength: 1, maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @IsMessageText()
  reason!: string;
}

export class ChangeDecisionDto extends ReasonDto {
  @ApiProperty({ format: 'uuid', example: '7d7c2f0e-3b1a-4f5e-9c44-2a9e0c1b5d21', description: 'pendingChange.id as reviewed; refused (409) if the owner modified the change since.' })
  @IsUUID()
  changeId!: string;
}

/** Digits become a number; anything else is left for the validators to name. */
const toInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value);

export class ReviewQueueQueryDto {
  @ApiPropertyOptional({ enum: ['application', 'payer'] })
  @IsOptional()
  @IsIn(['application', 'payer'])
  kind?: 'application' | 'payer';

  @ApiPropertyOptional({ enum: ['pending', 'approved', 'suspended', 'terminated'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'suspended', 'terminated'])
  status?: 'pending' | 'approved' | 'suspended' | 'terminated';

  @ApiPropertyOptional({ type: Boolean, description: 'true: only pending applications past their 10 business days; false: all but those.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only registrations with an identity change waiting for review; false: only those without.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  changePending?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 36500, example: 7, description: 'Only registrations submitted at least this many calendar days ago.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(36500)
  minAgeDays?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 36500, example: 30, description: 'Only registrations submitted at most this many calendar days ago.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(36500)
  maxAgeDays?: number;
}

export const QUEUE_PAGE_DEFAULT = 50;
export const QUEUE_PAGE_MAX = 500;

/** The queue a page at a time; the filtered total is in the X-Total-Count header. */
export class ReviewQueuePageQueryDto extends ReviewQueueQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Rows of the filtered, ordered queue to skip.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: QUEUE_PAGE_MAX, default: QUEUE_PAGE_DEFAULT, description: 'Rows per page.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(QUEUE_PAGE_MAX)
  limit?: number;
}

export class ReviewClockDto {
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z', description: 'Submission, or the answer to the last information request.' })
  startedAt!: string;

  @ApiProperty({ example: 4, description: 'Business days elapsed (weekends and US federal holidays excluded).' })
  businessDaysWaiting!: number;

  @ApiProperty({ example: 10 })
  limit!: number;

  @ApiProperty({ example: false })
  overdue!: boolean;
}

/** One row of the review queue: the registration's identity, as its owner sees it, plus the clock. */
export class ReviewQueueItemDto extends PickType(RegistrationDto, ['id', 'kind', 'status', 'name', 'companyName'] as const) {
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  submittedAt!: string;

  @ApiProperty({ example: 8, description: 'Whole calendar days since submission (what minAgeDays and maxAgeDays filter on).' })
  ageDays!: number;

  @ApiPropertyOptional({ type: ReviewClockDto, nullable: true, description: 'Pending applications only; payers have no review clock (seed 000).' })
  reviewClock!: ReviewClockDto | null;

  @ApiProperty({ example: false, description: 'A pending application past its 10 business days.' })
  overdue!: boolean;

  @ApiPropertyOptional({ example: null, nullable: true })
  informationRequestedAt!: string | null;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'The owner asked for a review of a suspension or termination.' })
  reviewRequestedAt!: string | null;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'The owner asked to change the identity or redirect URIs of an approved client; staff must approve it.' })
  changeRequestedAt!: string | null;
}

export class HistoryEntryDto {
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  at!: string;

  @ApiProperty({
    example: 'approve',
    enum: [
      'submitted',
      'updated',
      'approve',
      'suspend',
      'reinstate',
      'terminate',
      'request_information',
      'review_requested',
      'secret_issued',
      'secret_rotated',
      'change_requested',
      'change_approved',
      'change_rejected',
    ],
  })
  action!: string;

  @ApiPropertyOptional({ example: 'pending', nullable: true })
  from!: string | null;

  @ApiProperty({ example: 'approved' })
  to!: string;

  @ApiPropertyOptional({ example: 'All requirements met.', nullable: true })
  reason!: string | null;

  @ApiProperty({ example: { role: 'admin', id: '4f1c7a2e-9a4b-4c55-8a3e-2f0d3b6f9c10', email: 'admin@sandbox.local' } })
  by!: { role: string; id: string | null; email: string | null };
}

export class OwnerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'dev@acme-health.example' }) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name!: string;
  @ApiProperty({ example: 'Acme Health Apps, Inc.' }) organization!: string;
  @ApiProperty({ example: '+1 919-555-0100' }) phone!: string;
}

export class AdminRegistrationDto extends RegistrationDto {
  @ApiProperty({ type: OwnerDto })
  owner!: OwnerDto;

  @ApiPropertyOptional({ type: ReviewClockDto, nullable: true })
  reviewClock!: ReviewClockDto | null;

  @ApiProperty({ example: false })
  overdue!: boolean;

  @ApiProperty({
    type: [String],
    example: ['approve', 'request-information', 'terminate'],
    description: 'The admin actions the current status allows, and approve-change / reject-change while an identity change waits.',
  })
  allowedActions!: string[];

  @ApiProperty({ type: [HistoryEntryDto], description: 'Every change, oldest first.' })
  history!: HistoryEntryDto[];
}

export class OwnerHistoryEntryDto {
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'suspend', description: 'As in the staff history: submitted, approve, suspend, request_information, review_requested, secret_rotated, ...' })
  action!: string;

  @ApiPropertyOptional({ example: 'approved', nullable: true })
  from!: string | null;

  @ApiProperty({ example: 'suspended' })
  to!: string;

  @ApiPropertyOptional({ example: 'Tokens were sent to an unregistered host.', nullable: true, description: 'The reason staff gave; the owner is emailed the same words.' })
  reason!: string | null;

  @ApiProperty({ enum: ['owner', 'admin', 'system'], example: 'admin', description: 'Who acted, by role only: staff identities stay inside the plan.' })
  byRole!: string;
}

/** One registration as its owner sees it, with the review clock (seed 001) and why its status changed. */
export class OwnRegistrationDto extends RegistrationDto {
  @ApiPropertyOptional({ type: ReviewClockDto, nullable: true, description: 'Pending applications only; payers have no review clock (seed 000).' })
  reviewClock!: ReviewClockDto | null;

  @ApiProperty({ type: [OwnerHistoryEntryDto], description: 'Every change, oldest first.' })
  history!: OwnerHistoryEntryDto[];
}
