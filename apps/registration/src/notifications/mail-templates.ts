import type { RegistrationKind } from '@payer-access/client-status';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** A page of the web portal deployed at `portalPublicUrl` (PORTAL_PUBLIC_URL), or null when none is. */
export function portalPageUrl(portalPublicUrl: string | null | undefined, path: string): string | null {
  return portalPublicUrl ? `${portalPublicUrl.replace(/\/+$/, '')}${path}` : null;
}

export interface MailContext {
  registrationId: string;
  kind: RegistrationKind;
  name: string;
  clientId: string | null;
  reason: string;
  portalUrl: string;
  /** The registration's page in the web portal, when one is deployed (PORTAL_PUBLIC_URL). */
  portalPageUrl?: string | null;
  authorizationUrl: string;
  fhirBaseUrl: string;
}

const what = (context: MailContext) => (context.kind === 'payer' ? 'payer registration' : 'application registration');

/** Seed 001: "An email will be sent ... with instructions for obtaining authentication tokens." */
export function approvalMail(to: string, context: MailContext): MailMessage {
  return {
    to,
    subject: `Approved: ${context.name}`,
    text: [
      `Your ${what(context)} "${context.name}" has been approved.`,
      '',
      'To obtain your credentials and tokens:',
      ...(context.portalPageUrl
        ? [
            `1. Log in to the registration portal and open ${context.portalPageUrl}`,
            `   It shows your client_id${context.clientId ? ` (${context.clientId})` : ''} and, for a confidential client, the client secret.`,
            '   The secret is shown once; store it securely. You can rotate it there at any time.',
          ]
        : [
            `1. Log in to the registration portal (${context.portalUrl}) and read GET /v1/registrations/${context.registrationId}/credentials.`,
            `   It returns your client_id${context.clientId ? ` (${context.clientId})` : ''} and, for a confidential client, the client secret.`,
            '   The secret is shown once; store it securely. You can rotate it at any time (POST .../credentials/rotate).',
          ]),
      `2. Send members to the authorization endpoint (discovery: ${context.authorizationUrl}/.well-known/openid-configuration)`,
      '   with response_type=code, your client_id, a registered redirect_uri, the scopes you need, a state, and PKCE (S256).',
      '3. Exchange the code at the token endpoint; the response carries the access token and the member\'s patient id.',
      `4. Call the Patient Access API at ${context.fhirBaseUrl} with "Authorization: Bearer <access token>".`,
      '',
      context.reason ? `Note from the reviewer: ${context.reason}` : '',
    ]
      .filter((line, index, lines) => line !== '' || index < lines.length - 1)
      .join('\n'),
  };
}

export function informationRequestMail(to: string, context: MailContext): MailMessage {
  return {
    to,
    subject: `More information needed: ${context.name}`,
    text: [
      `Our review of your ${what(context)} "${context.name}" needs more information:`,
      '',
      context.reason,
      '',
      context.portalPageUrl
        ? `Please update your answers or reply to this request in the portal: ${context.portalPageUrl}`
        : `Please update your answers (PATCH /v1/registrations/${context.registrationId}) or reply (POST /v1/registrations/${context.registrationId}/messages) in the portal (${context.portalUrl}).`,
    ].join('\n'),
  };
}

export function suspensionMail(to: string, context: MailContext): MailMessage {
  return {
    to,
    subject: `Suspended: ${context.name}`,
    text: [
      `Access for your ${what(context)} "${context.name}" has been suspended; its tokens no longer work.`,
      '',
      `Reason: ${context.reason}`,
      '',
      context.portalPageUrl
        ? `To ask for a review, log in to the portal and open ${context.portalPageUrl}`
        : `To ask for a review, log in to the portal (${context.portalUrl}) and POST /v1/registrations/${context.registrationId}/review-requests.`,
    ].join('\n'),
  };
}

export function terminationMail(to: string, context: MailContext): MailMessage {
  return {
    to,
    subject: `Terminated: ${context.name}`,
    text: [
      `Access for your ${what(context)} "${context.name}" has been terminated and cannot be restored.`,
      '',
      `Reason: ${context.reason}`,
      '',
      'To regain access you will have to register again in the portal; you may also ask for a review of this decision.',
    ].join('\n'),
  };
}

export function reinstatementMail(to: string, context: MailContext): MailMessage {
  return {
    to,
    subject: `Reinstated: ${context.name}`,
    text: [
      `Access for your ${what(context)} "${context.name}" has been reinstated. Members must authorize the app again; earlier tokens stay revoked.`,
      '',
      context.reason ? `Note from the reviewer: ${context.reason}` : '',
    ].join('\n'),
  };
}

interface ThreadSubject {
  id: string;
  kind: RegistrationKind;
  name: string;
}

/** Staff wrote in the thread: the contact reads it, and replies, in the portal. */
export function messageFromStaffMail(to: string, registration: ThreadSubject, body: string, portalPageUrl: string | null): MailMessage {
  return {
    to,
    subject: `Message from plan staff: ${registration.name}`,
    text: [
      `Plan staff wrote about your ${registration.kind === 'payer' ? 'payer registration' : 'application registration'} "${registration.name}":`,
      '',
      body,
      '',
      portalPageUrl
        ? `Read the conversation and reply in the portal: ${portalPageUrl}`
        : `Reply in the portal (POST /v1/registrations/${registration.id}/messages).`,
    ].join('\n'),
  };
}

/** The owner wrote in the thread: staff are told where to read it. */
export function messageFromOwnerMail(to: string, registration: ThreadSubject, body: string, portalPageUrl: string | null): MailMessage {
  return {
    to,
    subject: `Message from the owner: ${registration.name}`,
    text: [
      `The owner of ${registration.kind} registration ${registration.id} ("${registration.name}") wrote:`,
      '',
      body,
      '',
      portalPageUrl ? `Reply in the review portal: ${portalPageUrl}` : `Reply with POST /v1/admin/registrations/${registration.id}/messages.`,
    ].join('\n'),
  };
}

/** The link (or, without a portal, the token and its route) that proves the sign-up owns the address. */
export function verificationMail(to: string, context: { token: string; portalUrl: string; portalPublicUrl?: string | null; validHours: number }): MailMessage {
  const link = portalPageUrl(context.portalPublicUrl, `/verify-email?token=${context.token}`);
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Someone, hopefully you, created an account with this address in the payer-access registration portal.',
      '',
      link ? `To confirm it, open ${link}` : `To confirm it, send this token to POST ${context.portalUrl}/v1/accounts/verify-email as {"token": "..."}:\n\n${context.token}`,
      '',
      `The ${link ? 'link' : 'token'} works once, for ${context.validHours} hours. Until the address is confirmed you can log in, but not submit a registration.`,
      'If you did not sign up, ignore this mail.',
    ].join('\n'),
  };
}
