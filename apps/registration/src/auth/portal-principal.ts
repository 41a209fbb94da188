import type { Role } from '../accounts/account.entity';

/** Who is calling, as read from a verified portal access token. */
export interface PortalPrincipal {
  accountId: string;
  email: string;
  role: Role;
}
