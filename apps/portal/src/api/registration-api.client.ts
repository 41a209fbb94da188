/**
 * The registration service's public API (`/v1/...`), the only thing the portal acts through.
 * Answers are returned whatever their status: the pages turn 4xx bodies into sentences.
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  /** Seconds from `Retry-After` on a 429, when the service sent one. */
  retryAfterSeconds: number | null;
  /** `X-Total-Count` of a paged list, when the service sent one. */
  totalCount: number | null;
}

/** A file the API answers with (the queue's CSV export), passed on to the browser as it is. */
export interface ApiFile {
  status: number;
  contentType: string;
  contentDisposition: string | null;
  body: string;
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
    const response = await this.send(method, path, options, 'application/json');
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
    const total = Number(response.headers.get('x-total-count') ?? NaN);
    return {
      status: response.status,
      body: body as T,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : null,
      totalCount: Number.isInteger(total) && total >= 0 ? total : null,
    };
  }

  /** A GET answered with a file when it succeeds (JSON errors otherwise: read them with `call`'s rules). */
  async download(path: string, accept: string, options: CallOptions = {}): Promise<ApiFile> {
    const response = await this.send('GET', path, options, `${accept}, application/json`);
    if (response.status >= 500) throw new RegistrationApiUnavailable(`registration API answered ${response.status}`);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      contentDisposition: response.headers.get('content-disposition'),
      body: await response.text(),
    };
  }

  private async send(method: 'GET' | 'POST' | 'PATCH', path: string, options: CallOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.clientAddress) headers['x-forwarded-for'] = options.clientAddress;
    try {
      return await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new RegistrationApiUnavailable(`registration API unreachable: ${error instanceof Error ? error.name : 'error'}`);
    }
  }
}

/** The API's message as one sentence, whatever its shape. */
export function errorSentence(body: unknown, fallback: string): string {
  const message = (body as ApiError | null)?.message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' && message ? message : fallback;
}

/** The API's messages as a list (a 400 names one per invalid field), whatever its shape. */
export function errorList(body: unknown, fallback: string): string[] {
  const message = (body as ApiError | null)?.message;
  return Array.isArray(message) ? message.map(String) : [errorSentence(body, fallback)];
}
