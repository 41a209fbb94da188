export { createDataSource, migrateDatabase, pingDatabase, type ServiceDatabaseOptions } from './data-source.factory';
export { DatabaseModule, type DatabaseModuleOptions } from './database.module';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './embedded-postgres';
