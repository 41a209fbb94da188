import type { FieldErrors } from './field-errors';
import { escapeHtml } from './layout';

export type RegistrationKind = 'application' | 'payer';

interface TextField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'url' | 'tel' | 'textarea';
  hint?: string;
  optional?: boolean;
  autocomplete?: string;
}

interface Attestation {
  name: string;
  question: string;
}

const TEXT_FIELDS: Record<RegistrationKind, TextField[]> = {
  application: [
    { name: 'name', label: 'Application name', type: 'text', hint: 'Members see it on the consent page.' },
    { name: 'companyName', label: 'Company name', type: 'text', autocomplete: 'organization' },
    { name: 'companyUrl', label: 'Company website', type: 'url', hint: 'An https URL.' },
    { name: 'privacyPolicyUrl', label: 'Privacy policy URL', type: 'url' },
    { name: 'termsUrl', label: 'Terms of use URL', type: 'url' },
    { name: 'logoUrl', label: 'Logo URL', type: 'url', optional: true },
    {
      name: 'redirectUris',
      label: 'Redirect URIs',
      type: 'textarea',
      hint: 'One per line, matched exactly: https, loopback http://127.0.0.1:port/..., or for native apps a private-use scheme such as com.example.app:/callback. No fragments.',
    },
    { name: 'contactEmail', label: 'Contact email', type: 'email', hint: 'Approval, information requests and status changes are sent here.', autocomplete: 'email' },
    { name: 'contactPhone', label: 'Contact phone', type: 'tel', hint: 'For example +1 919-555-0100.', autocomplete: 'tel' },
  ],
  payer: [
    { name: 'name', label: 'Payer organization', type: 'text', autocomplete: 'organization' },
    { name: 'companyUrl', label: 'Payer website', type: 'url', hint: 'An https URL.' },
    { name: 'privacyPolicyUrl', label: 'Privacy policy URL', type: 'url' },
    { name: 'logoUrl', label: 'Logo URL', type: 'url', optional: true },
    { name: 'redirectUris', label: 'Redirect URLs', type: 'textarea', hint: 'One per line, matched exactly: https, or loopback http for testing.' },
    { name: 'documentEmail', label: 'Payer document email', type: 'email', hint: 'The approval email goes to this address.' },
    { name: 'contactEmail', label: 'Contact email', type: 'email', autocomplete: 'email' },
    { name: 'contactPhone', label: 'Contact phone', type: 'tel', hint: 'For example +1 704-555-0142.', autocomplete: 'tel' },
    {
      name: 'jwksUri',
      label: 'JWKS URL',
      type: 'url',
      optional: true,
      hint: 'Where you publish the public keys your token requests are signed with (RS384 or ES384). Give this URL or the key set below, not both.',
    },
    { name: 'jwks', label: 'JWKS (inline)', type: 'textarea', optional: true, hint: 'Or the public key set itself, as JSON: {"keys": [ ... ]}. Private key members are refused.' },
  ],
};

const TECHNICAL: Attestation[] = [
  { name: 'supportsOpenIdConnectAndOAuth2', question: 'Does it support OpenID Connect Core 1.0 and OAuth 2.0?' },
  { name: 'conformsToHl7Standards', question: 'Can it conform to the HL7 technical standards (FHIR R4, SMART App Launch)?' },
  { name: 'storesTokensSecurely', question: 'Does it store access and refresh tokens securely?' },
  { name: 'adheresToCarinCodeOfConduct', question: 'Does it adhere to the CARIN Alliance Code of Conduct?' },
];

export const ATTESTATIONS: Record<RegistrationKind, Attestation[]> = {
  application: [
    { name: 'privacyPolicyCoversDataSharing', question: "Does the privacy policy cover how members' data is shared?" },
    { name: 'privacyPolicyRequiresExpressConsent', question: 'Does the privacy policy require express consent before member data is accessed, exchanged or used?' },
    { name: 'privacyPolicyExplainsDiscontinuation', question: "Does the privacy policy explain how members discontinue the app's access to their data?" },
    { name: 'sellsMemberData', question: "Does the app or the company sell members' data?" },
    ...TECHNICAL,
  ],
  payer: TECHNICAL,
};

/** Every name a field error can carry for this kind, for `fieldErrors`. */
export function formFieldNames(kind: RegistrationKind): string[] {
  return [
    ...TEXT_FIELDS[kind].map((field) => field.name),
    ...(kind === 'application' ? ['clientType', 'dataAccessType'] : []),
    'attestations',
    ...ATTESTATIONS[kind].map((each) => `attestations.${each.name}`),
  ];
}

export type FormValues = Record<string, string>;

/** The answers of a registration as form values (for editing). */
export function valuesOf(registration: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [key, value] of Object.entries(registration)) {
    if (typeof value === 'string') values[key] = value;
    if (key === 'redirectUris' && Array.isArray(value)) values.redirectUris = value.join('\n');
    if (key === 'jwks' && value !== null && typeof value === 'object') values.jwks = JSON.stringify(value, null, 2);
  }
  const attestations = (registration.attestations ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(attestations)) if (typeof value === 'boolean') values[`attestations.${key}`] = value ? 'yes' : 'no';
  return values;
}

/**
 * The request body the API expects, built from the posted form. Nothing is validated here: the
 * API's own messages come back per field. Unanswered questions are left out so that the API names
 * them; an empty optional logo is left out rather than sent as an invalid URL.
 */
export function bodyOf(kind: RegistrationKind, form: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of TEXT_FIELDS[kind]) {
    const raw = form[field.name] ?? '';
    if (field.name === 'redirectUris') {
      body.redirectUris = raw
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
    } else if (field.optional && raw.trim() === '') {
      continue;
    } else if (field.name === 'jwks') {
      body.jwks = jsonOrText(raw);
    } else {
      body[field.name] = raw.trim();
    }
  }
  if (kind === 'application' && form.clientType) body.clientType = form.clientType;
  if (kind === 'application' && form.dataAccessType) body.dataAccessType = form.dataAccessType;
  const attestations: Record<string, boolean> = {};
  for (const { name } of ATTESTATIONS[kind]) {
    const answer = form[`attestations.${name}`];
    if (answer === 'yes' || answer === 'no') attestations[name] = answer === 'yes';
  }
  body.attestations = attestations;
  return body;
}

/** A key set as typed: parsed when it is JSON; otherwise sent as it is, and the API says what is wrong. */
function jsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const idOf = (name: string) => `f-${name.replace(/\./g, '-')}`;

function errorsFor(name: string, errors: FieldErrors): { html: string; describedBy: string[]; invalid: boolean } {
  const messages = errors.byField.get(name) ?? [];
  if (messages.length === 0) return { html: '', describedBy: [], invalid: false };
  const id = `${idOf(name)}-error`;
  return { html: `<p class="field-error" id="${id}">${messages.map(escapeHtml).join('<br>')}</p>`, describedBy: [id], invalid: true };
}

export function textInput(field: TextField, value: string | undefined, errors: FieldErrors): string {
  const id = idOf(field.name);
  const error = errorsFor(field.name, errors);
  const hintId = `${id}-hint`;
  const describedBy = [...(field.hint ? [hintId] : []), ...error.describedBy];
  const attributes = [
    `id="${id}"`,
    `name="${escapeHtml(field.name)}"`,
    field.optional ? '' : 'required',
    field.autocomplete ? `autocomplete="${field.autocomplete}"` : '',
    describedBy.length ? `aria-describedby="${describedBy.join(' ')}"` : '',
    error.invalid ? 'aria-invalid="true"' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const control =
    field.type === 'textarea'
      ? `<textarea ${attributes} rows="3">${escapeHtml(value ?? '')}</textarea>`
      : `<input type="${field.type}" ${attributes} value="${escapeHtml(value ?? '')}">`;
  return `<div class="field">
<label for="${id}">${escapeHtml(field.label)}${field.optional ? ' (optional)' : ''}</label>
${field.hint ? `<p class="hint" id="${hintId}">${escapeHtml(field.hint)}</p>` : ''}
${control}
${error.html}
</div>`;
}

function yesNo(name: string, legend: string, value: string | undefined, errors: FieldErrors): string {
  const id = idOf(name);
  const error = errorsFor(name, errors);
  const option = (answer: 'yes' | 'no') =>
    `<div class="choice"><input type="radio" id="${id}-${answer}" name="${name}" value="${answer}"${value === answer ? ' checked' : ''}${error.invalid ? ' aria-invalid="true"' : ''}><label for="${id}-${answer}">${answer === 'yes' ? 'Yes' : 'No'}</label></div>`;
  return `<fieldset${error.describedBy.length ? ` aria-describedby="${error.describedBy.join(' ')}"` : ''}>
<legend>${escapeHtml(legend)}</legend>
<div class="inline">${option('yes')}${option('no')}</div>
${error.html}
</fieldset>`;
}

function clientTypeChoice(value: string | undefined, errors: FieldErrors, locked: boolean): string {
  const error = errorsFor('clientType', errors);
  const option = (type: 'confidential' | 'public', label: string) =>
    `<div class="choice"><input type="radio" id="f-clientType-${type}" name="clientType" value="${type}"${value === type ? ' checked' : ''}${locked && value !== type ? ' disabled' : ''}><label for="f-clientType-${type}">${label}</label></div>`;
  return `<fieldset${error.describedBy.length ? ` aria-describedby="${error.describedBy.join(' ')}"` : ''}>
<legend>Client type</legend>
${option('confidential', 'Confidential: a server that keeps a client secret')}
${option('public', 'Public: a native or browser app (PKCE, no secret)')}
${locked ? '<p class="hint">The client type cannot change once credentials have been issued.</p>' : ''}
${error.html}
</fieldset>`;
}

/** Blue Button 2.0 data-access types, in the words members read at consent. */
export const DATA_ACCESS_LABELS: Record<string, string> = {
  one_time: 'One time: no refresh token; access ends with the first access token',
  thirteen_month: '13 months: members authorize again 13 months after they authorized',
  research: 'Research: no end date; access lasts until the member revokes it',
};

function dataAccessTypeChoice(value: string | undefined, errors: FieldErrors): string {
  const error = errorsFor('dataAccessType', errors);
  const chosen = value ?? 'thirteen_month';
  const option = (type: string) =>
    `<div class="choice"><input type="radio" id="f-dataAccessType-${type}" name="dataAccessType" value="${type}"${chosen === type ? ' checked' : ''}><label for="f-dataAccessType-${type}">${escapeHtml(DATA_ACCESS_LABELS[type])}</label></div>`;
  return `<fieldset${error.describedBy.length ? ` aria-describedby="${error.describedBy.join(' ')}"` : ''}>
<legend>How long members' authorizations last</legend>
${Object.keys(DATA_ACCESS_LABELS).map(option).join('\n')}
<p class="hint">Once the app is approved, a change waits for plan staff and applies to authorizations made after it.</p>
${error.html}
</fieldset>`;
}

export function registrationFields(kind: RegistrationKind, values: FormValues, errors: FieldErrors, options: { clientTypeLocked?: boolean } = {}): string {
  const text = TEXT_FIELDS[kind].map((field) => textInput(field, values[field.name], errors)).join('\n');
  const questions = ATTESTATIONS[kind].map((each) => yesNo(`attestations.${each.name}`, each.question, values[`attestations.${each.name}`], errors)).join('\n');
  const attestationErrors = errorsFor('attestations', errors).html;
  return `${text}
${kind === 'application' ? clientTypeChoice(values.clientType, errors, options.clientTypeLocked ?? false) : ''}
${kind === 'application' ? dataAccessTypeChoice(values.dataAccessType, errors) : ''}
<h2>Attestations</h2>
${attestationErrors}
${questions}`;
}
