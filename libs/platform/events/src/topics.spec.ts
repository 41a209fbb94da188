import { GRANT_REVOKED_TOPIC } from '@payer-access/client-status';
import { platformTopicSpecs, reconciledTopicConfig, REVOCATION_RETENTION_MARGIN_MS, type TopicSpec } from './topics';

describe('platform topics', () => {
  function revocations(ttl?: number): TopicSpec {
    const spec = platformTopicSpecs(ttl === undefined ? {} : { accessTokenTtlSeconds: ttl }).find((each) => each.name === GRANT_REVOKED_TOPIC);
    if (!spec) throw new Error(`no ${GRANT_REVOKED_TOPIC} spec`);
    return spec;
  }

  it('keeps revocations one access-token lifetime and a margin, from the platform setting', () => {
    expect(revocations(7200).config['retention.ms']).toBe(String(7_200_000 + REVOCATION_RETENTION_MARGIN_MS));
    expect(revocations().config['retention.ms']).toBe(String(3_600_000 + REVOCATION_RETENTION_MARGIN_MS));
  });

  it.each([
    ['a longer current retention stays', '9000000', '9000000'],
    ['a shorter current retention grows', '60000', String(3_600_000 + REVOCATION_RETENTION_MARGIN_MS)],
    ['forever stays forever', '-1', '-1'],
    ['an unreadable value is replaced', 'abc', String(3_600_000 + REVOCATION_RETENTION_MARGIN_MS)],
  ])('never shrinks a retention: %s', (_label, current, expected) => {
    const spec = revocations();
    const config = reconciledTopicConfig(spec, new Map([['retention.ms', current], ['segment.ms', '1']]));
    expect(config['retention.ms']).toBe(expected);
    expect(config['segment.ms']).toBe(spec.config['segment.ms']);
  });
});
