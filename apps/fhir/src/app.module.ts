import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@payer-access/database';
import { HealthModule } from '@payer-access/http';
import type { FhirConfig } from './fhir.config';
import { FHIR_MIGRATIONS } from './migrations';

export const FHIR_SCHEMA = 'fhir';

@Module({})
export class AppModule {
  static forRoot(config: FhirConfig & { DATABASE_URL: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('fhir'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: FHIR_SCHEMA,
          migrations: FHIR_MIGRATIONS,
          migrate: config.MIGRATE_ON_START === 'true',
        }),
      ],
    };
  }
}
