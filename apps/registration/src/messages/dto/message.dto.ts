import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsMessageText, MESSAGE_MAX_LENGTH } from '../../registrations/dto/validators';

export class CreateMessageDto {
  @ApiProperty({
    example: 'Section 4 of our privacy policy covers data sales: we sell no member data. The policy now links to it from the first page.',
    minLength: 1,
    maxLength: MESSAGE_MAX_LENGTH,
    description:
      'Plain text; line breaks are kept. Refused (400): blank text, more than 5000 characters, control characters other than tab and line breaks, ' +
      'bidirectional overrides or isolates, unassigned, private-use or invisible formatting characters, lone surrogates.',
  })
  @IsMessageText()
  body!: string;
}

export const MESSAGE_PAGE_DEFAULT = 20;
export const MESSAGE_PAGE_MAX = 100;

const toInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : value);

export class MessagePageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MESSAGE_PAGE_MAX, default: MESSAGE_PAGE_DEFAULT, description: 'Messages per page: the newest ones before `before`.' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(MESSAGE_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ example: '42', description: 'The `olderCursor` of the page shown: answers the messages written before it.' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'before must be the olderCursor of a page' })
  before?: string;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid', example: '3c0f8f4e-2a64-4c34-9f43-5d6b3e1f7a20' })
  id!: string;

  @ApiProperty({
    enum: ['message', 'information_request'],
    example: 'information_request',
    description: "information_request: staff's request for information (POST .../request-information), which is also mailed to the contact.",
  })
  kind!: string;

  @ApiProperty({ enum: ['owner', 'admin'], example: 'admin', description: 'owner: the registration\'s account; admin: plan staff.' })
  authorRole!: string;

  @ApiPropertyOptional({
    example: 'reviewer@plan.example',
    nullable: true,
    description: 'Staff routes only; null on the owner\'s routes, where staff are named by role only, as in the history.',
  })
  authorEmail!: string | null;

  @ApiProperty({ example: 'Which section of the privacy policy covers data sales?' })
  body!: string;

  @ApiProperty({ example: '2026-11-24T09:30:00.000Z' })
  at!: string;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto], description: 'Oldest first: the newest `limit` messages (before `before`, when given).' })
  items!: MessageDto[];

  @ApiPropertyOptional({ example: '17', nullable: true, description: 'Pass as `before` for the page of older messages; null when there are none.' })
  olderCursor!: string | null;

  @ApiProperty({ example: 3, description: 'Messages in the whole thread.' })
  total!: number;
}
