import { Injectable } from '@nestjs/common';
import { roleOf } from '../accounts/account.entity';
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
    await this.throttle.assertAllowed(email, address);
    const account = await this.accounts.findByEmail(email);
    // Verify against a decoy when there is no account, so response time does not reveal which emails exist.
    const valid = await verifySecret(account?.passwordHash ?? (await decoyHash()), password);
    if (!account || !valid) {
      await this.throttle.recordFailure(email, address);
      throw new RegistrationException(RegistrationErrorCode.InvalidCredentials, 'Invalid email or password');
    }
    await this.throttle.recordSuccess(email);
    const accessToken = await this.tokens.issue({ accountId: account.id, email: account.email, role: roleOf(account.kind) });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds };
  }
}
