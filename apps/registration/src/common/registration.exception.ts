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
  /** The account's email is not verified yet: it may log in, not submit a registration. */
  EmailNotVerified: 'email_not_verified',
  EmailAlreadyVerified: 'email_already_verified',
  InvalidVerificationToken: 'invalid_verification_token',
  /** A wrong, expired or already used TOTP or recovery code, or second-factor token. */
  InvalidSecondFactor: 'invalid_second_factor',
  SecondFactorAlreadyEnabled: 'second_factor_already_enabled',
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
