import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC } from '@payer-access/client-status';
import { ReadinessRegistry } from '@payer-access/http';
import { EVENT_BUS, instanceGroupId, type EventBus, type Subscription } from '@payer-access/events';
import { RepresentativeConsumer } from '../representatives/representative.consumer';
import { ClientStatusCache } from './client-status.cache';
import { GrantDenylist } from './grant-denylist';

/**
 * Feeds the client status cache and the grant denylist. Every instance keeps whole copies, so each
 * subscribes with a consumer group of its own and reads both topics from the beginning; the
 * service reports not ready until the status cache has caught up (docs/architecture.md#events).
 * Representatives go to the database, which the instances share: one group for all of them, whose
 * committed position survives restarts. Readiness does not wait for them: a RelatedPerson not yet
 * created reads as 404 meanwhile.
 */
@Injectable()
export class FhirEventConsumers implements OnModuleInit, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly statusCache: ClientStatusCache,
    private readonly denylist: GrantDenylist,
    private readonly representatives: RepresentativeConsumer,
    private readonly readiness: ReadinessRegistry,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    const clients = await this.bus.subscribe({
      topic: CLIENT_CHANGED_TOPIC,
      groupId: instanceGroupId('fhir.client-status'),
      fromBeginning: true,
      handler: async (event) => void (event.key === CLIENT_STATUS_HEARTBEAT_KEY ? this.statusCache.applyHeartbeat(event.value) : this.statusCache.apply(event.value)),
    });
    const grants = await this.bus.subscribe({
      topic: GRANT_REVOKED_TOPIC,
      groupId: instanceGroupId('fhir.grant-denylist'),
      fromBeginning: true,
      handler: async (event) => void this.denylist.apply(event.value),
    });
    const representatives = await this.bus.subscribe({
      topic: REPRESENTATIVE_RECORDED_TOPIC,
      groupId: 'fhir.representatives',
      fromBeginning: true,
      handler: async (event) => void (await this.representatives.apply(event)),
    });
    this.subscriptions.push(clients, grants, representatives);
    this.readiness.register('client-status', () => Promise.resolve(clients.isCaughtUp()));
    this.readiness.register('grant-revocations', () => Promise.resolve(grants.isCaughtUp()));
    // Bounded staleness: tokens are refused while the view is older than the bound, so say so.
    this.readiness.register('client-status-freshness', () => Promise.resolve(!this.statusCache.freshness.isStale()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.close().catch(() => undefined)));
  }
}
