import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { unauthorized } from '@payer-access/fhir-models';
import { bearerToken } from '../auth/access-token.strategy';
import { FhirException } from '../common/fhir.exception';
import type { FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';

/**
 * Lets plan staff's tooling (and the authorization service's connected-apps page) search the
 * access audit with one bearer credential of their own, not a member's access token: member tokens
 * are bound to one patient and an app, while the audit spans every member. Only its SHA-256 is
 * configured (AUDIT_READER_TOKEN_SHA256), compared in constant time; unset, the search is closed.
 */
@Injectable()
export class AuditReaderGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(FHIR_CONFIG) config: FhirConfig) {
    this.expected = config.AUDIT_READER_TOKEN_SHA256 ? Buffer.from(config.AUDIT_READER_TOKEN_SHA256, 'hex') : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>());
    const presented = token === undefined ? undefined : createHash('sha256').update(token).digest();
    if (this.expected && presented && timingSafeEqual(presented, this.expected)) return true;
    throw new FhirException(unauthorized('The access audit needs the audit reader credential (Authorization: Bearer ...)'), {
      'WWW-Authenticate': token === undefined ? 'Bearer' : 'Bearer error="invalid_token"',
    });
  }
}
