import { isUnknownTopic } from './kafka-event-bus';

describe(isUnknownTopic.name, () => {
  it("recognizes the broker's answer for a topic it does not host yet", () => {
    // kafkajs names protocol errors after the broker's error code (3: UNKNOWN_TOPIC_OR_PARTITION).
    expect(isUnknownTopic(Object.assign(new Error('protocol error'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }))).toBe(true);
    expect(isUnknownTopic(new Error('This server does not host this topic-partition'))).toBe(true);
    expect(isUnknownTopic(Object.assign(new Error('no leader'), { type: 'LEADER_NOT_AVAILABLE' }))).toBe(true);
  });

  it('leaves every other failure to the caller', () => {
    expect(isUnknownTopic(new Error('Connection refused'))).toBe(false);
    expect(isUnknownTopic(undefined)).toBe(false);
  });
});
