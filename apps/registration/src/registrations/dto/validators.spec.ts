import { isWebUrl, redirectUriProblem } from './validators';

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
