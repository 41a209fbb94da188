import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InteractionDetails } from 'oidc-provider';
import { AuditService } from '../audit/audit.service';
import { type AuthorizationConfig, fhirBaseUrl } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { Clock } from '../common/clock';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { describeAccessEnd } from '../grants/access-end.text';
import { isRepresentativeText, MAX_REPRESENTATIVE_TEXT } from '@payer-access/client-status';
import { RELATIONSHIPS, type Relationship } from '../grants/member-grant.entity';
import { grantLifetime } from '../grants/grant-lifetime';
import { MemberGrantsService, RELATIONSHIP_LABELS } from '../grants/member-grants.service';
import { clientAddress, loginPolicy, MemberAccountsService } from '../members/member-accounts.service';
import { grantScopes } from '@payer-access/scopes';
import { clientScopes } from '../oidc/oidc-provider.factory';
import { OidcProviderHost } from '../oidc/oidc-provider.host';
import { renderConsentPage } from './pages/consent.page';
import { renderDisclaimerPage } from './pages/disclaimer.page';
import { renderErrorPage } from './pages/error.page';
import { PAGE_HEADERS } from './pages/layout';
import { renderLoginPage } from './pages/login.page';
import { renderRepresentativePage, type RepresentativeForm } from './pages/representative.page';
import { describeScopes } from './scope-descriptions';

/** Where the member is in the journey; kept on the provider's interaction record. */
interface Journey {
  acknowledged?: boolean;
  accountId?: string;
  representative?: { relationship: Relationship; relationshipText: string | null; name: string } | null;
}

const LOGIN_FAILED = 'The user name or password is not correct.';
const LOGIN_THROTTLED = 'Too many unsuccessful attempts. Please wait a few minutes and try again.';
const MAX_TEXT = MAX_REPRESENTATIVE_TEXT;

@Injectable()
export class InteractionService {
  constructor(
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly host: OidcProviderHost,
    private readonly accounts: MemberAccountsService,
    private readonly grants: MemberGrantsService,
    private readonly clients: ClientProjectionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async show(uid: string, req: Request, res: Response): Promise<void> {
    const details = await this.details(uid, req, res);
    if (!details) return;
    const journey = journeyOf(details);
    if (!journey.acknowledged) return this.send(res, 200, renderDisclaimerPage(this.action(uid, 'disclaimer'), this.clientName(details)));
    if (!journey.accountId) {
      const signedIn = await this.signedInMember(details);
      if (signedIn) {
        await this.save(req, res, { ...journey, accountId: signedIn });
        return this.redirectToStep(uid, res);
      }
      return this.send(res, 200, renderLoginPage(this.action(uid, 'login'), { sandbox: this.sandbox }));
    }
    if (journey.representative === undefined) return this.send(res, 200, renderRepresentativePage(this.action(uid, 'representative'), {}));
    return this.send(res, 200, this.consentPage(uid, details, journey));
  }

  async acknowledge(uid: string, req: Request, res: Response): Promise<void> {
    const details = await this.details(uid, req, res);
    if (!details) return;
    await this.save(req, res, { ...journeyOf(details), acknowledged: true });
    this.redirectToStep(uid, res);
  }

  async login(uid: string, body: Record<string, unknown>, req: Request, res: Response): Promise<void> {
    const details = await this.details(uid, req, res);
    if (!details) return;
    const journey = journeyOf(details);
    if (!journey.acknowledged) return this.redirectToStep(uid, res);
    const username = text(body.username);
    const password = typeof body.password === 'string' ? body.password : '';
    const clientId = details.params.client_id ?? null;
    const outcome = await this.accounts.authenticate(username, password, clientAddress(req), loginPolicy(this.config));
    if (!outcome.ok) {
      const throttled = outcome.reason === 'throttled';
      await this.audit.record({ action: throttled ? 'member.login.throttled' : 'member.login.failed', clientId, detail: {} });
      // 429 for the throttle tells clients and tests apart from a wrong password, not the member's identity.
      if (outcome.reason === 'throttled') res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      return this.send(res, throttled ? 429 : 401, renderLoginPage(this.action(uid, 'login'), {
        error: throttled ? LOGIN_THROTTLED : LOGIN_FAILED,
        username,
        sandbox: this.sandbox,
      }));
    }
    await this.audit.record({ action: 'member.login.succeeded', accountId: outcome.account.id, clientId });
    await this.save(req, res, { acknowledged: true, accountId: outcome.account.id });
    this.redirectToStep(uid, res);
  }

  async representative(uid: string, body: Record<string, unknown>, req: Request, res: Response): Promise<void> {
    const details = await this.details(uid, req, res);
    if (!details) return;
    const journey = journeyOf(details);
    if (!journey.accountId) return this.redirectToStep(uid, res);
    const form: RepresentativeForm = {
      actingAs: text(body.actingAs),
      relationship: text(body.relationship),
      relationshipText: text(body.relationshipText),
      representativeName: text(body.representativeName),
    };
    if (form.actingAs !== 'representative') {
      await this.save(req, res, { ...journey, representative: null });
      return this.redirectToStep(uid, res);
    }
    const relationship = RELATIONSHIPS.find((each) => each === form.relationship);
    const problem = !relationship
      ? 'Choose your relationship to the member.'
      : relationship === 'other' && !form.relationshipText
        ? 'Describe your relationship to the member.'
        : !form.representativeName
          ? 'Enter your full name.'
          : (form.representativeName?.length ?? 0) > MAX_TEXT || (form.relationshipText?.length ?? 0) > MAX_TEXT
            ? `Use at most ${MAX_TEXT} characters.`
            : !isRepresentativeText(form.representativeName ?? '') || (relationship === 'other' && !isRepresentativeText(form.relationshipText ?? ''))
              ? 'Use letters, digits and punctuation only.'
              : undefined;
    if (problem || !relationship) return this.send(res, 400, renderRepresentativePage(this.action(uid, 'representative'), form, problem));
    await this.save(req, res, {
      ...journey,
      representative: {
        relationship,
        relationshipText: relationship === 'other' ? (form.relationshipText ?? null) : null,
        name: form.representativeName ?? '',
      },
    });
    this.redirectToStep(uid, res);
  }

  async consent(uid: string, body: Record<string, unknown>, req: Request, res: Response): Promise<void> {
    const details = await this.details(uid, req, res);
    if (!details) return;
    const journey = journeyOf(details);
    if (!journey.accountId || journey.representative === undefined) return this.redirectToStep(uid, res);
    const clientId = details.params.client_id ?? '';
    const provider = this.host.provider;
    if (body.decision !== 'agree') {
      await this.audit.record({ action: 'grant.denied', accountId: journey.accountId, clientId });
      // RFC 6749 §4.1.2.1: the app receives access_denied with its state.
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The member denied the authorization request.' }, { mergeWithLastSubmission: false });
      return;
    }
    const account = await this.accounts.findById(journey.accountId);
    if (!account) return this.send(res, 400, renderErrorPage('login_required', 'Please start again from the app.'));

    // What the member grants is decided once, here, by the scope policy: the consent page showed
    // exactly this, and the provider's grant, the stored consent and the tokens all carry it.
    const granted = this.granted(details);
    const grant = new provider.Grant({ accountId: account.id, clientId });
    if (granted.oidc.length) grant.addOIDCScope(granted.oidc.join(' '));
    if (granted.resource.length) grant.addResourceScope(details.params.resource ?? fhirBaseUrl(this.config), granted.resource.join(' '));
    const grantId = await grant.save();
    await this.grants.recordConsent({
      grantId,
      accountId: account.id,
      clientId,
      patientId: account.patientId,
      scope: granted.scope,
      representative: journey.representative,
      withholdDemographics: body.withholdDemographics === 'yes',
      withholdSensitive: body.withholdSensitive === 'yes',
      dataAccessType: this.clients.dataAccessType(clientId),
    });
    await provider.interactionFinished(req, res, { login: { accountId: account.id }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  private consentPage(uid: string, details: InteractionDetails, journey: Journey): string {
    const clientId = details.params.client_id ?? '';
    const client = this.clients.find(clientId)?.client;
    const representative = journey.representative;
    const actingAs = representative
      ? `as ${representative.name}, ${(representative.relationship === 'other' ? representative.relationshipText : RELATIONSHIP_LABELS[representative.relationship])?.toLowerCase()} of the member`
      : 'about you';
    return renderConsentPage({
      action: this.action(uid, 'consent'),
      clientName: client?.name ?? clientId,
      companyName: client?.companyName,
      policyUri: client?.policyUri,
      logoUri: client?.logoUri,
      // Exactly what agreeing grants; the provider has already dropped offline_access for a one-time app.
      requested: describeScopes(this.granted(details).scope),
      actingAs,
      accessEnd: this.accessEnd(clientId),
    });
  }

  /** What the consent page states: the end a grant made now would have (the grants service decides it from the same clock). */
  private accessEnd(clientId: string): string {
    const type = this.clients.dataAccessType(clientId);
    return describeAccessEnd(type, grantLifetime(type, this.clock.now(), this.config).accessExpiresAt);
  }

  /**
   * Single sign-on across apps (SMART `sso-openid-connect`): a member already signed in with this
   * browser is not asked for the password again, unless the app asks for a fresh login (`prompt=login`,
   * `max_age`), which the provider reports as the login prompt. Consent stays per app.
   */
  private async signedInMember(details: InteractionDetails): Promise<string | undefined> {
    const accountId = details.session?.accountId;
    if (!accountId || details.prompt.name === 'login') return undefined;
    return (await this.accounts.findById(accountId)) ? accountId : undefined;
  }

  /** The interaction starts at the login prompt, whose details list no scopes: the request's (normalized) scope is the input. */
  private granted(details: InteractionDetails) {
    return grantScopes(details.params.scope ?? '', clientScopes(this.clients, details.params.client_id));
  }

  /** The interaction, checked against its cookie; renders the error page when it is gone. */
  private async details(uid: string, req: Request, res: Response): Promise<InteractionDetails | undefined> {
    try {
      const details = await this.host.provider.interactionDetails(req, res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      return details;
    } catch {
      this.send(res, 400, renderErrorPage('invalid_request', 'This sign-in has expired or was already completed. Please start again from the app.'));
      return undefined;
    }
  }

  private async save(req: Request, res: Response, journey: Journey): Promise<void> {
    await this.host.provider.interactionResult(req, res, { journey }, { mergeWithLastSubmission: false });
  }

  private redirectToStep(uid: string, res: Response): void {
    // 303: the browser follows a form POST with a GET (RFC 9110 §15.4.4).
    res.redirect(303, `${this.host.routes.interaction}/${uid}`);
  }

  private action(uid: string, step: string): string {
    return `${this.host.routes.interaction}/${uid}/${step}`;
  }

  private clientName(details: InteractionDetails): string {
    const clientId = details.params.client_id ?? '';
    return this.clients.find(clientId)?.client.name ?? clientId;
  }

  private get sandbox(): boolean {
    return this.config.PROFILE === 'sandbox';
  }

  private send(res: Response, status: number, html: string): void {
    res
      .status(status)
      .set(PAGE_HEADERS)
      .send(html);
  }
}

function journeyOf(details: InteractionDetails): Journey {
  const result = (details as InteractionDetails & { result?: { journey?: Journey } }).result;
  return result?.journey ?? {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
