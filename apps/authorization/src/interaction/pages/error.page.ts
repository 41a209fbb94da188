import { escapeHtml, renderPage } from './layout';

/**
 * Shown instead of redirecting when the client or redirect URI cannot be trusted
 * (RFC 6749 §4.1.2.1): the error stays on our page.
 */
export function renderErrorPage(error: string, description?: string): string {
  return renderPage(
    'Error',
    `<h1>We could not continue</h1>
<p class="error" role="alert"><strong>${escapeHtml(error)}</strong>${description ? `: ${escapeHtml(description)}` : ''}</p>
<p>Please return to the app you came from and try again. If the problem persists, contact the app's support.</p>`,
  );
}
