import {
  Inject,
  Injectable,
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
import type { EventsLogger } from './events-logger';
import { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
import { OutboxWriter } from './outbox/outbox-writer';
import type { TopicSpec } from './topics';

export interface EventsModuleOptions {
  /** How to build the bus; ignored when `bus` is given. */
  bus?: EventBus;
  config?: EventBusConfig;
  /** Created (if missing) before anything is published or consumed. */
  topics: readonly TopicSpec[];
  /** Runs an `OutboxRelay` over the service's `outbox` table (needs TypeORM's `DataSource`). */
  outboxRelay?: false | Omit<OutboxRelayOptions, 'dataSource' | 'bus' | 'logger'>;
  logger?: EventsLogger;
}

const EVENTS_OPTIONS = Symbol.for('payer-access.events.options');

/** Ensures topics at init, starts consumers once every module has subscribed, stops them at shutdown. */
@Injectable()
class EventBusLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(EVENTS_OPTIONS) private readonly options: EventsModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.bus.ensureTopics(this.options.topics);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // A bus handed in (the one-process sandbox shares one between services) is stopped by its owner.
    if (!this.options.bus) await this.bus.stop();
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
    return {
      module: EventsModule,
      global: true,
      providers: [
        { provide: EVENTS_OPTIONS, useValue: options },
        {
          provide: EVENT_BUS,
          useFactory: () => options.bus ?? createEventBus({ logger: options.logger, ...requireConfig(options) }),
        },
        OutboxWriter,
        ...(relayOptions
          ? [
              {
                provide: OutboxRelay,
                inject: [DataSource, EVENT_BUS],
                useFactory: (dataSource: DataSource, bus: EventBus) => new OutboxRelay({ ...relayOptions, dataSource, bus, logger: options.logger }),
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
