import type { Scope } from '@payer-access/scopes';
import type { Withholding } from '../store/withheld';

/**
 * The claims of an authorization-service access token the FHIR service relies on (RFC 9068 plus the
 * SMART `patient` and `fhirUser` claims and the platform's `grant_id`, `representative` and
 * `withhold_demographics` and `withhold_sensitive`).
 */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly exp: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly client_id: string;
  readonly scope: string;
  readonly patient?: string;
  readonly grant_id?: string;
  readonly fhirUser?: string;
  readonly representative?: { readonly relationship?: string; readonly name?: string };
  readonly withhold_demographics?: boolean;
  readonly withhold_sensitive?: boolean;
}

interface PrincipalBase {
  readonly clientId: string;
  readonly subject: string;
  readonly scopes: readonly Scope[];
  readonly scope: string;
  readonly grantId?: string;
  readonly expiresAt: Date;
}

/** A member's app: the token names one patient, whose compartment is all it reaches. */
export interface MemberPrincipal extends PrincipalBase {
  readonly kind: 'member';
  readonly patientId: string;
  readonly fhirUser?: string;
  readonly representative?: { readonly relationship?: string; readonly name?: string };
  readonly withholdDemographics: boolean;
  /** The member withheld sensitive data (labelled resources) from this grant. */
  readonly withholdSensitive: boolean;
}

/**
 * An approved payer's backend (SMART Backend Services, `system/` scopes): it names no patient and
 * reaches only the members linked to it by a `$member-match`, which the store applies.
 */
export interface PayerPrincipal extends PrincipalBase {
  readonly kind: 'payer';
  readonly patientId?: undefined;
  readonly fhirUser?: undefined;
  readonly representative?: undefined;
  readonly withholdDemographics: false;
  readonly withholdSensitive: false;
}

/** Who is calling, as the guard established it from a verified token. */
export type FhirPrincipal = MemberPrincipal | PayerPrincipal;

/** What the member withheld from the grant the token belongs to: the store's reader applies it. */
export function withheldBy(principal: FhirPrincipal): Withholding {
  return { demographics: principal.withholdDemographics, sensitive: principal.withholdSensitive };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
    interface User extends PrincipalBase {}
    /** Set by `AccessTokenGuard` on the routes it guards. */
    interface Request {
      user?: FhirPrincipal;
    }
  }
}
