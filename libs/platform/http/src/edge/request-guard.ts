import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Largest JSON or form body a service reads; the services exchange small documents only. */
export const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Deepest nesting of objects and arrays a body may have. No request of the platform nests beyond a
 * handful of levels; validation and serialization recurse, so a body nested thousands deep would
 * exhaust the stack instead of being refused.
 */
export const BODY_MAX_DEPTH = 32;

/**
 * Refuses, before any route sees it, a request whose path or query holds a percent-encoding that
 * is not UTF-8 or that decodes to a NUL byte. PostgreSQL stores neither in text and the route
 * handlers would otherwise fail deep inside a query.
 */
export function urlGuard() {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const problem = urlProblem(request.originalUrl ?? request.url ?? '/');
    next(problem ? new BadRequestException(problem) : undefined);
  };
}

export function urlProblem(url: string): string | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const pathProblem = textProblem(decodeComponent(path));
  if (pathProblem) return `The request path ${pathProblem}`;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeComponent((equals === -1 ? part : part.slice(0, equals)).replace(/\+/g, ' '));
    const value = equals === -1 ? '' : decodeComponent(part.slice(equals + 1).replace(/\+/g, ' '));
    const problem = textProblem(name) ?? textProblem(value);
    if (problem) {
      const shown = typeof name === 'string' && textProblem(name) === undefined && /^[\w.:-]{1,64}$/.test(name) ? ` ${name}` : '';
      return `The query parameter${shown} ${problem}`;
    }
  }
  return undefined;
}

/**
 * JSON and form parsers with the platform's limits, each parsed body checked for depth and for text
 * PostgreSQL cannot store. The parsers' own failures (too large, unknown Content-Encoding, bad
 * JSON) become HTTP exceptions with a fixed message, so each service answers them in its own error
 * shape rather than as unexplained server errors.
 */
export function bodyParsers(limitBytes: number = BODY_LIMIT_BYTES) {
  return [
    express.json({ limit: limitBytes, type: ['application/json', 'application/*+json'], verify: verifyText(false) }),
    // body-parser's `depth` (nesting of `a[b][c]` keys) is missing from its type definitions.
    express.urlencoded({
      limit: limitBytes,
      extended: true,
      parameterLimit: 200,
      depth: 5,
      verify: verifyText(true),
    } as Parameters<typeof express.urlencoded>[0]),
    parserErrors(),
    bodyGuard(),
  ];
}

type Middleware = ((request: Request, response: Response, next: NextFunction) => void) | ((error: unknown, request: Request, response: Response, next: NextFunction) => void);

/**
 * The platform's body parsers for the requests `applies` selects only: a service that reads no
 * body elsewhere (`acceptsBodies: false`) parses one for a single route, with the same limits
 * (a larger size only where a route's documents are larger by nature, such as a batch of members).
 */
export function bodyParsersFor(applies: (request: Request) => boolean, limitBytes: number = BODY_LIMIT_BYTES) {
  const chain = bodyParsers(limitBytes) as Middleware[];
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!applies(request)) return next();
    let index = 0;
    const step = (error?: unknown): void => {
      const middleware = chain[index++];
      if (!middleware) return next(error);
      try {
        // Express tells error handlers (four parameters) from the others by their arity.
        if (middleware.length === 4) return error === undefined ? step() : (middleware as (e: unknown, q: Request, s: Response, n: NextFunction) => void)(error, request, response, step);
        if (error !== undefined) return step(error);
        (middleware as (q: Request, s: Response, n: NextFunction) => void)(request, response, step);
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
}

function bodyGuard() {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const problem = request.body === undefined ? undefined : valueProblem(request.body);
    next(problem ? new BadRequestException(`The request body ${problem}`) : undefined);
  };
}

/**
 * Parsers replace bytes that are not UTF-8 with U+FFFD, and the form parser keeps a bad
 * percent-encoding as its literal text: either way the route would see something else than was
 * sent. The raw body is checked before parsing instead.
 */
function verifyText(form: boolean) {
  return (_request: unknown, _response: unknown, raw: Buffer, encoding: string): void => {
    if (!/^utf-?8$/i.test(encoding)) return;
    let text: string;
    try {
      text = UTF8.decode(raw);
    } catch {
      throw Object.assign(new Error('The request body is not valid UTF-8'), { status: 400, type: 'body.text.invalid' });
    }
    const problem = form ? urlProblem(`?${text}`)?.replace('The query parameter', 'The form field') : undefined;
    if (problem) throw Object.assign(new Error(problem), { status: 400, type: 'body.text.invalid', problem });
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const PARSER_ERRORS: Record<string, [HttpStatus, string]> = {
  'entity.parse.failed': [HttpStatus.BAD_REQUEST, 'The request body is not valid JSON'],
  'parameters.too.many': [HttpStatus.PAYLOAD_TOO_LARGE, 'The request body has too many form parameters'],
  'encoding.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported Content-Encoding'],
  'charset.unsupported': [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Unsupported charset'],
  'request.size.invalid': [HttpStatus.BAD_REQUEST, 'The request body does not match its Content-Length'],
  'request.aborted': [HttpStatus.BAD_REQUEST, 'The request body was not received in full'],
};

function parserErrors() {
  return (error: unknown, _request: Request, _response: Response, next: NextFunction): void => {
    const failure = error as { type?: string; status?: number; expose?: boolean; limit?: number };
    if (failure.type === 'body.text.invalid') return next(new BadRequestException((error as Error).message));
    // The limit of the parser that refused it: a route may take larger bodies than the default.
    if (failure.type === 'entity.too.large') {
      return next(new HttpException(`The request body is larger than ${failure.limit ?? BODY_LIMIT_BYTES} bytes`, HttpStatus.PAYLOAD_TOO_LARGE));
    }
    const known = failure.type ? PARSER_ERRORS[failure.type] : undefined;
    if (known) return next(new HttpException(known[1], known[0]));
    if (failure.expose && typeof failure.status === 'number' && failure.status >= 400 && failure.status < 500) {
      return next(new HttpException('The request body could not be read', failure.status));
    }
    // Zlib failures of a declared gzip/deflate body carry no body-parser type.
    if (failure && typeof (failure as { code?: unknown }).code === 'string' && String((failure as { code: string }).code).startsWith('Z_')) {
      return next(new BadRequestException('The request body could not be decompressed'));
    }
    next(error);
  };
}

/** Decodes one percent-encoded component, or undefined when it is not valid UTF-8. */
function decodeComponent(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

function textProblem(text: string | undefined): string | undefined {
  if (text === undefined) return 'is not valid percent-encoded UTF-8';
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (hasLoneSurrogate(text)) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

/**
 * Walks a parsed body without recursion (a deep body must not exhaust the stack while being
 * checked): too deep, or a key or string holding what PostgreSQL text and jsonb refuse.
 */
export function valueProblem(root: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return problem;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= BODY_MAX_DEPTH) return `is nested deeper than ${BODY_MAX_DEPTH} levels`;
      for (const [key, child] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) return problem;
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
