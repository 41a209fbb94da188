import type { PortalSession } from '../server/session-store';
import { csrfField, errorBox, escapeHtml, formatDate, renderPage } from './layout';
import { answersList, clockText, historyTable, pendingChangeBox, statusBadge, type Registration, type ReviewClock } from './registration-pages';
import { statusMeaning } from './status-meaning';
import { threadSection, type ThreadView } from './thread';

export interface QueueItem {
  id: string;
  kind: string;
  status: string;
  name: string;
  companyName: string;
  submittedAt: string;
  ageDays?: number;
  reviewClock: ReviewClock | null;
  overdue: boolean;
  informationRequestedAt: string | null;
  reviewRequestedAt: string | null;
  changeRequestedAt: string | null;
}

export interface AdminRegistration extends Registration {
  owner: { email: string; name: string; organization: string; phone: string };
  overdue: boolean;
  allowedActions: string[];
}

export interface QueueFilters {
  kind?: string;
  status?: string;
  overdue?: string;
  /** Submitted at least this many days ago. */
  minAgeDays?: string;
}

/** The filters the queue page offers, with the values each may take; the API is asked for nothing else. */
export const QUEUE_FILTERS: readonly [keyof QueueFilters, readonly string[]][] = [
  ['kind', ['application', 'payer']],
  ['status', ['pending', 'approved', 'suspended', 'terminated']],
  ['overdue', ['true', 'false']],
  ['minAgeDays', ['7', '14', '30', '90']],
];

export const QUEUE_PAGE_SIZE = 25;

export interface QueuePage {
  items: QueueItem[];
  /** 1-based. */
  page: number;
  total: number;
}

/** The filters as a query string (for links that keep them). */
export function filterQuery(filters: QueueFilters, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [name] of QUEUE_FILTERS) if (filters[name]) query.set(name, filters[name] as string);
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  return query.size ? `?${query}` : '';
}

export const STATUS_ACTIONS = ['approve', 'request-information', 'suspend', 'terminate', 'reinstate'] as const;
export const CHANGE_ACTIONS = ['approve-change', 'reject-change'] as const;

const ACTION_LABELS: Record<string, string> = {
  approve: 'Approve',
  'request-information': 'Request information',
  suspend: 'Suspend',
  terminate: 'Terminate',
  reinstate: 'Reinstate',
  'approve-change': 'Approve change',
  'reject-change': 'Reject change',
};

function select(name: string, label: string, options: [string, string][], value: string | undefined): string {
  return `<div><label for="q-${name}">${label}</label><select id="q-${name}" name="${name}">${options
    .map(([option, text]) => `<option value="${option}"${(value ?? '') === option ? ' selected' : ''}>${text}</option>`)
    .join('')}</select></div>`;
}

/** The clock restarts when the owner answers, so a clock younger than the request means it was answered. */
function informationState(item: QueueItem): string {
  const answered = item.reviewClock && item.informationRequestedAt && item.reviewClock.startedAt >= item.informationRequestedAt;
  return answered ? 'Information given' : 'Information requested';
}

function pager(queue: QueuePage, filters: QueueFilters): string {
  if (queue.total === 0) return '';
  const first = (queue.page - 1) * QUEUE_PAGE_SIZE + 1;
  const last = Math.min(queue.total, first + queue.items.length - 1);
  const pages = Math.max(1, Math.ceil(queue.total / QUEUE_PAGE_SIZE));
  const link = (page: number, text: string, rel: string) => `<a href="/admin${filterQuery(filters, page > 1 ? { page: String(page) } : {})}" rel="${rel}">${text}</a>`;
  return `<nav class="pager" aria-label="Queue pages"><span id="queue-count">${first}–${last} of ${queue.total}</span>${queue.page > 1 ? link(queue.page - 1, '← Previous', 'prev') : ''}${queue.page < pages ? link(queue.page + 1, 'Next →', 'next') : ''}</nav>`;
}

export function queuePage(session: PortalSession, queue: QueuePage, filters: QueueFilters, error?: string): string {
  const items = queue.items;
  const rows = items
    .map(
      (item) => `<tr${item.overdue ? ' class="overdue"' : ''}>
<td><a href="/admin/registrations/${escapeHtml(item.id)}">${escapeHtml(item.name)}</a><p class="hint">${escapeHtml(item.companyName)}</p></td>
<td>${item.kind === 'payer' ? 'Payer' : 'Application'}</td>
<td>${statusBadge(item.status)}</td>
<td>${formatDate(item.submittedAt)}${item.ageDays !== undefined ? `<p class="hint">${item.ageDays} day${item.ageDays === 1 ? '' : 's'} ago</p>` : ''}</td>
<td>${item.reviewClock ? clockText(item.reviewClock) : '—'}</td>
<td>${[
        item.informationRequestedAt && item.status === 'pending' ? informationState(item) : '',
        item.reviewRequestedAt ? 'Review requested' : '',
        item.changeRequestedAt ? 'Change waiting' : '',
      ]
        .filter(Boolean)
        .join('<br>')}</td>
</tr>`,
    )
    .join('\n');
  return renderPage(
    'Review queue',
    `<h1>Review queue</h1>
<p class="hint">Overdue applications first, then oldest first. Applications are overdue after 10 business days; payers have no clock. The export holds every page of the filtered queue.</p>
<form method="get" action="/admin" class="filters">
${select('kind', 'Kind', [['', 'All kinds'], ['application', 'Applications'], ['payer', 'Payers']], filters.kind)}
${select('status', 'Status', [['', 'All statuses'], ['pending', 'Pending'], ['approved', 'Approved'], ['suspended', 'Suspended'], ['terminated', 'Terminated']], filters.status)}
${select('overdue', 'Review clock', [['', 'Any'], ['true', 'Overdue only'], ['false', 'Not overdue']], filters.overdue)}
${select('minAgeDays', 'Age', [['', 'Any age'], ['7', 'Over a week'], ['14', 'Over two weeks'], ['30', 'Over 30 days'], ['90', 'Over 90 days']], filters.minAgeDays)}
<div><button type="submit">Filter</button></div>
<div><a class="button secondary" href="/admin/export.csv${escapeHtml(filterQuery(filters))}" download>Export CSV</a></div>
</form>
${errorBox(error)}
${
  items.length === 0
    ? '<p>No registration matches.</p>'
    : `<div class="table-wrap"><table><thead><tr><th scope="col">Registration</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Submitted</th><th scope="col">Review clock</th><th scope="col">Waiting on staff</th></tr></thead><tbody>${rows}</tbody></table></div>`
}
${pager(queue, filters)}`,
    session,
  );
}

export function adminRegistrationPage(
  session: PortalSession,
  registration: AdminRegistration,
  options: { error?: string; action?: string; reason?: string; reasonErrors?: string[]; thread?: ThreadView } = {},
): string {
  const id = escapeHtml(registration.id);
  const forms = registration.allowedActions
    .map((action) => {
      const isChange = (CHANGE_ACTIONS as readonly string[]).includes(action);
      const errors = options.action === action ? (options.reasonErrors ?? []) : [];
      const fieldId = `reason-${action}`;
      return `<form method="post" action="/admin/registrations/${id}/${escapeHtml(action)}" class="action-form" novalidate>
${csrfField(session)}
${isChange && registration.pendingChange ? `<input type="hidden" name="changeId" value="${escapeHtml(registration.pendingChange.id)}">` : ''}
<label for="${fieldId}">Reason to ${escapeHtml(ACTION_LABELS[action]?.toLowerCase() ?? action)}</label>
<textarea id="${fieldId}" name="reason" required${errors.length ? ` aria-invalid="true" aria-describedby="${fieldId}-error"` : ''}>${options.action === action ? escapeHtml(options.reason ?? '') : ''}</textarea>
${errors.length ? `<p class="field-error" id="${fieldId}-error">${errors.map(escapeHtml).join('<br>')}</p>` : ''}
<div class="actions"><button type="submit"${action === 'terminate' || action === 'suspend' ? ' class="danger"' : ''}>${escapeHtml(ACTION_LABELS[action] ?? action)}</button></div>
</form>`;
    })
    .join('\n');
  return renderPage(
    `Review ${registration.name}`,
    `<p><a href="/admin">← Review queue</a></p>
<h1>${escapeHtml(registration.name)}</h1>
${errorBox(options.error)}
<p>${statusBadge(registration.status)} ${escapeHtml(statusMeaning(registration.kind, registration.status))}</p>
${registration.reviewClock ? `<p id="review-clock"${registration.overdue ? ' class="overdue"' : ''}><strong>Review clock:</strong> ${clockText(registration.reviewClock)}, counted from ${formatDate(registration.reviewClock.startedAt)}.</p>` : ''}
<h2>Owner</h2>
<dl><dt>Name</dt><dd>${escapeHtml(registration.owner.name)}</dd><dt>Organization</dt><dd>${escapeHtml(registration.owner.organization)}</dd><dt>Email</dt><dd>${escapeHtml(registration.owner.email)}</dd><dt>Phone</dt><dd>${escapeHtml(registration.owner.phone)}</dd>${registration.clientId ? `<dt>Client ID</dt><dd><code>${escapeHtml(registration.clientId)}</code></dd>` : ''}</dl>
<h2>Actions</h2>
${forms || '<p>No action is possible in this status.</p>'}
${pendingChangeBox(registration)}
${options.thread ? threadSection(session, options.thread) : ''}
${answersList(registration)}
${historyTable(registration.history, true)}`,
    session,
  );
}
