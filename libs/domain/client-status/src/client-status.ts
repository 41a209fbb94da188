/**
 * The review status of a registered client, an application or a payer. The meanings are the
 * ones the plan publishes to registrants (docs/product.md#seed-000 and #seed-001); docs/product.md#client-status.
 */
export const ClientStatus = {
  /** Submitted and under review by plan staff; the client cannot be used yet. */
  Pending: 'pending',
  /** Approved by the plan: the only status in which the client may use the APIs. */
  Approved: 'approved',
  /**
   * The plan is blocking the client over a security concern or how it interacts with the
   * plan's infrastructure. Reversible: staff may reinstate it after a review.
   */
  Suspended: 'suspended',
  /**
   * The plan judged the client a security issue and revoked its access for good. To regain
   * access the owner registers again, which yields a new registration and a new client_id.
   */
  Terminated: 'terminated',
} as const;

export type ClientStatus = (typeof ClientStatus)[keyof typeof ClientStatus];

export const CLIENT_STATUSES: readonly ClientStatus[] = Object.values(ClientStatus);

export function isClientStatus(value: unknown): value is ClientStatus {
  return (CLIENT_STATUSES as readonly unknown[]).includes(value);
}

/** Whether the client may start authorizations, obtain tokens and read member data. */
export function isActive(status: ClientStatus): boolean {
  return status === ClientStatus.Approved;
}

/**
 * Whether entering this status takes away access the client may hold: its grants, codes and
 * refresh tokens are revoked and its unexpired access tokens rejected. A pending client is
 * neither active nor revoked, because it never had access to take away.
 */
export function revokesAccess(status: ClientStatus): boolean {
  return status === ClientStatus.Suspended || status === ClientStatus.Terminated;
}
