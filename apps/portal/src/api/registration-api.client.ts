/**
 * The registration service's public API (`/v1/...`), the only thing the portal acts through.
 * Answers are returned whatever their status: the pages turn 4xx bodies into sentences.
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  /** Seconds from `Retry-After` on a 429, when the service sent one. */
  retryAfterSeconds: number | null;
}

export interface ApiError {
  statusCode: number;
  error?: string;
  message: string | string[];
  code?: string;
}

export class RegistrationApiUnavailable extends Error {}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** The browser's address, so the service's per-address throttles see people, not the portal. */
  clientAddress?: string;
}

export class RegistrationApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async call<T = unknown>(method: 'GET' | 'POST' | 'PATCH', path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.clientAddress) headers['x-forwarded-for'] = options.clientAddress;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new RegistrationApiUnavailable(`registration API unreachable: ${error instanceof Error ? error.name : 'error'}`);
    }
    const text = await response.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new RegistrationApiUnavailable(`registration API answered ${response.status} without JSON`);
      }
    }
    if (response.status >= 500) throw new RegistrationApiUnavailable(`registration API answered ${response.status}`);
    const retryAfter = Number(response.headers.get('retry-after'));
    return { status: response.status, body: body as T, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : null };
  }
}

/** The API's message as one sentence, whatever its shape. */
export function errorSentence(body: unknown, fallback: string): string {
  const message = (body as ApiError | null)?.message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' && message ? message : fallback;
}
