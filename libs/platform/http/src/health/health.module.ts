import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController, SERVICE_NAME } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';

@Global()
@Module({})
export class HealthModule {
  static forService(service: string): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [ReadinessRegistry, { provide: SERVICE_NAME, useValue: service }],
      exports: [ReadinessRegistry],
    };
  }
}
