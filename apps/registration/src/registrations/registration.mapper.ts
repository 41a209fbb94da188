import type { RegistrationDto } from './dto/registration.dto';
import type { RegistrationEntity } from './registration.entity';

export function toRegistrationDto(registration: RegistrationEntity): RegistrationDto {
  return {
    id: registration.id,
    kind: registration.kind,
    status: registration.status,
    name: registration.name,
    companyName: registration.companyName,
    companyUrl: registration.companyUrl,
    privacyPolicyUrl: registration.privacyPolicyUrl,
    termsUrl: registration.termsUrl,
    logoUrl: registration.logoUrl,
    redirectUris: registration.redirectUris,
    clientType: registration.clientType,
    dataAccessType: registration.dataAccessType,
    contactEmail: registration.contactEmail,
    contactPhone: registration.contactPhone,
    documentEmail: registration.documentEmail,
    attestations: { ...registration.attestations },
    jwks: registration.jwks,
    jwksUri: registration.jwksUri,
    clientId: registration.clientId,
    submittedAt: registration.submittedAt.toISOString(),
    updatedAt: registration.updatedAt.toISOString(),
    informationRequestedAt: registration.informationRequestedAt?.toISOString() ?? null,
    reviewRequestedAt: registration.reviewRequestedAt?.toISOString() ?? null,
    pendingChange: registration.pendingChange
      ? { id: registration.pendingChange.id, requestedAt: registration.pendingChange.requestedAt, values: { ...registration.pendingChange.values } }
      : null,
  };
}
