import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokenRejected } from '@payer-access/http';
import { serviceUnavailable, unauthorized } from '@payer-access/fhir-models';
import { decodeJwt } from 'jose';
import { AccessAuditService, type RefusalRecord } from '../audit/access-audit.service';
import { FhirException } from '../common/fhir.exception';
import { ClientStatusCache } from '../events/client-status.cache';
import { AccessTokenStrategy, bearerToken, TokenRefusal } from './access-token.strategy';
import type { FhirPrincipal } from './fhir-principal';

/**
 * Requires a valid access token. A refusal is a 401 OperationOutcome with the RFC 6750 challenge:
 * no error code when no token was sent, `invalid_token` otherwise.
 * https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly strategy: AccessTokenStrategy,
    private readonly audit: AccessAuditService,
    private readonly statusCache: ClientStatusCache,
  ) {}

  /** Refusals are part of the access audit, with the client the token claims and the reason. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
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

  private async check(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: FhirPrincipal }>();
    const token = bearerToken(request);
    if (token === undefined && !/^Bearer\s+\S/i.test(request.headers.authorization ?? '')) {
      throw new FhirException(unauthorized('An access token is required (Authorization: Bearer ...)'), { 'WWW-Authenticate': 'Bearer' });
    }
    // Bounded staleness: a view older than the bound may be missing a suspension, so no token is
    // honoured until it is current again (docs/architecture.md#revocation-across-services).
    const freshness = this.statusCache.freshness;
    if (freshness.isStale()) {
      throw new FhirException(
        serviceUnavailable('Access is paused: this server cannot confirm that the app is still approved, because its view of app statuses is out of date. Retry shortly.'),
        { 'Retry-After': String(freshness.retryAfterSeconds()) },
      );
    }
    try {
      if (token === undefined) throw new TokenRefusal('the Authorization header is malformed');
      request.user = this.strategy.authorize(await this.strategy.verify(token));
    } catch (error) {
      const reason = error instanceof AccessTokenRejected ? error.reason : error instanceof TokenRefusal ? error.message : 'the token could not be verified';
      throw new FhirException(unauthorized(`Invalid access token: ${reason}`), {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/["\\]/g, '')}"`,
      });
    }
    return true;
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
  const operation = request.params?.operation;
  if (operation === '$bulk-member-match') return { interaction: 'bulk-member-match', resourceType: 'Group' };
  if (operation === '$export' || operation === '$davinci-data-export' || request.params?.jobId !== undefined) return { interaction: 'bulk-export', resourceType: 'Group' };
  if (operation !== undefined) return { interaction: operation === '$member-match' ? 'member-match' : 'everything', resourceType: 'Patient' };
  const resourceType = request.params?.resourceType;
  if (resourceType) return { interaction: request.params?.id ? 'read' : 'search', resourceType };
  return { interaction: 'userinfo' };
}

