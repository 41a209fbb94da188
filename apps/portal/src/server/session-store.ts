import { randomBytes, timingSafeEqual } from 'node:crypto';

export type AccountKind = 'developer' | 'payer' | 'staff';

export interface PortalSession {
  id: string;
  /** Synchronizer token every state-changing form carries back. */
  csrf: string;
  expiresAt: number;
  /** Set once logged in: the portal token never leaves the server. */
  token?: string;
  account?: { email: string; name: string; kind: AccountKind };
  /** One message for the next page (after a redirect). */
  flash?: string;
  /** Between the password and the second factor: the API's step token (never sent to the browser). */
  secondFactor?: { token: string; step: 'required' | 'enrolment_required'; next?: string; enrolment?: { secret: string; qrSvg: string } };
  /** An enrolment started from the account page, until its first code confirms it. */
  enrolment?: { secret: string; qrSvg: string };
  /** The address just signed up with, for the "check your mail" page. */
  signedUpEmail?: string;
}

/** Visitors who have not logged in yet get a short session: enough to fill in a form. */
const ANONYMOUS_TTL_MS = 30 * 60_000;

/**
 * Sessions in memory, keyed by a random id in an HttpOnly cookie. A restart logs everyone out,
 * which the portal's short-lived API tokens make cheap. The store is bounded so that a flood of
 * cookie-less requests cannot grow it without limit: the oldest sessions go first.
 */
export class SessionStore {
  private readonly sessions = new Map<string, PortalSession>();

  constructor(
    private readonly maxSessions = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string | undefined): PortalSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  createAnonymous(): PortalSession {
    return this.add({ id: newId(), csrf: newId(), expiresAt: this.now() + ANONYMOUS_TTL_MS });
  }

  /** A fresh id and CSRF token at login, so a session id planted before it is worthless after. */
  logIn(previous: PortalSession | undefined, token: string, expiresInSeconds: number, account: PortalSession['account']): PortalSession {
    if (previous) this.sessions.delete(previous.id);
    return this.add({ id: newId(), csrf: newId(), expiresAt: this.now() + expiresInSeconds * 1000, token, account });
  }

  destroy(session: PortalSession | undefined): void {
    if (session) this.sessions.delete(session.id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private add(session: PortalSession): PortalSession {
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(session.id, session);
    return session;
  }
}

export function csrfMatches(session: PortalSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function newId(): string {
  return randomBytes(32).toString('base64url');
}
