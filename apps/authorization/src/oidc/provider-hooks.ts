import { Logger } from '@nestjs/common';
import type { GrantRevocationReason } from '@payer-access/client-status';
import { SCOPES_SUPPORTED } from '@payer-access/scopes';
import { decodeJwt } from 'jose';
import type { KoaContext, default as ProviderType } from 'oidc-provider';
import type { MemberGrantsService } from '../grants/member-grants.service';
import type { AuthorizationMetrics } from '../metrics/authorization.metrics';

const logger = new Logger('OidcProvider');

/**
 * SMART additions around the provider's own pipeline, and the bridge from its revocations to
 * our consent records and events.
 */
export function installProviderHooks(provider: ProviderType, grants: MemberGrantsService, retryPendingRevocations: () => void): void {
  provider.use(async (ctx: KoaContext, next) => {
    await next();
    // Revocations the provider made during this request are recorded before it answers, so a
    // client that sees its revocation succeed never finds the grant still live.
    await Promise.all((ctx.state?.pendingRevocations as Promise<unknown>[] | undefined) ?? []);
    if (ctx.oidc?.route === 'token') useRfcErrorCodes(ctx);
    if (ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    if (ctx.oidc?.route === 'token') await addLaunchContext(ctx, grants);
    // The provider lists only its own scopes; apps must see the resource scopes too, as in SMART discovery.
    if (ctx.oidc?.route === 'discovery') ctx.body = { ...(ctx.body as Record<string, unknown>), scopes_supported: [...SCOPES_SUPPORTED] };
    if (ctx.oidc?.route === 'introspection') await addIntrospectionPatient(ctx, grants);
  });

  // Code replay, refresh-token replay and the revocation endpoint revoke grants inside the
  // provider (RFC 6749 §4.1.2, RFC 9700 §4.14.2, RFC 7009): record why and announce it. The
  // provider's Grant stays as a tombstone until this succeeds, so a failure is retried.
  provider.on('grant.revoked', (...args: unknown[]) => {
    const [ctx, grantId] = args as [KoaContext, string];
    const reason = revocationReason(ctx);
    const pending = grants.revoke(grantId, reason, { alreadyRemoved: true }).catch((error: unknown) => {
      logger.error(`recording revocation of grant ${grantId} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
      retryPendingRevocations();
    });
    if (ctx?.state) ctx.state.pendingRevocations = [...(ctx.state.pendingRevocations ?? []), pending];
  });

  provider.on('server_error', (...args: unknown[]) => {
    const error = args[1];
    logger.error(`server_error: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/**
 * Counts the token endpoint's answers from the provider's events: each token of a successful
 * response (`grant.success`), and each refusal by its RFC error code (`grant.error`, or
 * `server_error` on the token route). https://github.com/panva/node-oidc-provider/blob/main/docs/events.md
 */
export function installTokenMetrics(provider: ProviderType, metrics: AuthorizationMetrics): void {
  provider.on('grant.success', (...args: unknown[]) => {
    const [ctx] = args as [KoaContext];
    metrics.tokenResponse(ctx?.oidc?.params?.grant_type, ctx?.body);
  });
  provider.on('grant.error', (...args: unknown[]) => {
    const [ctx, error] = args as [KoaContext, { expose?: boolean; message?: string; error_description?: string }];
    const code = error?.expose ? rfcErrorCode(String(error.message), error.error_description) : 'server_error';
    metrics.tokenError(ctx?.oidc?.params?.grant_type, code);
  });
  provider.on('server_error', (...args: unknown[]) => {
    const [ctx] = args as [KoaContext];
    if (ctx?.oidc?.route === 'token') metrics.tokenError(ctx.oidc.params?.grant_type, 'server_error');
  });
}

/**
 * SMART App Launch: the token response names the patient in context (`patient`), which the
 * seed's apps search with. It is the `patient` claim of the access token we just issued.
 * Blue Button 2.0: it also says when the member's authorization ends (`access_grant_expiration`),
 * absent when it has no end (research).
 */
async function addLaunchContext(ctx: KoaContext, grants: MemberGrantsService): Promise<void> {
  const body = ctx.body as Record<string, unknown>;
  if (typeof body.access_token !== 'string') return;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(body.access_token);
  } catch {
    return;
  }
  const patient = claims.patient;
  const expiration = await accessGrantExpiration(claims, grants);
  // The response scope is everything granted: the OpenID scopes (which the FHIR-audience access
  // token does not carry) and the resource scopes, as seed 002 shows ("profile patient/*.read").
  const oidcScope = String(ctx.oidc.entities?.Grant?.getOIDCScope?.() ?? '').split(' ').filter(Boolean);
  const scope = [...new Set([...oidcScope, ...String(body.scope ?? '').split(' ').filter(Boolean)])].join(' ');
  ctx.body = {
    ...body,
    scope,
    ...(typeof patient === 'string' ? { patient } : {}),
    ...(expiration ? { access_grant_expiration: expiration.toISOString() } : {}),
  };
}

async function accessGrantExpiration(claims: ReturnType<typeof decodeJwt>, grants: MemberGrantsService): Promise<Date | null> {
  const grantId = typeof claims.grant_id === 'string' ? claims.grant_id : undefined;
  const grant = grantId ? await grants.find(grantId) : null;
  if (!grant || !grantId) return null;
  if (grant.dataAccessType === 'one_time' && !grant.accessExpiresAt && typeof claims.exp === 'number') {
    return grants.recordOneTimeEnd(grantId, new Date(claims.exp * 1000));
  }
  return grant.accessExpiresAt;
}

/** RFC 7662 lets servers add fields: a refresh token's introspection names its patient too. */
async function addIntrospectionPatient(ctx: KoaContext, grants: MemberGrantsService): Promise<void> {
  const body = ctx.body as Record<string, unknown>;
  const grantId = ctx.oidc.entities?.RefreshToken?.grantId as string | undefined;
  if (body.active !== true || body.patient || !grantId) return;
  const grant = await grants.find(grantId);
  if (grant) ctx.body = { ...body, patient: grant.patientId };
}

/** Rewrites the token endpoint's error codes the way `rfcErrorCode` says. */
function useRfcErrorCodes(ctx: KoaContext): void {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (typeof body?.error !== 'string') return;
  const error = rfcErrorCode(body.error, body.error_description);
  if (error !== body.error) ctx.body = { ...body, error };
}

/** RFC 6749 §5.2: a grant type the client may not use is `unauthorized_client`. */
function rfcErrorCode(error: string, description: unknown): string {
  return error === 'invalid_request' && description === 'requested grant type is not allowed for this client' ? 'unauthorized_client' : error;
}

/** Why the provider revokes a grant in the request being handled. */
export function revocationReason(ctx: KoaContext): GrantRevocationReason {
  if (ctx?.oidc?.route === 'revocation') return 'client_revoked';
  return ctx?.oidc?.params?.grant_type === 'refresh_token' ? 'refresh_token_replayed' : 'code_replayed';
}
