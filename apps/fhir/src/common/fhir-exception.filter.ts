import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { badRequest, forbidden, notSupported, operationOutcome, serverError, unauthorized, type FhirOutcome } from '@payer-access/fhir-models';
import type { Response } from 'express';
import { FhirException } from './fhir.exception';
import { sendFhir } from './fhir-media';

/**
 * Every error of this service leaves as an OperationOutcome (never an HTML page or a stack trace):
 * typed FhirExceptions as they are, Nest's own HTTP errors (unknown route, bad JSON) mapped by
 * status, anything else as a 500 whose cause stays in the log.
 * https://hl7.org/fhir/R4/http.html#2.21.0.6
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('FhirExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof FhirException) {
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
      sendFhir(response, exception.outcome.status, exception.outcome.outcome);
      return;
    }
    const outcome = exception instanceof HttpException ? fromHttpException(exception) : undefined;
    if (outcome) {
      if (outcome.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
      sendFhir(response, outcome.status, outcome.outcome);
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    const failure = serverError();
    sendFhir(response, failure.status, failure.outcome);
  }
}

function fromHttpException(exception: HttpException): FhirOutcome | undefined {
  const status = exception.getStatus();
  switch (status) {
    case 400:
      return badRequest(exception.message);
    case 401:
      return unauthorized('A valid access token is required');
    case 403:
      return forbidden(exception.message);
    case 404:
      return { status: 404, outcome: operationOutcome('error', 'not-found', 'No such endpoint on this FHIR server') };
    case 405:
      return notSupported('This interaction is not supported');
    default:
      if (status >= 500) return undefined;
      return { status, outcome: operationOutcome('error', 'processing', exception.message) };
  }
}

