/**
 * Outgoing mail through nodemailer: over SMTP when config names a server
 * (production, and tests with a real SMTP server on loopback), otherwise as
 * .eml files in the data folder's outbox, so a laptop can read every mail
 * the service would have sent.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The sender's display name (the organisation's); the address stays the configured one. */
  fromName?: string;
}

export interface Mailer {
  /** Resolves once the mail is handed over (SMTP accepted it, or the file is written); rejects otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

export interface MailerOptions {
  from: string;
  smtpUrl: string | null;
  outboxDir: string;
  /** How long to wait for an SMTP server before the send counts as failed. */
  timeoutMs?: number;
}

/** The configured sender with the mail's display name: `Name <address>` keeps its address, the name replaced. */
function senderOf(from: string, { fromName, ...mail }: OutgoingMail) {
  if (!fromName) return { from, ...mail };
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return { from: { name: fromName, address }, ...mail };
}

export function createMailer({ from, smtpUrl, outboxDir, timeoutMs = 10_000 }: MailerOptions): Mailer {
  if (smtpUrl) {
    const transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } as never);
    return {
      async send(mail) {
        await transport.sendMail(senderOf(from, mail));
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail(senderOf(from, mail));
      mkdirSync(outboxDir, { recursive: true });
      // Sortable by time, unique, and nothing from the mail itself in the file name.
      writeFileSync(path.join(outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`), info.message as Buffer);
    },
  };
}
