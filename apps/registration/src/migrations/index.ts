import { DATABASE_PROFILE_MIGRATIONS } from '@payer-access/database';
import { OUTBOX_MIGRATIONS } from '@payer-access/events';
import { InitialRegistrationSchema1763900000000 } from './1763900000000-initial-registration-schema';
import { MailOutbox1795900000000 } from './1795900000000-mail-outbox';
import { ClientEventsSigned1796000000000 } from './1796000000000-client-events-signed';
import { RegistrationPendingChange1796100000000 } from './1796100000000-registration-pending-change';
import { LoginFailureLastAttempt1796100000001 } from './1796100000001-login-failure-last-attempt';
import { PayerClientKeys1796300000000 } from './1796300000000-payer-client-keys';
import { RegistrationDataAccessType1796300000010 } from './1796300000010-registration-data-access-type';
import { RegistrationMessages1796136403695 } from './1796136403695-registration-messages';
import { AccountVerificationSecondFactor1796136418709 } from './1796136418709-account-verification-second-factor';

/** The registration schema's migrations, oldest first: the events library's outbox table, then ours, then the database library's profile marker. */
export const REGISTRATION_MIGRATIONS: (new () => object)[] = [
  ...OUTBOX_MIGRATIONS,
  InitialRegistrationSchema1763900000000,
  MailOutbox1795900000000,
  ClientEventsSigned1796000000000,
  RegistrationPendingChange1796100000000,
  LoginFailureLastAttempt1796100000001,
  PayerClientKeys1796300000000,
  RegistrationDataAccessType1796300000010,
  RegistrationMessages1796136403695,
  AccountVerificationSecondFactor1796136418709,
  ...DATABASE_PROFILE_MIGRATIONS,
];
