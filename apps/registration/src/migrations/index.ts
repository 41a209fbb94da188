import { OUTBOX_MIGRATIONS } from '@payer-access/events';
import { InitialRegistrationSchema1763900000000 } from './1763900000000-initial-registration-schema';
import { MailOutbox1795900000000 } from './1795900000000-mail-outbox';
import { ClientEventsSigned1796000000000 } from './1796000000000-client-events-signed';

/** The registration schema's migrations, oldest first: the events library's outbox table, then ours. */
export const REGISTRATION_MIGRATIONS: (new () => object)[] = [...OUTBOX_MIGRATIONS, InitialRegistrationSchema1763900000000, MailOutbox1795900000000, ClientEventsSigned1796000000000];
