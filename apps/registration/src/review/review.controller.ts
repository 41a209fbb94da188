import { applyDecorators, Body, Controller, Get, Header, HttpCode, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Role } from '../accounts/account.entity';
import type { PortalPrincipal } from '../auth/portal-principal';
import { Authenticated, CurrentPrincipal } from '../auth/roles.guard';
import { ErrorResponseDto, ValidationErrorResponseDto } from '../common/error-response.dto';
import { CLOCK, type Clock } from '../common/tokens';
import { actorOf } from '../registrations/actor';
import { AdminRegistrationDto, ChangeDecisionDto, QUEUE_PAGE_DEFAULT, ReasonDto, ReviewQueueItemDto, ReviewQueuePageQueryDto, ReviewQueueQueryDto } from './dto/review.dto';
import { queueCsv } from './queue-csv';
import { ChangeDecision, ReviewAction, ReviewService } from './review.service';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.NOT_FOUND });

@ApiTags('admin')
@Controller('v1/admin/registrations')
@Authenticated(Role.Admin)
export class ReviewController {
  constructor(
    private readonly review: ReviewService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The review queue: overdue applications first, then oldest first',
    description: 'Filters combine (kind, status, overdue, changePending, age in days); offset and limit page the filtered queue, whose size is in X-Total-Count.',
  })
  @ApiOkResponse({
    type: [ReviewQueueItemDto],
    headers: { 'X-Total-Count': { description: 'Rows of the filtered queue, all pages together', schema: { type: 'integer', example: 73 } } },
  })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  async queue(@Query() query: ReviewQueuePageQueryDto, @Res({ passthrough: true }) response: Response): Promise<ReviewQueueItemDto[]> {
    const { offset = 0, limit = QUEUE_PAGE_DEFAULT, ...filters } = query;
    const items = await this.review.queue(filters);
    response.setHeader('X-Total-Count', String(items.length));
    return items.slice(offset, offset + limit);
  }

  // Before ':id', which would take "export.csv" for an id.
  @Get('export.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({
    summary: 'The filtered review queue as CSV, every page',
    description:
      'The same filters as the queue and its order, as RFC 4180 CSV with a header row and CRLF line ends. Cells starting with = + - @, a tab or a carriage return ' +
      'are prefixed with an apostrophe so that spreadsheets show them as text rather than run them as formulas.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'An attachment named review-queue-<date>.csv',
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example:
          'id,kind,status,name,company,submitted_at,age_days,business_days_waiting,overdue,information_requested_at,review_requested_at,change_requested_at\r\n' +
          '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11,application,pending,Acme Health Record,"Acme Health Apps, Inc.",2026-11-23T14:00:00.000Z,8,6,false,,,\r\n',
      },
    },
  })
  @ApiBadRequestResponse({ type: ValidationErrorResponseDto })
  async export(@Query() query: ReviewQueueQueryDto, @Res({ passthrough: true }) response: Response): Promise<string> {
    const items = await this.review.queue(query);
    response.setHeader('Content-Disposition', `attachment; filename="review-queue-${this.clock.now().toISOString().slice(0, 10)}.csv"`);
    return queueCsv(items);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registration with its owner, review clock, allowed actions and full history' })
  @ApiOkResponse({ type: AdminRegistrationDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuid) id: string): Promise<AdminRegistrationDto> {
    return this.review.get(id);
  }

  @Post(':id/approve')
  @TransitionRoute('Approve a pending registration: mints the client_id and emails the owner instructions for obtaining tokens')
  approve(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<AdminRegistrationDto> {
    return this.act(principal, id, ReviewAction.Approve, dto);
  }

  @Post(':id/request-information')
  @TransitionRoute('Ask the contact of a pending registration for more information (email); the status stays pending')
  requestInformation(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<AdminRegistrationDto> {
    return this.act(principal, id, ReviewAction.RequestInformation, dto);
  }

  @Post(':id/suspend')
  @TransitionRoute('Suspend an approved registration: its tokens stop working everywhere')
  suspend(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<AdminRegistrationDto> {
    return this.act(principal, id, ReviewAction.Suspend, dto);
  }

  @Post(':id/terminate')
  @TransitionRoute('Terminate (or, while pending, reject) a registration for good; the owner must register again')
  terminate(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<AdminRegistrationDto> {
    return this.act(principal, id, ReviewAction.Terminate, dto);
  }

  @Post(':id/reinstate')
  @TransitionRoute('Reinstate a suspended registration; tokens revoked by the suspension stay revoked')
  reinstate(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ReasonDto): Promise<AdminRegistrationDto> {
    return this.act(principal, id, ReviewAction.Reinstate, dto);
  }

  @Post(':id/approve-change')
  @ChangeDecisionRoute(
    "Approve the owner's pending change of name, company, URLs or redirect URIs: the new values take effect and are published to the authorization server",
  )
  approveChange(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ChangeDecisionDto): Promise<AdminRegistrationDto> {
    return this.decide(principal, id, ChangeDecision.Approve, dto);
  }

  @Post(':id/reject-change')
  @ChangeDecisionRoute("Reject the owner's pending change; the values in force stay, and the owner is told why")
  rejectChange(@CurrentPrincipal() principal: PortalPrincipal, @Param('id', uuid) id: string, @Body() dto: ChangeDecisionDto): Promise<AdminRegistrationDto> {
    return this.decide(principal, id, ChangeDecision.Reject, dto);
  }

  private async decide(principal: PortalPrincipal, id: string, decision: ChangeDecision, dto: ChangeDecisionDto): Promise<AdminRegistrationDto> {
    await this.review.decideChange(id, decision, dto.changeId, dto.reason, actorOf(principal));
    return this.review.get(id);
  }

  private async act(principal: PortalPrincipal, id: string, action: ReviewAction, dto: ReasonDto): Promise<AdminRegistrationDto> {
    await this.review.act(id, action, dto.reason, actorOf(principal));
    return this.review.get(id);
  }
}

function TransitionRoute(summary: string): MethodDecorator {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary,
      description:
        'Transitions follow the client-status state machine: pending → approved | terminated; approved → suspended | terminated; suspended → approved (reinstate) | terminated; terminated is final.',
    }),
    ApiOkResponse({ type: AdminRegistrationDto }),
    ApiBadRequestResponse({ type: ValidationErrorResponseDto, description: 'No reason given' }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
    ApiConflictResponse({
      description: 'The state machine forbids the action',
      schema: {
        example: { statusCode: 409, error: 'Conflict', message: 'A terminated registration cannot be reinstated; the owner must register again.', code: 'transition_not_allowed' },
      },
    }),
  );
}

function ChangeDecisionRoute(summary: string): MethodDecorator {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary,
      description:
        'Once a registration is approved, an owner\'s change of its identity (name, company, privacy policy, terms, logo, company URL) or redirect URIs waits as pendingChange. ' +
        'changeId must be the pendingChange.id that was reviewed. The decision and its reason are recorded in the history and emailed to the contact.',
    }),
    ApiOkResponse({ type: AdminRegistrationDto }),
    ApiBadRequestResponse({ type: ValidationErrorResponseDto, description: 'No reason, or no changeId' }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
    ApiConflictResponse({
      description: 'No change waits, the owner modified it since it was reviewed, or the registration is terminated',
      schema: {
        example: { statusCode: 409, error: 'Conflict', message: 'The owner has modified the change since it was shown; review it again.', code: 'not_allowed_in_status' },
      },
    }),
  );
}
