import { CLIENT_ACTIONS, ClientAction } from './client-action';
import { CLIENT_STATUSES, ClientStatus } from './client-status';
import { allowedActions, applyTransition, canReach, canTransition, checkSuccession } from './transitions';

const { Pending, Approved, Suspended, Terminated } = ClientStatus;
const { Approve, Reject, Suspend, Reinstate, Terminate } = ClientAction;

describe('applyTransition', () => {
  // Written out by hand from docs/product.md#client-status rather than derived, so that a change to the state
  // machine has to be made twice to go unnoticed.
  const allowed: ReadonlyArray<[ClientStatus, ClientAction, ClientStatus]> = [
    [Pending, Approve, Approved],
    [Pending, Reject, Terminated],
    [Pending, Terminate, Terminated],
    [Approved, Suspend, Suspended],
    [Approved, Terminate, Terminated],
    [Suspended, Reinstate, Approved],
    [Suspended, Terminate, Terminated],
  ];

  const refused: ReadonlyArray<[ClientStatus, ClientAction, string]> = [
    [Pending, Suspend, 'Only an approved registration can be suspended; this one is pending.'],
    [Pending, Reinstate, 'Only a suspended registration can be reinstated; this one is pending. Approve it instead.'],
    [Approved, Approve, 'The registration is already approved.'],
    [Approved, Reject, 'Only a pending registration can be rejected; this one is approved. Terminate it instead.'],
    [Approved, Reinstate, 'The registration is already approved.'],
    [Suspended, Approve, 'Only a pending registration can be approved; this one is suspended. Reinstate it instead.'],
    [Suspended, Reject, 'Only a pending registration can be rejected; this one is suspended. Terminate it instead.'],
    [Suspended, Suspend, 'The registration is already suspended.'],
    [Terminated, Approve, 'A terminated registration cannot be approved; the owner must register again.'],
    [Terminated, Reject, 'The registration is already terminated.'],
    [Terminated, Suspend, 'A terminated registration cannot be suspended; the owner must register again.'],
    [Terminated, Reinstate, 'A terminated registration cannot be reinstated; the owner must register again.'],
    [Terminated, Terminate, 'The registration is already terminated.'],
  ];

  it('covers every status and action pair exactly once', () => {
    const covered = [...allowed, ...refused].map(([from, action]) => `${from}:${action}`);
    const everyPair = CLIENT_STATUSES.flatMap((from) => CLIENT_ACTIONS.map((action) => `${from}:${action}`));

    expect(new Set(covered).size).toBe(covered.length);
    expect([...covered].sort()).toEqual([...everyPair].sort());
  });

  it.each(allowed)('%s --%s--> %s', (from, action, to) => {
    expect(applyTransition(from, action)).toEqual({ ok: true, from, action, to });
  });

  it.each(refused)('refuses %s --%s-->', (from, action, message) => {
    expect(applyTransition(from, action)).toEqual({
      ok: false,
      refusal: { code: 'transition_not_allowed', from, action, message },
    });
  });
});

describe('canTransition', () => {
  const reachable: Readonly<Record<ClientStatus, readonly ClientStatus[]>> = {
    [Pending]: [Approved, Terminated],
    [Approved]: [Suspended, Terminated],
    [Suspended]: [Approved, Terminated],
    [Terminated]: [],
  };
  const pairs = CLIENT_STATUSES.flatMap((from) =>
    CLIENT_STATUSES.map((to) => [from, to, reachable[from].includes(to)] as const),
  );

  it.each(pairs)('%s → %s is %s', (from, to, expected) => {
    expect(canTransition(from, to)).toBe(expected);
  });
});

describe('allowedActions', () => {
  it.each<[ClientStatus, readonly ClientAction[]]>([
    [Pending, [Approve, Reject, Terminate]],
    [Approved, [Suspend, Terminate]],
    [Suspended, [Reinstate, Terminate]],
    [Terminated, []],
  ])('from %s: %j', (from, actions) => {
    expect([...allowedActions(from)].sort()).toEqual([...actions].sort());
  });

  it('offers exactly the actions applyTransition accepts', () => {
    for (const from of CLIENT_STATUSES) {
      const accepted = CLIENT_ACTIONS.filter((action) => applyTransition(from, action).ok);
      expect(allowedActions(from)).toEqual(accepted);
    }
  });
});

describe('checkSuccession', () => {
  const held = (status: ClientStatus, clientVersion = 4) => ({ status, clientVersion });
  const next = (status: ClientStatus, previousStatus: ClientStatus | null, clientVersion = 5) => ({ status, previousStatus, clientVersion });

  it('takes a client seen for the first time at any version, as a compacted topic leaves it', () => {
    expect(checkSuccession(undefined, next(Approved, Suspended, 2 ** 31 - 1))).toEqual({ ok: true });
    expect(checkSuccession(undefined, next(Terminated, Approved, 17))).toEqual({ ok: true });
  });

  it.each([4, 3, 1])('calls version %i stale when version 4 is held', (version) => {
    expect(checkSuccession(held(Approved), next(Suspended, Approved, version))).toMatchObject({ ok: false, code: 'stale' });
  });

  it.each([
    [Pending, Approved],
    [Approved, Suspended],
    [Approved, Terminated],
    [Suspended, Approved],
    [Suspended, Terminated],
    [Approved, Approved],
  ])('lets the next version move %s to %s', (from, to) => {
    expect(checkSuccession(held(from), next(to, from))).toEqual({ ok: true });
  });

  it.each([
    [Terminated, Approved, Terminated],
    [Terminated, Terminated, Terminated],
    [Suspended, Pending, Suspended],
    [Pending, Suspended, Pending],
    [Approved, Pending, Approved],
  ])('refuses the next version moving %s to %s', (from, to, previous) => {
    expect(checkSuccession(held(from), next(to, previous))).toMatchObject({ ok: false, code: 'transition_not_allowed' });
  });

  it('refuses a next version whose previous status is not the held one', () => {
    // A forged "reinstatement" of an approved client that was in fact suspended in between.
    expect(checkSuccession(held(Suspended), next(Approved, Approved))).toMatchObject({ ok: false, code: 'transition_not_allowed' });
  });

  it.each([
    [Approved, Approved],
    [Suspended, Approved],
    [Approved, Suspended],
    [Pending, Suspended],
    [Pending, Terminated],
  ])('lets a later version (versions compacted away) go from %s to the reachable %s', (from, to) => {
    expect(checkSuccession(held(from), next(to, Approved, 9))).toEqual({ ok: true });
  });

  it.each([
    [Terminated, Approved],
    [Approved, Pending],
    [Suspended, Pending],
  ])('refuses a later version going from %s to the unreachable %s', (from, to) => {
    expect(checkSuccession(held(from), next(to, Approved, 9))).toMatchObject({ ok: false, code: 'transition_not_allowed' });
  });
});

describe('canReach', () => {
  it('reaches terminated from anything not terminated, and pending from nothing', () => {
    for (const from of [Pending, Approved, Suspended]) expect(canReach(from, Terminated)).toBe(true);
    for (const from of CLIENT_STATUSES) expect(canReach(from, Pending)).toBe(false);
    for (const to of CLIENT_STATUSES) expect(canReach(Terminated, to)).toBe(false);
  });
});
