import { errorBox, escapeHtml, renderPage } from './layout';

export function renderLoginPage(action: string, options: { error?: string; username?: string; sandbox: boolean }): string {
  return renderPage(
    'Log in',
    `<h1>Member login</h1>
${errorBox(options.error)}
<form method="post" action="${escapeHtml(action)}" novalidate>
  <label for="username">User name</label>
  <input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? '')}"${options.error ? ' aria-describedby="form-error" aria-invalid="true"' : ''} autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required${options.error ? ' aria-describedby="form-error" aria-invalid="true"' : ''}>
  <div class="actions"><button type="submit">Log in</button></div>
</form>
${options.sandbox ? '<p class="hint">Sandbox: use one of the synthetic beneficiary accounts, BCNCUser03 to BCNCUser06 with password BCNCPSWD03 to BCNCPSWD06.</p>' : ''}`,
  );
}
