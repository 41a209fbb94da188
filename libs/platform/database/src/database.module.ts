import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseReadiness } from './database-readiness';
import { createDataSource, migrateDatabase, type ServiceDatabaseOptions } from './data-source.factory';

export interface DatabaseModuleOptions extends Omit<ServiceDatabaseOptions, 'url'> {
  /** Resolved at module initialisation from the service's validated configuration. */
  url: string;
  /** Apply pending migrations when the service starts (the sandbox does; production runs a migration job). */
  migrate: boolean;
}

/** Wires a service's schema-confined data source into Nest's TypeORM integration. */
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({}),
          dataSourceFactory: async () => {
            const dataSource = createDataSource(options);
            await dataSource.initialize();
            if (options.migrate) await migrateDatabase(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
