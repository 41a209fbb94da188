import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiBadRequestResponse, ApiTags, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { SearchQuery } from '@payer-access/fhir-models';
import type { Request, Response } from 'express';
import { AccessTokenGuard } from '../auth/access-token.guard';
import type { FhirPrincipal } from '../auth/fhir-principal';
import { sendFhir } from '../common/fhir-media';
import { FhirException } from '../common/fhir.exception';
import { BUNDLE_SCHEMA, OPERATION_OUTCOME_SCHEMA, RESOURCE_SCHEMA } from './dto/fhir-schemas';
import { FhirApiService } from './fhir-api.service';
import { readFormat } from './read-format';

/** `[base]/[type]` search and `[base]/[type]/[id]` read. https://hl7.org/fhir/R4/http.html */
@ApiTags('fhir')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No token, or one that is invalid, expired, revoked or whose client is not approved', schema: OPERATION_OUTCOME_SCHEMA })
@ApiServiceUnavailableResponse({ description: "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS: no token is honoured until it is current again (Retry-After says when to retry)", schema: OPERATION_OUTCOME_SCHEMA })
@ApiForbiddenResponse({ description: "The token's scopes do not cover this resource type", schema: OPERATION_OUTCOME_SCHEMA })
@UseGuards(AccessTokenGuard)
@Controller()
export class FhirApiController {
  constructor(private readonly service: FhirApiService) {}

  @Get(':resourceType')
  @ApiOperation({
    summary: 'Search',
    description:
      "Searches the token's patient's resources of one type: Patient (_id, _lastUpdated, identifier...), Coverage (beneficiary, payor...), ExplanationOfBenefit (patient, type, _lastUpdated, service-date, identifier, _include...) and the US Core clinical types. Pages with _count (default 10) and startIndex.",
  })
  @ApiParam({ name: 'resourceType', example: 'ExplanationOfBenefit' })
  @ApiQuery({ name: 'patient', required: false, example: '-20140000000024' })
  @ApiQuery({ name: 'type', required: false, example: 'carrier,pde', description: 'ExplanationOfBenefit claim types, comma-separated; lower case' })
  @ApiQuery({ name: '_lastUpdated', required: false, example: 'gt2020-02-13T08:00:00-05:00', description: 'eq, gt, lt, ge, le; repeat for an interval' })
  @ApiQuery({ name: '_count', required: false, example: 10 })
  @ApiQuery({ name: 'startIndex', required: false, example: 0 })
  @ApiQuery({ name: '_format', required: false, example: 'application/fhir+json' })
  @ApiOkResponse({ description: 'A searchset Bundle with total and paging links', schema: BUNDLE_SCHEMA })
  @ApiBadRequestResponse({ description: 'Unknown parameter or invalid value (e.g. type=CARRIER: "not a valid value")', schema: OPERATION_OUTCOME_SCHEMA })
  async search(@Param('resourceType') resourceType: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const principal = request.user as FhirPrincipal;
    const queryText = request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : '';
    const { json, format } = await this.service.search(principal, resourceType, request.query as SearchQuery, queryText);
    sendFhir(response, 200, json, format);
  }

  @Get(':resourceType/:id')
  @ApiOperation({ summary: 'Read', description: "Reads one resource of the token's patient. Answers with ETag and Last-Modified." })
  @ApiParam({ name: 'resourceType', example: 'Patient' })
  @ApiParam({ name: 'id', example: '-20140000008325' })
  @ApiQuery({ name: '_format', required: false, example: 'json' })
  @ApiOkResponse({ description: 'The resource', schema: RESOURCE_SCHEMA })
  @ApiNotFoundResponse({ description: "No such resource in the token's patient's record", schema: OPERATION_OUTCOME_SCHEMA })
  async read(@Param('resourceType') resourceType: string, @Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const format = readFormat(request.query);
    if (format instanceof FhirException) throw format;
    const principal = request.user as FhirPrincipal;
    const result = await this.service.read(principal, resourceType, id);
    response.setHeader('ETag', `W/"${result.version}"`);
    response.setHeader('Last-Modified', result.lastUpdated.toUTCString());
    sendFhir(response, 200, result.json, format);
  }
}
