import { escapeHtml, renderPage } from './layout';

export interface ConsentPageModel {
  action: string;
  clientName: string;
  companyName?: string;
  policyUri?: string;
  logoUri?: string;
  /** Plain-language lines, one per kind of data or permission asked for. */
  requested: string[];
  actingAs: string;
  /** HTML from describeAccessEnd: how long the access lasts ("until <date>", "one time only"...). */
  accessEnd: string;
}

export function renderConsentPage(model: ConsentPageModel): string {
  const company = model.companyName ? ` by <strong>${escapeHtml(model.companyName)}</strong>` : '';
  const policy = model.policyUri
    ? `<p><a href="${escapeHtml(model.policyUri)}" rel="noopener noreferrer" target="_blank">Read ${escapeHtml(model.clientName)}'s privacy policy (opens in a new tab)</a></p>`
    : '<p>This app has not published a privacy policy link.</p>';
  return renderPage(
    'Authorization',
    `<h1>Authorization / Consent</h1>
<p><strong>${escapeHtml(model.clientName)}</strong>${company} is asking for access to the following information ${escapeHtml(model.actingAs)}:</p>
<ul class="scopes">${model.requested.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
${policy}
<form method="post" action="${escapeHtml(model.action)}">
  <fieldset>
    <legend>Demographic data</legend>
    <div class="choice"><input type="checkbox" id="withholdDemographics" name="withholdDemographics" value="yes">
      <label for="withholdDemographics">Withhold my demographic data (name, address, birth date, gender, race and ethnicity) from this app</label></div>
    <p class="hint">By default all data, including demographic data, is shared. To change this choice later, authorize the app again.</p>
  </fieldset>
  <fieldset>
    <legend>Sensitive data</legend>
    <div class="choice"><input type="checkbox" id="withholdSensitive" name="withholdSensitive" value="yes">
      <label for="withholdSensitive">Withhold my sensitive data (substance use disorder treatment records protected by 42 CFR Part 2, HIV, mental health and reproductive health records) from this app</label></div>
    <p class="hint">By default sensitive data is shared too. Records your health plan marks as sensitive are then left out of everything this app receives.</p>
  </fieldset>
  <p class="access-end">This app will have access ${model.accessEnd}.</p>
  <p>By selecting "I Agree" you authorize the app to access this information; you can revoke it at any time from your connected apps.</p>
  <div class="actions">
    <button type="submit" name="decision" value="agree">I Agree</button>
    <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
  </div>
</form>`,
  );
}
