import { ConfigVariable, PlatformConfig } from '@payer-access/config';
import { IsEmail, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, registerDecorator } from 'class-validator';

/** An IANA time zone name that this Node.js knows (e.g. America/New_York). */
function IsTimeZone(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: 'must be an IANA time zone such as America/New_York' },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: value });
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}

export class RegistrationConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port of the registration service.', example: '3001' })
  @IsInt()
  @Min(0)
  @Max(65535)
  REGISTRATION_PORT: number = 3001;

  @ConfigVariable({ description: 'Interface the registration service listens on.', example: '0.0.0.0' })
  @IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' })
  REGISTRATION_HOST: string = '0.0.0.0';

  @ConfigVariable({ description: 'Public base URL of the registration service, as clients reach it.', example: 'https://registration.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  REGISTRATION_PUBLIC_URL: string = 'http://localhost:3001';

  @ConfigVariable({
    description: 'Public URL of the authorization server (OIDC issuer); named in the approval email. Shared with the other services.',
    example: 'https://auth.plan.example',
  })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTHORIZATION_PUBLIC_URL: string = 'http://localhost:3002';

  @ConfigVariable({ description: 'Public URL of the FHIR service; named in the approval email.', example: 'https://api.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  FHIR_PUBLIC_URL: string = 'http://localhost:3003';

  @ConfigVariable({ description: 'Base path of the Patient Access FHIR API.', example: '/fhir/sb/R4/patientaccess' })
  @IsString()
  FHIR_BASE_PATH: string = '/fhir/sb/R4/patientaccess';

  @ConfigVariable({
    description:
      'Email of the first staff (admin) account, created at start when no account has it. Sandbox default: admin@sandbox.local (printed at start).',
    example: 'registration-admin@plan.example',
  })
  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @ConfigVariable({
    description: 'Password of that first admin account (at least 12 characters in production). Sandbox default: sandbox-admin.',
    sensitive: true,
    example: 'change-me-now-please',
  })
  @IsOptional()
  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD?: string;

  @ConfigVariable({
    description:
      'HMAC key (at least 32 characters) signing the portal access tokens. Required in production; the sandbox generates one per process when unset, so portal logins end with a restart.',
    sensitive: true,
    example: 'a-long-random-string-of-at-least-32-characters',
  })
  @IsOptional()
  @IsString()
  @MinLength(32)
  PORTAL_JWT_SECRET?: string;

  @ConfigVariable({
    description:
      'Private JWK (Ed25519 or P-256, JSON) with which this service signs the events it publishes; authorization and fhir verify them with its public part. Required in production; the sandbox derives a fixed, public key when unset.',
    sensitive: true,
    example: '{"kty":"OKP","crv":"Ed25519","x":"...","d":"..."}',
  })
  @IsOptional()
  @IsString()
  REGISTRATION_EVENT_SIGNING_KEY?: string;

  @ConfigVariable({
    description:
      'Key (32 random bytes, base64url) that registration and authorization alone share: client secret hashes travel encrypted with it (JWE), so nothing on the event topic lets anyone test a guessed secret. Required in production; the sandbox derives a fixed, public key when unset.',
    sensitive: true,
    example: 'base64url-of-32-random-bytes-generated-with-openssl-rand',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be 32 bytes in base64url (43 characters)' })
  CLIENT_SECRET_SEALING_KEY?: string;

  @ConfigVariable({ description: 'Lifetime of a portal access token, in seconds.', example: '900' })
  @IsInt()
  @Min(60)
  @Max(86_400)
  PORTAL_TOKEN_TTL_SECONDS: number = 900;

  @ConfigVariable({
    description: 'SMTP server for notifications, e.g. smtps://user:password@mail.plan.example:465. Unset: mail is written to the log (sandbox).',
    sensitive: true,
    example: 'smtp://mailhog:1025',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['smtp', 'smtps'], require_protocol: true })
  SMTP_URL?: string;

  @ConfigVariable({ description: 'Sender of notification emails.', example: '"Plan API Access" <api-access@plan.example>' })
  @IsString()
  @MaxLength(200)
  MAIL_FROM: string = '"payer-access registration" <no-reply@payer-access.local>';

  @ConfigVariable({
    description:
      'Delay before the first retry of a notification the SMTP server did not accept, in milliseconds; it doubles on each failure up to MAIL_RETRY_MAX_MS. Mail is retried until it is accepted.',
    example: '5000',
  })
  @IsInt()
  @Min(10)
  MAIL_RETRY_INITIAL_MS: number = 5_000;

  @ConfigVariable({
    description: 'Longest delay between retries of an unsent notification, in milliseconds: how soon after the SMTP server comes back queued mail goes out.',
    example: '300000',
  })
  @IsInt()
  @Min(10)
  MAIL_RETRY_MAX_MS: number = 300_000;

  @ConfigVariable({ description: 'IANA time zone of the plan: business days of the review clock are counted in it.', example: 'America/New_York' })
  @IsTimeZone()
  REVIEW_TIME_ZONE: string = 'America/New_York';

  @ConfigVariable({ description: 'Failed logins allowed per account within the window before further attempts are refused.', example: '5' })
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_ACCOUNT: number = 5;

  @ConfigVariable({ description: 'Failed logins allowed per client address within the window.', example: '20' })
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_ADDRESS: number = 20;

  @ConfigVariable({ description: 'Window of the failed-login limits, in seconds; also how long a blocked account or address waits.', example: '900' })
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_SECONDS: number = 900;

  @ConfigVariable({
    description: 'Safety-net polling of the outbox relay, in milliseconds; commits wake it at once through LISTEN/NOTIFY.',
    example: '1000',
  })
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS: number = 1000;
}
