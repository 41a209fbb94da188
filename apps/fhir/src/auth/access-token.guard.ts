import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { unauthorized } from '@payer-access/fhir-models';
import { decodeJwt } from 'jose';
import { AccessAuditService, type RefusalRecord } from '../audit/access-audit.service';
import { FhirException } from '../common/fhir.exception';
import { ACCESS_TOKEN_STRATEGY, AccessTokenStrategy, bearerToken, TokenRefusal } from './access-token.strategy';
import { VerifiedTokenCache } from './verified-token.cache';
import type { FhirPrincipal } from './fhir-principal';

/**
 * Requires a valid access token. A refusal is a 401 OperationOutcome with the RFC 6750 challenge:
 * no error code when no token was sent, `invalid_token` otherwise.
 * https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
@Injectable()
export class AccessTokenGuard extends AuthGuard(ACCESS_TOKEN_STRATEGY) {
  constructor(
    private readonly strategy: AccessTokenStrategy,
    private readonly verified: VerifiedTokenCache,
    private readonly audit: AccessAuditService,
  ) {
    super();
  }

  /** Refusals are part of the access audit, with the client the token claims and the reason. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.check(context);
    } catch (error) {
      if (error instanceof FhirException) {
        const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; params?: Record<string, string>; path?: string }>();
        await this.audit.recordRefusal({ ...claimedBy(bearerToken(request)), ...requested(request), status: error.outcome.status, reason: error.message }).catch(() => undefined);
      }
      throw error;
    }
  }

  /** A token verified before skips the signature check; its client and grant are checked again. */
  private async check(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const token = bearerToken(request);
    const claims = token === undefined ? undefined : this.verified.get(token);
    if (claims === undefined) return (await super.canActivate(context)) as boolean;
    let principal: FhirPrincipal | undefined;
    let refusal: unknown;
    try {
      principal = this.strategy.authorize(claims);
    } catch (error) {
      refusal = error;
    }
    request.user = this.handleRequest(refusal, principal, undefined, context);
    return true;
  }

  override handleRequest<TUser = FhirPrincipal>(error: unknown, user: unknown, info: unknown, context: ExecutionContext): TUser {
    if (user && !error) return user as TUser;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const sentToken = /^Bearer\s+\S/i.test(request.headers.authorization ?? '');
    if (!sentToken) {
      throw new FhirException(unauthorized('An access token is required (Authorization: Bearer ...)'), { 'WWW-Authenticate': 'Bearer' });
    }
    const reason = describe(error ?? info);
    throw new FhirException(unauthorized(`Invalid access token: ${reason}`), {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/["\\]/g, '')}"`,
    });
  }
}

/** Who a refused token says it is: unverified, so only as evidence of what was presented. */
function claimedBy(token: string | undefined): { clientId?: string; subject?: string; patientId?: string } {
  if (!token) return {};
  try {
    const claims = decodeJwt(token);
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return { clientId: text(claims.client_id), subject: text(claims.sub), patientId: text(claims.patient) };
  } catch {
    return {};
  }
}

function requested(request: { params?: Record<string, string>; path?: string }): Pick<RefusalRecord, 'interaction' | 'resourceType'> {
  const resourceType = request.params?.resourceType;
  if (resourceType) return { interaction: request.params?.id ? 'read' : 'search', resourceType };
  return { interaction: 'userinfo' };
}

function describe(cause: unknown): string {
  if (cause instanceof TokenRefusal) return cause.message;
  if (cause instanceof Error) {
    if (cause.name === 'TokenExpiredError') return 'the token has expired';
    if (cause.name === 'NotBeforeError') return 'the token is not valid yet';
    if (/audience/i.test(cause.message)) return 'the token is not for this FHIR server (aud)';
    if (/issuer/i.test(cause.message)) return 'the token was not issued by the authorization server (iss)';
    return 'the token signature or format is invalid';
  }
  return 'the token could not be verified';
}
