import { SessionStore } from '../server/session-store';
import { filterQuery } from './admin-pages';
import { bodyOf, valuesOf } from './registration-form';
import { threadCursor, threadSection, type ThreadPage } from './thread';

const page: ThreadPage = {
  items: [
    { id: '1', kind: 'information_request', authorRole: 'admin', authorEmail: 'reviewer@plan.example', body: 'Which <b>section</b>?', at: '2026-11-24T09:30:00.000Z' },
    { id: '2', kind: 'message', authorRole: 'owner', authorEmail: 'dev@acme.example', body: 'Section 4.\nSee page 2.', at: '2026-11-24T10:00:00.000Z' },
  ],
  olderCursor: '17',
  total: 22,
};

describe(threadSection.name, () => {
  const session = new SessionStore().createAnonymous();

  it('names staff by role for owners, escapes the text, keeps line breaks and links to older messages', () => {
    const html = threadSection(session, { page, action: '/registrations/r/messages', pagePath: '/registrations/r', staffView: false });
    expect(html).toContain('<strong>Plan staff</strong>');
    expect(html).toContain('<strong>You</strong>');
    expect(html).not.toContain('reviewer@plan.example');
    expect(html).toContain('Which &#60;b&#62;section&#60;/b&#62;?');
    expect(html).toContain('Section 4.<br>See page 2.');
    expect(html).toContain('href="/registrations/r?before=17#thread"');
    expect(html).toContain('Information request');
    expect(html).toContain(`value="${session.csrf}"`);
  });

  it('shows staff the authors’ emails, and a refusal beside the text box with the text kept', () => {
    const html = threadSection(session, { page: { ...page, olderCursor: null }, action: '/admin/registrations/r/messages', pagePath: '/admin/registrations/r', staffView: true, body: 'a "quoted" <draft>', errors: ['body must not be blank'] });
    expect(html).toContain('reviewer@plan.example');
    expect(html).toContain('Owner (dev@acme.example)');
    expect(html).not.toContain('?before=');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('id="f-thread-body-error">body must not be blank');
    expect(html).toContain('a &#34;quoted&#34; &#60;draft&#62;</textarea>');
  });

  it('says so when the thread could not be read', () => {
    expect(threadSection(session, { page: null, action: '/x', pagePath: '/x', staffView: false })).toContain('The messages could not be read.');
  });
});

describe(threadCursor.name, () => {
  it.each([['17', '17'], ['0', undefined], ['-1', undefined], ['1e3', undefined], ['99999999999999999999', undefined], [null, undefined]])('%j → %j', (value, expected) => {
    expect(threadCursor(value)).toBe(expected);
  });
});

describe('queue filter links', () => {
  it('keep the filters and add the page', () => {
    expect(filterQuery({ kind: 'payer', minAgeDays: '30' }, { page: '2' })).toBe('?kind=payer&minAgeDays=30&page=2');
    expect(filterQuery({})).toBe('');
  });
});

describe('payer keys on the form', () => {
  it('sends an inline key set as JSON, text that is not JSON as it is (the API names the problem), and shows a stored set as JSON', () => {
    expect(bodyOf('payer', { jwks: '{"keys":[{"kty":"EC"}]}' }).jwks).toEqual({ keys: [{ kty: 'EC' }] });
    expect(bodyOf('payer', { jwks: '{ not json' }).jwks).toBe('{ not json');
    expect(bodyOf('payer', { jwks: '  ', jwksUri: '' })).not.toHaveProperty('jwks');
    expect(bodyOf('payer', { jwksUri: ' https://payer.example/jwks.json ' }).jwksUri).toBe('https://payer.example/jwks.json');
    expect(valuesOf({ jwks: { keys: [{ kty: 'EC' }] } }).jwks).toBe('{\n  "keys": [\n    {\n      "kty": "EC"\n    }\n  ]\n}');
  });
});
