import { Controller, Get, Header, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '../accounts/account.entity';
import type { PortalPrincipal } from '../auth/portal-principal';
import { Authenticated, CurrentPrincipal } from '../auth/roles.guard';
import { ErrorResponseDto } from '../common/error-response.dto';
import { actorOf } from '../registrations/actor';
import { CredentialsService } from './credentials.service';
import { CredentialsDto } from './dto/credentials.dto';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.NOT_FOUND });

@ApiTags('credentials')
@Controller('v1/registrations/:id/credentials')
@Authenticated(Role.Developer, Role.Payer)
// A response may carry a client secret: no cache may keep it (as RFC 6749 §5.1 asks of token responses).
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The client_id of an approved registration; the client secret in the first answer after approval only',
    description: 'A confidential client\'s secret is generated for this answer and stored only as a hash. Store it: later answers omit it.',
  })
  @ApiOkResponse({ type: CredentialsDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not approved' })
  read(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string): Promise<CredentialsDto> {
    return this.credentials.read(principal.accountId, id, actorOf(principal));
  }

  @Post('rotate')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Replace the client secret; the old one stops working once the other services have the new hash' })
  @ApiOkResponse({ type: CredentialsDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not approved, or a public client' })
  rotate(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string): Promise<CredentialsDto> {
    return this.credentials.rotate(principal.accountId, id, actorOf(principal));
  }
}
