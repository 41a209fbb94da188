import type { PortalSession } from '../server/session-store';
import { NO_ERRORS, type FieldErrors } from './field-errors';
import { csrfField, errorBox, escapeHtml, formatDate, renderPage } from './layout';
import { ATTESTATIONS, DATA_ACCESS_LABELS, registrationFields, type FormValues, type RegistrationKind } from './registration-form';
import { historyLabel, roleLabel, statusMeaning } from './status-meaning';
import { threadSection, type ThreadView } from './thread';

export interface ReviewClock {
  startedAt: string;
  businessDaysWaiting: number;
  limit: number;
  overdue: boolean;
}

export interface HistoryEntry {
  at: string;
  action: string;
  from: string | null;
  to: string;
  reason: string | null;
  byRole?: string;
  by?: { role: string; email: string | null };
}

export interface Registration {
  id: string;
  kind: RegistrationKind;
  status: string;
  name: string;
  companyName: string;
  companyUrl: string;
  privacyPolicyUrl: string;
  termsUrl: string | null;
  logoUrl: string | null;
  redirectUris: string[];
  clientType: string;
  dataAccessType?: string;
  contactEmail: string;
  contactPhone: string;
  documentEmail: string | null;
  jwks?: { keys: Record<string, unknown>[] } | null;
  jwksUri?: string | null;
  attestations: Record<string, boolean | undefined>;
  clientId: string | null;
  submittedAt: string;
  informationRequestedAt: string | null;
  reviewRequestedAt: string | null;
  pendingChange: { id: string; requestedAt: string; values: Record<string, unknown> } | null;
  reviewClock?: ReviewClock | null;
  history?: HistoryEntry[];
}

export interface Credentials {
  clientId: string;
  clientType: string;
  clientSecret?: string;
  secretIssuedAt: string | null;
  tokenEndpointAuthMethods: string[];
  issuer: string;
  note: string;
}

export function statusBadge(status: string): string {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status.charAt(0).toUpperCase() + status.slice(1))}</span>`;
}

export function clockText(clock: ReviewClock | null | undefined): string {
  if (!clock) return '';
  const text = `${clock.businessDaysWaiting} of ${clock.limit} business days`;
  return clock.overdue ? `<span class="overdue-label">Overdue:</span> ${text}` : text;
}

const kindLabel = (kind: string) => (kind === 'payer' ? 'Payer' : 'Application');

export function listPage(session: PortalSession, registrations: Registration[]): string {
  const kind = session.account?.kind === 'payer' ? 'payer' : 'application';
  const rows = registrations
    .map(
      (each) => `<tr>
<td><a href="/registrations/${escapeHtml(each.id)}">${escapeHtml(each.name)}</a></td>
<td>${statusBadge(each.status)}<p class="hint">${escapeHtml(statusMeaning(each.kind, each.status))}</p></td>
<td>${formatDate(each.submittedAt)}</td>
<td>${escapeHtml(each.clientId ?? '—')}</td>
</tr>`,
    )
    .join('\n');
  return renderPage(
    'My registrations',
    `<h1>My registrations</h1>
<div class="actions"><a class="button" href="/registrations/new">Register ${kind === 'payer' ? 'a payer' : 'an application'}</a></div>
${
  registrations.length === 0
    ? '<p>You have no registration yet.</p>'
    : `<div class="table-wrap"><table><caption class="hint">Newest first</caption><thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Submitted</th><th scope="col">Client ID</th></tr></thead><tbody>${rows}</tbody></table></div>`
}`,
    session,
  );
}

export function newRegistrationPage(session: PortalSession, kind: RegistrationKind, values: FormValues = {}, errors: FieldErrors = NO_ERRORS): string {
  const title = kind === 'payer' ? 'Register a payer' : 'Register an application';
  return renderPage(
    title,
    `<h1>${title}</h1>
<p class="hint">${kind === 'payer' ? 'Payers are confidential clients. Plan staff review every registration.' : 'The plan has 10 business days to approve your application from the time it is submitted with proper information.'}</p>
${errorBox(errors.general)}
<form method="post" action="/registrations" novalidate>
${csrfField(session)}
${registrationFields(kind, { clientType: 'confidential', ...values }, errors)}
<div class="actions"><button type="submit">Submit registration</button><a href="/registrations">Cancel</a></div>
</form>`,
    session,
  );
}

export function editRegistrationPage(session: PortalSession, registration: Registration, values: FormValues, errors: FieldErrors = NO_ERRORS): string {
  const approved = registration.clientId !== null;
  return renderPage(
    `Edit ${registration.name}`,
    `<h1>Edit “${escapeHtml(registration.name)}”</h1>
${
  approved
    ? '<p class="warning">Changes of the name, company, URLs, redirect URIs or client type of an approved registration wait for plan staff; the values in force stay in force until then. Contact details and attestations change at once.</p>'
    : '<p class="hint">Answering an information request restarts the review clock.</p>'
}
${errorBox(errors.general)}
<form method="post" action="/registrations/${escapeHtml(registration.id)}/edit" novalidate>
${csrfField(session)}
${registrationFields(registration.kind, values, errors, { clientTypeLocked: approved })}
<div class="actions"><button type="submit">Save answers</button><a href="/registrations/${escapeHtml(registration.id)}">Cancel</a></div>
</form>`,
    session,
  );
}

export function answersList(registration: Registration): string {
  const rows: [string, string][] = [
    ['Kind', kindLabel(registration.kind)],
    ['Name', registration.name],
    ...(registration.kind === 'application' ? ([['Company', registration.companyName]] as [string, string][]) : []),
    ['Website', registration.companyUrl],
    ['Privacy policy', registration.privacyPolicyUrl],
    ...(registration.termsUrl ? ([['Terms of use', registration.termsUrl]] as [string, string][]) : []),
    ...(registration.logoUrl ? ([['Logo', registration.logoUrl]] as [string, string][]) : []),
    ['Redirect URIs', registration.redirectUris.join('\n')],
    ['Client type', registration.clientType],
    ...(registration.kind === 'application' && registration.dataAccessType
      ? ([['Data access', DATA_ACCESS_LABELS[registration.dataAccessType] ?? registration.dataAccessType]] as [string, string][])
      : []),
    ...(registration.documentEmail ? ([['Payer document email', registration.documentEmail]] as [string, string][]) : []),
    ...(registration.jwksUri ? ([['JWKS URL', registration.jwksUri]] as [string, string][]) : []),
    ...(registration.jwks ? ([['JWKS (inline)', registration.jwks.keys.map((key) => `${String(key.kty)} key ${String(key.kid ?? '(no kid)')}`).join('\n')]] as [string, string][]) : []),
    ['Contact email', registration.contactEmail],
    ['Contact phone', registration.contactPhone],
    ['Submitted', formatDate(registration.submittedAt)],
  ];
  const answers = ATTESTATIONS[registration.kind].map(({ name, question }): [string, string] => {
    const value = registration.attestations[name];
    return [question, value === undefined ? 'Not answered' : value ? 'Yes' : 'No'];
  });
  const dl = (items: [string, string][]) =>
    `<dl>${items.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value).replace(/\n/g, '<br>')}</dd>`).join('')}</dl>`;
  return `<h2>Answers</h2>${dl(rows)}<h2>Attestations</h2>${dl(answers)}`;
}

export function pendingChangeBox(registration: Registration): string {
  if (!registration.pendingChange) return '';
  const values = Object.entries(registration.pendingChange.values)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(Array.isArray(value) ? value.join(', ') : String(value))}</dd>`)
    .join('');
  return `<section class="warning" aria-labelledby="pending-change"><h2 id="pending-change">Change waiting for plan staff</h2><p>Requested ${formatDate(registration.pendingChange.requestedAt)}. Until it is approved the values above stay in force.</p><dl>${values}</dl></section>`;
}

export function historyTable(history: HistoryEntry[] | undefined, staffView = false): string {
  if (!history?.length) return '';
  const rows = history
    .map(
      (entry) => `<tr><td>${formatDate(entry.at)}</td><td>${escapeHtml(historyLabel(entry.action))}</td><td>${entry.from && entry.from !== entry.to ? `${escapeHtml(entry.from)} → ${escapeHtml(entry.to)}` : escapeHtml(entry.to)}</td><td>${escapeHtml(entry.reason ?? '')}</td><td>${escapeHtml(
        staffView ? (entry.by?.email ?? roleLabel(entry.by?.role ?? '')) : roleLabel(entry.byRole ?? ''),
      )}</td></tr>`,
    )
    .join('\n');
  return `<h2>History</h2><div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">By</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function registrationPage(
  session: PortalSession,
  registration: Registration,
  options: { error?: string; reviewMessage?: string; reviewErrors?: string[]; thread?: ThreadView } = {},
): string {
  const id = escapeHtml(registration.id);
  const latestReason = [...(registration.history ?? [])].reverse().find((entry) => entry.to === registration.status && entry.reason && entry.action !== 'review_requested');
  const status = registration.status;
  const reviewable = status === 'suspended' || status === 'terminated';
  const sections: string[] = [];
  if (status === 'pending' && registration.reviewClock) {
    sections.push(
      `<p id="review-clock"><strong>Review clock:</strong> ${clockText(registration.reviewClock)}, counted from ${formatDate(registration.reviewClock.startedAt)}.</p>`,
    );
  }
  if (registration.informationRequestedAt && status === 'pending') {
    const question = [...(registration.history ?? [])].reverse().find((entry) => entry.action === 'request_information');
    sections.push(
      `<p class="warning" id="information-request">Plan staff asked for more information on ${formatDate(registration.informationRequestedAt)}${question?.reason ? `: “${escapeHtml(question.reason)}”` : ''}. Update your answers or reply under Messages to restart the review.</p>`,
    );
  }
  if (reviewable && latestReason?.reason) sections.push(`<p class="warning" id="status-reason"><strong>Reason given by plan staff:</strong> ${escapeHtml(latestReason.reason)}</p>`);
  if (status === 'approved' && registration.clientId) {
    sections.push(`<section aria-labelledby="credentials-heading">
<h2 id="credentials-heading">Credentials</h2>
<dl><dt>Client ID</dt><dd><code id="client-id">${escapeHtml(registration.clientId)}</code></dd><dt>Client type</dt><dd>${escapeHtml(registration.clientType)}</dd></dl>
<form method="post" action="/registrations/${id}/credentials">${csrfField(session)}<button type="submit">Get credentials</button></form>
<p class="hint">For a confidential client the secret is shown once, the first time after approval. Rotate it if it is lost.</p>
</section>`);
  }
  if (reviewable) {
    const errors = options.reviewErrors ?? [];
    sections.push(`<section aria-labelledby="review-heading">
<h2 id="review-heading">Request a review</h2>
${status === 'terminated' ? '<p class="hint">A terminated registration stays terminated; to regain access, register again. You may still ask plan staff to review the decision.</p>' : '<p class="hint">Tell plan staff what you changed; they may reinstate the registration.</p>'}
${registration.reviewRequestedAt ? `<p class="notice">You asked for a review on ${formatDate(registration.reviewRequestedAt)}.</p>` : ''}
<form method="post" action="/registrations/${id}/review-request" novalidate>
${csrfField(session)}
<label for="f-message">Why should plan staff review this status?</label>
<textarea id="f-message" name="message" required${errors.length ? ' aria-invalid="true" aria-describedby="f-message-error"' : ''}>${escapeHtml(options.reviewMessage ?? '')}</textarea>
${errors.length ? `<p class="field-error" id="f-message-error">${errors.map(escapeHtml).join('<br>')}</p>` : ''}
<div class="actions"><button type="submit">Request a review</button></div>
</form>
</section>`);
  }
  return renderPage(
    registration.name,
    `<p><a href="/registrations">← My registrations</a></p>
<h1>${escapeHtml(registration.name)}</h1>
${errorBox(options.error)}
<p>${statusBadge(status)} <span id="status-meaning">${escapeHtml(statusMeaning(registration.kind, status))}</span></p>
${sections.join('\n')}
${status !== 'terminated' ? `<div class="actions"><a class="button secondary" href="/registrations/${id}/edit">Edit answers</a></div>` : ''}
${pendingChangeBox(registration)}
${options.thread ? threadSection(session, options.thread) : ''}
${answersList(registration)}
${historyTable(registration.history)}`,
    session,
  );
}

export function credentialsPage(session: PortalSession, registration: Registration, credentials: Credentials, rotated: boolean): string {
  const id = escapeHtml(registration.id);
  const secret = credentials.clientSecret
    ? `<section aria-labelledby="secret-heading">
<h2 id="secret-heading">Client secret</h2>
<p class="warning" role="alert"><strong>Store this secret now: it will not be shown again.</strong> The plan keeps only a hash of it. If it is lost, rotate it.${rotated ? ' The previous secret stops working.' : ''}</p>
<p class="secret" id="client-secret">${escapeHtml(credentials.clientSecret)}</p>
<div class="actions"><button type="button" class="secondary" data-copy="client-secret">Copy secret</button><span id="client-secret-status" role="status"></span></div>
</section>`
    : credentials.clientType === 'public'
      ? '<p class="notice">A public client has no secret: it proves itself with PKCE.</p>'
      : `<p class="notice" id="secret-already-shown">The client secret was shown once, when it was issued on ${formatDate(credentials.secretIssuedAt)}. It cannot be shown again; rotate it if it is lost.</p>`;
  const rotation =
    credentials.clientType === 'confidential'
      ? `<section aria-labelledby="rotate-heading">
<h2 id="rotate-heading">Rotate the secret</h2>
<form method="post" action="/registrations/${id}/credentials/rotate">
${csrfField(session)}
<div class="choice"><input type="checkbox" id="f-confirm-rotate" name="confirm" value="yes" required><label for="f-confirm-rotate">I understand that the current secret stops working once the new one is issued.</label></div>
<div class="actions"><button type="submit" class="danger">Rotate secret</button></div>
</form>
</section>`
      : '';
  return renderPage(
    `Credentials of ${registration.name}`,
    `<p><a href="/registrations/${id}">← ${escapeHtml(registration.name)}</a></p>
<h1>Credentials</h1>
<dl>
<dt>Client ID</dt><dd><code id="client-id">${escapeHtml(credentials.clientId)}</code> <button type="button" class="secondary" data-copy="client-id">Copy</button> <span id="client-id-status" role="status"></span></dd>
<dt>Client type</dt><dd>${escapeHtml(credentials.clientType)}</dd>
<dt>Token endpoint authentication</dt><dd>${escapeHtml(credentials.tokenEndpointAuthMethods.join(', ') || 'none (PKCE)')}</dd>
<dt>Issuer</dt><dd>${escapeHtml(credentials.issuer)} (its discovery document lists every endpoint)</dd>
</dl>
${secret}
${rotation}`,
    session,
  );
}
