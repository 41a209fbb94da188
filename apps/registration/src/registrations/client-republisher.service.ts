import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './actor';
import { ClientEvents } from './client-events';
import { RegistrationEntity } from './registration.entity';

export const REPUBLISHED_REASON = 'republished signed, with the secret hash sealed';

/**
 * Consumers apply only signed client events and never a plain secret hash, so the events published
 * before registration signed them are parked, not applied. At start, each client not yet announced
 * in the current form is announced once more (next version, same status), which every consumer
 * accepts over what it holds. A row lock makes concurrent instances announce each client once.
 */
@Injectable()
export class ClientRepublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClientRepublisher.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: ClientEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const republished = await this.republishAll();
    if (republished > 0) this.logger.log(`republished ${republished} client(s) as signed events`);
  }

  /** Returns how many clients were announced again. */
  async republishAll(): Promise<number> {
    const pending: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM registration WHERE client_id IS NOT NULL AND NOT client_events_signed ORDER BY id`,
    );
    let count = 0;
    for (const { id } of pending) {
      const done = await this.dataSource.transaction(async (manager) => {
        const registration = await manager.findOne(RegistrationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!registration || registration.clientEventsSigned || !registration.clientId) return false;
        await this.events.record(manager, registration, registration.status, { reason: REPUBLISHED_REASON, by: SYSTEM_ACTOR });
        return true;
      });
      if (done) count += 1;
    }
    return count;
  }
}
