import { Writable } from 'node:stream';
import { JsonLogger } from './json-logger';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe(JsonLogger.name, () => {
  it('writes one JSON object per line with the service, level, context and message', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('fhir', 'info', stream);
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual([expect.objectContaining({ service: 'fhir', level: 'info', context: 'Bootstrap', msg: 'listening' })]);
    expect(typeof lines[0].time).toBe('string');
  });

  it('keeps structured fields as fields', () => {
    const { lines, stream } = capture();
    new JsonLogger('fhir', 'info', stream).log({ msg: 'request', route: '/Patient/:id', status: 200 }, 'http');
    expect(lines[0]).toMatchObject({ msg: 'request', route: '/Patient/:id', status: 200, context: 'http' });
  });

  it('records errors with their stack and drops levels below the threshold', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('registration', 'warn', stream);
    logger.log('not shown');
    logger.debug('not shown either');
    logger.error(new Error('database unreachable'), 'Relay');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'database unreachable', context: 'Relay' });
    expect((lines[0].err as { stack: string }).stack).toContain('json-logger.spec.ts');
  });
});
