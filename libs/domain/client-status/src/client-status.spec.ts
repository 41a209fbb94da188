import { CLIENT_STATUSES, ClientStatus, isActive, isClientStatus, revokesAccess } from './client-status';

describe('ClientStatus', () => {
  it('has the four statuses of the product, in lifecycle order', () => {
    expect(CLIENT_STATUSES).toEqual(['pending', 'approved', 'suspended', 'terminated']);
  });

  it.each<[ClientStatus, boolean, boolean]>([
    ['pending', false, false],
    ['approved', true, false],
    ['suspended', false, true],
    ['terminated', false, true],
  ])('%s: active %s, revokes access %s', (status, active, revokes) => {
    expect(isActive(status)).toBe(active);
    expect(revokesAccess(status)).toBe(revokes);
  });
});

describe('isClientStatus', () => {
  it.each(['pending', 'approved', 'suspended', 'terminated'])('accepts %s', (status) => {
    expect(isClientStatus(status)).toBe(true);
  });

  it.each([['Approved'], ['APPROVED'], [' approved'], ['active'], [''], [null], [undefined], [1], [{}]])(
    'rejects %j',
    (value) => {
      expect(isClientStatus(value)).toBe(false);
    },
  );
});
