import { createHash } from 'node:crypto';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLES = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5561;--brand:#0b5cad;--line:#c9d1da;--bg:#f4f6f8;--danger:#a4262c}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--brand);color:#fff;padding:.75rem 1.25rem}
header p{margin:0;font-weight:600}
main{max-width:40rem;margin:2rem auto;background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.5rem;margin-top:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],select{width:100%;padding:.55rem;border:1px solid var(--muted);border-radius:4px;font:inherit}
fieldset{border:1px solid var(--line);border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0}
.choice label{margin:0;font-weight:400}
.actions{display:flex;gap:.75rem;margin-top:1.5rem;flex-wrap:wrap}
button{font:inherit;padding:.6rem 1.4rem;border-radius:4px;border:2px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--brand)}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.error{border-left:4px solid var(--danger);background:#fdf3f4;padding:.5rem .75rem;color:var(--danger)}
.hint{color:var(--muted);font-size:.9rem}
ul.scopes{padding-left:1.25rem}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
.representative{display:block}
form:not(:has(#acting-representative:checked)) .representative{display:none}
form:not(:has(#relationship-other:checked)) .relationship-other{display:none}
`;

/**
 * The stylesheet is inline, so the CSP allows exactly it by hash and nothing else. No
 * `form-action`: browsers apply it to the redirects that follow a form post, and the consent
 * form ends in a redirect to the app's registered redirect URI, whatever its origin or scheme.
 */
const STYLE_HASH = createHash('sha256').update(STYLES).digest('base64');
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'`;

/** The headers of every member page, error pages included: never cached, framed nor referred from. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': PAGE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Member authorization</title>
<style>${STYLES}</style>
</head>
<body>
<header><p>Member API Access</p></header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

export function errorBox(message: string | undefined): string {
  return message ? `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>` : '';
}
