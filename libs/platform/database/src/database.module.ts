import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseReadiness } from './database-readiness';
import { createDataSource, migrateDatabase, type ServiceDatabaseOptions } from './data-source.factory';
import { DatabaseProfileMismatchError, recordDatabaseProfile, type DatabaseProfile } from './profile/database-profile';

export interface DatabaseModuleOptions extends Omit<ServiceDatabaseOptions, 'url'> {
  /** Resolved at module initialisation from the service's validated configuration. */
  url: string;
  /** Apply pending migrations when the service starts (the sandbox does; production runs a migration job). */
  migrate: boolean;
  /**
   * The service's profile, recorded in the schema at start (its migrations must include
   * DATABASE_PROFILE_MIGRATIONS): a service then refuses a schema the other profile has used.
   */
  profile?: DatabaseProfile;
}

/** Wires a service's schema-confined data source into Nest's TypeORM integration. */
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // A schema of the other profile stays so: retrying only delays the exit.
          useFactory: () => ({ toRetry: (error: unknown) => !(error instanceof DatabaseProfileMismatchError) }),
          dataSourceFactory: async () => {
            const dataSource = createDataSource(options);
            await dataSource.initialize();
            try {
              if (options.migrate) await migrateDatabase(dataSource);
              if (options.profile) await recordDatabaseProfile(dataSource, options.profile);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            return dataSource;
          },
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
