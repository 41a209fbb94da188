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

describe(`${JsonLogger.name} on stdout`, () => {
  it('writes every line before the process exits, though it writes asynchronously', async () => {
    const { execFile } = await import('node:child_process');
    const path = await import('node:path');
    const script = `
      const { JsonLogger } = require(${JSON.stringify(path.join(__dirname, 'json-logger.ts'))});
      const logger = new JsonLogger('fhir');
      for (let line = 0; line < 2000; line += 1) logger.log({ msg: 'request', line }, 'http');
      process.exit(0);
    `;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-r', '@swc-node/register', '-e', script], { maxBuffer: 16 * 1024 * 1024 }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { line: number });
    expect(lines.map((each) => each.line)).toEqual(Array.from({ length: 2000 }, (_, index) => index));
  });
});
