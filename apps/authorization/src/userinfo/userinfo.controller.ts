import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ClientProjectionService } from '../clients/client-projection.service';
import { MemberGrantsService } from '../grants/member-grants.service';
import { MemberAccountsService } from '../members/member-accounts.service';
import { memberClaims } from '../oidc/member-claims';
import { refuseWhileStale, STALE_CLIENT_STATUSES } from '../oidc/provider-mount.middleware';
import { AccessTokenVerifier } from '../tokens/access-token.verifier';
import { OAuthErrorDto, UserinfoDto } from './userinfo.dto';

/**
 * OpenID Connect UserInfo (OIDC Core §5.3) for our FHIR-audience access tokens, which
 * oidc-provider's own endpoint refuses because they name another audience.
 */
@ApiTags('OpenID Connect')
@Controller('connect/userinfo')
export class UserinfoController {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly accounts: MemberAccountsService,
    private readonly grants: MemberGrantsService,
    private readonly clients: ClientProjectionService,
  ) {}

  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: "The member's basic account information for an access token (seed 002 \"Get User Profile\")." })
  @ApiOkResponse({ type: UserinfoDto })
  @ApiUnauthorizedResponse({ type: OAuthErrorDto, description: 'Missing, invalid, expired or revoked token (RFC 6750 §3).' })
  @ApiServiceUnavailableResponse({
    description: "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS; retry after Retry-After seconds.",
    schema: {
      type: 'object',
      required: ['error', 'error_description'],
      properties: { error: { type: 'string' }, error_description: { type: 'string' } },
      example: { error: 'temporarily_unavailable', error_description: STALE_CLIENT_STATUSES },
    },
  })
  async userinfo(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    res.set('cache-control', 'no-store');
    if (this.clients.freshness.isStale()) return refuseWhileStale(res, this.clients.freshness.retryAfterSeconds());
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const claims = token ? await this.tokens.verify(token) : undefined;
    const account = claims ? await this.accounts.findById(claims.sub) : null;
    if (!claims || !account) {
      res
        .status(401)
        .set('www-authenticate', token ? 'Bearer error="invalid_token"' : 'Bearer')
        .json({ error: 'invalid_token', error_description: 'the access token is invalid, expired or revoked' });
      return;
    }
    const grant = claims.grant_id ? await this.grants.find(claims.grant_id) : null;
    // The OpenID scopes live on the grant: the access token carries the FHIR scopes only.
    const scopes = new Set(`${grant?.scope ?? ''} ${claims.scope ?? ''}`.split(' '));
    const all = memberClaims(account, grant);
    const { given_name, family_name, name, preferred_username, fhirUser, ...rest } = all;
    res.json({
      ...rest,
      preferred_username,
      ...(scopes.has('profile') ? { given_name, family_name, name } : {}),
      ...(scopes.has('fhirUser') || scopes.has('openid') ? { fhirUser } : {}),
    });
  }
}
