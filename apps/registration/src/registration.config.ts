import { ClientSecretSealingKey, ConfigVariable, ListenHost, ListenPort, MetricsPort, PlatformConfig, RequiredInProduction } from '@payer-access/config';
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
  @ListenPort('the registration service', 3001)
  REGISTRATION_PORT: number = 3001;

  @ListenHost('the registration service')
  REGISTRATION_HOST: string = '0.0.0.0';

  @MetricsPort('the registration service', 'REGISTRATION_PORT', 4001)
  REGISTRATION_METRICS_PORT?: string;

  @ConfigVariable({ description: 'Public base URL of the registration service, as clients reach it.', example: 'https://registration.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  REGISTRATION_PUBLIC_URL: string = 'http://localhost:3001';

  @ConfigVariable({
    description: 'Public URL of the registration portal (web UI). When set, emails link to the registration\'s page there instead of naming API routes.',
    example: 'https://portal.plan.example',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PORTAL_PUBLIC_URL?: string;

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
      'Email of the first staff (admin) account, created at start when no account has it. Required in production; sandbox default: admin@sandbox.local (printed at start).',
    example: 'registration-admin@plan.example',
  })
  @RequiredInProduction()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @ConfigVariable({
    description: 'Password of that first admin account. Required in production; sandbox default: sandbox-admin.',
    sensitive: true,
    example: 'change-me-now-please',
  })
  @RequiredInProduction()
  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD?: string;

  @ConfigVariable({
    description:
      'HMAC key (at least 32 characters) signing the portal access tokens. Required in production; the sandbox generates one per process when unset, so portal logins end with a restart.',
    sensitive: true,
    example: 'a-long-random-string-of-at-least-32-characters',
  })
  @RequiredInProduction()
  @IsString()
  @MinLength(32)
  PORTAL_JWT_SECRET?: string;

  @ConfigVariable({
    description:
      'Private JWK (Ed25519 or P-256, JSON) with which this service signs the events it publishes; authorization and fhir verify them with its public part. Required in production; the sandbox derives a fixed, public key when unset.',
    sensitive: true,
    example: '{"kty":"OKP","crv":"Ed25519","x":"...","d":"..."}',
  })
  @RequiredInProduction({ events: true })
  @IsString()
  REGISTRATION_EVENT_SIGNING_KEY?: string;

  @ClientSecretSealingKey()
  CLIENT_SECRET_SEALING_KEY?: string;

  @ConfigVariable({
    description:
      'Key (32 random bytes, base64url) encrypting the accounts\' TOTP secrets at rest. Unset: derived from CLIENT_SECRET_SEALING_KEY (HKDF, its own label), or in the sandbox a fixed, public key.',
    sensitive: true,
    example: 'base64url-of-32-random-bytes-generated-with-openssl-rand',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be 32 bytes in base64url (43 characters)' })
  SECOND_FACTOR_ENCRYPTION_KEY?: string;

  @ConfigVariable({ description: 'How long the email verification link mailed at sign-up works, in seconds.', example: '86400' })
  @IsInt()
  @Min(300)
  @Max(30 * 86_400)
  EMAIL_VERIFICATION_TTL_SECONDS: number = 86_400;

  @ConfigVariable({ description: 'Shortest time between two verification mails to one account, in seconds (POST /v1/accounts/me/verification-mail answers 429 sooner).', example: '60' })
  @IsInt()
  @Min(1)
  VERIFICATION_MAIL_INTERVAL_SECONDS: number = 60;

  @ConfigVariable({ description: 'Lifetime of a portal access token, in seconds.', example: '900' })
  @IsInt()
  @Min(60)
  @Max(86_400)
  PORTAL_TOKEN_TTL_SECONDS: number = 900;

  @ConfigVariable({
    description:
      'SMTP server for notifications, e.g. smtps://user:password@mail.plan.example:465. Required in production, where mail names registrants and must not go to the log; unset in the sandbox: mail is written to the log.',
    sensitive: true,
    example: 'smtp://mailhog:1025',
  })
  @RequiredInProduction()
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
    description: 'Staff accounts are slowed, never locked: past LOGIN_MAX_FAILURES_PER_ACCOUNT, each further attempt waits this many seconds after the previous one, doubling with each failure.',
    example: '2',
  })
  @IsInt()
  @Min(1)
  STAFF_LOGIN_DELAY_SECONDS: number = 2;

  @ConfigVariable({ description: 'The longest wait between two login attempts of a staff account past its failure limit, in seconds.', example: '60' })
  @IsInt()
  @Min(1)
  STAFF_LOGIN_MAX_DELAY_SECONDS: number = 60;

  @ConfigVariable({ description: 'Sign-ups (POST /v1/accounts) per client address within PORTAL_RATE_LIMIT_WINDOW_SECONDS, per instance; more get 429 with Retry-After.', example: '20' })
  @IsInt()
  @Min(1)
  SIGNUP_RATE_LIMIT: number = 20;

  @ConfigVariable({ description: 'Login requests (POST /v1/auth/login) per client address within PORTAL_RATE_LIMIT_WINDOW_SECONDS, per instance, right or wrong.', example: '60' })
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT: number = 60;

  @ConfigVariable({ description: 'Registrations submitted (applications and payers) per account within PORTAL_RATE_LIMIT_WINDOW_SECONDS, per instance.', example: '20' })
  @IsInt()
  @Min(1)
  SUBMIT_RATE_LIMIT: number = 20;

  @ConfigVariable({ description: 'Window, in seconds, of the sign-up, login and submission rate limits.', example: '600' })
  @IsInt()
  @Min(1)
  PORTAL_RATE_LIMIT_WINDOW_SECONDS: number = 600;

  @ConfigVariable({
    description: 'Safety-net polling of the outbox relay, in milliseconds; commits wake it at once through LISTEN/NOTIFY.',
    example: '1000',
  })
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS: number = 1000;

  @ConfigVariable({
    description:
      'How often registration publishes its client status heartbeat (a signed watermark on registration.client.changed.v1) from which FHIR and authorization know how current their view of client statuses is. Keep it well below their CLIENT_STATUS_MAX_STALENESS_SECONDS (default 60).',
    example: '5',
  })
  @IsInt()
  @Min(1)
  @Max(3600)
  CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS: number = 5;

  @ConfigVariable({
    description:
      'Sandbox only: origin of the sample SMART app (apps/sample-smart-app, e.g. http://localhost:3005), registered and approved at start as the public client sample-smart-app with the redirect URI <origin>/app.html. Unset: not registered. npm start sets it to SAMPLE_APP_PUBLIC_URL.',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SANDBOX_SAMPLE_APP_URL?: string;
}
