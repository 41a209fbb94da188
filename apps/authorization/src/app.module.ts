import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseModule } from '@payer-access/database';
import { CLIENT_CHANGED_TOPIC } from '@payer-access/client-status';
import {
  EventsModule,
  nestEventsLogger,
  OUTBOX_ENTITIES,
  OUTBOX_MIGRATIONS,
  parseBrokers,
  platformTopicSpecs,
  assertEventKeysConfigured,
  resolveEventTrust,
  SecretSealer,
  type EventBus,
  type EventTrustSettings,
} from '@payer-access/events';
import { HealthModule, ServiceMetrics } from '@payer-access/http';
import { kafkaClientSecurity } from '@payer-access/config';
import { AuditEventEntity } from './audit/audit-event.entity';
import { AuditService } from './audit/audit.service';
import type { AuthorizationConfig } from './authorization.config';
import { ClientProjectionService } from './clients/client-projection.service';
import { AuthorizationExceptionFilter } from './common/authorization-exception.filter';
import { ClientSecretVerifier } from './clients/client-secret.verifier';
import { OAuthClientEntity } from './clients/oauth-client.entity';
import { AUTHORIZATION_CONFIG } from './common/tokens';
import { ConnectedAppsController } from './connected-apps/connected-apps.controller';
import { AccessHistoryService } from './connected-apps/access-history.service';
import { ConnectedAppsService } from './connected-apps/connected-apps.service';
import { MemberGrantEntity } from './grants/member-grant.entity';
import { MemberGrantsService } from './grants/member-grants.service';
import { InteractionController } from './interaction/interaction.controller';
import { InteractionService } from './interaction/interaction.service';
import { SigningKeyEntity } from './keys/signing-key.entity';
import { SigningKeysService } from './keys/signing-keys.service';
import { configuredKeyEncrypter, SIGNING_KEY_ENCRYPTER } from './keys/signing-key.encrypter';
import { LoginThrottleEntity } from './members/login-throttle.entity';
import { MemberAccountEntity } from './members/member-account.entity';
import { MemberAccountsService } from './members/member-accounts.service';
import { AuthorizationMetrics } from './metrics/authorization.metrics';
import { AUTHORIZATION_MIGRATIONS } from './migrations';
import { OidcPayloadEntity } from './oidc/oidc-payload.entity';
import { OidcProviderHost } from './oidc/oidc-provider.host';
import { Clock } from './common/clock';
import { SmartConfigurationController } from './smart/smart-configuration.controller';
import { AccessTokenVerifier } from './tokens/access-token.verifier';
import { StructuredTokenEndpoints } from './tokens/structured-token.endpoints';
import { UserinfoController } from './userinfo/userinfo.controller';
import { TypeOrmModule } from '@nestjs/typeorm';

export const AUTHORIZATION_SCHEMA = 'authorization';

export const AUTHORIZATION_ENTITIES = [
  OidcPayloadEntity,
  SigningKeyEntity,
  MemberAccountEntity,
  LoginThrottleEntity,
  MemberGrantEntity,
  OAuthClientEntity,
  AuditEventEntity,
];

export interface AuthorizationModuleOptions {
  /** The bus shared with the other services in the one-process sandbox; otherwise Kafka from KAFKA_BROKERS, else the PostgreSQL event log. */
  eventBus?: EventBus;
}

/**
 * Client events come in and grant revocations leave through the events library: Kafka when
 * KAFKA_BROKERS is set, the bus the sandbox shares otherwise. Revocations go through the
 * transactional outbox, committed with the revocation itself.
 */
function eventsModule(config: AuthorizationConfig, options: AuthorizationModuleOptions): DynamicModule {
  if (!options.eventBus && parseBrokers(config.KAFKA_BROKERS).length === 0 && config.PROFILE === 'production') {
    throw new Error('KAFKA_BROKERS is required in the production profile: clients and revocations travel as events');
  }
  // Grant revocations leave signed with this service's key; client events count only when registration signed them.
  const trust: EventTrustSettings = {
    profile: config.PROFILE,
    signingKey: { variable: 'AUTHORIZATION_EVENT_SIGNING_KEY', value: config.AUTHORIZATION_EVENT_SIGNING_KEY, producer: 'authorization' },
    trustedKeys: {
      [CLIENT_CHANGED_TOPIC]: { variable: 'REGISTRATION_EVENT_PUBLIC_KEYS', value: config.REGISTRATION_EVENT_PUBLIC_KEYS, producer: 'registration' },
    },
  };
  assertEventKeysConfigured(trust);
  return EventsModule.forRoot({
    bus: options.eventBus,
    config: { brokers: config.KAFKA_BROKERS, databaseUrl: config.DATABASE_URL, clientId: 'payer-access-authorization', ...kafkaClientSecurity(config) },
    topics: platformTopicSpecs({ accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS }),
    outboxRelay: { backoff: { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 } },
    trust: () => resolveEventTrust(trust),
    logger: nestEventsLogger(new Logger('Events')),
    metrics: ServiceMetrics,
  });
}

@Module({})
export class AppModule {
  static forRoot(config: AuthorizationConfig & { DATABASE_URL: string }, options: AuthorizationModuleOptions = {}): DynamicModule {
    // Built now: a production service without its key stops here, before connecting to anything.
    const sealer = SecretSealer.fromConfig(config.CLIENT_SECRET_SEALING_KEY, config.PROFILE);
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('authorization'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: AUTHORIZATION_SCHEMA,
          entities: [...AUTHORIZATION_ENTITIES, ...OUTBOX_ENTITIES],
          migrations: [...OUTBOX_MIGRATIONS, ...AUTHORIZATION_MIGRATIONS],
          migrate: config.MIGRATE_ON_START === 'true',
          profile: config.PROFILE,
        }),
        TypeOrmModule.forFeature(AUTHORIZATION_ENTITIES),
        eventsModule(config, options),
      ],
      controllers: [SmartConfigurationController, UserinfoController, InteractionController, ConnectedAppsController],
      providers: [
        { provide: AUTHORIZATION_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AuthorizationExceptionFilter },
        AuthorizationMetrics,
        AuditService,
        // Key-encryption keys from configuration; a KMS-backed SigningKeyEncrypter can replace it here.
        { provide: SIGNING_KEY_ENCRYPTER, useFactory: () => configuredKeyEncrypter(config) },
        SigningKeysService,
        MemberAccountsService,
        Clock,
        MemberGrantsService,
        ClientSecretVerifier,
        { provide: SecretSealer, useValue: sealer },
        ClientProjectionService,
        OidcProviderHost,
        InteractionService,
        AccessTokenVerifier,
        StructuredTokenEndpoints,
        ConnectedAppsService,
        AccessHistoryService,
      ],
    };
  }
}
