import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@payer-access/database';
import { HealthModule } from '@payer-access/http';
import type { AuthorizationConfig } from './authorization.config';
import { AUTHORIZATION_MIGRATIONS } from './migrations';

export const AUTHORIZATION_SCHEMA = 'authorization';

@Module({})
export class AppModule {
  static forRoot(config: AuthorizationConfig & { DATABASE_URL: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('authorization'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: AUTHORIZATION_SCHEMA,
          migrations: AUTHORIZATION_MIGRATIONS,
          migrate: config.MIGRATE_ON_START === 'true',
        }),
      ],
    };
  }
}
