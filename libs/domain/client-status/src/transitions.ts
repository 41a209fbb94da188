import { ClientAction } from './client-action';
import { ClientStatus } from './client-status';

interface ActionRule {
  readonly from: readonly ClientStatus[];
  readonly to: ClientStatus;
  /** How the refusal message names the action: "cannot be reinstated". */
  readonly pastParticiple: string;
}

/**
 * The state machine of docs/product.md#client-status: pending → approved | terminated (rejected);
 * approved → suspended | terminated; suspended → approved (reinstated) | terminated;
 * terminated is final.
 */
const RULES: { readonly [A in ClientAction]: ActionRule } = {
  [ClientAction.Approve]: {
    from: [ClientStatus.Pending],
    to: ClientStatus.Approved,
    pastParticiple: 'approved',
  },
  [ClientAction.Reject]: {
    from: [ClientStatus.Pending],
    to: ClientStatus.Terminated,
    pastParticiple: 'rejected',
  },
  [ClientAction.Suspend]: {
    from: [ClientStatus.Approved],
    to: ClientStatus.Suspended,
    pastParticiple: 'suspended',
  },
  [ClientAction.Reinstate]: {
    from: [ClientStatus.Suspended],
    to: ClientStatus.Approved,
    pastParticiple: 'reinstated',
  },
  [ClientAction.Terminate]: {
    from: [ClientStatus.Pending, ClientStatus.Approved, ClientStatus.Suspended],
    to: ClientStatus.Terminated,
    pastParticiple: 'terminated',
  },
};

const ACTIONS = Object.keys(RULES) as ClientAction[];

export interface Transition {
  readonly from: ClientStatus;
  readonly action: ClientAction;
  readonly to: ClientStatus;
}

export interface TransitionRefusal {
  readonly code: 'transition_not_allowed';
  readonly from: ClientStatus;
  readonly action: ClientAction;
  /** Written for the staff member who tried the action (the admin routes answer 409 with it). */
  readonly message: string;
}

export type TransitionResult =
  | ({ readonly ok: true } & Transition)
  | { readonly ok: false; readonly refusal: TransitionRefusal };

export function applyTransition(current: ClientStatus, action: ClientAction): TransitionResult {
  const rule = RULES[action];
  if (rule.from.includes(current)) {
    return { ok: true, from: current, action, to: rule.to };
  }
  return {
    ok: false,
    refusal: { code: 'transition_not_allowed', from: current, action, message: refusalMessage(current, action) },
  };
}

/** Whether some action moves a client from one status to another; staying put is not a transition. */
export function canTransition(from: ClientStatus, to: ClientStatus): boolean {
  return allowedActions(from).some((action) => RULES[action].to === to);
}

/** The actions staff may take on a client in this status, e.g. to decide which buttons to offer. */
export function allowedActions(from: ClientStatus): readonly ClientAction[] {
  return ACTIONS.filter((action) => RULES[action].from.includes(from));
}

function refusalMessage(from: ClientStatus, action: ClientAction): string {
  const rule = RULES[action];
  if (rule.to === from) {
    return `The registration is already ${from}.`;
  }
  if (from === ClientStatus.Terminated) {
    return `A terminated registration cannot be ${rule.pastParticiple}; the owner must register again.`;
  }
  const sources = rule.from.join(' or ');
  const refusal = `Only ${withArticle(sources)} registration can be ${rule.pastParticiple}; this one is ${from}.`;
  // Staff often pick the right outcome under the wrong name (approving a suspended client,
  // rejecting an approved one); point them at the action that reaches it.
  const instead = allowedActions(from).find((other) => RULES[other].to === rule.to);
  return instead === undefined ? refusal : `${refusal} ${capitalize(instead)} it instead.`;
}

function withArticle(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** What a consumer holds of a client: the status and version of the last event it applied. */
export interface HeldClient {
  readonly status: ClientStatus;
  readonly clientVersion: number;
}

/** The part of a client event that decides whether it may follow what a consumer holds. */
export interface ClientSuccessor {
  readonly status: ClientStatus;
  readonly previousStatus: ClientStatus | null;
  readonly clientVersion: number;
}

export type SuccessionResult =
  | { readonly ok: true }
  /** Already applied, or older than what is held: a redelivery or a replay, harmless to drop. */
  | { readonly ok: false; readonly code: 'stale'; readonly message: string }
  /** A change the state machine forbids: no honest producer writes it. */
  | { readonly ok: false; readonly code: 'transition_not_allowed'; readonly message: string };

/**
 * Whether a consumer holding `held` (undefined: nothing yet) may apply `next`, the rule every
 * consumer of `registration.client.changed.v1` enforces on top of the producer's signature:
 *
 * - a client seen for the first time is taken at any version: the topic is compacted, so after a
 *   restart only the latest event of each client is left to read;
 * - a version not above the held one is stale;
 * - terminated is final;
 * - the very next version (held + 1) must name the held status as its previous one and make an
 *   allowed transition (or keep the status, for other edits);
 * - a later version (compaction removed the ones between) must land on a status the state machine
 *   can reach from the held one; no path leads back to pending or out of terminated.
 */
export function checkSuccession(held: HeldClient | undefined, next: ClientSuccessor): SuccessionResult {
  if (held === undefined) return { ok: true };
  if (next.clientVersion <= held.clientVersion) {
    return { ok: false, code: 'stale', message: `version ${next.clientVersion} is not newer than ${held.clientVersion}` };
  }
  const refuse = (message: string): SuccessionResult => ({ ok: false, code: 'transition_not_allowed', message });
  if (held.status === ClientStatus.Terminated) return refuse('a terminated client cannot change');
  const sameStatus = next.status === held.status;
  if (next.clientVersion === held.clientVersion + 1) {
    if (next.previousStatus !== held.status) {
      return refuse(`version ${next.clientVersion} follows ${next.previousStatus ?? 'nothing'}, but version ${held.clientVersion} is ${held.status}`);
    }
    return sameStatus || canTransition(held.status, next.status) ? { ok: true } : refuse(`${next.status} cannot follow ${held.status}`);
  }
  return sameStatus || canReach(held.status, next.status) ? { ok: true } : refuse(`${next.status} cannot be reached from ${held.status}`);
}

/** Whether some sequence of actions leads from one status to another. */
export function canReach(from: ClientStatus, to: ClientStatus): boolean {
  const seen = new Set<ClientStatus>([from]);
  const queue: ClientStatus[] = [from];
  for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
    for (const action of allowedActions(status)) {
      const reached = RULES[action].to;
      if (reached === to) return true;
      if (!seen.has(reached)) {
        seen.add(reached);
        queue.push(reached);
      }
    }
  }
  return false;
}
