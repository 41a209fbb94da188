import { randomBytes } from 'node:crypto';
import { sendJson, getJson, type JsonResponse } from './http';
import { type ReceivedMail, freshTotpCode } from '@payer-access/testing';

/** The sandbox profile's admin and its published TOTP secret (apps/registration/README.md). */
const SANDBOX_ADMIN = { email: 'admin@sandbox.local', password: 'sandbox-admin', totpSecret: 'SANDBOXADMINTOTPSECRETPUBLISHEDA' };

/** Where the registration service's mail arrives (the registration tests' SMTP catcher). */
export interface Mailbox {
  waitFor(predicate: (mail: ReceivedMail) => boolean, what: string, timeoutMs?: number): Promise<ReceivedMail>;
}

export interface RegisteredApp {
  registrationId: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  name: string;
  /** The owner's portal token. */
  developerToken: string;
}

export type AdminAction = 'approve' | 'suspend' | 'reinstate' | 'terminate';

/** The registration API as a developer and a plan admin use it (routes in apps/registration/openapi.json). */
export class RegistrationApi {
  private adminToken?: string;

  constructor(
    private readonly url: string,
    private readonly mailbox: Mailbox,
  ) {}

  async login(email: string, password: string): Promise<string> {
    const response = await sendJson<{ access_token: string }>('POST', `${this.url}/v1/auth/login`, { email, password });
    expectStatus(response, 200, `login as ${email}`);
    return response.body.access_token;
  }

  /** The sandbox admin's access token, logged in once per client. */
  async staffToken(): Promise<string> {
    this.adminToken ??= await this.adminLogin();
    return this.adminToken;
  }

  /** The sandbox admin's login: password, then a TOTP code of its published secret. */
  async adminLogin(): Promise<string> {
    const step = await sendJson<{ second_factor_token: string }>('POST', `${this.url}/v1/auth/login`, { email: SANDBOX_ADMIN.email, password: SANDBOX_ADMIN.password });
    expectStatus(step, 200, 'admin password');
    const done = await sendJson<{ access_token: string }>('POST', `${this.url}/v1/auth/second-factor`, {
      second_factor_token: step.body.second_factor_token,
      code: await freshTotpCode(SANDBOX_ADMIN.totpSecret),
    });
    expectStatus(done, 200, 'admin second factor');
    return done.body.access_token;
  }

  /** Follows the verification mail sent to `email` at sign-up: registrations need a confirmed address. */
  async confirmAddress(email: string): Promise<void> {
    const mail = await this.mailbox.waitFor((each) => each.to.includes(email) && each.subject === 'Confirm your email address', `verification for ${email}`);
    const token = /(?<![\w-])([\w-]{43})(?![\w-])/.exec(mail.text.slice(mail.text.indexOf('To confirm it')))?.[1] ?? '';
    expectStatus(await sendJson('POST', `${this.url}/v1/accounts/verify-email`, { token }), 200, `confirming ${email}`);
  }

  /**
   * Developer sign-up, the application, the admin's approval, the first read of the credentials.
   * A public app (a browser or native app) gets no secret: `clientSecret` is then empty.
   */
  async registerApprovedApp(label: string, options: { clientType?: 'confidential' | 'public'; redirectUri?: string } = {}): Promise<RegisteredApp> {
    const clientType = options.clientType ?? 'confidential';
    const suffix = randomBytes(4).toString('hex');
    const email = `dev-${label}-${suffix}@platform-e2e.example`;
    const password = `correct horse battery ${suffix}`;
    const signUp = await sendJson('POST', `${this.url}/v1/accounts`, {
      email,
      password,
      name: 'Pat Developer',
      organization: 'Platform E2E Apps, Inc.',
      phone: '+1 919-555-0100',
      kind: 'developer',
    });
    expectStatus(signUp, 201, 'developer sign-up');
    await this.confirmAddress(email);
    const developer = await this.login(email, password);

    const name = `E2E ${label} ${suffix}`;
    const redirectUri = options.redirectUri ?? `https://${label}-${suffix}.platform-e2e.example/callback`;
    const created = await sendJson<{ id: string; status: string }>(
      'POST',
      `${this.url}/v1/applications`,
      {
        name,
        companyName: 'Platform E2E Apps, Inc.',
        companyUrl: 'https://platform-e2e.example',
        privacyPolicyUrl: 'https://platform-e2e.example/privacy',
        termsUrl: 'https://platform-e2e.example/terms',
        redirectUris: [redirectUri],
        clientType,
        contactEmail: email,
        contactPhone: '+1 919-555-0100',
        attestations: {
          supportsOpenIdConnectAndOAuth2: true,
          conformsToHl7Standards: true,
          storesTokensSecurely: true,
          adheresToCarinCodeOfConduct: true,
          privacyPolicyCoversDataSharing: true,
          privacyPolicyRequiresExpressConsent: true,
          privacyPolicyExplainsDiscontinuation: true,
          sellsMemberData: false,
        },
      },
      developer,
    );
    expectStatus(created, 201, 'POST /v1/applications');
    // A plain check rather than Jest's expect: tools/bench registers apps through this class too.
    if (created.body.status !== 'pending') throw new Error(`a new application should be pending, not ${created.body.status}`);

    expectStatus(await this.admin(created.body.id, 'approve', 'Attestations and privacy policy reviewed.'), 200, 'admin approval');
    const credentials = await getJson<{ clientId: string; clientSecret?: string }>(`${this.url}/v1/registrations/${created.body.id}/credentials`, developer);
    expectStatus(credentials, 200, 'GET credentials');
    if (clientType === 'confidential' && !credentials.body.clientSecret) throw new Error(`the first credentials read returned no secret: ${credentials.text}`);
    return { registrationId: created.body.id, clientId: credentials.body.clientId, clientSecret: credentials.body.clientSecret ?? '', redirectUri, name, developerToken: developer };
  }

  /** The owner's `PATCH /v1/registrations/{id}`; the response is returned as is. */
  update(app: RegisteredApp, changes: Record<string, unknown>): Promise<JsonResponse> {
    return sendJson('PATCH', `${this.url}/v1/registrations/${app.registrationId}`, changes, app.developerToken);
  }

  /** Staff's decision on a pending identity change (`approve-change` / `reject-change`). */
  async decideChange(registrationId: string, decision: 'approve-change' | 'reject-change', changeId: string, reason: string): Promise<JsonResponse> {
    return sendJson('POST', `${this.url}/v1/admin/registrations/${registrationId}/${decision}`, { reason, changeId }, await this.staffToken());
  }

  /** An admin decision (`POST /v1/admin/registrations/{id}/<action>`); the response is returned as is. */
  async admin(registrationId: string, action: AdminAction, reason: string): Promise<JsonResponse> {
    return sendJson('POST', `${this.url}/v1/admin/registrations/${registrationId}/${action}`, { reason }, await this.staffToken());
  }
}

export function expectStatus(response: JsonResponse, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${response.text.slice(0, 500)}`);
}
