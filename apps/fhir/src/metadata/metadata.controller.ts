import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type SearchParameterRegistry } from '@payer-access/fhir-models';
import type { Request, Response } from 'express';
import { sendFhir } from '../common/fhir-media';
import { FhirException } from '../common/fhir.exception';
import { authorizationServerUrls } from '@payer-access/scopes';
import { authorizationServerSettings, fhirBaseUrl, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG, SEARCH_REGISTRY } from '../fhir.tokens';
import { readFormat } from '../fhir-api/read-format';
import { buildCapabilityStatement } from './capability-statement.builder';

const STARTED_AT = new Date().toISOString();

/** `[base]/metadata`: public, no token, as SMART clients read it before they have one. */
@ApiTags('fhir')
@Controller()
export class MetadataController {
  constructor(
    @Inject(FHIR_CONFIG) private readonly config: FhirConfig,
    @Inject(SEARCH_REGISTRY) private readonly registry: SearchParameterRegistry,
  ) {}

  @Get('metadata')
  @ApiOperation({ summary: 'CapabilityStatement', description: 'What this server serves, generated from its search parameters, with the SMART oauth-uris extension.' })
  @ApiOkResponse({ description: 'The CapabilityStatement', schema: { type: 'object', example: { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' } } })
  metadata(@Req() request: Request, @Res() response: Response): void {
    const format = readFormat(request.query);
    if (format instanceof FhirException) throw format;
    // From configuration, never from the request's Host: what the server publishes is the same for every caller.
    const endpoints = authorizationServerUrls(authorizationServerSettings(this.config));
    const statement = buildCapabilityStatement(this.registry, {
      baseUrl: fhirBaseUrl(this.config),
      authorizationUrl: endpoints.authorization,
      tokenUrl: endpoints.token,
      revocationUrl: endpoints.revocation,
      introspectionUrl: endpoints.introspection,
      software: { name: 'payer-access', version: '0.1.0' },
      date: STARTED_AT,
    });
    sendFhir(response, 200, statement, format);
  }
}
