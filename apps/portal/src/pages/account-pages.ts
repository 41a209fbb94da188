import type { PortalSession } from '../server/session-store';
import { NO_ERRORS, type FieldErrors } from './field-errors';
import { csrfField, errorBox, escapeHtml, renderPage } from './layout';
import { textInput } from './registration-form';

export const SIGNUP_FIELDS = ['email', 'password', 'name', 'organization', 'phone', 'kind'];

export function loginPage(session: PortalSession, options: { email?: string; error?: string; next?: string } = {}): string {
  return renderPage(
    'Log in',
    `<h1>Log in</h1>
<p>App vendors and payers register and manage their API access here; plan staff review registrations.</p>
${errorBox(options.error)}
<form method="post" action="/login" novalidate>
${csrfField(session)}
${options.next ? `<input type="hidden" name="next" value="${escapeHtml(options.next)}">` : ''}
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}"${options.error ? ' aria-describedby="form-error"' : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Log in</button><a href="/signup">Create an account</a></div>
</form>`,
    session,
  );
}

export function signupPage(session: PortalSession, values: Record<string, string> = {}, errors: FieldErrors = NO_ERRORS): string {
  const kindError = errors.byField.get('kind');
  return renderPage(
    'Create an account',
    `<h1>Create an account</h1>
<p>Create an account and start the registration process from this page.</p>
${errorBox(errors.general)}
<form method="post" action="/signup" novalidate>
${csrfField(session)}
<fieldset${kindError ? ' aria-describedby="f-kind-error"' : ''}>
<legend>I am registering</legend>
<div class="choice"><input type="radio" id="f-kind-developer" name="kind" value="developer"${values.kind === 'developer' ? ' checked' : ''}><label for="f-kind-developer">a third-party application (app vendor)</label></div>
<div class="choice"><input type="radio" id="f-kind-payer" name="kind" value="payer"${values.kind === 'payer' ? ' checked' : ''}><label for="f-kind-payer">a payer (payer-to-payer exchange)</label></div>
${kindError ? `<p class="field-error" id="f-kind-error">${kindError.map(escapeHtml).join('<br>')}</p>` : ''}
</fieldset>
${textInput({ name: 'name', label: 'Your name', type: 'text', autocomplete: 'name' }, values.name, errors)}
${textInput({ name: 'organization', label: 'Organization', type: 'text', autocomplete: 'organization' }, values.organization, errors)}
${textInput({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email' }, values.email, errors)}
${textInput({ name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'tel', hint: 'For example +1 919-555-0100.' }, values.phone, errors)}
${passwordInput(errors)}
<div class="actions"><button type="submit">Create account</button><a href="/login">I already have an account</a></div>
</form>`,
    session,
  );
}

function passwordInput(errors: FieldErrors): string {
  const messages = errors.byField.get('password') ?? [];
  return `<div class="field">
<label for="f-password">Password</label>
<p class="hint" id="f-password-hint">At least 12 characters.</p>
<input type="password" id="f-password" name="password" autocomplete="new-password" required aria-describedby="f-password-hint${messages.length ? ' f-password-error' : ''}"${messages.length ? ' aria-invalid="true"' : ''}>
${messages.length ? `<p class="field-error" id="f-password-error">${messages.map(escapeHtml).join('<br>')}</p>` : ''}
</div>`;
}

export function messagePage(session: PortalSession | undefined, title: string, message: string): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the portal</a></p>`, session);
}
