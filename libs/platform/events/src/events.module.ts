import {
  Inject,
  Injectable,
  type InjectionToken,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createEventBus, type EventBusConfig } from './create-event-bus';
import { EVENT_BUS, type EventBus } from './event-bus';
import { backoffDelay, sleep } from './backoff';
import { errorMessage, type EventsLogger } from './events-logger';
import type { EventsMetrics } from './events-metrics';
import { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
import { OutboxWriter } from './outbox/outbox-writer';
import type { TopicSpec } from './topics';
import { TrustedEventBus, type EventTrustOptions } from './trust/trusted-event-bus';

export interface EventsModuleOptions {
  /** How to build the bus; ignored when `bus` is given. */
  bus?: EventBus;
  config?: EventBusConfig;
  /** Created (if missing) before anything is published or consumed. */
  topics: readonly TopicSpec[];
  /** Runs an `OutboxRelay` over the service's `outbox` table (needs TypeORM's `DataSource`). */
  outboxRelay?: false | Omit<OutboxRelayOptions, 'dataSource' | 'bus' | 'logger'>;
  logger?: EventsLogger;
  /**
   * The provider that receives consumer lag and outbox backlog: a token resolving to an
   * `EventsMetrics` (a service passes its `ServiceMetrics`). A bus handed in (`bus`) keeps its own.
   */
  metrics?: InjectionToken;
  /**
   * Signing and verification of events (`resolveEventTrust`): the bus the service gets signs what it
   * publishes and dead-letters what its producer did not sign. Omitted: the raw bus (tools only).
   */
  trust?: () => Promise<Pick<EventTrustOptions, 'signer' | 'trustedKeys'>>;
}

const EVENTS_OPTIONS = Symbol.for('payer-access.events.options');

/**
 * Ensures topics at init, starts consumers once every module has subscribed, stops them at
 * shutdown. A broker that is unreachable at start does not stop the service: it starts without
 * consuming (its caught-up readiness checks stay down) and keeps trying until the topics exist.
 */
@Injectable()
class EventBusLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stopping = new AbortController();
  private topicsEnsured: Promise<boolean> = Promise.resolve(true);

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENTS_OPTIONS) private readonly options: EventsModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.bus.ensureTopics(this.options.topics);
    } catch (error) {
      this.options.logger?.warn('Kafka is unreachable: starting not ready, retrying in the background', { error: errorMessage(error) });
      this.topicsEnsured = this.ensureTopicsUntilDone();
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    void this.topicsEnsured.then((ensured) => (ensured ? this.bus.start() : undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    // A bus handed in (the one-process sandbox shares one between services) is stopped by its owner.
    if (!this.options.bus) await this.bus.stop();
  }

  private async ensureTopicsUntilDone(): Promise<boolean> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      await sleep(backoffDelay(attempt, { initialMs: 1_000, maxMs: 15_000, factor: 2, jitter: 0.2 }), this.stopping.signal);
      if (this.stopping.signal.aborted) break;
      try {
        await this.bus.ensureTopics(this.options.topics);
        this.options.logger?.info('Kafka is reachable again: topics ensured, consumers starting', {});
        return true;
      } catch (error) {
        this.options.logger?.warn('Kafka still unreachable', { attempt, error: errorMessage(error) });
      }
    }
    return false;
  }
}

@Injectable()
class OutboxRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Optional() @Inject(OutboxRelay) private readonly relay?: OutboxRelay) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.relay?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

/**
 * Nest wiring of the events library: provides `EVENT_BUS`, `OutboxWriter` and, when asked,
 * `OutboxRelay`. Global, so feature modules inject them without importing it.
 */
@Module({})
export class EventsModule {
  static forRoot(options: EventsModuleOptions): DynamicModule {
    const relayOptions = options.outboxRelay;
    const metricsInjection = options.metrics ? [options.metrics] : [];
    return {
      module: EventsModule,
      global: true,
      providers: [
        { provide: EVENTS_OPTIONS, useValue: options },
        {
          provide: EVENT_BUS,
          inject: metricsInjection,
          useFactory: async (metrics?: EventsMetrics) => {
            const bus = options.bus ?? createEventBus({ logger: options.logger, metrics, ...requireConfig(options) });
            if (!options.trust) return bus;
            return new TrustedEventBus(bus, { ...(await options.trust()), logger: options.logger, metrics });
          },
        },
        OutboxWriter,
        ...(relayOptions
          ? [
              {
                provide: OutboxRelay,
                inject: [DataSource, EVENT_BUS, ...metricsInjection],
                useFactory: (dataSource: DataSource, bus: EventBus, metrics?: EventsMetrics) => {
                  const relay = new OutboxRelay({ ...relayOptions, dataSource, bus, logger: options.logger });
                  metrics?.outboxBacklog(() => relay.countUnsent());
                  return relay;
                },
              },
            ]
          : []),
        EventBusLifecycle,
        OutboxRelayLifecycle,
      ],
      exports: [EVENT_BUS, OutboxWriter, ...(relayOptions ? [OutboxRelay] : [])],
    };
  }
}

function requireConfig(options: EventsModuleOptions): EventBusConfig {
  if (!options.config) throw new Error('EventsModule.forRoot needs either `bus` or `config`');
  return options.config;
}
