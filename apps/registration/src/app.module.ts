import { type DynamicModule, Global, Logger, Module, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { DatabaseModule } from '@payer-access/database';
import { CLIENT_CHANGED_TOPIC } from '@payer-access/client-status';
import { CLIENT_CHANGED_TOPIC_SPEC, type EventBus, EventsModule, nestEventsLogger, OUTBOX_ENTITIES, parseBrokers, assertEventKeysConfigured, resolveEventTrust, SecretSealer, type EventTrustSettings } from '@payer-access/events';
import { HealthModule, ServiceMetrics } from '@payer-access/http';
import { kafkaClientSecurity } from '@payer-access/config';
import { AccountEntity } from './accounts/account.entity';
import { AccountsController } from './accounts/accounts.controller';
import { AccountsService } from './accounts/accounts.service';
import { EmailVerificationService } from './accounts/email-verification.service';
import { SecondFactorService } from './auth/second-factor/second-factor.service';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { JwtStrategy } from './auth/jwt.strategy';
import { LoginFailureEntity } from './auth/login-failure.entity';
import { LoginThrottleService } from './auth/login-throttle.service';
import { PortalRateLimitGuard } from './common/portal-rate-limit.guard';
import { PortalTokenService } from './auth/portal-token.service';
import { RolesGuard } from './auth/roles.guard';
import { RegistrationExceptionFilter } from './common/registration-exception.filter';
import { CLOCK, REGISTRATION_CONFIG, systemClock } from './common/tokens';
import { CredentialsController } from './credentials/credentials.controller';
import { CredentialsService } from './credentials/credentials.service';
import { REGISTRATION_MIGRATIONS } from './migrations';
import { MailService } from './notifications/mail.service';
import type { RegistrationConfig } from './registration.config';
import { ClientEvents } from './registrations/client-events';
import { RegistrationHistoryEntity } from './registrations/registration-event.entity';
import { RegistrationEntity } from './registrations/registration.entity';
import { RegistrationMetrics } from './registrations/registration.metrics';
import { RegistrationsController } from './registrations/registrations.controller';
import { RegistrationsService } from './registrations/registrations.service';
import { ReviewController } from './review/review.controller';
import { ReviewService } from './review/review.service';
import { SandboxSeedService } from './sandbox/sandbox-seed.service';
import { AdminMessagesController, MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { RegistrationMessageEntity } from './messages/registration-message.entity';
import { ClientRepublisher } from './registrations/client-republisher.service';
import { ClientStatusHeartbeatPublisher } from './registrations/client-status-heartbeat.publisher';
import { ClientTopicGuard } from './registrations/client-topic.guard';

export const REGISTRATION_SCHEMA = 'registration';

export const REGISTRATION_ENTITIES = [AccountEntity, RegistrationEntity, RegistrationHistoryEntity, RegistrationMessageEntity, LoginFailureEntity, ...OUTBOX_ENTITIES];

export interface RegistrationModuleOptions {
  /** The shared bus of the one-process sandbox; otherwise Kafka from KAFKA_BROKERS, else the PostgreSQL event log. */
  eventBus?: EventBus;
}

/** Configuration, clock and mail: what every feature of the service shares. */
@Global()
@Module({})
class RegistrationCoreModule {
  static forRoot(config: RegistrationConfig): DynamicModule {
    const providers: Provider[] = [
      { provide: REGISTRATION_CONFIG, useValue: config },
      { provide: CLOCK, useValue: systemClock },
      MailService,
      // Built now: a production service without its key stops here, before connecting to anything.
      { provide: SecretSealer, useValue: SecretSealer.fromConfig(config.CLIENT_SECRET_SEALING_KEY, config.PROFILE) },
      ClientEvents,
      RegistrationMetrics,
    ];
    return { module: RegistrationCoreModule, providers, exports: providers };
  }
}

/**
 * Client events leave through the events library's transactional outbox and relay: to Kafka when
 * KAFKA_BROKERS is set, to the bus the sandbox shares otherwise. A production service with neither
 * would drop them, so it refuses to start.
 */
function eventsModule(config: RegistrationConfig, options: RegistrationModuleOptions): DynamicModule {
  if (!options.eventBus && parseBrokers(config.KAFKA_BROKERS).length === 0 && config.PROFILE === 'production') {
    throw new Error('KAFKA_BROKERS is required in the production profile: client events must reach the other services');
  }
  // Consumers apply only client events this key signed; registration reads its own topic back
  // (ClientTopicGuard) and trusts its own public key there.
  const trust: EventTrustSettings = {
    profile: config.PROFILE,
    signingKey: { variable: 'REGISTRATION_EVENT_SIGNING_KEY', value: config.REGISTRATION_EVENT_SIGNING_KEY, producer: 'registration' },
    trustedKeys: {
      [CLIENT_CHANGED_TOPIC]: { variable: 'REGISTRATION_EVENT_SIGNING_KEY', value: publicJwks(config.REGISTRATION_EVENT_SIGNING_KEY), producer: 'registration' },
    },
  };
  assertEventKeysConfigured(trust);
  return EventsModule.forRoot({
    bus: options.eventBus,
    config: { brokers: config.KAFKA_BROKERS, databaseUrl: config.DATABASE_URL, clientId: 'payer-access-registration', ...kafkaClientSecurity(config) },
    topics: [CLIENT_CHANGED_TOPIC_SPEC],
    trust: () => resolveEventTrust(trust),
    outboxRelay: {
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      // Retries while Kafka is away: soon at first, then every 10 s at most, so that an outage of
      // any length ends with delivery within seconds of the broker's return.
      backoff: { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 },
    },
    logger: nestEventsLogger(new Logger('Events')),
    metrics: ServiceMetrics,
  });
}

/** The public part of a private JWK, as a JWK Set; undefined when unset or not JSON (the signer explains). */
function publicJwks(privateJwk: string | undefined): string | undefined {
  if (!privateJwk) return undefined;
  try {
    const { d: _private, ...publicPart } = JSON.parse(privateJwk) as Record<string, unknown>;
    return JSON.stringify({ keys: [publicPart] });
  } catch {
    return undefined;
  }
}

@Module({})
export class AppModule {
  static forRoot(config: RegistrationConfig & { DATABASE_URL: string }, options: RegistrationModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forService('registration'),
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: REGISTRATION_SCHEMA,
          entities: REGISTRATION_ENTITIES,
          migrations: REGISTRATION_MIGRATIONS,
          migrate: config.MIGRATE_ON_START === 'true',
          profile: config.PROFILE,
        }),
        RegistrationCoreModule.forRoot(config),
        eventsModule(config, options),
        PassportModule,
      ],
      controllers: [AccountsController, AuthController, RegistrationsController, MessagesController, CredentialsController, ReviewController, AdminMessagesController],
      providers: [
        { provide: APP_FILTER, useClass: RegistrationExceptionFilter },
        AccountsService,
        EmailVerificationService,
        SecondFactorService,
        PortalTokenService,
        JwtStrategy,
        RolesGuard,
        PortalRateLimitGuard,
        LoginThrottleService,
        AuthService,
        RegistrationsService,
        CredentialsService,
        ReviewService,
        MessagesService,
        SandboxSeedService,
        ClientRepublisher,
        ClientTopicGuard,
        ClientStatusHeartbeatPublisher,
      ],
    };
  }
}
