/** Seed 002's sandbox client, created by the registration service in the sandbox profile. */
export const SEED_CLIENT = {
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  clientSecret: 'SR3SrK6U1WpGOdjWS2LY',
  redirectUri: 'https://oidcdebugger.com/debug',
} as const;

/** Seed 002's endpoint paths on the authorization host. */
export const AUTHORIZE_PATH = '/fhirmember/sps/oauth/oauth20/authorize';
export const TOKEN_PATH = '/fhirmember/sps/oauth/oauth20/token';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function getJson<T = Record<string, unknown>>(url: string, token?: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: AbortSignal.timeout(15_000),
  });
  return toJson<T>(response);
}

export async function sendJson<T = Record<string, unknown>>(method: string, url: string, body: unknown, token?: string): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return toJson<T>(response);
}

async function toJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** Step 1 of seed 002, exactly as the seed writes it, on our authorization host. */
export function seedAuthorizeUrl(authorizationUrl: string): string {
  return (
    `${authorizationUrl}${AUTHORIZE_PATH}?response_type=code&client_id=${SEED_CLIENT.clientId}` +
    `&redirect_uri=${SEED_CLIENT.redirectUri}&scope=openid%20read%20profile%20patient/*.read&state=test`
  );
}

/** An authorization request of another registered app, same shape as the seed's. */
export function authorizeUrl(authorizationUrl: string, clientId: string, redirectUri: string, state: string): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid profile patient/*.read', state });
  return `${authorizationUrl}${AUTHORIZE_PATH}?${query.toString()}`;
}

/**
 * Step 2 of seed 002 byte for byte: its (misspelt) content type and its body, unencoded, with the
 * client authenticating in the body.
 */
export async function seedTokenRequest(authorizationUrl: string, code: string): Promise<JsonResponse> {
  const response = await fetch(`${authorizationUrl}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-formurlencoded;charset=UTF-8' },
    body: `grant_type=authorization_code&code=${code}&redirect_uri=${SEED_CLIENT.redirectUri}&client_id=${SEED_CLIENT.clientId}&client_secret=${SEED_CLIENT.clientSecret}`,
    signal: AbortSignal.timeout(15_000),
  });
  return toJson(response);
}

/** A token request with HTTP Basic client authentication (RFC 6749 §2.3.1). */
export async function tokenRequest(authorizationUrl: string, client: { clientId: string; clientSecret: string }, params: Record<string, string>): Promise<JsonResponse> {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const response = await fetch(`${authorizationUrl}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  return toJson(response);
}

/**
 * Whether the authorization server would start a member journey for this request (a redirect to
 * its own interaction pages) rather than show an error page: a side-effect-free probe of whether
 * it considers the client active.
 */
export async function authorizationStarts(url: string): Promise<boolean> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  return response.status >= 300 && response.status < 400 && location !== null && !/[?&]error=/.test(location);
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
