import type { Admin } from 'kafkajs';
import type { EventsMetrics } from '../events-metrics';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { consumerRetry } from './kafka-event-bus';

describe('a closed subscription leaves nothing running', () => {
  it('lets kafkajs restart a crashed consumer only while the subscription is open', async () => {
    const closing = new AbortController();
    const retry = consumerRetry(closing.signal);
    await expect(retry.restartOnFailure?.(new Error('broker away'))).resolves.toBe(true);
    closing.abort();
    await expect(retry.restartOnFailure?.(new Error('broker away'))).resolves.toBe(false);
  });

  it('stops the lag monitor for good: a late group join neither refreshes nor asks for an admin client', async () => {
    const admin = jest.fn(async () => ({ fetchTopicOffsets: async () => [], fetchOffsets: async () => [] }) as unknown as Admin);
    const metrics: EventsMetrics = { consumerLag: jest.fn(), forgetConsumerLag: jest.fn(), outboxBacklog: jest.fn() };
    const monitor = new ConsumerLagMonitor({ topic: 't', groupId: 'g', fromBeginning: true }, metrics, admin, 60_000);
    monitor.assign([0]);
    await monitor.refresh();
    const before = admin.mock.calls.length;
    expect(before).toBeGreaterThan(0);
    monitor.stop();
    // A consumer kafkajs restarted after the close joins its group again.
    monitor.assign([0]);
    await monitor.refresh();
    expect(admin.mock.calls.length).toBe(before);
    // No refresh timer was started again: nothing is left to keep the process alive.
    expect((monitor as unknown as { timer?: NodeJS.Timeout }).timer).toBeUndefined();
  });
});
