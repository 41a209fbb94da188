import type { PortalSession } from '../server/session-store';
import { csrfField, escapeHtml, formatDate } from './layout';

export interface ThreadMessage {
  id: string;
  kind: string;
  authorRole: string;
  authorEmail: string | null;
  body: string;
  at: string;
}

/** One page of a registration's thread, as `GET .../messages` answers it. */
export interface ThreadPage {
  items: ThreadMessage[];
  olderCursor: string | null;
  total: number;
}

export interface ThreadView {
  page: ThreadPage | null;
  /** Where the form posts. */
  action: string;
  /** The page itself, for the "older messages" link. */
  pagePath: string;
  staffView: boolean;
  /** What the visitor wrote, kept after a refusal. */
  body?: string;
  errors?: string[];
}

/** Only a cursor the API gave: anything else reads the newest page. */
export function threadCursor(value: string | null): string | undefined {
  return value && /^[1-9][0-9]{0,17}$/.test(value) ? value : undefined;
}

function author(message: ThreadMessage, staffView: boolean): string {
  if (staffView) return message.authorRole === 'admin' ? (message.authorEmail ?? 'Plan staff') : `Owner (${message.authorEmail ?? 'unknown'})`;
  return message.authorRole === 'admin' ? 'Plan staff' : 'You';
}

/** The conversation between the owner and plan staff, oldest first, with the reply form under it. */
export function threadSection(session: PortalSession, view: ThreadView): string {
  const page = view.page;
  const messages = (page?.items ?? [])
    .map(
      (message) => `<li class="message message-${message.authorRole === 'admin' ? 'staff' : 'owner'}">
<p class="hint"><strong>${escapeHtml(author(message, view.staffView))}</strong> · ${formatDate(message.at)}${message.kind === 'information_request' ? ' · <span class="tag">Information request</span>' : ''}</p>
<p class="message-body">${escapeHtml(message.body).replace(/\r?\n/g, '<br>')}</p>
</li>`,
    )
    .join('\n');
  const errors = view.errors ?? [];
  const label = view.staffView ? 'Message to the owner' : 'Message to plan staff';
  return `<section aria-labelledby="thread-heading" id="thread">
<h2 id="thread-heading">Messages${page && page.total > 0 ? ` <span class="hint">(${page.total})</span>` : ''}</h2>
${page === null ? '<p class="error">The messages could not be read.</p>' : ''}
${page?.olderCursor ? `<p><a href="${escapeHtml(view.pagePath)}?before=${escapeHtml(page.olderCursor)}#thread">Older messages</a></p>` : ''}
${messages ? `<ol class="thread">${messages}</ol>` : page ? '<p class="hint">No messages yet.</p>' : ''}
<form method="post" action="${escapeHtml(view.action)}" novalidate>
${csrfField(session)}
<label for="f-thread-body">${label}</label>
<p class="hint" id="f-thread-body-hint">${view.staffView ? 'The contact is notified by email.' : 'Plan staff are notified by email. A reply to an information request restarts the review clock.'}</p>
<textarea id="f-thread-body" name="body" required aria-describedby="f-thread-body-hint${errors.length ? ' f-thread-body-error' : ''}"${errors.length ? ' aria-invalid="true"' : ''}>${escapeHtml(view.body ?? '')}</textarea>
${errors.length ? `<p class="field-error" id="f-thread-body-error">${errors.map(escapeHtml).join('<br>')}</p>` : ''}
<div class="actions"><button type="submit">Send message</button></div>
</form>
</section>`;
}
