import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AccessTokenRejected, JwtVerifier } from '@payer-access/http';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { type Role, Role as Roles } from '../accounts/account.entity';
import type { PortalPrincipal } from './portal-principal';
import { PORTAL_TOKEN_AUDIENCE, PORTAL_TOKEN_TYPE, PortalTokenService } from './portal-token.service';

const ROLES = new Set<string>(Object.values(Roles));

/**
 * Checks the portal bearer token with the platform's one JWT verifier (`JwtVerifier`, jose):
 * signature, HS256 only, `typ`, issuer, audience and expiry; then the portal's own claims. Nest
 * still meets it through @nestjs/passport (`AuthGuard('jwt')`); passport-custom only hands over
 * the request. The token is read from the Authorization header only (RFC 6750 §2.1).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verifier: JwtVerifier;

  constructor(tokens: PortalTokenService) {
    super();
    this.verifier = new JwtVerifier({
      issuer: tokens.issuer,
      audience: PORTAL_TOKEN_AUDIENCE,
      keys: tokens.secret,
      algorithms: ['HS256'],
      typ: PORTAL_TOKEN_TYPE,
      requiredClaims: ['sub', 'iat', 'exp'],
    });
  }

  async validate(request: Request): Promise<PortalPrincipal | false> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return false;
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof AccessTokenRejected) return false;
      throw error;
    }
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || typeof payload.role !== 'string') return false;
    if (!ROLES.has(payload.role)) return false;
    return { accountId: payload.sub, email: payload.email, role: payload.role as Role };
  }
}
