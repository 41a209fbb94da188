import { escapeHtml, renderPage } from './layout';

export function renderDisclaimerPage(action: string, clientName: string): string {
  return renderPage(
    'Disclaimer',
    `<h1>Before you continue</h1>
<p><strong>${escapeHtml(clientName)}</strong> is asking to access your health plan information through the Patient Access API.</p>
<p>The app is not operated by your health plan. Once you authorize it, the app's own privacy policy and terms govern how it uses,
shares and stores your information, and the plan is no longer responsible for that data. You can revoke the app's access at any time
from your connected apps page.</p>
<p>Your plan does not endorse any app. Review the app's privacy policy before you share your data.</p>
<form method="post" action="${escapeHtml(action)}">
  <div class="actions"><button type="submit" name="acknowledge" value="yes">I Understand</button></div>
</form>`,
  );
}
