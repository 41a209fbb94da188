import { describeAccessEnd, formatAccessEnd } from './access-end.text';

describe('describeAccessEnd', () => {
  const end = new Date('2027-12-31T23:30:00.000Z');

  it('names the end date in UTC, with the exact instant for machines', () => {
    expect(describeAccessEnd('thirteen_month', end)).toBe('until <time datetime="2027-12-31T23:30:00.000Z">December 31, 2027</time>');
  });

  it('says one time only for a one-time grant, with its end once its token is issued', () => {
    expect(describeAccessEnd('one_time', null)).toBe('one time only');
    expect(describeAccessEnd('one_time', end)).toContain('one time only, until <time');
  });

  it('says until revoked for a grant without end', () => {
    expect(describeAccessEnd('research', null)).toBe('until you revoke it');
  });

  it('formats in UTC whatever the server time zone', () => {
    expect(formatAccessEnd(new Date('2028-03-01T00:30:00Z'))).toBe('March 1, 2028');
  });
});
