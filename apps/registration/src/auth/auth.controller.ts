import { Body, Controller, Header, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto, TokenResponseDto } from './dto/login.dto';
import { ConfirmEnrolmentDto, EnrolledTokenResponseDto, EnrolmentDto, SecondFactorLoginDto, SecondFactorTokenDto } from './dto/second-factor.dto';

const WRONG_CODE = 'The code is wrong, expired or already used, or the second_factor_token has expired';
const TOO_MANY_CODES = 'Too many wrong codes for the account (counted like failed passwords); see Retry-After';

@ApiTags('accounts')
@ApiExtraModels(TokenResponseDto)
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log in to the portal; the access token goes in `Authorization: Bearer` on the other routes',
    description:
      'An account with a second factor gets `second_factor: "required"` and a `second_factor_token` instead of the access token: send a code to POST /v1/auth/second-factor. ' +
      'A staff account without one gets `second_factor: "enrolment_required"`: staff must enrol (POST /v1/auth/second-factor/enrolment) before their first access token.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    examples: {
      complete: { summary: 'No second factor', value: { access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjFjIn0.c2lnbmF0dXJl', token_type: 'Bearer', expires_in: 900 } },
      secondFactor: { summary: 'A code is needed', value: { second_factor: 'required', second_factor_token: 'eyJhbGciOiJIUzI1NiJ9.eyJwdXJwb3NlIjoidmVyaWZ5In0.c2ln', expires_in: 300 } },
      enrolment: { summary: 'Staff without a second factor', value: { second_factor: 'enrolment_required', second_factor_token: 'eyJhbGciOiJIUzI1NiJ9.eyJwdXJwb3NlIjoiZW5yb2wifQ.c2ln', expires_in: 300 } },
    },
  })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong email or password' })
  @RateLimited('login', 'Too many login requests from the address, or too many failed logins for the account or the address; see Retry-After')
  login(@Body() dto: LoginDto, @Ip() address: string): Promise<LoginResponseDto> {
    return this.auth.login(dto.email, dto.password, address);
  }

  @Post('second-factor')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Complete a login with the authenticator app\'s code or a recovery code (each accepted once)' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: WRONG_CODE })
  @RateLimited('login', TOO_MANY_CODES)
  secondFactor(@Body() dto: SecondFactorLoginDto): Promise<TokenResponseDto> {
    if ((dto.code === undefined) === (dto.recovery_code === undefined)) {
      throw new RegistrationException(RegistrationErrorCode.InvalidRequest, ['code or recovery_code must be given, not both']);
    }
    return this.auth.completeLogin(dto.second_factor_token, { code: dto.code, recoveryCode: dto.recovery_code });
  }

  @Post('second-factor/enrolment')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Staff at first login: a new TOTP secret to add to an authenticator app (then confirm it with a code)' })
  @ApiOkResponse({ type: EnrolmentDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'The second_factor_token is not an enrolment token, or has expired' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The account has a second factor already' })
  @RateLimited('login')
  startEnrolment(@Body() dto: SecondFactorTokenDto): Promise<EnrolmentDto> {
    return this.auth.startEnrolment(dto.second_factor_token);
  }

  @Post('second-factor/enrolment/confirm')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Turn the second factor on with the app\'s first code; completes the login and returns the recovery codes, once' })
  @ApiOkResponse({ type: EnrolledTokenResponseDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: WRONG_CODE })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The account has a second factor already' })
  @RateLimited('login', TOO_MANY_CODES)
  confirmEnrolment(@Body() dto: ConfirmEnrolmentDto): Promise<EnrolledTokenResponseDto> {
    return this.auth.confirmEnrolment(dto.second_factor_token, dto.code);
  }
}
