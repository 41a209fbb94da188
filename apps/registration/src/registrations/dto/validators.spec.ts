import { isWebUrl, MESSAGE_MAX_LENGTH, messageTextProblem, redirectUriProblem } from './validators';

describe('redirect URI rules', () => {
  it.each([
    ['https://oidcdebugger.com/debug', 'confidential'],
    ['https://app.example/callback?x=1', 'confidential'],
    ['http://127.0.0.1:8080/callback', 'public'],
    ['http://[::1]:53000/cb', 'public'],
    ['com.example.app:/callback', 'public'],
    ['com.example.app:/oauth2redirect/example-provider', 'public'],
  ])('accepts %s for a %s client', (uri, type) => {
    expect(redirectUriProblem(uri, type)).toBeUndefined();
  });

  it.each([
    ['https://app.example/cb#frag', 'confidential', 'fragment'],
    ['http://app.example/cb', 'confidential', 'invalid'],
    ['http://localhost:8080/cb', 'public', 'invalid'],
    ['/relative/callback', 'confidential', 'invalid'],
    ['myapp:/callback', 'public', 'invalid'],
    ['javascript:alert(1)', 'public', 'invalid'],
    ['https://user:pw@app.example/cb', 'confidential', 'invalid'],
    ['com.example.app:/callback', 'confidential', 'private_use_confidential'],
    [42, 'confidential', 'invalid'],
  ])('refuses %s for a %s client (%s)', (uri, type, problem) => {
    expect(redirectUriProblem(uri, type)).toBe(problem);
  });
});

describe(isWebUrl.name, () => {
  it.each([
    ['https://acme.example/privacy', true],
    ['http://localhost:3000/privacy', true],
    ['http://127.0.0.1/terms', true],
    ['http://acme.example/privacy', false],
    ['ftp://acme.example/privacy', false],
    ['acme.example', false],
  ])('%s → %s', (url, expected) => {
    expect(isWebUrl(url)).toBe(expected);
  });
});

describe(messageTextProblem.name, () => {
  it.each([
    ['Which section of the privacy policy covers data sales?'],
    ['Line one\r\nLine two\twith a tab'],
    ['Ω≈ç√∫ — “quotes”, emoji 😀 and a family 👨\u200d👩\u200d👧'],
    ['نص عربي'],
    ['x'.repeat(MESSAGE_MAX_LENGTH)],
  ])('accepts %j', (text) => {
    expect(messageTextProblem(text)).toBeUndefined();
  });

  it.each([
    [42, 'must be a string'],
    ['', 'must not be blank'],
    [' \n\t ', 'must not be blank'],
    ['x'.repeat(MESSAGE_MAX_LENGTH + 1), 'must be at most 5000 characters'],
    ['a\u0000b', 'control characters'],
    ['bell\u0007', 'control characters'],
    ['c1 \u0085 next line', 'control characters'],
    ['lone \ud800 surrogate', 'lone surrogates'],
    ['\u202eevil\u202c', 'bidirectional'],
    ['isolate \u2066x\u2069', 'bidirectional'],
    ['zero\u200bwidth', 'invisible formatting'],
    ['\ufeffBOM', 'invisible formatting'],
    ['private \ue000 use', 'private-use'],
    ['nonchar \ufdd0', 'unassigned'],
    ['unassigned \u{e0080}', 'unassigned'],
  ])('refuses %j: %s', (text, problem) => {
    expect(messageTextProblem(text)).toContain(problem);
  });
});
