export { ConfigVariable, configVariables, type ConfigVariableMetadata } from './config-variable.decorator';
export { ConfigValidationError, loadConfig, loadConfigOrExit } from './load-config';
export { IsBrokerList, IsPostgresUrl, brokerList } from './validators';
export { PlatformConfig, PROFILES, hstsMaxAge, METRICS_PORT_PATTERN, type Profile } from './platform.config';
export { requireDatabaseUrl } from './require-database-url';
