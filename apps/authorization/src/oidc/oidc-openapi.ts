import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import type { AuthorizationConfig } from '../authorization.config';
import type { OidcRoutes } from './oidc-routes';
import { STALE_CLIENT_STATUSES } from './provider-mount.middleware';

/*
 * The protocol endpoints are served by oidc-provider, mounted ahead of Nest, so Nest's scanner
 * never sees them. They are described here, at the paths the deployment configured, so that the
 * service's OpenAPI document (and every client generated from it) covers all an app calls.
 * The examples are seed 002's sandbox values.
 */

const FORM = 'application/x-www-form-urlencoded';
const TAG_OAUTH = 'OAuth 2.0 / OpenID Connect';
const TAG_DISCOVERY = 'Discovery';

/** The example values of the protocol routes (the Postman collection maps them to its variables). */
export const OIDC_OPENAPI_EXAMPLES = {
  clientId: 'JVjR77J3j4BaRVqoDtLx',
  clientSecret: 'SR3SrK6U1WpGOdjWS2LY',
  redirectUri: 'https://oidcdebugger.com/debug',
  publicClientId: 'sample-smart-app',
  publicRedirectUri: 'http://localhost:3005/app.html',
  patient: '-20140000000024',
  accessGrantExpiration: '2027-12-31T15:04:05.000Z',
  code: '6NfQkrpFm-4nIVyQ5XOUOT2szAmeoBgvOg7Ma_nyyFS',
  codeVerifier: 'wQtovq8L8U2BU0MylK2iPQSgB4e7RhaOvYaFM5AX1ijgZ-jNMz3gxys4ccJ4Kbka',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  accessToken: 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImEzZDg2NGVkIn0.eyJwYXRpZW50IjoiLTIwMTQwMDAwMDAwMDI0In0.c2lnbmF0dXJl',
  idToken: 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImEzZDg2NGVkIn0.eyJzdWIiOiIyODcyZTFiNyJ9.c2lnbmF0dXJl',
  refreshToken: 'MRJmhcFEsqV_8QS6BKzJb6-6o646H3Q1ATSItp9-YRF',
  memberScope: 'openid fhirUser launch/patient offline_access patient/*.read',
  sub: '2872e1b7-40dd-464b-91a1-2256237b2605',
} as const;
const EXAMPLE = OIDC_OPENAPI_EXAMPLES;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function schemas(config: AuthorizationConfig): Record<string, SchemaObject> {
  return {
    OAuthError: {
      type: 'object',
      description: 'RFC 6749 §5.2 error response.',
      required: ['error'],
      properties: {
        error: { type: 'string', example: 'invalid_grant' },
        error_description: { type: 'string', example: 'grant request is invalid' },
      },
    },
    AuthorizationCodeGrantRequest: {
      type: 'object',
      description:
        'RFC 6749 §4.1.3 with PKCE (RFC 7636). A confidential client authenticates with HTTP Basic or client_secret in the body; a public client sends client_id and code_verifier.',
      required: ['grant_type', 'code', 'redirect_uri'],
      properties: {
        grant_type: { type: 'string', enum: ['authorization_code'] },
        code: { type: 'string', example: EXAMPLE.code },
        redirect_uri: { type: 'string', format: 'uri', example: EXAMPLE.redirectUri },
        client_id: { type: 'string', example: EXAMPLE.clientId },
        client_secret: { type: 'string', example: EXAMPLE.clientSecret },
        code_verifier: { type: 'string', minLength: 43, maxLength: 128, example: EXAMPLE.codeVerifier },
      },
    },
    RefreshTokenGrantRequest: {
      type: 'object',
      description:
        'RFC 6749 §6. Every use rotates the refresh token; presenting a used one again revokes the grant. A public client may omit client_id (SMART App Launch 2).',
      required: ['grant_type', 'refresh_token'],
      properties: {
        grant_type: { type: 'string', enum: ['refresh_token'] },
        refresh_token: { type: 'string', example: EXAMPLE.refreshToken },
        scope: { type: 'string', description: 'A subset of the granted scopes.', example: 'patient/*.read' },
        client_id: { type: 'string', example: EXAMPLE.clientId },
        client_secret: { type: 'string', example: EXAMPLE.clientSecret },
      },
    },
    ClientCredentialsGrantRequest: {
      type: 'object',
      description: 'RFC 6749 §4.4: a confidential client acting for itself (payer-to-payer and system access), no member.',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        scope: { type: 'string', example: 'system/*.read' },
        client_id: { type: 'string', example: EXAMPLE.clientId },
        client_secret: { type: 'string', example: EXAMPLE.clientSecret },
      },
    },
    TokenRequest: {
      oneOf: [ref('AuthorizationCodeGrantRequest'), ref('RefreshTokenGrantRequest'), ref('ClientCredentialsGrantRequest')],
      discriminator: {
        propertyName: 'grant_type',
        mapping: {
          authorization_code: '#/components/schemas/AuthorizationCodeGrantRequest',
          refresh_token: '#/components/schemas/RefreshTokenGrantRequest',
          client_credentials: '#/components/schemas/ClientCredentialsGrantRequest',
        },
      },
    },
    TokenResponse: {
      type: 'object',
      description: 'RFC 6749 §5.1 with the SMART launch context (`patient`) of the member who consented.',
      required: ['access_token', 'token_type', 'expires_in'],
      properties: {
        access_token: { type: 'string', description: 'A JWT (RFC 9068) for the FHIR API.', example: EXAMPLE.accessToken },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', example: config.ACCESS_TOKEN_TTL_SECONDS },
        scope: { type: 'string', example: EXAMPLE.memberScope },
        refresh_token: { type: 'string', description: 'With `offline_access` (member grants only).', example: EXAMPLE.refreshToken },
        id_token: { type: 'string', description: 'With `openid` (member grants only).', example: EXAMPLE.idToken },
        patient: { type: 'string', description: 'The FHIR Patient id the token is limited to (member grants only).', example: EXAMPLE.patient },
        access_grant_expiration: {
          type: 'string',
          format: 'date-time',
          description:
            "Blue Button 2.0: when the member's authorization ends, by the app's data-access type: 13 months after the member authorized (refresh fails with `invalid_grant` from then on), or the access token's expiry for a one-time app (which never gets a refresh token). Absent for research apps, whose authorization has no end.",
          example: EXAMPLE.accessGrantExpiration,
        },
      },
    },
    RevocationRequest: {
      type: 'object',
      description: 'RFC 7009. Revoking a refresh token ends the whole grant, and the FHIR API refuses its access tokens.',
      required: ['token'],
      properties: {
        token: { type: 'string', example: EXAMPLE.refreshToken },
        token_type_hint: { type: 'string', enum: ['refresh_token', 'access_token'] },
        client_id: { type: 'string', example: EXAMPLE.publicClientId },
        client_secret: { type: 'string', description: 'Confidential clients (or HTTP Basic).' },
      },
    },
    IntrospectionRequest: {
      type: 'object',
      description: 'RFC 7662. A client may introspect only its own tokens.',
      required: ['token'],
      properties: {
        token: { type: 'string', example: EXAMPLE.accessToken },
        token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
        client_id: { type: 'string', example: EXAMPLE.clientId },
        client_secret: { type: 'string', example: EXAMPLE.clientSecret },
      },
    },
    IntrospectionResponse: {
      type: 'object',
      required: ['active'],
      properties: {
        active: { type: 'boolean', example: true },
        client_id: { type: 'string', example: EXAMPLE.clientId },
        scope: { type: 'string', example: EXAMPLE.memberScope },
        sub: { type: 'string', example: EXAMPLE.sub },
        patient: { type: 'string', example: EXAMPLE.patient },
        token_type: { type: 'string', example: 'Bearer' },
        iss: { type: 'string', example: config.AUTHORIZATION_PUBLIC_URL },
        exp: { type: 'integer', example: 1796131763 },
        iat: { type: 'integer', example: 1796128163 },
      },
    },
    JsonWebKeySet: {
      type: 'object',
      description: 'RFC 7517: the public keys that sign access and ID tokens, published ahead of use.',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kty: { type: 'string', example: 'RSA' },
              kid: { type: 'string', example: 'a3d864ed-5e64-476f-8818-c70b0b0274a5' },
              use: { type: 'string', example: 'sig' },
              alg: { type: 'string', example: 'RS256' },
              n: { type: 'string', description: 'RSA keys' },
              e: { type: 'string', example: 'AQAB', description: 'RSA keys' },
              crv: { type: 'string', example: 'P-256', description: 'EC keys' },
              x: { type: 'string', description: 'EC keys' },
              y: { type: 'string', description: 'EC keys' },
            },
          },
        },
      },
    },
    OpenIdConfiguration: {
      type: 'object',
      description: 'OpenID Connect Discovery 1.0 (also RFC 8414 metadata). The provider adds further fields.',
      required: ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'],
      properties: {
        issuer: { type: 'string' },
        authorization_endpoint: { type: 'string' },
        token_endpoint: { type: 'string' },
        revocation_endpoint: { type: 'string' },
        introspection_endpoint: { type: 'string' },
        userinfo_endpoint: { type: 'string' },
        jwks_uri: { type: 'string' },
        scopes_supported: { type: 'array', items: { type: 'string' } },
        response_types_supported: { type: 'array', items: { type: 'string' } },
        grant_types_supported: { type: 'array', items: { type: 'string' } },
        code_challenge_methods_supported: { type: 'array', items: { type: 'string' } },
        token_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
      },
    },
  };
}

const oauthError = (description: string, error: string, errorDescription: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: ref('OAuthError'), example: { error, error_description: errorDescription } } },
});

/** Bounded staleness: what the endpoints that issue or honour credentials answer while the client projection is too old. */
const staleClientStatuses = (): ResponseObject => ({
  ...oauthError(
    "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS (registration or the broker is unreachable): nothing is issued or honoured until it is current again. With Retry-After.",
    'temporarily_unavailable',
    STALE_CLIENT_STATUSES,
  ),
  headers: { 'Retry-After': { schema: { type: 'integer' }, example: 15 } },
});

const query = (name: string, description: string, example: string, required = false, values?: string[]): ParameterObject => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'string', ...(values ? { enum: values } : {}) },
  example,
});

function authorizeOperation(issuer: string, routes: OidcRoutes, method: 'get' | 'post'): OperationObject {
  const fields: [string, string, string, boolean, string[]?][] = [
    ['response_type', 'Always `code`.', 'code', true, ['code']],
    ['client_id', 'The registered client.', EXAMPLE.clientId, true],
    ['redirect_uri', 'One of the client’s registered redirect URIs, matched exactly.', EXAMPLE.redirectUri, true],
    ['scope', 'Space-separated: OpenID, SMART v1/v2 patient scopes, `offline_access` for a refresh token.', 'openid profile fhirUser offline_access patient/*.read', true],
    ['state', 'Returned unchanged with the code.', 'test', true],
    ['aud', 'The FHIR base the token is for (SMART).', 'http://localhost:3003/fhir/sb/R4/patientaccess', false],
    ['code_challenge', 'PKCE (RFC 7636): required of public clients.', EXAMPLE.codeChallenge, false],
    ['code_challenge_method', 'PKCE method.', 'S256', false, ['S256']],
  ];
  const responses: Record<string, ResponseObject> = {
    '303': {
      description:
        'To the member pages (disclaimer → login → Self or Personal Representative → consent), then to `redirect_uri` with `code` and `state`, or with `error` and `state` if the member declines.',
      headers: { Location: { schema: { type: 'string' }, example: `${issuer}/interaction/CrN8Cq1fVbqj2GSLzLjVD` } },
    },
    '400': {
      description: 'An unknown client, a redirect URI that is not registered, or a malformed request: an HTML error page (never a redirect).',
      content: { 'text/html': { schema: { type: 'string' }, example: '<!doctype html><title>invalid_redirect_uri</title>…' } },
    },
    '503': staleClientStatuses(),
  };
  if (method === 'get') {
    return {
      tags: [TAG_OAUTH],
      summary: 'Authorization request (RFC 6749 §4.1.1, SMART standalone launch): opened in the member’s browser',
      operationId: 'authorize',
      parameters: fields.map(([name, description, example, required, values]) => query(name, description, example, required, values)),
      responses: { ...responses, '302': { ...responses['303'], description: 'The same, as the provider answers a GET.' } },
    };
  }
  return {
    tags: [TAG_OAUTH],
    summary: 'Authorization request by form POST (OpenID Connect Core §3.1.2.1): continues as the GET of the same parameters',
    operationId: 'authorizeByPost',
    requestBody: {
      required: true,
      content: {
        [FORM]: {
          schema: {
            type: 'object',
            required: fields.filter((field) => field[3]).map(([name]) => name),
            properties: Object.fromEntries(fields.map(([name, description, example]) => [name, { type: 'string', description, example }])),
          },
          example: Object.fromEntries(fields.slice(0, 5).map(([name, , example]) => [name, example])),
        },
      },
    },
    responses: {
      '303': { description: 'To the GET authorization request with the same parameters.', headers: { Location: { schema: { type: 'string' }, example: `${routes.authorization}?response_type=code&client_id=${EXAMPLE.clientId}` } } },
      '400': responses['400'],
      '503': responses['503'],
    },
  };
}

function tokenOperation(config: AuthorizationConfig): OperationObject {
  const ttl = config.ACCESS_TOKEN_TTL_SECONDS;
  const memberTokens = {
    access_token: EXAMPLE.accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    scope: EXAMPLE.memberScope,
    refresh_token: EXAMPLE.refreshToken,
    id_token: EXAMPLE.idToken,
    patient: EXAMPLE.patient,
    access_grant_expiration: EXAMPLE.accessGrantExpiration,
  };
  const { id_token: _idToken, ...refreshed } = memberTokens;
  return {
    tags: [TAG_OAUTH],
    summary: 'Token request: authorization_code, refresh_token or client_credentials (RFC 6749 §4.1.3, §6, §4.4)',
    operationId: 'token',
    security: [{ clientSecretBasic: [] }, {}],
    requestBody: {
      required: true,
      content: {
        [FORM]: {
          schema: ref('TokenRequest'),
          examples: {
            authorization_code: {
              summary: 'Confidential client, secret in the body (seed 002 step 2)',
              value: { grant_type: 'authorization_code', code: EXAMPLE.code, redirect_uri: EXAMPLE.redirectUri, client_id: EXAMPLE.clientId, client_secret: EXAMPLE.clientSecret },
            },
            authorization_code_public: {
              summary: 'Public browser app with PKCE, no secret',
              value: { grant_type: 'authorization_code', code: EXAMPLE.code, redirect_uri: EXAMPLE.publicRedirectUri, client_id: EXAMPLE.publicClientId, code_verifier: EXAMPLE.codeVerifier },
            },
            refresh_token: {
              summary: 'Refresh (a public client may leave out client_id)',
              value: { grant_type: 'refresh_token', refresh_token: EXAMPLE.refreshToken },
            },
            client_credentials: {
              summary: 'A confidential client for itself',
              value: { grant_type: 'client_credentials', scope: 'system/*.read', client_id: EXAMPLE.clientId, client_secret: EXAMPLE.clientSecret },
            },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'The tokens (`Cache-Control: no-store`).',
        content: {
          'application/json': {
            schema: ref('TokenResponse'),
            examples: {
              authorization_code: { summary: 'A member’s grant', value: memberTokens },
              refresh_token: { summary: 'A refresh: new access and refresh tokens', value: refreshed },
              client_credentials: { summary: 'A client’s own token', value: { access_token: EXAMPLE.accessToken, token_type: 'Bearer', expires_in: ttl, scope: 'system/*.read' } },
            },
          },
        },
      },
      '400': oauthError('A code or refresh token that is unknown, used, expired or revoked; a wrong redirect_uri or code_verifier; an unsupported grant.', 'invalid_grant', 'grant request is invalid'),
      '401': oauthError('Client authentication failed.', 'invalid_client', 'client authentication failed'),
      '429': oauthError('Too many token requests from this client or address (with Retry-After).', 'temporarily_unavailable', 'too many requests; retry after 60 seconds'),
      '503': staleClientStatuses(),
    },
  };
}

function formEndpoint(summary: string, operationId: string, schema: string, example: Record<string, string>, ok: ResponseObject): OperationObject {
  return {
    tags: [TAG_OAUTH],
    summary,
    operationId,
    security: [{ clientSecretBasic: [] }, {}],
    requestBody: { required: true, content: { [FORM]: { schema: ref(schema), example } } },
    responses: {
      '200': ok,
      '400': oauthError('A malformed request.', 'invalid_request', "missing required parameter 'token'"),
      '401': oauthError('Client authentication failed.', 'invalid_client', 'client authentication failed'),
      // Revocation always answers: only what issues or honours a credential waits for a current view.
      ...(operationId === 'introspect' ? { '503': staleClientStatuses() } : {}),
    },
  };
}

/** Adds the oidc-provider routes, their schemas and the clients' authentication scheme to the document. */
export function addOidcRoutesToDocument(document: OpenAPIObject, routes: OidcRoutes, config: AuthorizationConfig): void {
  const issuer = config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '');
  const url = (path: string) => `${issuer}${path}`;
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ...schemas(config) };
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    clientSecretBasic: { type: 'http', scheme: 'basic', description: 'client_secret_basic: client_id and client_secret as HTTP Basic credentials (RFC 6749 §2.3.1).' },
  };
  document.tags = [
    ...(document.tags ?? []),
    { name: TAG_OAUTH, description: 'Served by oidc-provider at the configured paths (seed 002’s by default).' },
  ];

  document.paths[routes.authorization] = { get: authorizeOperation(issuer, routes, 'get'), post: authorizeOperation(issuer, routes, 'post') };
  document.paths[routes.token] = { post: tokenOperation(config) };
  document.paths[routes.revocation] = {
    post: formEndpoint(
      'Token revocation (RFC 7009): a refresh token ends its grant; the FHIR API then answers 401 to its access tokens',
      'revoke',
      'RevocationRequest',
      { token: EXAMPLE.refreshToken, token_type_hint: 'refresh_token', client_id: EXAMPLE.publicClientId },
      { description: 'Revoked, or the token was unknown (RFC 7009 §2.2: the same answer).', content: { 'text/plain': { schema: { type: 'string', maxLength: 0 }, example: '' } } },
    ),
  };
  document.paths[routes.introspection] = {
    post: formEndpoint(
      'Token introspection (RFC 7662): the client’s own tokens only',
      'introspect',
      'IntrospectionRequest',
      { token: EXAMPLE.accessToken, client_id: EXAMPLE.clientId, client_secret: EXAMPLE.clientSecret },
      {
        description: 'Whether the token is active, and its claims when it is.',
        content: {
          'application/json': {
            schema: ref('IntrospectionResponse'),
            examples: {
              active: {
                summary: 'A live access token',
                value: { active: true, client_id: EXAMPLE.clientId, scope: EXAMPLE.memberScope, sub: EXAMPLE.sub, patient: EXAMPLE.patient, token_type: 'Bearer', iss: issuer, exp: 1796131763, iat: 1796128163 },
              },
              inactive: { summary: 'Expired, revoked, unknown or another client’s', value: { active: false } },
            },
          },
        },
      },
    ),
  };
  document.paths[routes.jwks] = {
    get: {
      tags: [TAG_DISCOVERY],
      summary: 'The token signing keys (JWKS)',
      operationId: 'jwks',
      responses: {
        '200': {
          description: 'The public keys, current and next: RS256 for ID tokens, ES256 for access tokens.',
          content: {
            'application/jwk-set+json': {
              schema: ref('JsonWebKeySet'),
              example: { keys: [{ kty: 'RSA', kid: 'a3d864ed-5e64-476f-8818-c70b0b0274a5', use: 'sig', alg: 'RS256', e: 'AQAB', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw' }, { kty: 'EC', kid: '3405f880-d90d-482d-a099-0c8830e22e03', use: 'sig', alg: 'ES256', crv: 'P-256', x: '6PlV3cKh2t1-6ejR4lj-GWZ6sQABFdpfm3RIOsJ8ohE', y: 'tL7xLDvdEsWZuVmLBjZpQ1Mnk83qc9UjppReXYYrPVM' }] },
            },
          },
        },
      },
    },
  };
  document.paths[routes.discovery] = {
    get: {
      tags: [TAG_DISCOVERY],
      summary: 'OpenID Connect discovery',
      operationId: 'openidConfiguration',
      responses: {
        '200': {
          description: 'The server’s metadata, built from the configured public URL.',
          content: {
            'application/json': {
              schema: ref('OpenIdConfiguration'),
              example: {
                issuer,
                authorization_endpoint: url(routes.authorization),
                token_endpoint: url(routes.token),
                revocation_endpoint: url(routes.revocation),
                introspection_endpoint: url(routes.introspection),
                userinfo_endpoint: url(routes.userinfo),
                jwks_uri: url(routes.jwks),
                scopes_supported: ['openid', 'profile', 'fhirUser', 'launch/patient', 'offline_access', 'patient/*.read'],
                response_types_supported: ['code'],
                grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
                code_challenge_methods_supported: ['S256'],
                token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
              },
            },
          },
        },
      },
    },
  };
}
