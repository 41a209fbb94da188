import { applyDecorators, Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '../accounts/account.entity';
import type { PortalPrincipal } from '../auth/portal-principal';
import { Authenticated, CurrentPrincipal } from '../auth/roles.guard';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/portal-rate-limit.guard';
import { actorOf } from '../registrations/actor';
import { CreateMessageDto, MessageDto, MessagePageDto, MessagePageQueryDto } from './dto/message.dto';
import { MessagesService } from './messages.service';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.NOT_FOUND });

const THREAD =
  'The conversation between the registration\'s owner and plan staff, oldest first, a page at a time (the newest page first; `olderCursor` leads back). ' +
  "Staff's information requests appear in it as kind `information_request`.";

function ReadThread(summary: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, description: THREAD }),
    ApiOkResponse({ type: MessagePageDto }),
    ApiBadRequestResponse({ type: ValidationErrorResponseDto, description: 'limit out of 1..100, or a before that is no cursor' }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
  );
}

function WriteThread(summary: string, description: string): MethodDecorator {
  return applyDecorators(
    HttpCode(HttpStatus.CREATED),
    ApiOperation({ summary, description }),
    ApiCreatedResponse({ type: MessageDto }),
    ApiBadRequestResponse({
      type: ValidationErrorResponseDto,
      description: 'Blank or too long, or characters that are not plain text',
      schema: { example: { statusCode: 400, error: 'Bad Request', message: ['body must not contain bidirectional override or isolate characters'] } },
    }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
  );
}

/** The owner's side of the thread. */
@ApiTags('registrations')
@Controller('v1/registrations')
@Authenticated(Role.Developer, Role.Payer)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get(':id/messages')
  @ReadThread('The message thread of one of your registrations')
  thread(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Query() query: MessagePageQueryDto): Promise<MessagePageDto> {
    return this.messages.ownerThread(principal.accountId, id, query);
  }

  @Post(':id/messages')
  @RateLimited('submit', 'Too many submissions from this account; see Retry-After')
  @WriteThread(
    'Write to plan staff about one of your registrations',
    'Staff are notified by mail. A reply while an information request is open answers it: the review clock of a pending application starts again. ' +
      'Counts against the submission rate limit (SUBMIT_RATE_LIMIT per account).',
  )
  post(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: CreateMessageDto): Promise<MessageDto> {
    return this.messages.postAsOwner(principal.accountId, id, dto.body, actorOf(principal));
  }
}

/** Staff's side of the thread. */
@ApiTags('admin')
@Controller('v1/admin/registrations')
@Authenticated(Role.Admin)
export class AdminMessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get(':id/messages')
  @ReadThread('The message thread of a registration, with the staff authors\' emails')
  thread(@Param('id', uuid) id: string, @Query() query: MessagePageQueryDto): Promise<MessagePageDto> {
    return this.messages.staffThread(id, query);
  }

  @Post(':id/messages')
  @WriteThread(
    'Write to the owner of a registration',
    'The registration\'s contact is notified by mail, in any status. To ask for information that the review waits for, use POST .../request-information: it writes to the thread too, and marks the request open.',
  )
  post(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: CreateMessageDto): Promise<MessageDto> {
    return this.messages.postAsStaff(id, dto.body, actorOf(principal));
  }
}
