import type { PortalSession } from '../server/session-store';
import { NO_ERRORS, type FieldErrors } from './field-errors';
import { csrfField, errorBox, escapeHtml, renderPage } from './layout';
import { textInput } from './registration-form';

const CODE_HINT = 'The 6 digits your authenticator app shows now.';

/** After sign-up: the account exists, its address is not confirmed yet. */
export function checkMailPage(session: PortalSession, email: string): string {
  return renderPage(
    'Check your mail',
    `<h1>Check your mail</h1>
<p>We sent a link to <strong>${escapeHtml(email)}</strong>. Open it to confirm your address.</p>
<p>You can log in now; you can submit a registration once the address is confirmed. The link works once, for 24 hours. No mail? Log in and ask for another from <a href="/account">your account page</a>.</p>
<div class="actions"><a class="button" href="/login">Log in</a></div>`,
    session,
  );
}

/** The mailed link lands here; a button confirms, so that mail scanners following links confirm nothing. */
export function verifyEmailPage(session: PortalSession, token: string, error?: string): string {
  return renderPage(
    'Confirm your email address',
    `<h1>Confirm your email address</h1>
${errorBox(error)}
<form method="post" action="/verify-email">
${csrfField(session)}
<input type="hidden" name="token" value="${escapeHtml(token)}">
<p>Confirm that this address belongs to you.</p>
<div class="actions"><button type="submit">Confirm my email address</button></div>
</form>`,
    session,
  );
}

/** The second step of a login: a code of the app, or a recovery code. */
export function secondFactorPage(session: PortalSession, values: { code?: string; recoveryCode?: string } = {}, errors: FieldErrors = NO_ERRORS): string {
  const useRecovery = errors.byField.has('recovery_code');
  return renderPage(
    'Second factor',
    `<h1>Enter your code</h1>
${errorBox(errors.general)}
<form method="post" action="/login/second-factor" novalidate>
${csrfField(session)}
${codeInput('code', 'Authentication code', CODE_HINT, errors)}
<div class="actions"><button type="submit">Verify</button></div>
</form>
<details${useRecovery ? ' open' : ''}>
<summary>Use a recovery code instead</summary>
<form method="post" action="/login/second-factor" novalidate>
${csrfField(session)}
${textInput({ name: 'recovery_code', label: 'Recovery code', type: 'text', autocomplete: 'off', hint: 'One of the codes you saved when you turned the second factor on. Each works once.' }, values.recoveryCode, errors)}
<div class="actions"><button type="submit" class="secondary">Use recovery code</button></div>
</form>
</details>`,
    session,
  );
}

/** Adding the app: a QR code (inline SVG), the secret to type, and the first code to confirm. */
export function enrolPage(
  session: PortalSession,
  enrolment: { secret: string; qrSvg: string; action: string; required: boolean },
  errors: FieldErrors = NO_ERRORS,
): string {
  return renderPage(
    'Set up a second factor',
    `<h1>Set up a second factor</h1>
${enrolment.required ? '<p class="notice">Plan staff accounts need a second factor. Set it up now to finish logging in.</p>' : ''}
${errorBox(errors.general)}
<ol>
<li>Open an authenticator app (any app for TOTP codes) and scan this QR code:
<figure class="qr" aria-label="QR code of the secret">${enrolment.qrSvg}</figure></li>
<li>Or type the secret: <code class="secret" id="totp-secret">${escapeHtml(enrolment.secret)}</code></li>
<li>Enter the code the app shows.</li>
</ol>
<form method="post" action="${escapeHtml(enrolment.action)}" novalidate>
${csrfField(session)}
${codeInput('code', 'Authentication code', CODE_HINT, errors)}
<div class="actions"><button type="submit">Turn on</button></div>
</form>`,
    session,
  );
}

/** The recovery codes, this once. */
export function recoveryCodesPage(session: PortalSession, codes: string[], next: string): string {
  return renderPage(
    'Your recovery codes',
    `<h1>Your recovery codes</h1>
<p class="warning" role="alert">Save these codes now, somewhere safe: they are shown only this once. Each lets you log in once without your app.</p>
<pre class="secret" id="recovery-codes">${codes.map(escapeHtml).join('\n')}</pre>
<div class="actions"><button type="button" class="secondary" data-copy="recovery-codes">Copy the codes</button><span id="recovery-codes-status" role="status"></span>
<a class="button" href="${escapeHtml(next)}">I saved them, continue</a></div>`,
    session,
  );
}

/** The account's address and second factor, with what can be done about each. */
export function accountPage(session: PortalSession, account: { email: string; emailVerified: boolean; secondFactor: boolean; recoveryCodesLeft: number }, error?: string): string {
  return renderPage(
    'Your account',
    `<h1>Your account</h1>
${errorBox(error)}
<dl>
<dt>Email</dt><dd>${escapeHtml(account.email)} · ${account.emailVerified ? 'confirmed' : '<strong>not confirmed yet</strong>'}</dd>
<dt>Second factor</dt><dd>${account.secondFactor ? `on · ${account.recoveryCodesLeft} recovery codes left` : 'off'}</dd>
</dl>
${
  account.emailVerified
    ? ''
    : `<form method="post" action="/account/verification-mail">${csrfField(session)}<p>You can submit registrations once your address is confirmed.</p><div class="actions"><button type="submit" class="secondary">Send the link again</button></div></form>`
}
${
  account.secondFactor
    ? ''
    : `<form method="post" action="/account/second-factor">${csrfField(session)}<p>A second factor asks for a code from an authenticator app at each login.</p><div class="actions"><button type="submit">Turn on a second factor</button></div></form>`
}`,
    session,
  );
}

function codeInput(name: string, label: string, hint: string, errors: FieldErrors): string {
  const messages = errors.byField.get(name) ?? [];
  const id = `f-${name}`;
  return `<div class="field">
<label for="${id}">${escapeHtml(label)}</label>
<p class="hint" id="${id}-hint">${escapeHtml(hint)}</p>
<input type="text" id="${id}" name="${name}" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required aria-describedby="${id}-hint${messages.length ? ` ${id}-error` : ''}"${messages.length ? ' aria-invalid="true"' : ''}>
${messages.length ? `<p class="field-error" id="${id}-error">${messages.map(escapeHtml).join('<br>')}</p>` : ''}
</div>`;
}
