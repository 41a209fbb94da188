import { ConsumedEvent } from './consumers/consumed-event.entity';
import { OutboxMessage } from './outbox/outbox-message.entity';
import { CreateConsumedEvent1763856000001, CreateOutbox1763856000000 } from './outbox/outbox.migration';

/** Add to a service's data source `entities` / `migrations` to use the outbox. */
export const OUTBOX_ENTITIES = [OutboxMessage];
export const OUTBOX_MIGRATIONS = [CreateOutbox1763856000000];
/** Add as well for `ConsumedEvents` (consumers with database effects). */
export const CONSUMED_EVENT_ENTITIES = [ConsumedEvent];
export const CONSUMED_EVENT_MIGRATIONS = [CreateConsumedEvent1763856000001];
