import { EventEmitter } from 'node:events';
import type { EventsLogger } from '../events-logger';
import { NotificationListener, type ListenConnection } from './notification-listener';

class FakeConnection extends EventEmitter implements ListenConnection {
  readonly statements: string[] = [];
  released = false;
  get client() {
    return this;
  }
  async query(sql: string): Promise<unknown> {
    this.statements.push(sql);
    return [];
  }
  async release(): Promise<void> {
    this.released = true;
  }
}

function setUp(options: { failConnects?: number } = {}) {
  const connections: FakeConnection[] = [];
  let failures = options.failConnects ?? 0;
  let running = true;
  const payloads: (string | undefined)[] = [];
  const logger: EventsLogger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const listener = new NotificationListener({
    connect: async () => {
      if (failures > 0) {
        failures--;
        throw new Error('connection refused');
      }
      const connection = new FakeConnection();
      connections.push(connection);
      return connection;
    },
    channel: () => 'my"channel',
    onNotification: (payload) => payloads.push(payload),
    running: () => running,
    logger,
    lostMessage: 'not listening',
  });
  return { listener, connections, payloads, logger, stopRunning: () => (running = false) };
}

describe(NotificationListener.name, () => {
  it('listens on its channel (quoted) and passes on only its notifications', async () => {
    const { listener, connections, payloads } = setUp();
    await listener.ensure();
    expect(listener.listening).toBe(true);
    expect(connections[0].statements).toEqual(['LISTEN "my""channel"']);
    connections[0].emit('notification', { channel: 'other', payload: 'x' });
    connections[0].emit('notification', { channel: 'my"channel', payload: 'topic-a' });
    expect(payloads).toEqual(['topic-a']);
    await listener.ensure();
    expect(connections).toHaveLength(1);
  });

  it('drops a lost connection, says so once, and listens again on the next ensure', async () => {
    const { listener, connections, logger } = setUp();
    await listener.ensure();
    connections[0].emit('error', new Error('terminating connection'));
    connections[0].emit('end');
    expect(listener.listening).toBe(false);
    expect(connections[0].released).toBe(true);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('not listening', { error: 'Error: terminating connection' });
    await listener.ensure();
    expect(listener.listening).toBe(true);
    expect(connections).toHaveLength(2);
  });

  it('reports failed reconnections once until one succeeds', async () => {
    const { listener, logger } = setUp({ failConnects: 3 });
    for (let attempt = 0; attempt < 3; attempt++) await listener.ensure();
    expect(listener.listening).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    await listener.ensure();
    expect(listener.listening).toBe(true);
  });

  it('stops: UNLISTEN, then gives the connection back; a connection made after its owner stopped is given back at once', async () => {
    const { listener, connections, stopRunning, logger } = setUp();
    await listener.ensure();
    await listener.stop();
    expect(connections[0].statements.at(-1)).toBe('UNLISTEN *');
    expect(connections[0].released).toBe(true);
    stopRunning();
    await listener.ensure();
    expect(listener.listening).toBe(false);
    expect(connections[1].released).toBe(true);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
