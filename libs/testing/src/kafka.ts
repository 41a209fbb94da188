import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SASLOptions } from 'kafkajs';

/** tools/kafka/kafka.sh: a real single-node KRaft broker from Maven Central jars (see its README). */
export const KAFKA_SCRIPT = path.resolve(__dirname, '../../../tools/kafka/kafka.sh');

/**
 * The SCRAM principals of the tools/kafka broker: `admin` is its super user (for test tooling:
 * creating and deleting scratch topics, reading anything); each service has its own, with ACLs
 * for exactly what it writes and reads.
 */
export const KAFKA_PRINCIPALS = ['admin', 'registration', 'authorization', 'fhir'] as const;
export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number];

/** SASL/SCRAM credentials; the shape kafkajs' `sasl` option and the events library both take. */
export interface KafkaCredentials {
  mechanism: 'scram-sha-512' | 'scram-sha-256';
  username: string;
  password: string;
}

export type KafkaCredentialSet = Record<KafkaPrincipal, KafkaCredentials>;

export interface KafkaForTests {
  brokers: string[];
  /** This call started the broker (it was not running); it keeps running after the tests. */
  startedHere: boolean;
  credentials: KafkaCredentialSet;
}

export interface BrokerStatus {
  running: boolean;
  brokers?: string[];
  pid?: number;
  credentials?: KafkaCredentialSet;
}

/**
 * kafkajs' `sasl` option for these credentials: a new object each time, because kafkajs adds its
 * authenticator, bound to the credentials, to the object it is given.
 */
export function kafkajsSasl({ mechanism, username, password }: KafkaCredentials): SASLOptions {
  return mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism, username, password };
}

/** A service's Kafka configuration variables (KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD). */
export function kafkaServiceEnv(credentials: KafkaCredentials): Record<'KAFKA_SASL_MECHANISM' | 'KAFKA_USERNAME' | 'KAFKA_PASSWORD', string> {
  return { KAFKA_SASL_MECHANISM: credentials.mechanism, KAFKA_USERNAME: credentials.username, KAFKA_PASSWORD: credentials.password };
}

/**
 * The credentials in `KEY=value` form as kafka.sh prints them (KAFKA_SCRAM_MECHANISM,
 * KAFKA_<PRINCIPAL>_USERNAME / _PASSWORD), or undefined when any is missing.
 */
export function parseCredentials(vars: Record<string, string | undefined>): KafkaCredentialSet | undefined {
  const mechanism = vars['KAFKA_SCRAM_MECHANISM'];
  if (mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256') return undefined;
  const set: Partial<KafkaCredentialSet> = {};
  for (const principal of KAFKA_PRINCIPALS) {
    const username = vars[`KAFKA_${principal.toUpperCase()}_USERNAME`];
    const password = vars[`KAFKA_${principal.toUpperCase()}_PASSWORD`];
    if (!username || !password) return undefined;
    set[principal] = { mechanism, username, password };
  }
  return set as KafkaCredentialSet;
}

function credentialsFrom(result: ScriptResult): KafkaCredentialSet {
  const credentials = parseCredentials(parseAssignments(result.stdout));
  if (!credentials) throw new Error(`kafka.sh printed no SASL credentials:\n${result.stderr.trim().split('\n').slice(-10).join('\n')}`);
  return credentials;
}

/** A broker run by tools/kafka/kafka.sh with a given port and data dir. */
export interface ToolsKafkaBroker {
  /** `127.0.0.1:<port>`, known before the broker runs. */
  readonly brokers: string[];
  readonly dataDir: string;
  /** Starts it unless running (`fresh`: wipe its data first); resolves once it answers. */
  start(options?: { fresh?: boolean }): Promise<string[]>;
  /** Its principals' credentials (made when its data dir is formatted); known once it started. */
  readonly credentials: KafkaCredentialSet;
  /** Graceful stop (SIGTERM, SIGKILL after a timeout); resolves once the process is gone. */
  stop(): Promise<void>;
  status(): Promise<BrokerStatus>;
}

export interface ToolsKafkaBrokerOptions {
  port: number;
  /** Default port + 1. */
  controllerPort?: number;
  dataDir: string;
}

const START_TIMEOUT_MS = 240_000; // includes a first, cold resolution of the jars from Maven Central
const STOP_TIMEOUT_MS = 60_000;

/**
 * A real Kafka broker for tests: `KAFKA_BROKERS` when set (e.g. by `npm test`), otherwise the
 * tools/kafka broker, started if needed (it stays up for later runs; `stopKafka()` stops it).
 * Never a skip: a broker that cannot be started is an error, in CI and everywhere else.
 */
export async function ensureKafka(): Promise<KafkaForTests> {
  const configured = parseBrokerList(process.env.KAFKA_BROKERS);
  if (configured.length > 0) {
    let credentials = parseCredentials(process.env);
    if (!credentials) {
      const status = await scriptStatus({});
      if (status.running && configured.every((broker) => status.brokers?.includes(broker))) credentials = status.credentials;
    }
    if (!credentials) {
      throw new Error(
        `KAFKA_BROKERS=${configured.join(',')} is set without its SASL credentials: set KAFKA_SCRAM_MECHANISM and ` +
          `KAFKA_<PRINCIPAL>_USERNAME / _PASSWORD for ${KAFKA_PRINCIPALS.join(', ')} (as tools/kafka/kafka.sh start prints them)`,
      );
    }
    return { brokers: configured, startedHere: false, credentials };
  }
  let result: ScriptResult;
  try {
    result = await runScript(['start'], {}, START_TIMEOUT_MS);
  } catch (error) {
    throw new Error(
      `Cannot start a Kafka broker with ${path.relative(process.cwd(), KAFKA_SCRIPT)} start: ${describeFailure(error)}. ` +
        'It needs Java 17+ (and Maven once, to resolve the jars); or set KAFKA_BROKERS to a running broker.' +
        (process.env.CI === 'true' ? ' CI requires a real broker: this is a failure, not a skip.' : ''),
    );
  }
  const vars = parseAssignments(result.stdout);
  const brokers = parseBrokerList(vars['KAFKA_BROKERS']);
  if (brokers.length === 0) throw new Error(`kafka.sh start printed no KAFKA_BROKERS line:\n${result.stderr}`);
  const credentials = credentialsFrom(result);
  // Later calls in this process (and the processes it starts) find the broker and its credentials.
  Object.assign(process.env, vars);
  return { brokers, startedHere: !/already running/.test(result.stderr), credentials };
}

/** Stops the default tools/kafka broker (honours `KAFKA_DATA_DIR`); for a runner's global teardown. */
export async function stopKafka(): Promise<void> {
  await runScript(['stop'], {}, STOP_TIMEOUT_MS);
}

/**
 * Whether `brokers` (default `KAFKA_BROKERS`) is the broker tools/kafka runs from its data dir
 * (default, or `KAFKA_DATA_DIR`) — only then may a test stop and start it.
 */
export async function isToolsBroker(brokers: readonly string[] = parseBrokerList(process.env.KAFKA_BROKERS)): Promise<boolean> {
  const status = await scriptStatus({});
  return status.running && brokers.length > 0 && brokers.every((broker) => status.brokers?.includes(broker));
}

/**
 * Stops the broker behind `KAFKA_BROKERS` to simulate an outage. Refuses (throws) unless it is the
 * tools/kafka broker. Other test files using the same broker see the outage too: prefer
 * `startIsolatedKafka` when tests run in parallel.
 */
export async function stopBroker(): Promise<void> {
  const brokers = parseBrokerList(process.env.KAFKA_BROKERS);
  if (!(await isToolsBroker(brokers))) {
    throw new Error(`KAFKA_BROKERS=${brokers.join(',')} is not a broker run by tools/kafka/kafka.sh here; a test cannot stop it`);
  }
  await runScript(['stop'], {}, STOP_TIMEOUT_MS);
}

/** Starts the tools/kafka broker again on the port `KAFKA_BROKERS` names (after `stopBroker`). */
export async function startBroker(): Promise<string[]> {
  const brokers = parseBrokerList(process.env.KAFKA_BROKERS);
  const port = brokers.length > 0 ? portOf(brokers[0]) : undefined;
  const result = await runScript(['start'], port ? { KAFKA_PORT: String(port) } : {}, START_TIMEOUT_MS);
  return parseBrokerList(parseAssignments(result.stdout)['KAFKA_BROKERS']);
}

/** `stopBroker()` then `startBroker()`. */
export async function restartKafka(): Promise<string[]> {
  await stopBroker();
  return startBroker();
}

/** A handle on a tools/kafka broker with its own port and data dir. */
export function toolsKafkaBroker(options: ToolsKafkaBrokerOptions): ToolsKafkaBroker {
  const env = {
    KAFKA_PORT: String(options.port),
    KAFKA_CONTROLLER_PORT: String(options.controllerPort ?? options.port + 1),
    KAFKA_DATA_DIR: options.dataDir,
  };
  const brokers = [`127.0.0.1:${options.port}`];
  let credentials: KafkaCredentialSet | undefined;
  return {
    brokers,
    dataDir: options.dataDir,
    get credentials(): KafkaCredentialSet {
      if (!credentials) throw new Error(`the broker in ${options.dataDir} has not been started yet: no credentials`);
      return credentials;
    },
    async start({ fresh = false } = {}) {
      const result = await runScript(fresh ? ['start', '--fresh'] : ['start'], env, START_TIMEOUT_MS);
      credentials = credentialsFrom(result);
      return parseBrokerList(parseAssignments(result.stdout)['KAFKA_BROKERS']);
    },
    async stop() {
      await runScript(['stop'], env, STOP_TIMEOUT_MS);
    },
    status: () => scriptStatus(env),
  };
}

export interface IsolatedKafka extends ToolsKafkaBroker {
  /** Stops the broker and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * A fresh broker of this test file's own, on free ports, which it may stop and start at will
 * without disturbing tests running in parallel against the shared broker. Costs one broker start
 * (a few seconds; the jars are shared with the main broker).
 */
export async function startIsolatedKafka(name: string): Promise<IsolatedKafka> {
  const [port, controllerPort] = await freePorts(2);
  const dataDir = path.join(os.tmpdir(), 'payer-access-kafka', `${name}-${process.pid}-${port}`);
  const broker = toolsKafkaBroker({ port, controllerPort, dataDir });
  try {
    await broker.start({ fresh: true });
  } catch (error) {
    throw new Error(`Cannot start an isolated Kafka broker: ${describeFailure(error)}`);
  }
  return {
    brokers: broker.brokers,
    dataDir: broker.dataDir,
    get credentials() {
      return broker.credentials;
    },
    start: (options) => broker.start(options),
    stop: () => broker.stop(),
    status: () => broker.status(),
    async dispose() {
      await broker.stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}.lock`, { force: true });
    },
  };
}

/** `host:port,host:port` → list; blanks dropped. */
export function parseBrokerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/** `KEY=value` lines (kafka.sh's stdout) → record. */
export function parseAssignments(stdout: string): Record<string, string> {
  const assignments: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) assignments[match[1]] = match[2];
  }
  return assignments;
}

async function scriptStatus(env: Record<string, string>): Promise<BrokerStatus> {
  try {
    const result = await runScript(['status'], env, 30_000);
    const vars = parseAssignments(result.stdout);
    return { running: true, brokers: parseBrokerList(vars['KAFKA_BROKERS']), pid: Number(vars['KAFKA_PID']), credentials: parseCredentials(vars) };
  } catch (error) {
    if (error instanceof ScriptError && error.code === 3) return { running: false };
    throw error;
  }
}

function portOf(broker: string): number | undefined {
  const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

interface ScriptResult {
  stdout: string;
  stderr: string;
}

class ScriptError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

function runScript(args: string[], env: Record<string, string>, timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [KAFKA_SCRIPT, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = typeof error.code === 'number' ? error.code : null;
        reject(new ScriptError(`kafka.sh ${args.join(' ')} failed (${code ?? error.signal ?? error.message})`, code, stderr));
      },
    );
  });
}

function describeFailure(error: unknown): string {
  if (error instanceof ScriptError) return `${error.message}\n${error.stderr.trim().split('\n').slice(-15).join('\n')}`;
  return error instanceof Error ? error.message : String(error);
}

async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
