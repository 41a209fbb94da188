import { ClientStatus } from '@payer-access/client-status';
import type { RegistrationEntity } from './registration.entity';

/** Whether staff asked the owner of this pending registration for information and no answer has come since. */
export function informationRequestOpen(registration: RegistrationEntity): boolean {
  return (
    registration.status === ClientStatus.Pending &&
    registration.informationRequestedAt !== null &&
    registration.informationRequestedAt >= registration.reviewClockStartedAt
  );
}

/**
 * Seed 001: the clock runs "from the time registration is submitted with proper information", so an
 * owner's answer to an open information request (new answers, or a reply in the thread) starts it
 * again. Returns whether it did; the caller saves the registration.
 */
export function restartClockOnAnswer(registration: RegistrationEntity, now: Date): boolean {
  if (!informationRequestOpen(registration)) return false;
  registration.reviewClockStartedAt = now;
  return true;
}
