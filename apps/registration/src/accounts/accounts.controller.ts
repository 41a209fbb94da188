import { Body, Controller, Get, HttpCode, HttpStatus, NotFoundException, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Authenticated } from '../auth/roles.guard';
import type { PortalPrincipal } from '../auth/portal-principal';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { AccountsService } from './accounts.service';
import { AccountDto } from './dto/account.dto';
import { CreateAccountDto } from './dto/create-account.dto';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @RateLimited('signup')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Sign up as an application developer or a payer' })
  @ApiCreatedResponse({ type: AccountDto })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The email already has an account' })
  async create(@Body() dto: CreateAccountDto): Promise<AccountDto> {
    return AccountDto.of(await this.accounts.create(dto));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The account the portal token belongs to' })
  @ApiOkResponse({ type: AccountDto })
  async me(@CurrentPrincipal() principal: PortalPrincipal): Promise<AccountDto> {
    const account = await this.accounts.findById(principal.accountId);
    if (!account) throw new NotFoundException('Account not found');
    return AccountDto.of(account);
  }
}
