import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';

const NEST_TO_PINO: Record<LogLevel, pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's logger as one JSON object per line (pino), for log pipelines. Only what code passes
 * as a message is written: request logs name the route pattern, never the path with its ids,
 * the query, the headers or a body, so tokens and health data stay out of the logs.
 *
 * Lines go to stdout asynchronously (pino's `sync: false` destination): a line is written at once
 * when no write is in flight, and lines logged meanwhile go out together in the next write, so a
 * busy service makes a few writes rather than one system call per request line. What is still
 * buffered at exit is flushed synchronously by pino.
 */
export class JsonLogger implements LoggerService {
  private readonly logger: Logger;

  constructor(service: string, level = 'info', destination?: pino.DestinationStream) {
    this.logger = pino(
      {
        level,
        base: { service },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination ?? pino.destination({ dest: 1, sync: false }),
    );
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = { context };
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      this.logger[NEST_TO_PINO[level]](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[NEST_TO_PINO[level]]({ ...fields, ...(message as object) });
    } else {
      this.logger[NEST_TO_PINO[level]](fields, String(message));
    }
  }
}
