import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { nestEventsLogger, QueueWorker } from '@payer-access/events';
import { ServiceMetrics } from '@payer-access/http';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource, EntityManager } from 'typeorm';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { MailMessage } from './mail-templates';

/** Safety net: mail queued by another instance, or due again after a failure elsewhere, waits at most this long. */
const POLL_INTERVAL_MS = 5_000;

interface QueuedMail {
  id: string;
  recipient: string;
  subject: string;
  text: string;
  attempts: number;
}

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
 * The relay is the platform's QueueWorker over `mail_outbox`, as the event outbox's is over `outbox`:
 * several instances may relay one table (rows are claimed with `FOR UPDATE SKIP LOCKED`), and
 * delivery is at least once: a crash after the server accepted a mail but before `sent_at` commits
 * sends it again.
 */
@Injectable()
export class MailService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transporter?: Transporter;
  private readonly from: string;
  private readonly worker: QueueWorker<QueuedMail>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(REGISTRATION_CONFIG) config: RegistrationConfig,
    metrics: ServiceMetrics,
  ) {
    this.from = config.MAIL_FROM;
    // Bounded waits: a claimed row stays locked, and its database connection busy, while it is sent.
    if (config.SMTP_URL) {
      this.transporter = nodemailer.createTransport({ url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    }
    this.worker = new QueueWorker<QueuedMail>({
      dataSource,
      table: 'mail_outbox',
      name: 'Mail relay',
      claim: { columns: 'q.id, q.recipient, q.subject, q.text, q.attempts' },
      // One mail per transaction: a slow SMTP server holds one row, and one failure ends the pass
      // (the server is probably away; the rest waits for that mail's retry or the poll).
      batchSize: 1,
      handle: async ([mail]) => {
        try {
          await this.deliver(mail);
          return { done: [mail], failed: [] };
        } catch (error) {
          return { done: [], failed: [{ row: mail, error }] };
        }
      },
      pollIntervalMs: POLL_INTERVAL_MS,
      backoff: { initialMs: config.MAIL_RETRY_INITIAL_MS, maxMs: config.MAIL_RETRY_MAX_MS, factor: 2, jitter: 0.2 },
      // Sent mail is kept a week for operators' questions ("was it sent?"), then deleted with its addresses.
      retainSentMs: 7 * 24 * 60 * 60 * 1_000,
      // Log lines name rows and errors, never recipients or contents.
      logger: nestEventsLogger(this.logger),
    });
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
    this.worker.notify();
  }

  /** Attempts every mail that is due until one fails or none is left; returns how many were sent. */
  flush(): Promise<number> {
    return this.worker.drain();
  }

  countPending(): Promise<number> {
    return this.worker.countPending();
  }

  onApplicationBootstrap(): Promise<void> {
    return this.worker.start();
  }

  /** Finishes the mail being sent, claims no other; what is left stays queued for the next start or instance. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
    this.transporter?.close();
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
}
