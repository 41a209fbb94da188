import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type Role, Role as Roles } from '../accounts/account.entity';
import type { PortalPrincipal } from './portal-principal';
import { PORTAL_TOKEN_AUDIENCE, PORTAL_TOKEN_TYPE, PortalTokenService } from './portal-token.service';

/** What passport-jwt hands over with `complete: true`: the header too, so that `typ` is checked. */
interface VerifiedPortalToken {
  header?: { typ?: unknown };
  payload?: { sub?: unknown; email?: unknown; role?: unknown; iat?: unknown; exp?: unknown };
}

const ROLES = new Set<string>(Object.values(Roles));

/**
 * Checks the portal bearer token (passport-jwt, behind @nestjs/passport's `AuthGuard('jwt')`):
 * signature, HS256 only, issuer, audience and expiry, then the header's `typ` and the portal's own
 * claims. The token is read from the Authorization header only (RFC 6750 §2.1). Portal tokens are
 * registration's own sessions, issued and checked here only; access tokens to the platform's APIs
 * are checked by the one RFC 9068 verifier in libs/platform/http.
 */
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
      jsonWebTokenOptions: { complete: true },
    });
  }

  validate(token: VerifiedPortalToken): PortalPrincipal | false {
    if (token.header?.typ !== PORTAL_TOKEN_TYPE) return false;
    const payload = token.payload ?? {};
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return false;
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || typeof payload.role !== 'string') return false;
    if (!ROLES.has(payload.role)) return false;
    return { accountId: payload.sub, email: payload.email, role: payload.role as Role };
  }
}
