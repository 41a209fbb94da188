import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClientStatus, ClientType } from '@payer-access/client-status';
import { SecretSealer } from '@payer-access/events';
import { DataSource, type EntityManager } from 'typeorm';
import { RegistrationErrorCode, RegistrationException } from '../common/registration.exception';
import { CLOCK, type Clock, REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { Actor } from '../registrations/actor';
import { ClientEvents } from '../registrations/client-events';
import { addHistory } from '../registrations/history';
import { HistoryAction } from '../registrations/registration-event.entity';
import { RegistrationEntity } from '../registrations/registration.entity';
import { RegistrationsService } from '../registrations/registrations.service';
import type { CredentialsDto } from './dto/credentials.dto';
import { mintClientSecret } from './client-credentials';

/**
 * Client credentials of an approved registration. A confidential client's secret exists in clear
 * only in the one response that hands it over: it is generated when the owner first reads the
 * credentials after approval (or rotates them), and only its keyed SHA-256 hash
 * (`SecretSealer.hashSecret`) is kept and published. A secret is 256 random bits, not a password:
 * argon2id, which account passwords keep, would only slow down every token request.
 */
@Injectable()
export class CredentialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registrations: RegistrationsService,
    private readonly events: ClientEvents,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly sealer: SecretSealer,
  ) {}

  async read(ownerId: string, id: string, actor: Actor): Promise<CredentialsDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const registration = await this.registrations.getOwn(ownerId, id, manager, true);
      this.assertApproved(registration);
      if (registration.clientType === ClientType.Confidential && registration.secretHash === null) {
        const secret = await this.issueSecret(manager, registration, HistoryAction.SecretIssued, actor);
        return { registration, secret };
      }
      return { registration, secret: undefined };
    });
    return this.describe(result.registration, result.secret);
  }

  async rotate(ownerId: string, id: string, actor: Actor): Promise<CredentialsDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const registration = await this.registrations.getOwn(ownerId, id, manager, true);
      this.assertApproved(registration);
      if (registration.clientType !== ClientType.Confidential) {
        throw new RegistrationException(RegistrationErrorCode.NotAllowedInStatus, 'A public client has no secret to rotate; it uses PKCE.');
      }
      const secret = await this.issueSecret(manager, registration, HistoryAction.SecretRotated, actor);
      return { registration, secret };
    });
    return this.describe(result.registration, result.secret);
  }

  /**
   * Replaces the secret inside the caller's transaction and publishes the new hash. `secret` is
   * given only by the sandbox seed, whose published demo secret is fixed by seed 002.
   */
  async issueSecret(manager: EntityManager, registration: RegistrationEntity, action: HistoryAction, actor: Actor, secret = mintClientSecret()): Promise<string> {
    registration.secretHash = this.sealer.hashSecret(secret);
    registration.secretIssuedAt = this.clock.now();
    await manager.update(RegistrationEntity, { id: registration.id }, { secretHash: registration.secretHash, secretIssuedAt: registration.secretIssuedAt });
    const reason = action === HistoryAction.SecretRotated ? 'client secret rotated' : 'client secret issued';
    await addHistory(manager, { registrationId: registration.id, action, from: registration.status, to: registration.status, reason, actor });
    await this.events.record(manager, registration, registration.status, { reason, by: actor });
    return secret;
  }

  private assertApproved(registration: RegistrationEntity): void {
    if (registration.status !== ClientStatus.Approved || !registration.clientId) {
      throw new RegistrationException(
        RegistrationErrorCode.NotAllowedInStatus,
        `Credentials are available only for an approved registration; this one is ${registration.status}.`,
      );
    }
  }

  private describe(registration: RegistrationEntity, secret: string | undefined): CredentialsDto {
    const confidential = registration.clientType === ClientType.Confidential;
    return {
      clientId: registration.clientId as string,
      clientType: registration.clientType,
      ...(secret ? { clientSecret: secret } : {}),
      secretIssuedAt: registration.secretIssuedAt?.toISOString() ?? null,
      tokenEndpointAuthMethods: confidential ? ['client_secret_basic', 'client_secret_post'] : ['none'],
      issuer: this.config.AUTHORIZATION_PUBLIC_URL,
      note: !confidential
        ? 'A public client has no secret: use PKCE (S256) with every authorization request.'
        : secret
          ? 'Store the client secret now: it will not be shown again. Rotate it if it is lost.'
          : 'The client secret was shown when it was issued and is stored only as a hash; rotate it to get a new one.',
    };
  }
}
