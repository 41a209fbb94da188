import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@payer-access/database';
import { HealthModule } from '@payer-access/http';
import type { RegistrationConfig } from './registration.config';
import { REGISTRATION_MIGRATIONS } from './migrations';

export const REGISTRATION_SCHEMA = 'registration';

@Module({})
export class AppModule {
  static forRoot(config: RegistrationConfig & { DATABASE_URL: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('registration'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: REGISTRATION_SCHEMA,
          migrations: REGISTRATION_MIGRATIONS,
          migrate: config.MIGRATE_ON_START === 'true',
        }),
      ],
    };
  }
}
