import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLIENT_CHANGED_TOPIC } from '@payer-access/client-status';
import { createTestDatabase, kafkaServiceEnv, type KafkaCredentialSet, type TestDatabase, SmtpCatcher } from '@payer-access/testing';
import { ensurePlatformTopics, waitForTopicMessages } from './kafka';
import { REPO_ROOT, ServiceProcess, type ServiceName } from './service-process';

const run = promisify(execFile);

export const FHIR_BASE_PATH = '/fhir/sb/R4/patientaccess';

export interface PlatformOptions {
  /** Names the log directory (`<tmp>/payer-access-platform-e2e/<name>-<pid>`). */
  name: string;
  kafkaBrokers: readonly string[];
  /** The broker's principals: each service authenticates as its own, the test as the admin. */
  kafkaCredentials: KafkaCredentialSet;
  /** Settings of the authorization service beyond the common ones (a load test lifts its rate limits). */
  authorizationEnv?: Record<string, string>;
  /** Settings of every service beyond the common ones (a test that stops the broker sets the staleness bound it expects). */
  env?: Record<string, string>;
  /** Run the services compiled into this directory by `tools/build/build.js`, as the image runs them (see ServiceProcess). */
  buildDir?: string;
}

/**
 * The three services as separate processes on free ports, in the sandbox profile, against one
 * fresh PostgreSQL database and the given Kafka broker — the deployment shape of docker compose,
 * with the processes' output kept in files for diagnosis.
 */
export class Platform {
  /** Milliseconds from the start of `Platform.start` to each milestone, for the suite's report. */
  readonly startup: Record<string, number> = {};

  private constructor(
    readonly logDir: string,
    readonly database: TestDatabase,
    readonly kafkaBrokers: readonly string[],
    readonly kafkaCredentials: KafkaCredentialSet,
    readonly registration: ServiceProcess,
    readonly authorization: ServiceProcess,
    readonly fhir: ServiceProcess,
    /** The registration service's outgoing mail (sign-up verification links, notifications). */
    readonly mail: SmtpCatcher,
  ) {}

  /**
   * Starts the platform; when a service finds its port taken (the ports are chosen free before the
   * services start, and an outgoing connection of any process on the host may take one meanwhile as
   * its ephemeral port), starts it all again on other ports, up to three times.
   */
  static async start(options: PlatformOptions): Promise<Platform> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await Platform.startOnce(options);
      } catch (error) {
        if (attempt >= 3 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
      }
    }
  }

  private static async startOnce(options: PlatformOptions): Promise<Platform> {
    const began = performance.now();
    const logDir = path.join(os.tmpdir(), 'payer-access-platform-e2e', `${options.name}-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(logDir, { recursive: true });
    const mail = new SmtpCatcher();
    const [database, [registrationPort, authorizationPort, fhirPort]] = await Promise.all([createTestDatabase('pa_platform_e2e'), freePorts(3), mail.start()]);
    const urls = {
      REGISTRATION_PUBLIC_URL: `http://127.0.0.1:${registrationPort}`,
      AUTHORIZATION_PUBLIC_URL: `http://127.0.0.1:${authorizationPort}`,
      FHIR_PUBLIC_URL: `http://127.0.0.1:${fhirPort}`,
    };
    const common = {
      PROFILE: 'sandbox',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      MIGRATE_ON_START: 'true',
      FHIR_BASE_PATH,
      ...urls,
      ...options.env,
    };
    const service = (name: ServiceName, port: number, env: Record<string, string>) =>
      new ServiceProcess({ name, port, env: { ...common, ...env }, logFile: path.join(logDir, `${name}.log`), buildDir: options.buildDir });
    const platform = new Platform(
      logDir,
      database,
      options.kafkaBrokers,
      options.kafkaCredentials,
      // Metrics on ephemeral ports: the default (port + 1000) of a free port need not be free.
      service('registration', registrationPort, {
        REGISTRATION_PORT: String(registrationPort),
        REGISTRATION_HOST: '127.0.0.1',
        REGISTRATION_METRICS_PORT: '0',
        SMTP_URL: mail.url,
        ...kafkaServiceEnv(options.kafkaCredentials.registration),
      }),
      service('authorization', authorizationPort, { AUTHORIZATION_PORT: String(authorizationPort), AUTHORIZATION_HOST: '127.0.0.1', AUTHORIZATION_METRICS_PORT: '0', ...kafkaServiceEnv(options.kafkaCredentials.authorization), ...options.authorizationEnv }),
      service('fhir', fhirPort, {
        FHIR_PORT: String(fhirPort),
        FHIR_HOST: '127.0.0.1',
        FHIR_METRICS_PORT: '0',
        FHIR_BULK_DIR: path.join(logDir, 'bulk'),
        ...kafkaServiceEnv(options.kafkaCredentials.fhir),
      }),
      mail,
    );
    try {
      // Registration first: in the sandbox profile it registers and publishes seed 002's client,
      // which the other two then read from the topic's beginning like any later client. The FHIR
      // store is filled meanwhile (the sandbox data set through the service's NDJSON loader, which
      // also applies the fhir schema's migrations).
      const milestone = (name: string) => (platform.startup[name] = Math.round(performance.now() - began));
      platform.registration.start();
      await Promise.all([
        platform.registration.waitReady().then(() => milestone('registration ready')),
        loadSandboxData(common, logDir).then(() => milestone('sandbox data loaded')),
      ]);
      await waitForTopicMessages(options.kafkaBrokers, options.kafkaCredentials.admin, CLIENT_CHANGED_TOPIC, 1, 30_000);
      milestone('seed client on the topic');
      await ensurePlatformTopics(options.kafkaBrokers, options.kafkaCredentials.admin);
      platform.authorization.start();
      platform.fhir.start();
      await Promise.all([
        platform.authorization.waitReady().then(() => milestone('authorization ready')),
        platform.fhir.waitReady().then(() => milestone('fhir ready')),
      ]);
    } catch (error) {
      await platform.stop().catch(() => undefined);
      throw error;
    }
    return platform;
  }

  /** "registration ready 5210 ms, ..." */
  startupSummary(): string {
    return Object.entries(this.startup)
      .map(([name, ms]) => `${name} ${ms} ms`)
      .join(', ');
  }

  get services(): ServiceProcess[] {
    return [this.registration, this.authorization, this.fhir];
  }

  get fhirBase(): string {
    return `${this.fhir.url}${FHIR_BASE_PATH}`;
  }

  /** Exits nobody asked for, across all three services. */
  crashes(): string[] {
    return this.services.flatMap((service) => service.crashes);
  }

  /** Status and log tails of every service, appended to failure messages. */
  diagnostics(): string {
    const status = this.services.map((service) => `${service.name}: ${service.alive ? `running (pid ${service.pid})` : 'not running'}, ${service.starts} start(s)`);
    return [
      `\n===== platform diagnostics (logs in ${this.logDir})`,
      ...status,
      ...this.crashes(),
      ...this.services.map((service) => service.logTail()),
    ].join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((service) => service.stop()));
    await this.mail.stop();
    await this.database.drop();
  }
}

/**
 * Writes the sandbox data set with tools/synthetic-data (the four sandbox members, no extra
 * patients) and loads it with the fhir service's loader — the same path an operator takes.
 */
async function loadSandboxData(env: Record<string, string>, logDir: string): Promise<void> {
  const out = path.join(logDir, 'synthetic-data');
  const options = { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 };
  const log: string[] = [];
  try {
    const generated = await run(process.execPath, ['-r', '@swc-node/register', 'tools/synthetic-data/src/main.ts', '--out', out, '--patients', '0'], {
      ...options,
      env: { ...options.env, TS_NODE_PROJECT: 'tools/synthetic-data/tsconfig.json' },
    });
    log.push(generated.stdout, generated.stderr);
    const files = readdirSync(out)
      .filter((file) => file.endsWith('.ndjson'))
      .map((file) => path.join(out, file));
    const loaded = await run(process.execPath, ['-r', '@swc-node/register', 'apps/fhir/src/load.ts', ...files], {
      ...options,
      env: { ...options.env, TS_NODE_PROJECT: 'apps/fhir/tsconfig.json' },
    });
    log.push(loaded.stdout, loaded.stderr);
    if (/ [1-9]\d* rejected/.test(loaded.stdout)) throw new Error(`the loader rejected sandbox resources:\n${loaded.stdout}`);
    rmSync(out, { recursive: true, force: true });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`Cannot load the sandbox data set: ${output.message}\n${output.stdout ?? ''}\n${output.stderr ?? ''}`);
  } finally {
    writeFileSync(path.join(logDir, 'sandbox-data.log'), log.join('\n'));
  }
}

/** Ports free right now (held together, so they differ), released for the services to bind. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
