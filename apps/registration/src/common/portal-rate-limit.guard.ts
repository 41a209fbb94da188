import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { RateLimiter, rateLimitHeaders } from '@payer-access/http';
import type { Request, Response } from 'express';
import type { PortalPrincipal } from '../auth/portal-principal';
import type { RegistrationConfig } from '../registration.config';
import { ErrorResponseDto } from './error-response.dto';
import { RegistrationErrorCode, RegistrationException } from './registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from './tokens';

/** The portal routes that can be flooded, each with its own limit. */
export type PortalRateLimit = 'signup' | 'login' | 'submit';

const ROUTE_KEY = 'payer-access:rate-limit';

/**
 * Request rate limits on the portal routes anyone can flood: sign-up and login per client address,
 * registration submission per account (the guard runs after authentication, so it knows the
 * account). Every answer carries `X-RateLimit-*`; a refusal is `429` with `Retry-After`, in the
 * service's error shape. Counters are per instance (see RateLimiter); the login's failure throttle
 * (LoginThrottleService) is shared by all instances through PostgreSQL.
 */
@Injectable()
export class PortalRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.limiter = new RateLimiter(undefined, () => clock.now().getTime());
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<PortalRateLimit | undefined>(ROUTE_KEY, context.getHandler());
    if (!route) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: PortalPrincipal }>();
    const key = route === 'submit' && req.user ? `account:${req.user.accountId}` : `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    const limit = { signup: this.config.SIGNUP_RATE_LIMIT, login: this.config.LOGIN_RATE_LIMIT, submit: this.config.SUBMIT_RATE_LIMIT }[route];
    const decision = await this.limiter.consume([{ name: route, key, limit, windowSeconds: this.config.PORTAL_RATE_LIMIT_WINDOW_SECONDS }]);
    if (!decision) return true;
    http.getResponse<Response>().set(rateLimitHeaders(decision));
    if (!decision.allowed) {
      throw new RegistrationException(RegistrationErrorCode.TooManyAttempts, 'Too many requests; try again later', decision.resetSeconds);
    }
    return true;
  }
}

const LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window', schema: { type: 'integer', example: 20 } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer', example: 19 } },
  'X-RateLimit-Reset': { description: 'Seconds until the window ends', schema: { type: 'integer', example: 600 } },
} as const;

/**
 * Limits the route's request rate. Above `@Authenticated` (decorators apply bottom-up, so its guard
 * then runs after authentication), `submit` counts per account.
 */
export function RateLimited(route: PortalRateLimit, refusal = route === 'submit' ? 'Too many registrations from this account; see Retry-After' : 'Too many requests from this address; see Retry-After'): MethodDecorator {
  return applyDecorators(
    SetMetadata(ROUTE_KEY, route),
    UseGuards(PortalRateLimitGuard),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: `${refusal}. Every answer of this route carries X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset.`,
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', example: 600 } }, ...LIMIT_HEADERS },
    }),
  );
}
