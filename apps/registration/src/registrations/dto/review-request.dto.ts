import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsMessageText } from './validators';

export class CreateReviewRequestDto {
  @ApiProperty({ example: 'We rotated the leaked secret and fixed the token storage; please review the suspension.', minLength: 1, maxLength: 4000 })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @IsMessageText()
  message!: string;
}

export class ReviewRequestDto {
  @ApiProperty({ format: 'uuid', example: '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11' })
  registrationId!: string;

  @ApiProperty({ enum: ['suspended', 'terminated'], example: 'suspended' })
  status!: string;

  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  requestedAt!: string;

  @ApiProperty({
    example: 'Plan staff will review the suspension and may reinstate the registration.',
    description: 'What happens next. A terminated registration stays terminated: register again to regain access.',
  })
  note!: string;
}
