import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccessTokenGuard } from '../auth/access-token.guard';
import type { FhirPrincipal } from '../auth/fhir-principal';
import { OPERATION_OUTCOME_SCHEMA, USERINFO_SCHEMA } from '../fhir-api/dto/fhir-schemas';
import { type UserInfo, UserInfoService } from './userinfo.service';

/** `[base]/UserInfo` (seed 002's FHIR path); `/v1/connect/userinfo` is the other spelling. */
@ApiTags('userinfo')
@ApiBearerAuth()
@ApiServiceUnavailableResponse({ description: "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS: no token is honoured until it is current again (Retry-After says when to retry)", schema: OPERATION_OUTCOME_SCHEMA })
@UseGuards(AccessTokenGuard)
@Controller()
export class FhirUserInfoController {
  constructor(private readonly service: UserInfoService) {}

  @Get('UserInfo')
  @ApiOperation({ summary: "The member's basic profile for an access token" })
  @ApiOkResponse({ schema: USERINFO_SCHEMA })
  @ApiUnauthorizedResponse({ schema: OPERATION_OUTCOME_SCHEMA })
  @ApiForbiddenResponse({ schema: OPERATION_OUTCOME_SCHEMA })
  userInfo(@Req() request: Request): Promise<UserInfo> {
    return this.service.userInfo(request.user as FhirPrincipal);
  }
}

@ApiTags('userinfo')
@ApiBearerAuth()
@ApiServiceUnavailableResponse({ description: "This server's view of app statuses is older than CLIENT_STATUS_MAX_STALENESS_SECONDS: no token is honoured until it is current again (Retry-After says when to retry)", schema: OPERATION_OUTCOME_SCHEMA })
@UseGuards(AccessTokenGuard)
@Controller('v1/connect')
export class ConnectUserInfoController {
  constructor(private readonly service: UserInfoService) {}

  @Get('userinfo')
  @ApiOperation({ summary: "The member's basic profile for an access token (seed 002: GET /v1/connect/userinfo)" })
  @ApiOkResponse({ schema: USERINFO_SCHEMA })
  @ApiUnauthorizedResponse({ schema: OPERATION_OUTCOME_SCHEMA })
  @ApiForbiddenResponse({ schema: OPERATION_OUTCOME_SCHEMA })
  userInfo(@Req() request: Request): Promise<UserInfo> {
    return this.service.userInfo(request.user as FhirPrincipal);
  }
}
