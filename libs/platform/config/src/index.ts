export { ConfigVariable, configVariables, type ConfigVariableMetadata } from './config-variable.decorator';
export { ConfigValidationError, loadConfig, loadConfigOrExit } from './load-config';
export { IsBrokerList, IsPostgresUrl, brokerList } from './validators';
export { PlatformConfig, PROFILES, type Profile } from './platform.config';
export { requireDatabaseUrl } from './require-database-url';
