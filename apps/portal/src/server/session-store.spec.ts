import { csrfMatches, SessionStore } from './session-store';

describe('SessionStore', () => {
  it('gives a new id and CSRF token at login and forgets the anonymous one', () => {
    const store = new SessionStore();
    const anonymous = store.createAnonymous();
    const session = store.logIn(anonymous, 'token', 900, { email: 'a@b.example', name: 'A', kind: 'developer' });
    expect(session.id).not.toBe(anonymous.id);
    expect(session.csrf).not.toBe(anonymous.csrf);
    expect(store.get(anonymous.id)).toBeUndefined();
    expect(store.get(session.id)?.token).toBe('token');
  });

  it('ends a session when its token expires', () => {
    let now = 1_000_000;
    const store = new SessionStore(10, () => now);
    const session = store.logIn(undefined, 'token', 60, undefined);
    now += 59_999;
    expect(store.get(session.id)).toBeDefined();
    now += 1;
    expect(store.get(session.id)).toBeUndefined();
  });

  it('stays bounded under a flood of new visitors, dropping the oldest first', () => {
    const store = new SessionStore(3);
    const first = store.createAnonymous();
    const rest = [store.createAnonymous(), store.createAnonymous(), store.createAnonymous()];
    expect(store.size).toBe(3);
    expect(store.get(first.id)).toBeUndefined();
    expect(store.get(rest[2].id)).toBeDefined();
  });

  it('accepts only the exact CSRF token', () => {
    const session = new SessionStore().createAnonymous();
    expect(csrfMatches(session, session.csrf)).toBe(true);
    expect(csrfMatches(session, `${session.csrf}x`)).toBe(false);
    expect(csrfMatches(session, session.csrf.slice(1))).toBe(false);
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, ['x'])).toBe(false);
  });
});
