import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'], example: 'ok' })
  status!: 'ok' | 'unavailable';

  @ApiProperty({ example: 'fhir' })
  service!: string;

  @ApiProperty({
    description: 'Each readiness dependency and whether it answers (only on /health and /health/ready).',
    example: { database: 'up', 'client-status': 'up' },
    required: false,
    type: Object,
    additionalProperties: { type: 'string', enum: ['up', 'down'] },
  })
  checks?: Record<string, 'up' | 'down'>;
}
