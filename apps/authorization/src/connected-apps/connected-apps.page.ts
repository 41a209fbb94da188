import { errorBox, escapeHtml, renderPage } from '../interaction/pages/layout';
import { describeScopes } from '../interaction/scope-descriptions';
import { describeAccessEnd } from '../grants/access-end.text';
import type { ConnectedApp } from './connected-apps.service';
import type { AccessSummary } from './access-history.service';

export function renderConnectedAppsPage(apps: ConnectedApp[], csrf: string, notice?: string, history?: AccessSummary[] | null): string {
  const rows = apps
    .map(
      (app) => `<tr>
  <td><strong>${escapeHtml(app.clientName)}</strong>${app.companyName ? `<br><span class="hint">${escapeHtml(app.companyName)}</span>` : ''}</td>
  <td><ul class="scopes">${describeScopes(app.scope).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
    ${app.withholdDemographics ? '<span class="hint" data-choice="demographics">Demographic data withheld</span>' : ''}
    ${app.withholdSensitive ? '<span class="hint" data-choice="sensitive">Sensitive data withheld</span>' : ''}</td>
  <td class="access-end">${capitalize(describeAccessEnd(app.dataAccessType, app.accessExpiresAt))}</td>
  <td>${escapeHtml(app.actingAs)}<br><span class="hint">${escapeHtml(app.authorizedAt.toISOString().slice(0, 10))}</span></td>
  <td><form method="post" action="/account/apps/${encodeURIComponent(app.grantId)}/revoke">
    <input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
    <button type="submit" class="secondary" aria-label="Revoke access for ${escapeHtml(app.clientName)}">Revoke</button>
  </form></td>
</tr>`,
    )
    .join('\n');
  return renderPage(
    'Connected apps',
    `<h1>Your connected apps</h1>
${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
${
  apps.length
    ? `<table><caption class="hint">Apps that can read your health plan data. Revoking stops their access at once.</caption>
<thead><tr><th scope="col">App</th><th scope="col">Data</th><th scope="col">Access</th><th scope="col">Authorized by</th><th scope="col"><span class="hint">Action</span></th></tr></thead>
<tbody>${rows}</tbody></table>`
    : '<p>You have not connected any apps.</p>'
}
${renderAccessHistory(history)}
<form method="post" action="/account/logout"><div class="actions"><button type="submit" class="secondary">Log out</button></div></form>`,
  );
}

function capitalize(html: string): string {
  return html.charAt(0).toUpperCase() + html.slice(1);
}

/** Who read the member's data: present when the deployment can ask the access audit. */
function renderAccessHistory(history: AccessSummary[] | null | undefined): string {
  if (history === undefined) return '';
  const heading = '<h2>Who read your data</h2>';
  if (history === null) return `${heading}\n<p>Your access history is unavailable right now. Please try again later.</p>`;
  if (history.length === 0) return `${heading}\n<p>No app has read your data yet.</p>`;
  const rows = history
    .map(
      (entry) => `<tr><td><strong>${escapeHtml(entry.clientName)}</strong></td><td>${entry.requests} ${entry.requests === 1 ? 'request' : 'requests'}</td><td>${escapeHtml(entry.lastAt.toISOString().replace('T', ' ').slice(0, 16))} UTC</td></tr>`,
    )
    .join('\n');
  return `${heading}
<table><caption class="hint">Apps that read your health plan data recently, from the plan's access audit.</caption>
<thead><tr><th scope="col">App</th><th scope="col">Requests</th><th scope="col">Last access</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function renderAccountLoginPage(error?: string): string {
  return renderPage(
    'Log in',
    `<h1>Log in to manage your connected apps</h1>
${errorBox(error)}
<form method="post" action="/account/login" novalidate>
  <label for="username">User name</label>
  <input type="text" id="username" name="username" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <div class="actions"><button type="submit">Log in</button></div>
</form>`,
  );
}
