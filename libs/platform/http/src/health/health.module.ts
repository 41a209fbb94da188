import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController, SERVICE_NAME } from './health.controller';
import { ServiceMetrics } from '../observability/metrics';
import { ReadinessRegistry } from './readiness.registry';

@Global()
@Module({})
export class HealthModule {
  static forService(service: string): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        ReadinessRegistry,
        { provide: SERVICE_NAME, useValue: service },
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics(service) },
      ],
      exports: [ReadinessRegistry, ServiceMetrics],
    };
  }
}
