import { type DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { DatabaseModule } from '@payer-access/database';
import { HealthModule } from '@payer-access/http';
import { FhirCoreModule, type FhirModuleOptions } from './fhir-core.module';
import { FhirRestModule } from './fhir-rest.module';
import type { FhirConfig } from './fhir.config';
import { FHIR_MIGRATIONS } from './migrations';
import { ConnectUserInfoController } from './userinfo/userinfo.controller';

export const FHIR_SCHEMA = 'fhir';

@Module({})
export class AppModule {
  static forRoot(config: FhirConfig & { DATABASE_URL: string }, options: FhirModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('fhir'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: FHIR_SCHEMA,
          migrations: FHIR_MIGRATIONS,
          migrate: config.MIGRATE_ON_START === 'true',
          profile: config.PROFILE,
        }),
        FhirCoreModule.forRoot(config, options),
        FhirRestModule,
        RouterModule.register([{ path: config.FHIR_BASE_PATH, module: FhirRestModule }]),
      ],
      controllers: [ConnectUserInfoController],
    };
  }
}
