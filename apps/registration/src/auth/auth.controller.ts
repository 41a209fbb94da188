import { Body, Controller, Header, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { AuthService } from './auth.service';
import { LoginDto, TokenResponseDto } from './dto/login.dto';

@ApiTags('accounts')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in to the portal; the access token goes in `Authorization: Bearer` on the other routes' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong email or password' })
  @RateLimited('login', 'Too many login requests from the address, or too many failed logins for the account or the address; see Retry-After')
  login(@Body() dto: LoginDto, @Ip() address: string): Promise<TokenResponseDto> {
    return this.auth.login(dto.email, dto.password, address);
  }
}
