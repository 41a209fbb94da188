/**
 * Why a consumer refused an event for good. Retrying cannot change the answer, so the event is
 * parked on the topic's dead-letter topic and the consumer moves on.
 */
export type DeadLetterReason =
  | 'unparsable'
  | 'bad_signature'
  | 'invalid_event'
  | 'transition_not_allowed'
  | 'unreadable_secret';

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['unparsable', 'bad_signature', 'invalid_event', 'transition_not_allowed', 'unreadable_secret'];

/**
 * Thrown by a handler for an event it must never apply (a schema violation, a forbidden
 * transition): the subscription dead-letters it instead of retrying. Any other error is retried.
 */
export class EventRejectedError extends Error {
  constructor(
    readonly reason: DeadLetterReason,
    /** Shown in the dead-letter headers and logs: never a secret or member data. */
    readonly detail: string,
  ) {
    super(`Event rejected (${reason}): ${detail}`);
    this.name = 'EventRejectedError';
  }
}
