// Standalone launch (SMART App Launch 2): fhirclient discovers the endpoints at the FHIR base,
// then sends the member to the plan's authorization page with PKCE S256 and `aud`.
(async () => {
  const button = document.getElementById('launch');
  const failure = document.getElementById('launch-error');
  try {
    const config = await (await fetch('config.json')).json();
    document.getElementById('iss').textContent = config.iss;
    button.disabled = false;
    button.addEventListener('click', () => {
      button.disabled = true;
      FHIR.oauth2
        .authorize({ iss: config.iss, clientId: config.clientId, scope: config.scope, redirectUri: 'app.html' })
        .catch((error) => {
          failure.textContent = `The launch failed: ${error.message}`;
          failure.hidden = false;
          button.disabled = false;
        });
    });
  } catch (error) {
    failure.textContent = `The app's settings could not be read: ${error.message}`;
    failure.hidden = false;
  }
})();
