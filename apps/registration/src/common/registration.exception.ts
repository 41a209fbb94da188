/** Every refusal the registration service gives on purpose; the filter maps each to an HTTP status. */
export const RegistrationErrorCode = {
  NotFound: 'not_found',
  EmailTaken: 'email_taken',
  InvalidCredentials: 'invalid_credentials',
  TooManyAttempts: 'too_many_attempts',
  WrongAccountKind: 'wrong_account_kind',
  TransitionNotAllowed: 'transition_not_allowed',
  NotAllowedInStatus: 'not_allowed_in_status',
  InvalidRequest: 'invalid_request',
} as const;
export type RegistrationErrorCode = (typeof RegistrationErrorCode)[keyof typeof RegistrationErrorCode];

export class RegistrationException extends Error {
  constructor(
    readonly code: RegistrationErrorCode,
    message: string | string[],
    /** Seconds until a refused login may be tried again (429 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.name = 'RegistrationException';
    this.messages = Array.isArray(message) ? message : undefined;
  }

  /** Field messages for a 400, shaped like the ValidationPipe's. */
  readonly messages?: string[];

  static notFound(what = 'Registration'): RegistrationException {
    // Someone else's registration answers exactly like a missing one, so ids cannot be probed.
    return new RegistrationException(RegistrationErrorCode.NotFound, `${what} not found`);
  }
}
