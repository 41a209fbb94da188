import { errorMessage, type EventsLogger } from '../events-logger';

/** The part of a `pg` client a listener needs. */
export interface NotificationClient {
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** A connection held for LISTEN: its client, a way to run a statement on it, and a way to give it back. */
export interface ListenConnection {
  readonly client: NotificationClient;
  query(sql: string): Promise<unknown>;
  /** Gives the connection back: to its pool, or ends it. */
  release(): Promise<void>;
}

export interface NotificationListenerOptions {
  /** Opens the connection to listen on. */
  connect(): Promise<ListenConnection>;
  /** The channel to listen on, which may depend on the connection (its schema). */
  channel(connection: ListenConnection): Promise<string> | string;
  onNotification(payload: string | undefined): void;
  /** Whether the owner still runs: a connection made after it stopped is given back, and a loss is reported only while it runs. */
  running(): boolean;
  logger: EventsLogger;
  /** What is logged, once per loss, when it stops listening. */
  lostMessage: string;
}

/**
 * LISTEN on one channel, so that commits wake their consumer at once, for the queue worker and the
 * PostgreSQL event log alike. A lost connection (the server restarted, the network dropped) is
 * dropped and reported once; `ensure`, which the owner calls on each pass of its polling (the
 * safety net), connects again. Failed reconnections while the database is away are not reported
 * again until one has succeeded.
 */
export class NotificationListener {
  private connection: ListenConnection | undefined;
  private lostReported = false;

  constructor(private readonly options: NotificationListenerOptions) {}

  get listening(): boolean {
    return this.connection !== undefined;
  }

  /** Listens, unless it already does; a failure leaves the owner polling. */
  async ensure(): Promise<void> {
    if (this.connection) return;
    await this.listen().catch((error: unknown) => this.lost(error));
  }

  /** Stops listening and gives the connection back. */
  async stop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    await connection.query('UNLISTEN *').catch(() => undefined);
    await connection.release().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const connection = await this.options.connect();
    try {
      const channel = await this.options.channel(connection);
      connection.client.on('notification', (message) => {
        if (message.channel === channel) this.options.onNotification(message.payload);
      });
      const lost = (error?: unknown) => {
        if (this.connection === connection) this.lost(error ?? new Error('connection ended'));
      };
      connection.client.on('error', lost);
      connection.client.on('end', lost);
      await connection.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (error) {
      await connection.release().catch(() => undefined);
      throw error;
    }
    if (!this.options.running()) {
      await connection.release().catch(() => undefined);
      return;
    }
    this.connection = connection;
    this.lostReported = false;
  }

  private lost(error: unknown): void {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) void connection.release().catch(() => undefined);
    if (this.options.running() && !this.lostReported) {
      this.lostReported = true;
      this.options.logger.warn(this.options.lostMessage, { error: errorMessage(error) });
    }
  }
}
