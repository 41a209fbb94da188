import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { MailMessage } from './mail-templates';

/**
 * Sends notifications over SMTP (nodemailer). Without SMTP_URL the message is written to the log
 * instead, which is how the sandbox and local development "send" mail. Mail is sent after the
 * change commits and never makes a change fail: a lost email does not undo an approval.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transporter?: Transporter;
  private readonly from: string;
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(REGISTRATION_CONFIG) config: RegistrationConfig) {
    this.from = config.MAIL_FROM;
    if (config.SMTP_URL) this.transporter = nodemailer.createTransport(config.SMTP_URL);
  }

  /** Sends in the background; `flush()` waits for what is under way. */
  send(message: MailMessage): void {
    const sending = this.deliver(message).finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
    this.transporter?.close();
  }

  private async deliver(message: MailMessage): Promise<void> {
    if (!this.transporter) {
      // warn: the one-process sandbox shows only warnings and errors, and this is where its mail goes.
      this.logger.warn(`(SMTP_URL unset: mail written to the log, not sent)\nFrom: ${this.from}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}`);
      return;
    }
    try {
      await this.transporter.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
      this.logger.log(`sent "${message.subject}"`);
    } catch (error) {
      this.logger.error(`could not send "${message.subject}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
