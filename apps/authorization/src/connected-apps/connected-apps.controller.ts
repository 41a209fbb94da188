import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import type { AuthorizationConfig } from '../authorization.config';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { PAGE_HEADERS } from '../interaction/pages/layout';
import { clientAddress, loginPolicy, MemberAccountsService } from '../members/member-accounts.service';
import { renderAccountLoginPage, renderConnectedAppsPage } from './connected-apps.page';
import { AccessHistoryService } from './access-history.service';
import { ConnectedAppsService } from './connected-apps.service';

const COOKIE = 'pa_member';

/** Member pages to see and revoke connected apps (HTML, not an API: excluded from OpenAPI). */
@ApiExcludeController()
@Controller('account')
export class ConnectedAppsController {
  constructor(
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly apps: ConnectedAppsService,
    private readonly history: AccessHistoryService,
    private readonly accounts: MemberAccountsService,
    private readonly audit: AuditService,
  ) {}

  @Get('apps')
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const cookie = readCookie(req, COOKIE);
    const accountId = this.apps.readSession(cookie);
    if (!accountId || !cookie) return send(res, 200, renderAccountLoginPage());
    const notice = req.query.revoked === '1' ? 'Access revoked.' : undefined;
    const account = await this.accounts.findById(accountId);
    const [apps, history] = await Promise.all([this.apps.list(accountId), account && this.history.enabled ? this.history.forPatient(account.patientId) : undefined]);
    // null: the history exists but could not be fetched now; undefined: this deployment shows none.
    send(res, 200, renderConnectedAppsPage(apps, this.apps.csrfToken(cookie), notice, this.history.enabled ? (history ?? null) : undefined));
  }

  @Post('login')
  @HttpCode(303)
  async login(@Body() body: Record<string, unknown> = {}, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { username, password } = body;
    // A form sends text; anything else (a JSON object, a repeated field) is no login attempt.
    if (typeof username !== 'string' || typeof password !== 'string') {
      return send(res, 400, renderAccountLoginPage('Enter your user name and password.'));
    }
    const outcome = await this.accounts.authenticate(username, password, clientAddress(req), loginPolicy(this.config));
    if (!outcome.ok) {
      await this.audit.record({ action: outcome.reason === 'throttled' ? 'member.login.throttled' : 'member.login.failed', detail: { page: 'connected-apps' } });
      if (outcome.reason === 'throttled') res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      const message = outcome.reason === 'throttled' ? 'Too many unsuccessful attempts. Please wait a few minutes and try again.' : 'The user name or password is not correct.';
      return send(res, outcome.reason === 'throttled' ? 429 : 401, renderAccountLoginPage(message));
    }
    await this.audit.record({ action: 'member.login.succeeded', accountId: outcome.account.id, detail: { page: 'connected-apps' } });
    res.cookie(COOKIE, this.apps.issueSession(outcome.account.id), { httpOnly: true, sameSite: 'lax', path: '/account', secure: this.config.AUTHORIZATION_PUBLIC_URL.startsWith('https:') });
    res.redirect(303, '/account/apps');
  }

  @Post('apps/:grantId/revoke')
  async revoke(@Param('grantId') grantId: string, @Body() body: Record<string, unknown> = {}, @Req() req: Request, @Res() res: Response): Promise<void> {
    const cookie = readCookie(req, COOKIE);
    const accountId = this.apps.readSession(cookie);
    if (!accountId || !cookie) return send(res, 401, renderAccountLoginPage('Your session has ended. Please log in again.'));
    if (!this.apps.checkCsrf(cookie, body.csrf)) return send(res, 403, renderAccountLoginPage('The form has expired. Please log in again.'));
    await this.apps.revoke(accountId, grantId);
    res.redirect(303, '/account/apps?revoked=1');
  }

  @Post('logout')
  logout(@Res() res: Response): void {
    res.clearCookie(COOKIE, { path: '/account' });
    res.redirect(303, '/account/apps');
  }
}

/** A cookie that is not valid percent-encoding is no session: the member is asked to log in. */
function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function send(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set(PAGE_HEADERS)
    .send(html);
}
