import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error this service answers with. */
export class ErrorResponseDto {
  @ApiProperty({ example: 409 })
  statusCode!: number;

  @ApiProperty({ example: 'Conflict' })
  error!: string;

  @ApiProperty({
    description: 'What went wrong; for a 400, one message per invalid field.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'A terminated registration cannot be reinstated; the owner must register again.',
  })
  message!: string | string[];

  @ApiPropertyOptional({ description: 'Machine-readable reason, when the service refused on purpose.', example: 'transition_not_allowed' })
  code?: string;
}

export class ValidationErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ type: [String], example: ['redirectUris.0 must be an https URL, a loopback http://127.0.0.1 URL, or a private-use scheme URI, without a fragment'] })
  message!: string[];
}
