import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { ClientProjectionService } from '../clients/client-projection.service';
import { ClientSecretVerifier } from '../clients/client-secret.verifier';
import { MemberGrantsService } from '../grants/member-grants.service';
import { AccessTokenVerifier } from './access-token.verifier';

type Params = Record<string, string | string[]>;

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of our JWT access tokens. oidc-provider
 * refuses structured tokens at both endpoints (they are meant to be verified offline), yet
 * apps revoke access tokens and some resource servers introspect: revoking one revokes its
 * grant, which the FHIR service learns through `authorization.grant.revoked.v1`.
 * Refresh tokens keep going to the provider.
 */
@Injectable()
export class StructuredTokenEndpoints {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly clients: ClientProjectionService,
    private readonly secrets: ClientSecretVerifier,
    private readonly grants: MemberGrantsService,
  ) {}

  static isJwt(token: unknown): token is string {
    if (typeof token !== 'string' || token.split('.').length !== 3) return false;
    try {
      return !!decodeProtectedHeader(token);
    } catch {
      return false;
    }
  }

  async introspect(params: Params, authorization: string | undefined, res: ServerResponse): Promise<void> {
    const clientId = await this.authenticate(params, authorization);
    if (!clientId) return invalidClient(res);
    const claims = await this.tokens.verify(String(params.token));
    if (!claims || claims.client_id !== clientId) return json(res, 200, { active: false });
    json(res, 200, {
      active: true,
      token_type: 'Bearer',
      client_id: claims.client_id,
      scope: claims.scope,
      sub: claims.sub,
      patient: claims.patient,
      fhirUser: claims.fhirUser,
      grant_id: claims.grant_id,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
    });
  }

  async revoke(params: Params, authorization: string | undefined, res: ServerResponse): Promise<void> {
    const clientId = await this.authenticate(params, authorization);
    if (!clientId) return invalidClient(res);
    const claims = await this.tokens.verify(String(params.token));
    // RFC 7009 §2.2: an invalid or unknown token is not an error.
    if (claims && claims.client_id === clientId && claims.grant_id) await this.grants.revoke(claims.grant_id, 'client_revoked');
    res.statusCode = 200;
    res.setHeader('cache-control', 'no-store');
    res.end();
  }

  /** client_secret_basic, client_secret_post, or none for a public client (RFC 6749 §2.3.1). */
  private async authenticate(params: Params, authorization: string | undefined): Promise<string | undefined> {
    let clientId: string | undefined;
    let secret: string | undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const index = decoded.indexOf(':');
      if (index < 0) return undefined;
      clientId = safeDecode(decoded.slice(0, index));
      secret = safeDecode(decoded.slice(index + 1));
    } else {
      clientId = typeof params.client_id === 'string' ? params.client_id : undefined;
      secret = typeof params.client_secret === 'string' ? params.client_secret : undefined;
    }
    if (!clientId) return undefined;
    const metadata = this.clients.metadata(clientId);
    if (!metadata) return undefined;
    if (metadata.token_endpoint_auth_method === 'none') return secret === undefined ? clientId : undefined;
    return secret !== undefined && (await this.secrets.verify(metadata.client_secret as string, secret, clientId)) ? clientId : undefined;
  }
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function invalidClient(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Basic realm="authorization"');
  json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}
