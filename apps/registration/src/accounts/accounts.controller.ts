import { Body, Controller, Get, Header, HttpCode, HttpStatus, NotFoundException, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ConfirmOwnEnrolmentDto, EnrolmentDto, RecoveryCodesDto } from '../auth/dto/second-factor.dto';
import { SecondFactorService } from '../auth/second-factor/second-factor.service';
import { CurrentPrincipal, Authenticated } from '../auth/roles.guard';
import type { PortalPrincipal } from '../auth/portal-principal';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { AccountsService } from './accounts.service';
import { AccountDto } from './dto/account.dto';
import { CreateAccountDto } from './dto/create-account.dto';
import { VerificationMailDto, VerifiedEmailDto, VerifyEmailDto } from './dto/verify-email.dto';
import { EmailVerificationService } from './email-verification.service';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly verification: EmailVerificationService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  @Post()
  @RateLimited('signup')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Sign up as an application developer or a payer',
    description: 'A verification link is mailed to the address. The account can log in at once, but submits registrations only once the address is confirmed.',
  })
  @ApiCreatedResponse({ type: AccountDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The email already has an account' })
  async create(@Body() dto: CreateAccountDto): Promise<AccountDto> {
    return AccountDto.of(await this.accounts.signUp(dto));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The account the portal token belongs to' })
  @ApiOkResponse({ type: AccountDto })
  async me(@CurrentPrincipal() principal: PortalPrincipal): Promise<AccountDto> {
    const account = await this.account(principal);
    return AccountDto.of(account, await this.secondFactor.recoveryCodesLeft(account.id));
  }

  @Post('verify-email')
  @RateLimited('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm the email address with the token of the mailed link (works once, until it expires)' })
  @ApiOkResponse({ type: VerifiedEmailDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The token is unknown, used or expired (code invalid_verification_token), or malformed' })
  async verifyEmail(@Body() dto: VerifyEmailDto): Promise<VerifiedEmailDto> {
    return { ...(await this.verification.verify(dto.token)), emailVerified: true };
  }

  @Post('me/verification-mail')
  @Authenticated()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Mail a new verification link (earlier links keep working until they expire)' })
  @ApiAcceptedResponse({ type: VerificationMailDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The address is verified already' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'A mail went out less than VERIFICATION_MAIL_INTERVAL_SECONDS ago; see Retry-After' })
  async resendVerification(@CurrentPrincipal() principal: PortalPrincipal): Promise<VerificationMailDto> {
    await this.verification.resend(principal.accountId);
    return { sentTo: principal.email };
  }

  @Post('me/second-factor')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start enrolling a second factor (TOTP): a new secret for an authenticator app; confirm it with a code' })
  @ApiOkResponse({ type: EnrolmentDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The account has a second factor already' })
  async startEnrolment(@CurrentPrincipal() principal: PortalPrincipal): Promise<EnrolmentDto> {
    return this.secondFactor.startEnrolment(await this.account(principal));
  }

  @Post('me/second-factor/confirm')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Turn the second factor on with the app\'s first code; returns the recovery codes, once. Later logins ask for a code.' })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'The code is wrong or expired (code invalid_second_factor), or no valid portal token' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The account has a second factor already' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many wrong codes; see Retry-After' })
  async confirmEnrolment(@CurrentPrincipal() principal: PortalPrincipal, @Body() dto: ConfirmOwnEnrolmentDto): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.secondFactor.confirmEnrolment(await this.account(principal), dto.code) };
  }

  private async account(principal: PortalPrincipal) {
    const account = await this.accounts.findById(principal.accountId);
    if (!account) throw new NotFoundException('Account not found');
    return account;
  }
}
