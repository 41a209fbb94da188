import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { notSupported, operationOutcome } from '@payer-access/fhir-models';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AccessTokenGuard } from '../../auth/access-token.guard';
import type { FhirPrincipal } from '../../auth/fhir-principal';
import { sendFhir } from '../../common/fhir-media';
import { FhirException } from '../../common/fhir.exception';
import { OPERATION_OUTCOME_SCHEMA, RESOURCE_SCHEMA } from '../../fhir-api/dto/fhir-schemas';
import { PARAMETERS_SCHEMA } from '../member-match/member-match.examples';
import {
  BULK_MEMBER_MATCH_REQUEST_EXAMPLE,
  BULK_MEMBER_MATCH_RESULT_EXAMPLE,
  EXAMPLE_IDS,
  KICK_OFF_EXAMPLE,
  MANIFEST_EXAMPLE,
  MANIFEST_SCHEMA,
  MATCHED_GROUP_EXAMPLE,
} from './bulk.examples';
import { BulkService, RETRY_AFTER_SECONDS } from './bulk.service';

const EXPORT_OPERATIONS = new Set(['$export', '$davinci-data-export']);
const ACCEPTED = { status: 202, description: 'Accepted: poll the URL in Content-Location', headers: { 'Content-Location': { description: 'The status URL', schema: { type: 'string' } } }, schema: { ...OPERATION_OUTCOME_SCHEMA, example: KICK_OFF_EXAMPLE } };

/**
 * Bulk Payer-to-Payer (Da Vinci PDex, FHIR Bulk Data Access 2.0): `$bulk-member-match`, the
 * export of a result Group, the status URL of both, and the downloads.
 * https://hl7.org/fhir/uv/bulkdata/STU2/export.html
 */
@ApiTags('fhir')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No token, or one that is invalid, expired, revoked or whose client is not approved (a suspended payer included)', schema: OPERATION_OUTCOME_SCHEMA })
@UseGuards(AccessTokenGuard)
@Controller()
export class BulkController {
  constructor(private readonly bulk: BulkService) {}

  @Post('Group/:operation')
  @HttpCode(202)
  @ApiOperation({
    summary: '$bulk-member-match (PDex)',
    description:
      "POST [base]/Group/$bulk-member-match with Prefer: respond-async and a Parameters body of repeated MemberBundle parameters, each with the parts of one $member-match (MemberPatient, CoverageToMatch, optional CoverageToLink, Consent). A payer's backend token (system/Patient.rs) only. Each member is matched and its consent checked by the rules of $member-match, and matched members are linked the same way; when done, the status URL answers the MatchedMembers, NonMatchedMembers and ConsentConstrainedMembers Groups.",
  })
  @ApiParam({ name: 'operation', example: '$bulk-member-match' })
  @ApiHeader({ name: 'Prefer', required: true, example: 'respond-async' })
  @ApiBody({ schema: { ...PARAMETERS_SCHEMA, example: BULK_MEMBER_MATCH_REQUEST_EXAMPLE } })
  @ApiResponse(ACCEPTED)
  @ApiBadRequestResponse({ description: 'No Prefer: respond-async, not a Parameters of MemberBundle, or a member part missing, repeated or of the wrong type', schema: OPERATION_OUTCOME_SCHEMA })
  @ApiForbiddenResponse({ description: "Not a payer's backend token, or without system/Patient.rs", schema: OPERATION_OUTCOME_SCHEMA })
  async bulkMemberMatch(@Param('operation') operation: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (operation !== '$bulk-member-match') throw new FhirException(notSupported(`Operation '${operation.slice(0, 64)}' is not supported on Group`));
    const location = await this.bulk.kickOffMemberMatch(request.user as FhirPrincipal, (request as { body?: unknown }).body, request.header('prefer'), this.requestUrl(request));
    accepted(response, location);
  }

  @Get('Group/:id')
  @ApiOperation({ summary: 'Group read', description: "One of the payer's $bulk-member-match result Groups (system/Group.rs)." })
  @ApiParam({ name: 'id', example: EXAMPLE_IDS.group })
  @ApiOkResponse({ description: 'The Group', schema: { ...RESOURCE_SCHEMA, example: MATCHED_GROUP_EXAMPLE } })
  @ApiForbiddenResponse({ description: "Not a payer's backend token, or without system/Group.rs", schema: OPERATION_OUTCOME_SCHEMA })
  @ApiNotFoundResponse({ description: "No such Group of this payer's", schema: OPERATION_OUTCOME_SCHEMA })
  async readGroup(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, await this.bulk.readGroup(request.user as FhirPrincipal, id));
  }

  @Get('Group/:id/:operation')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Group $export / $davinci-data-export (Bulk Data 2.0, PDex)',
    description:
      "Exports, as NDJSON files, what the payer's compartment holds of the Group's members: members linked to it, within the consent period and the five-year look-back, without sensitive data when the consent says so. Prefer: respond-async required. A payer's backend token with system/Group.rs; each type also needs its system/ read scope.",
  })
  @ApiParam({ name: 'id', example: EXAMPLE_IDS.group })
  @ApiParam({ name: 'operation', example: '$davinci-data-export', enum: ['$davinci-data-export', '$export'] })
  @ApiHeader({ name: 'Prefer', required: true, example: 'respond-async' })
  @ApiQuery({ name: '_type', required: false, example: 'Patient,ExplanationOfBenefit' })
  @ApiQuery({ name: '_since', required: false, example: '2026-01-01T00:00:00Z' })
  @ApiQuery({ name: '_outputFormat', required: false, example: 'application/fhir+ndjson' })
  @ApiResponse(ACCEPTED)
  @ApiBadRequestResponse({ description: 'No Prefer: respond-async, an unsupported parameter or _outputFormat, an unknown _type or a malformed _since', schema: OPERATION_OUTCOME_SCHEMA })
  @ApiForbiddenResponse({ description: "Not a payer's backend token, or without system/Group.rs", schema: OPERATION_OUTCOME_SCHEMA })
  @ApiNotFoundResponse({ description: "No such Group of this payer's", schema: OPERATION_OUTCOME_SCHEMA })
  async exportGroup(@Param('id') id: string, @Param('operation') operation: string, @Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (!EXPORT_OPERATIONS.has(operation)) throw new FhirException(notSupported(`Operation '${operation.slice(0, 64)}' is not supported on Group`));
    const location = await this.bulk.kickOffExport(request.user as FhirPrincipal, id, query, request.header('prefer'), this.requestUrl(request));
    accepted(response, location);
  }

  @Get('bulk-status/:jobId')
  @ApiOperation({
    summary: 'Bulk job status',
    description:
      'While the job runs: 202 with Retry-After and X-Progress. Done: 200 with the Bulk Data manifest (an export) or the Parameters of the three Groups ($bulk-member-match). A failed job: 500 with an OperationOutcome. Another client\'s job, a cancelled or expired one: 404.',
  })
  @ApiParam({ name: 'jobId', example: EXAMPLE_IDS.job })
  @ApiResponse({ status: 202, description: 'In progress', headers: { 'Retry-After': { schema: { type: 'integer' } }, 'X-Progress': { schema: { type: 'string' } } } })
  @ApiOkResponse({ description: 'The manifest of a completed export, or the Groups of a completed $bulk-member-match', schema: { oneOf: [{ ...MANIFEST_SCHEMA, example: MANIFEST_EXAMPLE }, { ...PARAMETERS_SCHEMA, example: BULK_MEMBER_MATCH_RESULT_EXAMPLE }] } })
  @ApiNotFoundResponse({ description: 'No such job of this payer\'s', schema: OPERATION_OUTCOME_SCHEMA })
  async status(@Param('jobId') jobId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const answer = await this.bulk.status(request.user as FhirPrincipal, jobId);
    if (answer.state === 'in-progress') {
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      response.setHeader('X-Progress', answer.progress);
      response.status(202).end();
    } else if (answer.state === 'failed') {
      sendFhir(response, 500, answer.outcome);
    } else {
      if (answer.expires) response.setHeader('Expires', answer.expires.toUTCString());
      if (answer.state === 'groups') sendFhir(response, 200, answer.parameters);
      else response.status(200).type('application/json; charset=utf-8').send(JSON.stringify(answer.manifest));
    }
  }

  @Delete('bulk-status/:jobId')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a bulk job', description: 'Stops the job if it runs and deletes its files (Bulk Data 2.0 "delete a bulk data request").' })
  @ApiParam({ name: 'jobId', example: EXAMPLE_IDS.job })
  @ApiResponse({ status: 202, description: 'Cancelled', schema: OPERATION_OUTCOME_SCHEMA })
  @ApiNotFoundResponse({ description: 'No such job of this payer\'s, or already cancelled or expired', schema: OPERATION_OUTCOME_SCHEMA })
  async cancel(@Param('jobId') jobId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.bulk.cancel(request.user as FhirPrincipal, jobId);
    sendFhir(response, 202, operationOutcome('information', 'informational', 'The job is cancelled and its files deleted'));
  }

  @Get('bulk-files/:jobId/:file')
  @ApiOperation({ summary: 'Download an export file', description: "An NDJSON file of the manifest, with the token of the payer that asked for the export (requiresAccessToken)." })
  @ApiParam({ name: 'jobId', example: EXAMPLE_IDS.job })
  @ApiParam({ name: 'file', example: 'ExplanationOfBenefit.ndjson' })
  @ApiOkResponse({ description: 'One resource per line', content: { 'application/fhir+ndjson': { schema: { type: 'string' }, example: '{"resourceType":"Patient","id":"-20140000008325",...}\n' } } })
  @ApiNotFoundResponse({ description: 'No such file for this payer (another payer\'s, a member\'s token, cancelled or expired)', schema: OPERATION_OUTCOME_SCHEMA })
  async file(@Param('jobId') jobId: string, @Param('file') file: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const found = await this.bulk.file(request.user as FhirPrincipal, jobId, file);
    response.status(200).type('application/fhir+ndjson');
    await pipeline(found.stream, response);
  }

  private requestUrl(request: Request): string {
    return `${this.bulk.publicUrl}${request.originalUrl}`;
  }
}

function accepted(response: Response, location: string): void {
  response.setHeader('Content-Location', location);
  sendFhir(response, 202, { ...KICK_OFF_EXAMPLE, issue: [{ ...KICK_OFF_EXAMPLE.issue[0], diagnostics: `Accepted; poll ${location}` }] });
}
