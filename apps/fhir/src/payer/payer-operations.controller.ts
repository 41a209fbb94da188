import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { notSupported } from '@payer-access/fhir-models';
import type { Request, Response } from 'express';
import { AccessTokenGuard } from '../auth/access-token.guard';
import type { FhirPrincipal } from '../auth/fhir-principal';
import { sendFhir } from '../common/fhir-media';
import { FhirException } from '../common/fhir.exception';
import { BUNDLE_SCHEMA, OPERATION_OUTCOME_SCHEMA } from '../fhir-api/dto/fhir-schemas';
import { MEMBER_MATCH_REQUEST_EXAMPLE, MEMBER_MATCH_RESPONSE_EXAMPLE, PARAMETERS_SCHEMA } from './member-match/member-match.examples';
import { MemberMatchService } from './member-match/member-match.service';
import { EverythingService } from './everything.service';

/** The FHIR operations of Payer-to-Payer exchange (Da Vinci HRex / PDex). */
@ApiTags('fhir')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No token, or one that is invalid, expired, revoked or whose client is not approved', schema: OPERATION_OUTCOME_SCHEMA })
@ApiServiceUnavailableResponse({ description: "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS: no token is honoured until it is current again (Retry-After says when to retry)", schema: OPERATION_OUTCOME_SCHEMA })
@UseGuards(AccessTokenGuard)
@Controller()
export class PayerOperationsController {
  constructor(
    private readonly memberMatch: MemberMatchService,
    private readonly everything: EverythingService,
  ) {}

  @Post('Patient/:operation')
  @HttpCode(200)
  @ApiOperation({
    summary: '$member-match (HRex)',
    description:
      "POST [base]/Patient/$member-match with a Parameters body (application/fhir+json or application/json): MemberPatient, CoverageToMatch, optional CoverageToLink and Consent. A payer's backend token (system/Patient.rs) only. A unique match with a consent this plan honours (the requesting payer named in Consent.performer or organization by an Identifier whose value is its client id; policy hrex-consent #regular or #sensitive; a current period) links the member to the payer and answers the member identifier (type MB).",
  })
  @ApiParam({ name: 'operation', example: '$member-match' })
  @ApiBody({ schema: { ...PARAMETERS_SCHEMA, example: MEMBER_MATCH_REQUEST_EXAMPLE } })
  @ApiOkResponse({ description: 'Parameters with MemberIdentifier and MemberId', schema: { ...PARAMETERS_SCHEMA, example: MEMBER_MATCH_RESPONSE_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'Not a Parameters resource, a part missing or repeated, or an element of the wrong type', schema: OPERATION_OUTCOME_SCHEMA })
  @ApiForbiddenResponse({ description: "Not a payer's backend token, or without system/Patient.rs", schema: OPERATION_OUTCOME_SCHEMA })
  @ApiResponse({ status: 422, description: 'No unique match (none or several), or a consent the plan cannot honour', schema: OPERATION_OUTCOME_SCHEMA })
  async match(@Param('operation') operation: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (operation !== '$member-match') throw new FhirException(notSupported(`Operation '${operation.slice(0, 64)}' is not supported on Patient`));
    sendFhir(response, 200, await this.memberMatch.memberMatch(request.user as FhirPrincipal, (request as { body?: unknown }).body));
  }

  @Get('Patient/:id/:operation')
  @ApiOperation({
    summary: 'Patient $everything',
    description: "The resources of one patient's compartment the token may see, in pages (_count, startIndex): a member's own, or a payer's linked member's within the consent and the five-year look-back.",
  })
  @ApiParam({ name: 'id', example: '-20140000008325' })
  @ApiParam({ name: 'operation', example: '$everything' })
  @ApiQuery({ name: '_count', required: false, example: 50 })
  @ApiQuery({ name: 'startIndex', required: false, example: 0 })
  @ApiOkResponse({ description: 'A searchset Bundle with total and paging links', schema: BUNDLE_SCHEMA })
  @ApiNotFoundResponse({ description: 'No such patient for this token', schema: OPERATION_OUTCOME_SCHEMA })
  async patientEverything(
    @Param('id') id: string,
    @Param('operation') operation: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (operation !== '$everything') throw new FhirException(notSupported(`Operation '${operation.slice(0, 64)}' is not supported on Patient`));
    sendFhir(response, 200, await this.everything.patientEverything(request.user as FhirPrincipal, id, query));
  }
}
