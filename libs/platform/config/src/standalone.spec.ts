import { standaloneProblems } from './load-config';

describe(standaloneProblems.name, () => {
  it('asks a production process for its database and its brokers', () => {
    expect(standaloneProblems({})).toEqual([
      'DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)',
      'KAFKA_BROKERS is required in the production profile (client events must reach the other services)',
    ]);
    expect(standaloneProblems({ PROFILE: 'production', DATABASE_URL: 'postgres://db/app', KAFKA_BROKERS: ' ' })).toHaveLength(1);
  });

  it('lets a sandbox process, or one that carries no events, run without brokers', () => {
    expect(standaloneProblems({ PROFILE: 'sandbox', DATABASE_URL: 'postgres://db/app' })).toEqual([]);
    expect(standaloneProblems({ DATABASE_URL: 'postgres://db/app' }, { events: false })).toEqual([]);
  });
});
