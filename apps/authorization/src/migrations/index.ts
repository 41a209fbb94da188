import { DATABASE_PROFILE_MIGRATIONS } from '@payer-access/database';
import { AuthorizationInitial1763900000000 } from './1763900000000-authorization-initial';

/** The authorization schema's migrations, oldest first. */
export const AUTHORIZATION_MIGRATIONS: (new () => object)[] = [AuthorizationInitial1763900000000, ...DATABASE_PROFILE_MIGRATIONS];
