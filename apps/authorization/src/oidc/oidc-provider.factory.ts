import { allowedScopes, clientCredentialsScopes, grantScopes, OIDC_SCOPES, TOKEN_ENDPOINT_AUTH_SIGNING_ALGS, type ClientKind } from '@payer-access/scopes';
import type { DataAccessType } from '@payer-access/client-status';
import type { JWK } from 'jose';
import type { AdapterPayload, KoaContext, default as ProviderType } from 'oidc-provider';
import { type AuthorizationConfig, fhirBaseUrl, refreshWithoutOfflineAccess } from '../authorization.config';
import { isCustomScheme, type ClientProjectionService } from '../clients/client-projection.service';
import type { ClientSecretVerifier } from '../clients/client-secret.verifier';
import type { Clock } from '../common/clock';
import { grantTtlSeconds, withinGrant } from '../grants/grant-lifetime';
import type { MemberGrantsService } from '../grants/member-grants.service';
import { fhirUserOf, representativeClaim } from '../grants/member-grants.service';
import type { MemberAccountsService } from '../members/member-accounts.service';
import { renderErrorPage } from '../interaction/pages/error.page';
import { assertionReplayCheck } from './assertion-replay';
import { memberClaims } from './member-claims';
import type { OidcRoutes } from './oidc-routes';
import { postgresAdapterFactory } from './postgres.adapter';
import { revocationReason } from './provider-hooks';
import type { DataSource } from 'typeorm';
import { ACCESS_TOKEN_SIGNING_ALG, ID_TOKEN_SIGNING_ALG } from '../keys/signing-keys.service';

/** SMART Backend Services: "exp ... no more than five minutes in the future". */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export interface ProviderDependencies {
  config: AuthorizationConfig;
  routes: OidcRoutes;
  dataSource: DataSource;
  keys: JWK[];
  /** The ES256 key that signs access tokens now (the keystore also holds the next and retiring ones). */
  accessTokenKid: string;
  cookieKeys: string[];
  clients: ClientProjectionService;
  secrets: ClientSecretVerifier;
  accounts: MemberAccountsService;
  grants: MemberGrantsService;
  /** The time grant lifetimes are judged by. */
  clock: Clock;
}

// oidc-provider is ESM-only; Node 24 loads it from CommonJS, Jest through its transform.
type ProviderModule = typeof import('oidc-provider');
let providerModule: Promise<ProviderModule> | undefined;
export function loadOidcProvider(): Promise<ProviderModule> {
  providerModule ??= import('oidc-provider');
  return providerModule;
}

/**
 * The protocol engine: oidc-provider (a certified OpenID Provider) configured for SMART App
 * Launch 2 and the seed's endpoints. Our code supplies storage, accounts, client lookups,
 * the interaction pages and the SMART token claims; the protocol itself is the library's.
 */
export async function createOidcProvider(deps: ProviderDependencies): Promise<ProviderType> {
  const { default: Provider, errors } = await loadOidcProvider();
  const { config, routes } = deps;
  const fhirBase = fhirBaseUrl(config);
  const refreshTtl = config.REFRESH_TOKEN_TTL_SECONDS;
  const allowRefreshWithoutOffline = refreshWithoutOfflineAccess(config);
  const dataAccessType = (clientId: string | undefined): DataAccessType => deps.clients.dataAccessType(clientId);

  const provider = new Provider(config.AUTHORIZATION_PUBLIC_URL, {
    adapter: postgresAdapterFactory(deps.dataSource, {
      findClient: async (clientId): Promise<AdapterPayload | undefined> => deps.clients.metadata(clientId),
      onReplay: async (kind, grantId): Promise<never> => {
        // What the provider does when it sees a consumed code or refresh token itself (RFC 6749
        // §4.1.2, RFC 9700 §4.14.2): revoke the grant, announce it through `grant.revoked`.
        if (grantId) {
          await deps.dataSource.query(`DELETE FROM oidc_payload WHERE grant_id = $1`, [grantId]);
          await provider.Grant.adapter.destroy(grantId);
          provider.emit('grant.revoked', Provider.ctx, grantId);
        }
        throw new errors.InvalidGrant(kind === 'RefreshToken' ? 'refresh token already used' : 'authorization code already consumed');
      },
      revocationReason: () => revocationReason(Provider.ctx),
      issuedBeforeNotBefore: (clientId, issuedAtSeconds) => deps.clients.issuedBeforeNotBefore(clientId, issuedAtSeconds),
      currentRequest: () => Provider.ctx,
    }),
    clients: [],
    jwks: { keys: deps.keys },
    // SameSite=Lax everywhere: the provider's own POST support for the authorization endpoint
    // needs SameSite=None session cookies, which browsers drop over plain http (the sandbox);
    // POSTed authorization requests are turned into GETs by providerMountMiddleware instead.
    cookies: { keys: deps.cookieKeys, long: { signed: true, sameSite: 'lax' }, short: { signed: true, sameSite: 'lax' } },
    routes: {
      authorization: routes.authorization,
      token: routes.token,
      revocation: routes.revocation,
      introspection: routes.introspection,
      jwks: routes.jwks,
      userinfo: routes.userinfo,
      end_session: routes.endSession,
    },
    // OIDC scopes the provider knows; resource scopes come from the resource server (FHIR).
    scopes: [...OIDC_SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      fhirUser: ['fhirUser'],
    },
    // The id_token carries fhirUser and profile claims even when an access token is issued
    // (SMART App Launch: "fhirUser" claim in the id_token).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    subjectTypes: ['public'],
    clientDefaults: { id_token_signed_response_alg: ID_TOKEN_SIGNING_ALG, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
    // SMART App Launch: ID tokens RS256 (what every client accepts); access tokens ES256, below.
    enabledJWA: { idTokenSigningAlgValues: [ID_TOKEN_SIGNING_ALG], clientAuthSigningAlgValues: [...TOKEN_ENDPOINT_AUTH_SIGNING_ALGS] },
    assertJwtClientAuthClaimsAndHeader: (ctx: KoaContext, claims: { aud?: unknown; exp?: unknown }) => {
      // SMART Backend Services: the audience is the token endpoint itself (the provider would
      // also take its issuer), and an assertion lives at most five minutes.
      const tokenEndpoint = ctx.oidc.urlFor('token');
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(tokenEndpoint)) throw new errors.InvalidClientAuth(`aud must be the token endpoint ${tokenEndpoint}`);
      if (typeof claims.exp !== 'number' || claims.exp > Math.floor(Date.now() / 1000) + MAX_ASSERTION_LIFETIME_SECONDS) {
        throw new errors.InvalidClientAuth(`exp must be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
      }
    },
    features: {
      devInteractions: { enabled: false },
      // A client may introspect and revoke its own tokens only.
      introspection: { enabled: true, allowedPolicy: (_ctx: KoaContext, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: (_ctx: KoaContext, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
      // Our access tokens name the FHIR server as audience, which the provider's own userinfo
      // refuses; /connect/userinfo is served by UserinfoController instead.
      userinfo: { enabled: false },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // SMART apps send `aud` rather than `resource`: either way the FHIR base is the audience.
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: KoaContext, indicator: string) => {
          if (stripSlash(indicator) !== stripSlash(fhirBase)) throw new errors.InvalidTarget('the only resource served is the FHIR base URL');
          return {
            scope: resourceScopesFor(ctx, indicator, deps.clients),
            audience: fhirBase,
            accessTokenTTL: config.ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: ACCESS_TOKEN_SIGNING_ALG, kid: deps.accessTokenKid } },
          };
        },
      },
    },
    pkce: {
      // RFC 8252 §8.1 and SMART App Launch 2: public clients and custom-scheme redirects must use PKCE.
      required: (ctx: KoaContext, client: { clientAuthMethod: string }) =>
        client.clientAuthMethod === 'none' || isCustomScheme(String(ctx.oidc?.params?.redirect_uri ?? '')),
    },
    ttl: {
      // No token outlives its grant: the end the member was told is the end of access.
      AccessToken: (ctx: KoaContext) => withinGrant(config.ACCESS_TOKEN_TTL_SECONDS, grantExpOf(ctx), Math.floor(Date.now() / 1000)),
      ClientCredentials: config.ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: config.AUTHORIZATION_CODE_TTL_SECONDS,
      IdToken: 3600,
      RefreshToken: (ctx: KoaContext) => withinGrant(refreshTtl, grantExpOf(ctx), Math.floor(Date.now() / 1000)),
      // The provider's Grant ends with the member's authorization (Blue Button data-access type).
      Grant: (_ctx: KoaContext, grant: { clientId?: string }) => grantTtlSeconds(dataAccessType(grant.clientId), deps.clock.now(), config),
      Interaction: 3600,
      Session: 8 * 3600,
    },
    // A one-time app's metadata lacks the refresh_token grant type (ClientProjectionService.metadata).
    issueRefreshToken: (_ctx: KoaContext, client: { grantTypeAllowed(type: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || allowRefreshWithoutOffline),
    // Every use rotates a refresh token; presenting a rotated one again revokes the grant. This
    // runs once the client and the refresh token are verified and before the token is consumed:
    // the place to refuse a grant whose authorization has ended (a 13-month grant after its end,
    // a grant the member made as a one-time one, whatever the app has become since). A one-time
    // app's own refresh requests do not get here: the provider refuses its grant type first.
    rotateRefreshToken: async (ctx: KoaContext) => {
      const refusal = await deps.grants.refreshRefusal(ctx.oidc.entities?.RefreshToken?.grantId as string | undefined);
      if (refusal) {
        // The app must send the member through authorization again: say so rather than the generic text.
        throw Object.assign(new errors.InvalidGrant(refusal), { error_description: refusal });
      }
      return true;
    },
    extraParams: {
      // SMART App Launch: `aud` must name the FHIR server the app will call.
      aud: (_ctx: KoaContext, value: string | undefined) => {
        if (value !== undefined && stripSlash(value) !== stripSlash(fhirBase)) {
          throw new errors.InvalidRequest(`aud must be the FHIR base URL ${fhirBase}`);
        }
      },
      launch: null,
    },
    // Each authorization asks the member again (seed 002: changing a choice means going
    // through the flow again), so only the grant of the interaction just finished counts.
    loadExistingGrant: async (ctx: KoaContext) => {
      const grantId = ctx.oidc.result?.consent?.grantId as string | undefined;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: { url: (_ctx: KoaContext, interaction: { uid: string }) => `${routes.interaction}/${interaction.uid}` },
    findAccount: async (ctx: KoaContext, sub: string) => {
      const account = await deps.accounts.findById(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => {
          const grantId = (ctx.oidc?.entities?.Grant?.jti ?? ctx.oidc?.entities?.AccessToken?.grantId) as string | undefined;
          const grant = grantId ? await deps.grants.find(grantId) : null;
          return memberClaims(account, grant);
        },
      };
    },
    extraTokenClaims: async (_ctx: KoaContext, token: { kind: string; grantId?: string; accountId?: string }) => {
      if (token.kind !== 'AccessToken' || !token.grantId) return undefined;
      const grant = await deps.grants.find(token.grantId);
      if (!grant) return undefined;
      const representative = representativeClaim(grant);
      return {
        patient: grant.patientId,
        grant_id: grant.grantId,
        fhirUser: fhirUserOf(grant),
        ...(representative ? { representative } : {}),
        ...(grant.withholdDemographics ? { withhold_demographics: true } : {}),
        ...(grant.withholdSensitive ? { withhold_sensitive: true } : {}),
      };
    },
    clientBasedCORS: (ctx: KoaContext, origin: string, client: { clientAuthMethod: string; redirectUris: string[] }) => {
      // Browser apps are public clients; a confidential client's secret never belongs in a browser.
      if (origin === 'null' || client.clientAuthMethod !== 'none') return false;
      return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
    },
    discovery: {
      userinfo_endpoint: `${config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '')}${routes.userinfo}`,
      service_documentation: `${config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '')}/docs`,
    },
    renderError: async (ctx: KoaContext, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
  });
  // The mount middleware sets X-Forwarded-Host and -Proto from AUTHORIZATION_PUBLIC_URL on every
  // request it hands over, so the URLs the provider builds and its cookies' Secure flag follow the
  // configured public URL (behind a TLS-terminating proxy: https), never a caller's headers.
  provider.proxy = true;
  provider.ReplayDetection.unique = assertionReplayCheck(deps.dataSource);
  // The client projection stores secret hashes: compare the presented secret against the hash.
  provider.Client.prototype.compareClientSecret = function (this: { clientId: string; clientSecret?: string }, actual: string) {
    return deps.secrets.verify(this.clientSecret, actual, this.clientId);
  };
  return provider;
}

/**
 * The resource scopes the FHIR server accepts in this request: what was asked for (or, on a
 * refresh or code exchange, what the grant holds), under the one scope policy. The grant made
 * at consent already went through the same policy, so a code exchange keeps it whole.
 */
function resourceScopesFor(ctx: KoaContext, indicator: string, clients: ClientProjectionService): string {
  const requested = ctx.oidc.params?.scope as string | undefined;
  const granted = ctx.oidc.entities?.Grant?.resources?.[indicator] as string | undefined;
  const clientId = ctx.oidc.client?.clientId as string | undefined;
  const allowed = clientScopes(clients, clientId);
  if (ctx.oidc.params?.grant_type === 'client_credentials') return policyAnswer(allowed, `c ${requested ?? ''}`, () => clientCredentialsScopes(requested ?? '', allowed));
  const asked = requested ?? granted ?? '';
  return policyAnswer(allowed, `g ${asked}`, () => grantScopes(asked, allowed).resource.join(' '));
}

/**
 * The scope policy's answers, per allowed list and question. Every token request asks it (a
 * refresh: the grant's scope against the client's); the answer depends on the two strings only,
 * and a client's allowed list is the same array until its next event, so a changed client asks
 * afresh. At most MAX_POLICY_ANSWERS questions of at most MAX_POLICY_QUESTION characters are
 * kept per list; longer ones (a client may send any scope string) are answered without keeping.
 */
const policyAnswers = new WeakMap<readonly string[], Map<string, string>>();
const MAX_POLICY_ANSWERS = 256;
const MAX_POLICY_QUESTION = 1024;
export function policyAnswer(allowed: readonly string[], question: string, answer: () => string): string {
  if (question.length > MAX_POLICY_QUESTION) return answer();
  let answers = policyAnswers.get(allowed);
  if (!answers) policyAnswers.set(allowed, (answers = new Map()));
  const known = answers.get(question);
  if (known !== undefined) return known;
  const computed = answer();
  if (answers.size >= MAX_POLICY_ANSWERS) answers.clear();
  answers.set(question, computed);
  return computed;
}

/** What a client may ask for under the scope policy: its registered scopes, else its kind's. */
export function clientScopes(clients: ClientProjectionService, clientId: string | undefined): readonly string[] {
  const event = clientId ? clients.find(clientId) : undefined;
  return allowedScopes((event?.kind ?? 'application') as ClientKind, event?.client.allowedScopes);
}

/** The expiry (epoch seconds) of the grant a token is being issued under, if any. */
function grantExpOf(ctx: KoaContext | undefined): number | undefined {
  return ctx?.oidc?.entities?.Grant?.exp as number | undefined;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
