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

/** Who is calling, as the guard established it from a verified token. */
export interface FhirPrincipal {
  readonly clientId: string;
  readonly subject: string;
  readonly patientId: string;
  readonly scopes: readonly Scope[];
  readonly scope: string;
  readonly grantId?: string;
  readonly fhirUser?: string;
  readonly representative?: { readonly relationship?: string; readonly name?: string };
  readonly withholdDemographics: boolean;
  /** The member withheld sensitive data (labelled resources) from this grant. */
  readonly withholdSensitive: boolean;
  readonly expiresAt: Date;
}

/** What the member withheld from the grant the token belongs to: the store's reader applies it. */
export function withheldBy(principal: FhirPrincipal): Withholding {
  return { demographics: principal.withholdDemographics, sensitive: principal.withholdSensitive };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
    interface User extends FhirPrincipal {}
    /** Set by `AccessTokenGuard` on the routes it guards. */
    interface Request {
      user?: User;
    }
  }
}
