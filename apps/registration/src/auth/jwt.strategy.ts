import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type Role, Role as Roles } from '../accounts/account.entity';
import type { PortalPrincipal } from './portal-principal';
import { PORTAL_TOKEN_AUDIENCE, PortalTokenService } from './portal-token.service';

interface PortalTokenPayload {
  sub?: unknown;
  email?: unknown;
  role?: unknown;
}

const ROLES = new Set<string>(Object.values(Roles));

/** Checks the portal bearer token: signature, HS256 only, issuer, audience and expiry. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(tokens: PortalTokenService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: Buffer.from(tokens.secret),
      algorithms: ['HS256'],
      issuer: tokens.issuer,
      audience: PORTAL_TOKEN_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(payload: PortalTokenPayload): PortalPrincipal | false {
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || typeof payload.role !== 'string') return false;
    if (!ROLES.has(payload.role)) return false;
    return { accountId: payload.sub, email: payload.email, role: payload.role as Role };
  }
}
