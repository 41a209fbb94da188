import { type DynamicModule, Global, Logger, Module, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { SearchParameterRegistry } from '@payer-access/fhir-models';
import { CLIENT_CHANGED_TOPIC, GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC } from '@payer-access/client-status';
import { assertEventKeysConfigured, EventsModule, nestEventsLogger, platformTopicSpecs, resolveEventTrust, type EventBus, type EventTrustSettings } from '@payer-access/events';
import { ServiceMetrics } from '@payer-access/http';
import { kafkaClientSecurity } from '@payer-access/config';
import { DataSource } from 'typeorm';
import { AccessAuditService } from './audit/access-audit.service';
import { AccessTokenGuard } from './auth/access-token.guard';
import { AccessTokenStrategy } from './auth/access-token.strategy';
import { JwksProvider } from './auth/jwks.provider';
import { VerifiedTokenCache } from './auth/verified-token.cache';
import { FhirExceptionFilter } from './common/fhir-exception.filter';
import { ClientStatusCache } from './events/client-status.cache';
import { FhirEventConsumers } from './events/fhir-event.consumers';
import { FhirEventsMetrics } from './events/fhir-events.metrics';
import { GrantDenylist } from './events/grant-denylist';
import type { FhirConfig } from './fhir.config';
import { FHIR_CONFIG, SEARCH_REGISTRY } from './fhir.tokens';
import { FhirApiService } from './fhir-api/fhir-api.service';
import { NdjsonLoader } from './loader/ndjson-loader';
import { RepresentativeConsumer } from './representatives/representative.consumer';
import { sensitiveCodesFrom } from './loader/sensitive-codes';
import { ResourceRepository } from './store/resource.repository';
import { createFhirSearchRegistry } from './store/search-registry';
import { SANDBOX_DATA, SandboxDataSeeder, type SandboxDataSource } from './store/sandbox-data.seeder';
import { SearchIndexer } from './store/search-indexer';
import { UserInfoService } from './userinfo/userinfo.service';

export interface FhirModuleOptions {
  /**
   * The platform event bus, shared by the services of the one-process sandbox; without it the
   * service builds its own: Kafka from KAFKA_BROKERS, else the PostgreSQL event log in its database.
   */
  readonly eventBus?: EventBus;
  /** The synthetic data set to load into an empty sandbox store. */
  readonly sandboxData?: SandboxDataSource;
}

export { createFhirSearchRegistry };

/** Store, search, access control and event consumers, shared by the REST controllers. */
@Global()
@Module({})
export class FhirCoreModule {
  static forRoot(config: FhirConfig, options: FhirModuleOptions = {}): DynamicModule {
    // Only events their producers signed reach the status cache, the denylist and the store.
    const trust: EventTrustSettings = {
      profile: config.PROFILE,
      trustedKeys: {
        [CLIENT_CHANGED_TOPIC]: { variable: 'REGISTRATION_EVENT_PUBLIC_KEYS', value: config.REGISTRATION_EVENT_PUBLIC_KEYS, producer: 'registration' },
        [GRANT_REVOKED_TOPIC]: { variable: 'AUTHORIZATION_EVENT_PUBLIC_KEYS', value: config.AUTHORIZATION_EVENT_PUBLIC_KEYS, producer: 'authorization' },
        [REPRESENTATIVE_RECORDED_TOPIC]: { variable: 'AUTHORIZATION_EVENT_PUBLIC_KEYS', value: config.AUTHORIZATION_EVENT_PUBLIC_KEYS, producer: 'authorization' },
      },
    };
    assertEventKeysConfigured(trust);
    const providers: Provider[] = [
      { provide: FHIR_CONFIG, useValue: config },
      { provide: SEARCH_REGISTRY, useValue: createFhirSearchRegistry(config) },
      { provide: SearchIndexer, useFactory: (registry: SearchParameterRegistry) => new SearchIndexer(registry), inject: [SEARCH_REGISTRY] },
      {
        provide: ResourceRepository,
        useFactory: (dataSource: DataSource, indexer: SearchIndexer) => new ResourceRepository(dataSource, indexer),
        inject: [DataSource, SearchIndexer],
      },
      {
        provide: NdjsonLoader,
        useFactory: (repository: ResourceRepository, registry: SearchParameterRegistry) =>
          new NdjsonLoader(repository, new Set(registry.resourceTypes), sensitiveCodesFrom(config.FHIR_SENSITIVE_CODES), { publicUrl: config.FHIR_PUBLIC_URL }),
        inject: [ResourceRepository, SEARCH_REGISTRY],
      },
      { provide: APP_FILTER, useClass: FhirExceptionFilter },
      AccessAuditService,
      FhirApiService,
      UserInfoService,
      JwksProvider,
      AccessTokenStrategy,
      AccessTokenGuard,
      VerifiedTokenCache,
      FhirEventsMetrics,
      ClientStatusCache,
      GrantDenylist,
      RepresentativeConsumer,
      FhirEventConsumers,
      SandboxDataSeeder,
    ];
    if (options.sandboxData) providers.push({ provide: SANDBOX_DATA, useValue: options.sandboxData });
    return {
      module: FhirCoreModule,
      imports: [
        EventsModule.forRoot({
          bus: options.eventBus,
          config: { brokers: config.KAFKA_BROKERS, databaseUrl: config.DATABASE_URL, clientId: 'fhir', ...kafkaClientSecurity(config) },
          topics: platformTopicSpecs({ accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS }),
          outboxRelay: false,
          trust: () => resolveEventTrust(trust),
          logger: nestEventsLogger(new Logger('FhirEvents')),
          metrics: ServiceMetrics,
        }),
      ],
      providers,
      exports: providers.filter((provider) => provider !== providers.find((p) => (p as { provide?: unknown }).provide === APP_FILTER)),
    };
  }
}
