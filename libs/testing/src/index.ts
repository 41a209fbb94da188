export { createTestDatabase, testServerUrl, type TestDatabase } from './postgres';
export {
  ensureKafka,
  stopKafka,
  stopBroker,
  startBroker,
  restartKafka,
  isToolsBroker,
  startIsolatedKafka,
  toolsKafkaBroker,
  parseBrokerList,
  parseCredentials,
  kafkaServiceEnv,
  kafkajsSasl,
  KAFKA_PRINCIPALS,
  type KafkaCredentials,
  type KafkaCredentialSet,
  type KafkaPrincipal,
  type KafkaForTests,
  type BrokerStatus,
  type ToolsKafkaBroker,
  type ToolsKafkaBrokerOptions,
  type IsolatedKafka,
} from './kafka';
export { metricValue, scrapeMetrics } from './prometheus';
export { type ClusteredEntryPoint, runEntryPoint, startClusteredEntryPoint, type EntryPointRun } from './entry-point';
export { SmtpCatcher, type ReceivedMail } from './smtp';
export { freshTotpCode } from './totp';
export { childrenOf, isRunning } from './processes';
