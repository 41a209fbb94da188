export { ConfigVariable, configVariables, type ConfigVariableMetadata } from './config-variable.decorator';
export { ConfigValidationError, loadConfig, loadConfigOrExit, loadStandaloneConfigOrExit, standaloneProblems, type StandaloneRequirements } from './load-config';
export { IsBrokerList, IsPostgresUrl, brokerList } from './validators';
export { PlatformConfig, PROFILES, KAFKA_SASL_MECHANISMS, kafkaClientSecurity, hstsMaxAge, METRICS_PORT_PATTERN, type KafkaClientSecurity, type KafkaSaslMechanism, type Profile } from './platform.config';
export { RequiredInProduction, isRequiredForEventsOnly, isRequiredInProduction, type RequiredInProductionOptions } from './required-in-production.decorator';
export { ClientSecretSealingKey, ListenHost, ListenPort, MetricsPort, RegistrationEventPublicKeys } from './shared-settings';
