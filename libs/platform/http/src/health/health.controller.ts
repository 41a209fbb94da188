import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthDto } from './health.dto';
import { ReadinessRegistry } from './readiness.registry';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Overall health: the process answers and its dependencies are ready' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'A dependency is down' })
  health(@Res({ passthrough: true }) response: Response): Promise<HealthDto> {
    return this.ready(response);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness probe: the process answers' })
  @ApiOkResponse({ type: HealthDto, schema: { example: { status: 'ok', service: 'fhir' } } })
  live(): HealthDto {
    return { status: 'ok', service: this.service };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe: every dependency answers and event projections have caught up' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'Not ready to take traffic yet' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthDto> {
    const { ready, checks } = await this.readiness.evaluate();
    if (!ready) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'unavailable', service: this.service, checks };
  }
}
