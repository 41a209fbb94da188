import { CLIENT_ACTIONS, isClientAction } from './client-action';

describe('isClientAction', () => {
  it('knows the five actions behind the admin routes', () => {
    expect(CLIENT_ACTIONS).toEqual(['approve', 'reject', 'suspend', 'reinstate', 'terminate']);
  });

  it.each(['approve', 'reject', 'suspend', 'reinstate', 'terminate'])('accepts %s', (value) => {
    expect(isClientAction(value)).toBe(true);
  });

  // request-information is an admin route too, but it keeps the registration pending.
  it.each([['request-information'], ['Approve'], ['approved'], [''], [null], [42]])('rejects %j', (value) => {
    expect(isClientAction(value)).toBe(false);
  });
});
