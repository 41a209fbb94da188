import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, parseClientChangedEvent, issuesText } from '@payer-access/client-status';
import { EVENT_BUS, EventRejectedError, instanceGroupId, type EventBus, type Subscription } from '@payer-access/events';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './actor';
import { ClientEvents } from './client-events';
import { RegistrationEntity } from './registration.entity';

export const REPLAY_HEALED_REASON = 'republished: an older event of the client reappeared on the topic';

/**
 * Compaction keeps the last event of each client, whatever its version. A genuine older event
 * written again (a replay: it is signed, so consumers cannot tell it from the original) would
 * become that last event, and a consumer rebuilding from the topic would take a suspended client
 * for approved. Registration reads its own topic and, when a client's version goes down while the
 * client is still at the highest version seen, publishes its current state again as the next
 * version, which becomes the last event once more.
 */
@Injectable()
export class ClientTopicGuard implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ClientTopicGuard.name);
  private readonly highest = new Map<string, number>();
  private subscription?: Subscription;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: ClientEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    // Every instance reads the whole topic; the row lock below lets one of them answer a replay.
    this.subscription = await this.bus.subscribe({
      topic: CLIENT_CHANGED_TOPIC,
      groupId: instanceGroupId('registration.client-topic-guard'),
      fromBeginning: true,
      handler: async (event) => {
        // Our own heartbeats share the topic; they say nothing about any client.
        if (event.key !== CLIENT_STATUS_HEARTBEAT_KEY) await this.check(event.value);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Handles one (signature-checked) event; returns whether it answered a replay. */
  async check(value: unknown): Promise<boolean> {
    const parsed = parseClientChangedEvent(value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    const { clientId, clientVersion, registrationId } = parsed.event;
    // Per registration too: a topic that outlived its database holds another registration's events.
    const key = `${clientId}\u0000${registrationId}`;
    const highest = this.highest.get(key);
    if (highest === undefined || clientVersion >= highest) {
      this.highest.set(key, clientVersion);
      return false;
    }
    const healed = await this.dataSource.transaction(async (manager) => {
      const registration = await manager.findOne(RegistrationEntity, { where: { clientId }, lock: { mode: 'pessimistic_write' } });
      // Not ours, or another instance (or a newer change) already put a newer event after the replay.
      if (!registration || registration.id !== registrationId || registration.clientVersion !== highest) return false;
      await this.events.record(manager, registration, registration.status, { reason: REPLAY_HEALED_REASON, by: SYSTEM_ACTOR });
      return true;
    });
    if (healed) this.logger.warn(`client ${clientId}: version ${clientVersion} reappeared after ${highest}; republished the current state`);
    return healed;
  }
}
