import { Injectable } from '@nestjs/common';
import { type AccountEntity, AccountKind, Role, roleOf } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import type { EnrolledTokenResponseDto } from './dto/second-factor.dto';
import type { LoginResponseDto, TokenResponseDto } from './dto/login.dto';
import { LoginThrottleService } from './login-throttle.service';
import { decoyHash, verifySecret } from './password-hasher';
import { PortalTokenService, SECOND_FACTOR_TOKEN_SECONDS, type SecondFactorPurpose } from './portal-token.service';
import { type Enrolment, type SecondFactorProof, SecondFactorService } from './second-factor/second-factor.service';

/**
 * Portal login: the password, then, for an account with a second factor, a TOTP or recovery code.
 * Staff accounts must have one: their first login enrols it before any access token is issued.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: PortalTokenService,
    private readonly throttle: LoginThrottleService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  async login(email: string, password: string, address: string): Promise<LoginResponseDto> {
    const account = await this.accounts.findByEmail(email);
    // The attempt is counted before the slow hash, so parallel guesses cannot all pass the limit.
    const attempt = await this.throttle.reserve(email, address, account !== null && roleOf(account.kind) === Role.Admin);
    // Verify against a decoy when there is no account, so response time does not reveal which emails exist.
    const valid = await verifySecret(account?.passwordHash ?? (await decoyHash()), password);
    if (!account || !valid) throw new RegistrationException(RegistrationErrorCode.InvalidCredentials, 'Invalid email or password');
    await this.throttle.recordSuccess(attempt);
    if (account.totpEnabledAt) return this.nextStep(account.id, 'verify');
    if (account.kind === AccountKind.Staff) return this.nextStep(account.id, 'enrol');
    return this.accessToken(account);
  }

  /** The second step of a login: a fresh TOTP code or an unused recovery code. */
  async completeLogin(secondFactorToken: string, proof: SecondFactorProof): Promise<TokenResponseDto> {
    const account = await this.accountOf(secondFactorToken, 'verify');
    await this.secondFactor.verify(account, proof);
    return this.accessToken(account);
  }

  /** A staff account's first login: a new TOTP secret to scan. */
  async startEnrolment(secondFactorToken: string): Promise<Enrolment> {
    return this.secondFactor.startEnrolment(await this.accountOf(secondFactorToken, 'enrol'));
  }

  /** Its first code turns the second factor on and completes the login. */
  async confirmEnrolment(secondFactorToken: string, code: string): Promise<EnrolledTokenResponseDto> {
    const account = await this.accountOf(secondFactorToken, 'enrol');
    const recoveryCodes = await this.secondFactor.confirmEnrolment(account, code);
    return { ...(await this.accessToken(account)), recovery_codes: recoveryCodes };
  }

  private async nextStep(accountId: string, purpose: SecondFactorPurpose): Promise<LoginResponseDto> {
    return {
      second_factor: purpose === 'verify' ? 'required' : 'enrolment_required',
      second_factor_token: await this.tokens.issueSecondFactorToken(accountId, purpose),
      expires_in: SECOND_FACTOR_TOKEN_SECONDS,
    };
  }

  private async accountOf(secondFactorToken: string, purpose: SecondFactorPurpose): Promise<AccountEntity> {
    const accountId = await this.tokens.verifySecondFactorToken(secondFactorToken, purpose);
    const account = accountId ? await this.accounts.findById(accountId) : null;
    if (!account) {
      throw new RegistrationException(RegistrationErrorCode.InvalidSecondFactor, 'The login step has expired or is not valid; log in again with your password');
    }
    return account;
  }

  private async accessToken(account: AccountEntity): Promise<TokenResponseDto> {
    const accessToken = await this.tokens.issue({ accountId: account.id, email: account.email, role: roleOf(account.kind) });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds };
  }
}
