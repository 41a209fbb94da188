import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { RegistrationErrorCode, RegistrationException } from './registration.exception';

const STATUS: Record<RegistrationErrorCode, HttpStatus> = {
  [RegistrationErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [RegistrationErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [RegistrationErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [RegistrationErrorCode.TooManyAttempts]: HttpStatus.TOO_MANY_REQUESTS,
  [RegistrationErrorCode.WrongAccountKind]: HttpStatus.FORBIDDEN,
  [RegistrationErrorCode.TransitionNotAllowed]: HttpStatus.CONFLICT,
  [RegistrationErrorCode.NotAllowedInStatus]: HttpStatus.CONFLICT,
  [RegistrationErrorCode.InvalidRequest]: HttpStatus.BAD_REQUEST,
  [RegistrationErrorCode.EmailNotVerified]: HttpStatus.FORBIDDEN,
  [RegistrationErrorCode.EmailAlreadyVerified]: HttpStatus.CONFLICT,
  [RegistrationErrorCode.InvalidVerificationToken]: HttpStatus.BAD_REQUEST,
  [RegistrationErrorCode.InvalidSecondFactor]: HttpStatus.UNAUTHORIZED,
  [RegistrationErrorCode.SecondFactorAlreadyEnabled]: HttpStatus.CONFLICT,
};

const REASON: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/**
 * Gives every error the service's one shape, `{ statusCode, error, message, code? }`: typed
 * refusals by their code, Nest's HTTP exceptions as they are, and anything unexpected as a bare
 * 500 whose details go to the log, never to the caller.
 */
@Catch()
export class RegistrationExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof RegistrationException) {
      const statusCode = STATUS[exception.code];
      if (exception.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
      response.status(statusCode).json({
        statusCode,
        error: REASON[statusCode] ?? 'Error',
        message: exception.messages ?? exception.message,
        code: exception.code,
      });
      return;
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      response.status(statusCode).json({ statusCode, error: REASON[statusCode] ?? exception.name, message });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  }
}
