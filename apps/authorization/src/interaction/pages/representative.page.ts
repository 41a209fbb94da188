import { RELATIONSHIPS } from '../../grants/member-grant.entity';
import { RELATIONSHIP_LABELS } from '../../grants/member-grants.service';
import { errorBox, escapeHtml, renderPage } from './layout';

export interface RepresentativeForm {
  actingAs?: string;
  relationship?: string;
  relationshipText?: string;
  representativeName?: string;
}

export function renderRepresentativePage(action: string, form: RepresentativeForm, error?: string): string {
  const checked = (condition: boolean) => (condition ? ' checked' : '');
  const relationships = RELATIONSHIPS.map(
    (value) => `<div class="choice"><input type="radio" id="relationship-${value === 'other' ? 'other' : value}" name="relationship" value="${value}"${checked(form.relationship === value)}>
      <label for="relationship-${value === 'other' ? 'other' : value}">${escapeHtml(RELATIONSHIP_LABELS[value])}</label></div>`,
  ).join('\n');
  return renderPage(
    'Who is authorizing',
    `<h1>Who is authorizing this app?</h1>
${errorBox(error)}
<form method="post" action="${escapeHtml(action)}">
  <fieldset>
    <legend>I am accessing data for</legend>
    <div class="choice"><input type="radio" id="acting-self" name="actingAs" value="self"${checked(form.actingAs !== 'representative')}>
      <label for="acting-self">Self</label></div>
    <div class="choice"><input type="radio" id="acting-representative" name="actingAs" value="representative"${checked(form.actingAs === 'representative')}>
      <label for="acting-representative">Personal Representative</label></div>
  </fieldset>
  <div class="representative">
    <fieldset>
      <legend>Your relationship to the member</legend>
      ${relationships}
    </fieldset>
    <div class="relationship-other">
      <label for="relationshipText">Relationship to the member</label>
      <input type="text" id="relationshipText" name="relationshipText" maxlength="200" value="${escapeHtml(form.relationshipText ?? '')}">
    </div>
    <label for="representativeName">Your full name</label>
    <input type="text" id="representativeName" name="representativeName" autocomplete="name" maxlength="200" value="${escapeHtml(form.representativeName ?? '')}">
    <p class="hint">Required when you act as a Personal Representative.</p>
  </div>
  <div class="actions"><button type="submit">Next</button></div>
</form>`,
  );
}
