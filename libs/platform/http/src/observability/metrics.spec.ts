import { ServiceMetrics } from './metrics';

describe(ServiceMetrics.name, () => {
  it('shows consumer lag per partition read here, and drops a partition no longer read', async () => {
    const sut = new ServiceMetrics('probe');
    expect(await sut.registry.metrics()).toContain('# HELP kafka_consumer_lag ');

    sut.consumerLag({ topic: 'registration.client.changed.v1', group: 'fhir.client-status', partition: 0 }, 12);
    sut.consumerLag({ topic: 'registration.client.changed.v1', group: 'fhir.client-status', partition: 1 }, 0);
    sut.forgetConsumerLag({ topic: 'registration.client.changed.v1', group: 'fhir.client-status', partition: 1 });

    const text = await sut.registry.metrics();
    expect(text).toContain('kafka_consumer_lag{topic="registration.client.changed.v1",group="fhir.client-status",partition="0",service="probe"} 12');
    expect(text).not.toContain('partition="1"');
  });

  it('counts the outbox backlog at each collection, and still answers when the count fails', async () => {
    const sut = new ServiceMetrics('probe');
    expect(await sut.registry.metrics()).not.toContain('outbox_pending_events');
    let backlog: number | Error = 3;
    sut.outboxBacklog(async () => {
      if (backlog instanceof Error) throw backlog;
      return backlog;
    });

    expect(await sut.registry.metrics()).toContain('outbox_pending_events{service="probe"} 3');
    backlog = 0;
    expect(await sut.registry.metrics()).toContain('outbox_pending_events{service="probe"} 0');
    backlog = new Error('database unreachable');
    expect(await sut.registry.metrics()).toContain('outbox_pending_events{service="probe"} 0');
  });

  it('counts dead-lettered events by topic and reason', async () => {
    const sut = new ServiceMetrics('probe');
    sut.deadLettered('registration.client.changed.v1', 'bad_signature');
    sut.deadLettered('registration.client.changed.v1', 'bad_signature');
    sut.deadLettered('authorization.grant.revoked.v1', 'unparsable');
    const text = await sut.registry.metrics();
    expect(text).toContain('events_dead_lettered_total{topic="registration.client.changed.v1",reason="bad_signature",service="probe"} 2');
    expect(text).toContain('events_dead_lettered_total{topic="authorization.grant.revoked.v1",reason="unparsable",service="probe"} 1');
  });
});
