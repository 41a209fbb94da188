import type { ClientAction } from './client-action';
import { CLIENT_CHANGED_EVENT_TYPE, type ClientChange, type ClientChangedEventV1 } from './client-changed.event';
import { parseClientChangedEvent } from './client-changed.parser';
import { type EventIssue, issuesText } from './field-reader';
import type { ClientStatus } from './client-status';
import { applyTransition, canTransition } from './transitions';

export type ClientChangedEventInput = Omit<ClientChangedEventV1, 'type' | 'version' | 'occurredAt' | 'change'> & {
  /** Passed in rather than read from the clock, so the builder stays pure and testable. */
  readonly occurredAt: Date;
  readonly change?: ClientChange;
};

/**
 * Thrown by {@link createClientChangedEvent} when the producer's own data is inconsistent. It
 * signals a bug, not a case to handle: throwing inside the outbox transaction rolls the status
 * change back instead of publishing a snapshot consumers would reject or, worse, apply.
 */
export class InvalidClientChangedEventError extends Error {
  constructor(readonly issues: readonly EventIssue[]) {
    super(`Invalid ${CLIENT_CHANGED_EVENT_TYPE} event: ${issuesText(issues)}`);
    this.name = 'InvalidClientChangedEventError';
  }
}

/**
 * Builds the event the registration service writes to its outbox with each change to a client.
 * The result passes {@link parseClientChangedEvent} and contains no reference to the input's
 * arrays or objects, so later edits to the registration cannot alter a queued event.
 */
export function createClientChangedEvent(input: ClientChangedEventInput): ClientChangedEventV1 {
  const issues: EventIssue[] = [];
  if (Number.isNaN(input.occurredAt.getTime())) {
    issues.push({ path: 'occurredAt', message: 'must be a valid Date' });
  }
  // Parsing does not check this because consumers must apply whatever snapshot is newest; the
  // producer is where a status change the state machine forbids has to be stopped.
  const { previousStatus, status } = input;
  if (previousStatus !== null && previousStatus !== status && !canTransition(previousStatus, status)) {
    issues.push({ path: 'status', message: `cannot follow ${previousStatus}` });
  }
  const action = input.change?.action;
  if (action !== undefined && previousStatus !== null && !isTransition(previousStatus, action, status)) {
    issues.push({ path: 'change.action', message: `${action} does not lead from ${previousStatus} to ${status}` });
  }
  if (issues.length > 0) {
    throw new InvalidClientChangedEventError(issues);
  }

  // The parser copies what it reads into new objects, which is what detaches the event.
  const parsed = parseClientChangedEvent({
    ...input,
    type: CLIENT_CHANGED_EVENT_TYPE,
    version: 1,
    occurredAt: input.occurredAt.toISOString(),
    change: input.change ?? {},
  });
  if (!parsed.ok) {
    throw new InvalidClientChangedEventError(parsed.rejection.issues);
  }
  return parsed.event;
}

function isTransition(from: ClientStatus, action: ClientAction, to: ClientStatus): boolean {
  const result = applyTransition(from, action);
  return result.ok && result.to === to;
}
