// The app after the redirect: fhirclient exchanges the code (PKCE, no secret), then every read
// carries the access token. All calls are cross-origin; the platform answers them under CORS.
(async () => {
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const buttons = ['reload', 'refresh', 'revoke'].map($);
  let client;
  let firstClaimsUrl;
  let nextClaimsUrl;
  let pageNumber = 0;
  let refreshes = 0;

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle('error', isError);
  };
  const failure = (what, error) => {
    const code = error && (error.status || error.statusCode);
    const detail = error && error.message ? error.message.split('\n')[0] : String(error);
    return code ? `${what} failed: HTTP ${code} (${detail})` : `${what} failed: ${detail}`;
  };
  const setEntries = (list, pairs) => {
    list.replaceChildren(
      ...pairs.flatMap(([term, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = value ?? '—';
        return [dt, dd];
      }),
    );
  };
  const row = (cells, id) => {
    const tr = document.createElement('tr');
    if (id) tr.dataset.id = id;
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = cell ?? '—';
      tr.append(td);
    }
    return tr;
  };
  const period = (value) => (value ? `${value.start ?? '…'} – ${value.end ?? '…'}` : undefined);
  const codingText = (concept) => concept && (concept.text || (concept.coding ?? []).map((c) => c.display || c.code).filter(Boolean).join(', '));

  /** A short fingerprint of the access token, so a refresh is visible without showing the token. */
  async function fingerprint(token) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
    return Array.from(new Uint8Array(digest).slice(0, 6), (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  async function showSession() {
    const tokens = client.state.tokenResponse ?? {};
    const expiresAt = client.state.expiresAt ? new Date(client.state.expiresAt * 1000).toISOString() : undefined;
    setEntries($('session'), [
      ['FHIR server', client.state.serverUrl],
      ['Patient', client.patient.id],
      ['Scope', tokens.scope],
      ['Access token', tokens.access_token ? `sha256 ${await fingerprint(tokens.access_token)}…` : undefined],
      ['Expires', expiresAt],
      ['Refreshed', String(refreshes)],
    ]);
    $('session').dataset.token = tokens.access_token ? await fingerprint(tokens.access_token) : '';
  }

  async function loadPatient() {
    // The FHIR server lets browsers keep a member's reads privately; a reload asks the server again.
    const patient = await client.request({ url: `Patient/${encodeURIComponent(client.patient.id)}`, cache: 'no-store' });
    const name = (patient.name ?? [])[0];
    setEntries($('patient'), [
      ['Name', name ? name.text || [...(name.given ?? []), name.family].filter(Boolean).join(' ') : undefined],
      ['Id', patient.id],
      ['Birth date', patient.birthDate],
      ['Gender', patient.gender],
    ]);
    $('patient').dataset.id = patient.id;
  }

  async function loadCoverage() {
    // pageLimit 0: fhirclient follows every `next` link and returns the resources of all pages.
    const coverages = await client.request(`Coverage?beneficiary=${encodeURIComponent(client.patient.id)}`, { pageLimit: 0, flat: true });
    $('coverage')
      .querySelector('tbody')
      .replaceChildren(...coverages.map((coverage) => row([coverage.id, coverage.status, codingText(coverage.type), period(coverage.period)], coverage.id)));
  }

  async function loadClaims(url, number) {
    const bundle = await client.request(url);
    const entries = (bundle.entry ?? []).map((entry) => entry.resource).filter(Boolean);
    $('claims')
      .querySelector('tbody')
      .replaceChildren(
        ...entries.map((eob) => {
          const total = (eob.total ?? [])[0];
          const amount = total && total.amount ? `${total.amount.value} ${total.amount.currency ?? ''}`.trim() : undefined;
          return row([eob.id, codingText(eob.type), period(eob.billablePeriod), amount], eob.id);
        }),
      );
    nextClaimsUrl = (bundle.link ?? []).find((link) => link.relation === 'next')?.url;
    pageNumber = number;
    $('claims-summary').textContent = `Page ${number}: ${entries.length} claims${typeof bundle.total === 'number' ? ` of ${bundle.total}` : ''}.`;
    $('claims').dataset.page = String(number);
    $('next-page').disabled = !nextClaimsUrl;
    $('first-page').disabled = number === 1;
  }

  async function run(what, action) {
    buttons.forEach((button) => (button.disabled = true));
    try {
      await action();
      buttons.forEach((button) => (button.disabled = false));
    } catch (error) {
      say(failure(what, error), true);
      // fhirclient forgets a session the server refused: the member must launch again.
      if (client.state.tokenResponse && client.state.tokenResponse.access_token) buttons.forEach((button) => (button.disabled = false));
      $('next-page').disabled = true;
    }
  }

  async function revoke() {
    const base = client.state.serverUrl.replace(/\/+$/, '');
    const configuration = await (await fetch(`${base}/.well-known/smart-configuration`)).json();
    const tokens = client.state.tokenResponse;
    // RFC 7009: revoking the refresh token ends the grant, and with it every access token it issued.
    const [token, hint] = tokens.refresh_token ? [tokens.refresh_token, 'refresh_token'] : [tokens.access_token, 'access_token'];
    const response = await fetch(configuration.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: client.state.clientId }),
    });
    if (!response.ok) throw Object.assign(new Error(await response.text()), { status: response.status });
    say(`Access revoked at the authorization server (HTTP ${response.status}). The next FHIR call will be refused.`);
  }

  try {
    client = await FHIR.oauth2.ready();
    await showSession();
    await loadPatient();
    await loadCoverage();
    firstClaimsUrl = `ExplanationOfBenefit?patient=${encodeURIComponent(client.patient.id)}`;
    await loadClaims(firstClaimsUrl, 1);
    say('Signed in.');
    buttons.forEach((button) => (button.disabled = false));
  } catch (error) {
    say(failure('Loading your data', error), true);
    return;
  }

  $('next-page').addEventListener('click', () => run('Loading the next page', () => loadClaims(nextClaimsUrl, pageNumber + 1)));
  $('first-page').addEventListener('click', () => run('Loading the first page', () => loadClaims(firstClaimsUrl, 1)));
  $('reload').addEventListener('click', () =>
    run('Reading the patient', async () => {
      await loadPatient();
      say(`Patient read at ${new Date().toISOString()}.`);
    }),
  );
  $('refresh').addEventListener('click', () =>
    run('Refreshing the token', async () => {
      await client.refresh();
      refreshes += 1;
      await showSession();
      say('Token refreshed.');
    }),
  );
  $('revoke').addEventListener('click', () => run('Revoking access', revoke));
})();
