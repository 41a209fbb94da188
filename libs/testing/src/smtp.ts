import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** The body, quoted-printable soft breaks and escapes decoded. */
  text: string;
}

/** A real SMTP server (the smtp-server package) on a free port, keeping what it receives. */
export class SmtpCatcher {
  readonly mails: ReceivedMail[] = [];
  private server?: SMTPServer;
  port = 0;

  /** Listens on `port` (0: a free one). Started again after `stop()`, it keeps what it received. */
  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.mails.push(parse(chunks, session.envelope.mailFrom, session.envelope.rcptTo));
          callback();
        });
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async waitFor(predicate: (mail: ReceivedMail) => boolean, what: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail ${what}; received: ${this.mails.map((mail) => `${mail.to.join(',')}: ${mail.subject}`).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function parse(chunks: Buffer[], mailFrom: false | { address: string }, rcptTo: { address: string }[]): ReceivedMail {
  const raw = Buffer.concat(chunks).toString('utf8');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const quotedPrintable = /^Content-Transfer-Encoding: quoted-printable$/im.test(headers);
  const text = quotedPrintable
    ? body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : body;
  return { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((each) => each.address), subject, text };
}
