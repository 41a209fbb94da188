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
