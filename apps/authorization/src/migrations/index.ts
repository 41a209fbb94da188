import { DATABASE_PROFILE_MIGRATIONS } from '@payer-access/database';
import { AuthorizationInitial1763900000000 } from './1763900000000-authorization-initial';
import { RevocationsSurviveFailures1764590400000 } from './1764590400000-revocations-survive-failures';
import { SigningKeyEnvelope1764590400001 } from './1764590400001-signing-key-envelope';
import { MemberGrantWithholdSensitive1764590400002 } from './1764590400002-member-grant-withhold-sensitive';
import { GrantLifetimes1764590400010 } from './1764590400010-grant-lifetimes';
import { OneClientNotBefore1796136439104 } from './1796136439104-one-client-not-before';
import { OneTimeGrantsWithoutOfflineAccess1796139499072 } from './1796139499072-one-time-grants-without-offline-access';

/** The authorization schema's migrations, oldest first. */
export const AUTHORIZATION_MIGRATIONS: (new () => object)[] = [
  AuthorizationInitial1763900000000,
  RevocationsSurviveFailures1764590400000,
  SigningKeyEnvelope1764590400001,
  MemberGrantWithholdSensitive1764590400002,
  GrantLifetimes1764590400010,
  OneClientNotBefore1796136439104,
  OneTimeGrantsWithoutOfflineAccess1796139499072,
  ...DATABASE_PROFILE_MIGRATIONS,
];
