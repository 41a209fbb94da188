/**
 * What plan staff do to a registration. The admin routes are named after actions rather than
 * target statuses, and two actions can reach the same status (approve and reinstate both lead
 * to approved), so history records the action that was taken.
 */
export const ClientAction = {
  Approve: 'approve',
  /** Turn down a pending registration; it ends terminated, like a terminated approved one. */
  Reject: 'reject',
  Suspend: 'suspend',
  /** Lift a suspension. Tokens revoked by the suspension stay revoked. */
  Reinstate: 'reinstate',
  Terminate: 'terminate',
} as const;

export type ClientAction = (typeof ClientAction)[keyof typeof ClientAction];

export const CLIENT_ACTIONS: readonly ClientAction[] = Object.values(ClientAction);

export function isClientAction(value: unknown): value is ClientAction {
  return (CLIENT_ACTIONS as readonly unknown[]).includes(value);
}
