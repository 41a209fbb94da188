import { Injectable } from '@nestjs/common';
import { Role, roleOf } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import type { TokenResponseDto } from './dto/login.dto';
import { LoginThrottleService } from './login-throttle.service';
import { decoyHash, verifySecret } from './password-hasher';
import { PortalTokenService } from './portal-token.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: PortalTokenService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async login(email: string, password: string, address: string): Promise<TokenResponseDto> {
    const account = await this.accounts.findByEmail(email);
    // The attempt is counted before the slow hash, so parallel guesses cannot all pass the limit.
    const attempt = await this.throttle.reserve(email, address, account !== null && roleOf(account.kind) === Role.Admin);
    // Verify against a decoy when there is no account, so response time does not reveal which emails exist.
    const valid = await verifySecret(account?.passwordHash ?? (await decoyHash()), password);
    if (!account || !valid) throw new RegistrationException(RegistrationErrorCode.InvalidCredentials, 'Invalid email or password');
    await this.throttle.recordSuccess(attempt);
    const accessToken = await this.tokens.issue({ accountId: account.id, email: account.email, role: roleOf(account.kind) });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds };
  }
}
