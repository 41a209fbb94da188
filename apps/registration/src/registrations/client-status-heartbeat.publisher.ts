import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLIENT_CHANGED_TOPIC, CLIENT_STATUS_HEARTBEAT_KEY, createClientStatusHeartbeat } from '@payer-access/client-status';
import { EVENT_BUS, type EventBus } from '@payer-access/events';
import { DataSource } from 'typeorm';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';

// One statement: now() is the transaction's start, before the statement's snapshot, so every
// client change committed before the watermark is visible here; if none of them (nor any later
// one) waits in the outbox, all of them are already on the topic, ahead of what we publish next.
const WATERMARK = `
  SELECT now() AS watermark,
         EXISTS (SELECT 1 FROM outbox WHERE topic = $1 AND sent_at IS NULL AND created_at <= now()) AS behind`;

/**
 * Publishes registration's heartbeat on the client topic (docs/architecture.md#revocation-across-services):
 * every `CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS`, a signed watermark saying that every client
 * change committed before it is already on the topic, ahead of it. While the outbox still holds
 * such a change (broker away, relay behind) no heartbeat goes out, so that consumers' views grow
 * stale rather than look current without that change. Published directly, not through the
 * outbox: a heartbeat that waited would say nothing true about now.
 */
@Injectable()
export class ClientStatusHeartbeatPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClientStatusHeartbeatPublisher.name);
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private failing = false;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS * 1000);
    this.timer.unref();
    void this.tick();
  }

  /** Before the bus stops (on shutdown): a beat after it would connect the producer again and keep the process alive. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }

  /** One heartbeat, unless the outbox is behind; returns whether one was published. */
  async beat(): Promise<boolean> {
    const [row]: { watermark: Date; behind: boolean }[] = await this.dataSource.query(WATERMARK, [CLIENT_CHANGED_TOPIC]);
    if (row.behind) return false;
    await this.bus.publish(CLIENT_CHANGED_TOPIC, [{ key: CLIENT_STATUS_HEARTBEAT_KEY, value: createClientStatusHeartbeat(row.watermark) }]);
    return true;
  }

  private async tick(): Promise<void> {
    if (this.beating || !this.timer) return;
    this.beating = this.beat()
      .then(() => {
        if (this.failing) this.logger.log('client status heartbeats are published again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        // Once per outage: consumers notice the silence themselves (their view grows stale).
        if (!this.failing) this.logger.warn(`could not publish a client status heartbeat: ${error instanceof Error ? error.message : String(error)}`);
        this.failing = true;
      })
      .finally(() => {
        this.beating = undefined;
      });
    await this.beating;
  }
}
