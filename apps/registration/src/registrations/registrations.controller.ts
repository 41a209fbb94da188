import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '../accounts/account.entity';
import type { PortalPrincipal } from '../auth/portal-principal';
import { Authenticated, CurrentPrincipal } from '../auth/roles.guard';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { actorOf } from './actor';
import { CreateApplicationDto } from './dto/create-application.dto';
import { CreatePayerDto } from './dto/create-payer.dto';
import { CreatedRegistrationDto, RegistrationDto } from './dto/registration.dto';
import { CreateReviewRequestDto, ReviewRequestDto } from './dto/review-request.dto';
import { UpdateRegistrationDto } from './dto/update-registration.dto';
import { OwnRegistrationDto } from '../review/dto/review.dto';
import { ReviewService } from '../review/review.service';
import { toRegistrationDto } from './registration.mapper';
import type { RegistrationEntity } from './registration.entity';
import { RegistrationsService } from './registrations.service';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.NOT_FOUND });

function created(registration: RegistrationEntity): CreatedRegistrationDto {
  return { id: registration.id, status: 'pending', kind: registration.kind, submittedAt: registration.submittedAt.toISOString() };
}

@ApiTags('registrations')
@Controller('v1')
export class RegistrationsController {
  constructor(
    private readonly registrations: RegistrationsService,
    private readonly review: ReviewService,
  ) {}

  @Post('applications')
  @RateLimited('submit')
  @Authenticated(Role.Developer)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Register a third-party application (developer accounts)' })
  @ApiCreatedResponse({ type: CreatedRegistrationDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  async submitApplication(@CurrentPrincipal() principal: PortalPrincipal, @Body() dto: CreateApplicationDto): Promise<CreatedRegistrationDto> {
    return created(await this.registrations.submitApplication(principal.accountId, dto, actorOf(principal)));
  }

  @Post('payers')
  @RateLimited('submit')
  @Authenticated(Role.Payer)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Register a payer for the payer APIs (payer accounts)' })
  @ApiCreatedResponse({ type: CreatedRegistrationDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  async submitPayer(@CurrentPrincipal() principal: PortalPrincipal, @Body() dto: CreatePayerDto): Promise<CreatedRegistrationDto> {
    return created(await this.registrations.submitPayer(principal.accountId, dto, actorOf(principal)));
  }

  @Get('registrations')
  @Authenticated(Role.Developer, Role.Payer)
  @ApiOperation({ summary: 'Your registrations, newest first' })
  @ApiOkResponse({ type: [RegistrationDto] })
  async list(@CurrentPrincipal() principal: PortalPrincipal): Promise<RegistrationDto[]> {
    return (await this.registrations.listOwn(principal.accountId)).map(toRegistrationDto);
  }

  @Get('registrations/:id')
  @Authenticated(Role.Developer, Role.Payer)
  @ApiOperation({ summary: 'One of your registrations, with its review clock and the history of its status (reasons included)' })
  @ApiOkResponse({ type: OwnRegistrationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such registration among yours' })
  async get(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string): Promise<OwnRegistrationDto> {
    return this.review.ownerView(await this.registrations.getOwn(principal.accountId, id));
  }

  @Patch('registrations/:id')
  @Authenticated(Role.Developer, Role.Payer)
  @ApiOperation({
    summary: 'Update your answers (e.g. after an information request). Changes to an approved client are published to the other services.',
    description:
      'While pending, every field changes at once. Once approved (or suspended), changes of name, companyName, companyUrl, privacyPolicyUrl, termsUrl, logoUrl, redirectUris, clientType or a payer\'s keys (jwks, jwksUri) become pendingChange ' +
      'and take effect only when plan staff approve them (until then the client keeps its current values everywhere); sending a field\'s current value withdraws that part of the change. ' +
      'Contact details and attestations still change at once.',
  })
  @ApiOkResponse({ type: RegistrationDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Terminated, or a client type change after approval' })
  async update(
    @CurrentPrincipal() principal: PortalPrincipal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateRegistrationDto,
  ): Promise<RegistrationDto> {
    return toRegistrationDto(await this.registrations.update(principal.accountId, id, dto, actorOf(principal)));
  }

  @Post('registrations/:id/review-requests')
  @Authenticated(Role.Developer, Role.Payer)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Ask plan staff to review a suspension or termination' })
  @ApiCreatedResponse({ type: ReviewRequestDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The registration is neither suspended nor terminated' })
  requestReview(
    @CurrentPrincipal() principal: PortalPrincipal,
    @Param('id', uuid) id: string,
    @Body() dto: CreateReviewRequestDto,
  ): Promise<ReviewRequestDto> {
    return this.registrations.requestReview(principal.accountId, id, dto.message, actorOf(principal));
  }
}
