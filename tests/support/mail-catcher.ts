/**
 * A real SMTP server on loopback (smtp-server) that keeps what it receives,
 * parsed with mailparser, so tests read links out of the mails the service
 * really sent. It can also refuse mail, to test a failed send.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CaughtMail {
  to: string;
  /** The sender's display name (empty without one). */
  fromName: string;
  subject: string;
  text: string;
  html: string;
}

export class MailCatcher {
  readonly received: CaughtMail[] = [];
  #refuse = false;
  #waiters: Array<{ match: (mail: CaughtMail) => boolean; resolve: (mail: CaughtMail) => void }> = [];
  readonly #server: SMTPServer;

  private constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.#refuse) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })));
          return;
        }
        simpleParser(stream).then(
          (parsed) => {
            this.#keep(toCaught(parsed));
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  static async start(): Promise<MailCatcher> {
    const catcher = new MailCatcher();
    await new Promise<void>((resolve) => catcher.#server.listen(0, '127.0.0.1', () => resolve()));
    return catcher;
  }

  get smtpUrl(): string {
    const { port } = this.#server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** From now on, mail is refused with a permanent error (550). */
  refuseMail(refuse = true): void {
    this.#refuse = refuse;
  }

  /** The next mail to this address (or one already received and not yet taken). */
  async next(to: string, { timeoutMs = 5000 }: { timeoutMs?: number } = {}): Promise<CaughtMail> {
    const match = (mail: CaughtMail) => mail.to.toLowerCase() === to.toLowerCase();
    const index = this.received.findIndex(match);
    if (index >= 0) return this.received.splice(index, 1)[0]!;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (mail) => {
          clearTimeout(timer);
          resolve(mail);
        },
      });
    });
  }

  /** The first link in a mail's text that starts with the given prefix. */
  static linkIn(mail: CaughtMail, prefix: string): string {
    const link = mail.text.match(/https?:\/\/\S+/g)?.find((candidate) => new URL(candidate).pathname.startsWith(prefix));
    if (!link) throw new Error(`no ${prefix} link in mail "${mail.subject}"`);
    return new URL(link).pathname;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #keep(mail: CaughtMail): void {
    const waiter = this.#waiters.find((candidate) => candidate.match(mail));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(mail);
    } else {
      this.received.push(mail);
    }
  }
}

function toCaught(parsed: ParsedMail): CaughtMail {
  const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
  return { to: to?.value[0]?.address ?? '', fromName: parsed.from?.value[0]?.name ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' };
}
