import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { backoffDelay, type BackoffOptions } from '@payer-access/events';
import { ServiceMetrics } from '@payer-access/http';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource, EntityManager } from 'typeorm';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { MailMessage } from './mail-templates';

/** Safety net: mail queued by another instance, or due again after a failure elsewhere, waits at most this long. */
const POLL_INTERVAL_MS = 5_000;
const RETAIN_SENT_MS = 7 * 24 * 60 * 60 * 1_000;
const PURGE_EVERY_MS = 60 * 60 * 1_000;

interface QueuedMail {
  id: string;
  recipient: string;
  subject: string;
  text: string;
  attempts: number;
}

type Attempt = { outcome: 'none' } | { outcome: 'sent' } | { outcome: 'failed'; retryInMs: number };

// The oldest due mail that no other relay holds; the lock lasts while it is being sent.
const CLAIM_ONE = `
  SELECT id, recipient, subject, text, attempts FROM mail_outbox
  WHERE sent_at IS NULL AND next_attempt_at <= now()
  ORDER BY next_attempt_at, id
  LIMIT 1
  FOR UPDATE SKIP LOCKED`;

export class MailOutsideTransactionError extends Error {
  constructor() {
    super('MailService.queue() must run inside the transaction of the change the mail announces');
    this.name = 'MailOutsideTransactionError';
  }
}

/**
 * Notifications through a mail outbox ("nothing lost"). `queue()` writes the message to `mail_outbox`
 * in the transaction of the change it announces: a committed change always has its mail, a rolled-back
 * one has none. The relay below sends it afterwards over SMTP (nodemailer) or, without SMTP_URL,
 * writes it to the log (the sandbox and local development). A mail the server does not accept is
 * retried with exponential backoff (MAIL_RETRY_INITIAL_MS doubling to MAIL_RETRY_MAX_MS) for as long
 * as it takes: there is no attempt limit, so an outage of any length ends with delivery. A mail the
 * server refuses for good (a mistyped address) therefore stays unsent with its `last_error`, counted by
 * `registration_mail_pending`, until operators correct or delete the row.
 *
 * Several instances may relay one table: rows are claimed with `FOR UPDATE SKIP LOCKED`. Delivery is
 * at least once: a crash after the server accepted a mail but before `sent_at` commits sends it again.
 */
@Injectable()
export class MailService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transporter?: Transporter;
  private readonly from: string;
  private readonly backoff: BackoffOptions;

  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private nudged = false;
  private failing = false;
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) config: RegistrationConfig,
    metrics: ServiceMetrics,
  ) {
    this.from = config.MAIL_FROM;
    this.backoff = { initialMs: config.MAIL_RETRY_INITIAL_MS, maxMs: config.MAIL_RETRY_MAX_MS, factor: 2, jitter: 0.2 };
    // Bounded waits: a claimed row stays locked, and its database connection busy, while it is sent.
    if (config.SMTP_URL) {
      this.transporter = nodemailer.createTransport({ url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    }
    const help = 'Notification emails queued and not yet accepted by the SMTP server (or written to the log).';
    metrics.gauge('registration_mail_pending', help, [], async (gauge) => {
      try {
        gauge.set(await this.countPending());
      } catch {
        // Readiness reports the database; the scrape still answers.
      }
    });
  }

  /**
   * Queues `message` in the caller's transaction (`manager` of `dataSource.transaction(m => …)`).
   * Call `wake()` once that transaction has committed.
   */
  async queue(manager: EntityManager, message: MailMessage): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) throw new MailOutsideTransactionError();
    await manager.query(`INSERT INTO mail_outbox (recipient, subject, text) VALUES ($1, $2, $3)`, [message.to, message.subject, message.text]);
  }

  /** Asks the relay for a pass now, rather than at its next poll: call it right after committing queued mail. */
  wake(): void {
    this.nudged = true;
    this.wakeUp?.();
  }

  /** Attempts every mail that is due (sent, or rescheduled after a failure); returns how many were sent. */
  async flush(): Promise<number> {
    let sent = 0;
    for (;;) {
      const attempt = await this.attemptOne();
      if (attempt.outcome === 'none') return sent;
      if (attempt.outcome === 'sent') sent++;
    }
  }

  async countPending(): Promise<number> {
    const rows: Array<{ count: string }> = await this.dataSource.query(`SELECT count(*) AS count FROM mail_outbox WHERE sent_at IS NULL`);
    return Number(rows[0].count);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the mail being sent, claims no other; what is left stays queued for the next start or instance. */
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.transporter?.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.nudged = false;
      let wait = POLL_INTERVAL_MS;
      try {
        // Due mail until none is left, or until one fails: the server is probably away, and the rest
        // waits for that mail's retry (or the poll) rather than each running into the same error now.
        while (this.running) {
          const attempt = await this.attemptOne();
          if (attempt.outcome === 'none') break;
          if (attempt.outcome === 'failed') {
            wait = Math.min(wait, attempt.retryInMs);
            break;
          }
        }
        await this.purgeIfDue();
      } catch (error) {
        this.logger.warn(`mail relay pass failed; retrying in ${POLL_INTERVAL_MS} ms: ${errorMessage(error)}`);
      }
      if (!this.running) break;
      if (this.nudged) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** One transaction: claim the oldest due mail, send it, record the outcome. */
  private async attemptOne(): Promise<Attempt> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [mail]: QueuedMail[] = await runner.query(CLAIM_ONE);
      if (!mail) {
        await runner.commitTransaction();
        return { outcome: 'none' };
      }
      let attempt: Attempt;
      try {
        await this.deliver(mail);
        await runner.query(`UPDATE mail_outbox SET sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [mail.id]);
        attempt = { outcome: 'sent' };
      } catch (error) {
        const retryInMs = backoffDelay(mail.attempts + 1, this.backoff);
        await runner.query(
          `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE id = $1`,
          [mail.id, errorMessage(error).slice(0, 2_000), retryInMs],
        );
        attempt = { outcome: 'failed', retryInMs };
        this.failing = true;
        this.logger.warn(`could not send "${mail.subject}" (attempt ${mail.attempts + 1}); retrying in ${retryInMs} ms: ${errorMessage(error)}`);
      }
      await runner.commitTransaction();
      if (attempt.outcome === 'sent' && this.failing) {
        this.failing = false;
        this.logger.log('the SMTP server accepts mail again');
      }
      return attempt;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async deliver(mail: QueuedMail): Promise<void> {
    if (!this.transporter) {
      // warn: the one-process sandbox shows only warnings and errors, and this is where its mail goes.
      this.logger.warn(`(SMTP_URL unset: mail written to the log, not sent)\nFrom: ${this.from}\nTo: ${mail.recipient}\nSubject: ${mail.subject}\n\n${mail.text}`);
      return;
    }
    await this.transporter.sendMail({ from: this.from, to: mail.recipient, subject: mail.subject, text: mail.text });
    this.logger.log(`sent "${mail.subject}"`);
  }

  /** Sent mail is kept a week for operators' questions ("was it sent?"), then deleted with its addresses. */
  private async purgeIfDue(): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    await this.dataSource.query(`DELETE FROM mail_outbox WHERE sent_at < now() - $1 * interval '1 millisecond'`, [RETAIN_SENT_MS]);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
