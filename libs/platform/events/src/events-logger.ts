/**
 * What the events library logs through. Fields are metadata only (topic, partition, offset, outbox
 * id, error message): event values may hold client or member data and are never logged.
 */
export interface EventsLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type EventsLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<EventsLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One JSON line per entry on stderr, at or above `level`. */
export function consoleEventsLogger(level: EventsLogLevel = 'info', name = 'events'): EventsLogger {
  const write = (entryLevel: Exclude<EventsLogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[entryLevel] < RANK[level]) return;
    process.stderr.write(`${JSON.stringify({ level: entryLevel, time: new Date().toISOString(), logger: name, message, ...fields })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentEventsLogger: EventsLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The shape of Nest's `Logger`/`LoggerService`, without depending on Nest here. */
export interface NestLikeLogger {
  log(message: unknown, ...rest: unknown[]): void;
  warn(message: unknown, ...rest: unknown[]): void;
  error(message: unknown, ...rest: unknown[]): void;
  debug?(message: unknown, ...rest: unknown[]): void;
}

/** Routes events logs into a Nest logger (e.g. `new Logger('Events')`), fields appended as JSON. */
export function nestEventsLogger(logger: NestLikeLogger): EventsLogger {
  const format = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message;
  return {
    debug: (message, fields) => logger.debug?.(format(message, fields)),
    info: (message, fields) => logger.log(format(message, fields)),
    warn: (message, fields) => logger.warn(format(message, fields)),
    error: (message, fields) => logger.error(format(message, fields)),
  };
}

/** The message of anything thrown, without its stack or attached data. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
