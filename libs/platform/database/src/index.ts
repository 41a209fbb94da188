export { createDataSource, migrateDatabase, pingDatabase, type ServiceDatabaseOptions } from './data-source.factory';
export { DatabaseModule, type DatabaseModuleOptions } from './database.module';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './embedded-postgres';
export {
  CreateDatabaseProfile1796125000000,
  DATABASE_PROFILE_MIGRATIONS,
  DatabaseProfileMismatchError,
  recordDatabaseProfile,
  recordedDatabaseProfile,
  type DatabaseProfile,
} from './profile/database-profile';
export { PreparedStatements, pgPoolOf } from './prepared-statements';
