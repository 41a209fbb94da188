import { createHash } from 'node:crypto';
import type { PortalSession } from '../server/session-store';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The member pages' look (authorization service), widened for tables. */
const STYLES = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5561;--brand:#0b5cad;--line:#c9d1da;--bg:#f4f6f8;--danger:#a4262c;--ok:#1e6b34;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--brand);color:#fff;padding:.75rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header p{margin:0;font-weight:600}
header nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a{color:#fff}
header form{margin:0}
header button{padding:.3rem .8rem;background:#fff;color:var(--brand)}
main{max-width:60rem;margin:2rem auto;background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.5rem;margin-top:0}
h2{font-size:1.2rem;margin-top:2rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=email],input[type=url],input[type=tel],input[type=password],select,textarea{width:100%;padding:.55rem;border:1px solid var(--muted);border-radius:4px;font:inherit}
textarea{min-height:5rem}
fieldset{border:1px solid var(--line);border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0}
.choice label{margin:0;font-weight:400}
.inline{display:flex;flex-wrap:wrap;gap:1.5rem}
.actions{display:flex;gap:.75rem;margin-top:1.5rem;flex-wrap:wrap;align-items:center}
button,.button{font:inherit;padding:.6rem 1.4rem;border-radius:4px;border:2px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--brand)}
button.danger{background:var(--danger);border-color:var(--danger)}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.error{border-left:4px solid var(--danger);background:#fdf3f4;padding:.5rem .75rem;color:var(--danger)}
.field-error{color:var(--danger);font-size:.95rem;margin:.25rem 0 0}
[aria-invalid=true]{border-color:var(--danger)!important;border-width:2px!important}
.notice{border-left:4px solid var(--brand);background:#eef5fc;padding:.5rem .75rem}
.warning{border-left:4px solid var(--warn);background:#fff7e6;padding:.5rem .75rem}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0}
.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-weight:600;font-size:.9rem;border:1px solid currentColor}
.status-approved{color:var(--ok)}.status-pending{color:var(--brand)}.status-suspended{color:var(--warn)}.status-terminated{color:var(--danger)}
.overdue{background:#fdf3f4}
.overdue-label{color:var(--danger);font-weight:700}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
dl{display:grid;grid-template-columns:minmax(10rem,16rem) 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.05rem;background:var(--bg);border:1px solid var(--line);padding:.5rem;overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end;margin-bottom:1rem}.filters label{margin-top:0}
.thread{list-style:none;padding:0;margin:0}.message{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.5rem 0}.message-staff{background:#eef5fc}.message-body{margin:.25rem 0 0;overflow-wrap:anywhere}.tag{color:var(--warn);font-weight:600}
.pager{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin-top:1rem}
@media (max-width:40rem){main{margin:0;border:0;border-radius:0;padding:1rem}dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}
`;

/**
 * The stylesheet is inline and allowed by its hash; the one script is a file of this origin (no
 * inline script, no other origin), and forms post only back here.
 */
const STYLE_HASH = createHash('sha256').update(STYLES).digest('base64');
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; script-src 'self'; img-src 'self'; connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** The copy button's behaviour: a file, so that the CSP needs no inline script. */
export const PORTAL_SCRIPT = `document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy'));
  var status = document.getElementById(button.getAttribute('data-copy') + '-status');
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    if (status) status.textContent = 'Copied to the clipboard.';
  }, function () {
    if (status) status.textContent = 'Copying failed: select the text and copy it by hand.';
  });
});
`;

export function renderPage(title: string, body: string, session?: PortalSession): string {
  const account = session?.account;
  const nav = account
    ? `<nav aria-label="Portal">
${account.kind === 'staff' ? '<a href="/admin">Review queue</a>' : '<a href="/registrations">My registrations</a>'}
<a href="/account">${escapeHtml(account.email)}</a>
<form method="post" action="/logout">${csrfField(session)}<button type="submit">Log out</button></form>
</nav>`
    : '<nav aria-label="Portal"><a href="/login">Log in</a><a href="/signup">Sign up</a></nav>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Registration portal</title>
<style>${STYLES}</style>
<script src="/assets/portal.js" defer></script>
</head>
<body>
<header><p>API Access Registration Portal</p>${nav}</header>
<main id="main">
${session?.flash ? `<p class="notice" role="status">${escapeHtml(session.flash)}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export function csrfField(session: PortalSession | undefined): string {
  return session ? `<input type="hidden" name="_csrf" value="${escapeHtml(session.csrf)}">` : '';
}

export function errorBox(messages: string | string[] | undefined): string {
  const list = (Array.isArray(messages) ? messages : messages ? [messages] : []).filter(Boolean);
  if (list.length === 0) return '';
  if (list.length === 1) return `<p class="error" role="alert" id="form-error">${escapeHtml(list[0])}</p>`;
  return `<div class="error" role="alert" id="form-error"><ul>${list.map((each) => `<li>${escapeHtml(each)}</li>`).join('')}</ul></div>`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
