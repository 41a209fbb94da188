import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderErrorPage } from '../interaction/pages/error.page';
import { PAGE_HEADERS } from '../interaction/pages/layout';

/** Member pages: errors there are shown as a page, not as JSON a browser would display raw. */
const PAGE_PATHS = /^\/(interaction|account)(\/|$)/;

const ERROR_CODES: Partial<Record<number, string>> = {
  400: 'invalid_request',
  401: 'invalid_token',
  403: 'access_denied',
  404: 'not_found',
  405: 'invalid_request',
  413: 'invalid_request',
  415: 'invalid_request',
};

/**
 * Every error of the service's own routes (what oidc-provider does not answer itself) leaves in
 * the shape its callers read: the OAuth error JSON of RFC 6749 §5.2 for APIs, the error page for
 * member pages. Requests refused at the edge (a NUL byte, broken UTF-8, a body too large) arrive
 * here as HTTP exceptions. Anything unexpected is a `server_error` whose cause stays in the log.
 */
@Catch()
export class AuthorizationExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    const error = status >= 500 ? 'server_error' : (ERROR_CODES[status] ?? 'invalid_request');
    const description = status >= 500 ? 'the server could not answer the request' : describe(exception as HttpException);
    response.status(status).setHeader('cache-control', 'no-store');
    if (PAGE_PATHS.test(request.path ?? '')) {
      response.set(PAGE_HEADERS).send(renderErrorPage(error, description));
      return;
    }
    response.json({ error, error_description: description });
  }
}

function describe(exception: HttpException): string {
  // Nest's "Cannot GET /path" would echo the client's path back.
  if (exception.getStatus() === 404) return 'no such endpoint';
  const body = exception.getResponse();
  const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}
