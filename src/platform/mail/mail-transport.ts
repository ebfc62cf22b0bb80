import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

/** One e-mail, rendered. `messageId` is the outbox message id (a UUID). */
export interface Email {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Date header; the sender's clock. */
  date?: Date;
}

/** Where e-mails go: an SMTP server in production, a folder of .eml files in development. */
export interface MailTransport {
  send(email: Email): Promise<void>;
  /** Releases connections (SMTP pool). */
  close?(): Promise<void>;
}

// The id appears in file names and URLs of the development mailbox: keep it plain.
const MESSAGE_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * nodemailer's options for an e-mail, shared by the SMTP transport and the file mailbox so
 * that a .eml file holds the very bytes SMTP would carry.
 */
export function mailOptions(email: Email): Mail.Options {
  if (!MESSAGE_ID.test(email.messageId)) throw new Error('mail: messageId must be 1-64 letters, digits or dashes');
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(email.from)?.[1] ?? 'carnet.localhost';
  return {
    from: email.from,
    to: email.to,
    subject: email.subject,
    // CRLF before encoding: nodemailer's quoted-printable wrapping restarts at each CRLF,
    // so a short line (a code) is never cut by a soft line break.
    text: crlf(email.text),
    html: crlf(email.html),
    messageId: `<${email.messageId}@${domain}>`,
    ...(email.date === undefined ? {} : { date: email.date }),
    // RFC 3834: no out-of-office replies to an address nobody reads.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

function crlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

/**
 * SMTP through nodemailer, pooled so that the outbox worker's parallel sends share a few
 * connections. `smtpUrl` is smtp://user:pass@host:port (STARTTLS when offered) or smtps://.
 */
export function createSmtpTransport(smtpUrl: string, opts: { maxConnections?: number } = {}): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    // nodemailer waits up to 10 minutes on a silent socket by default; the worker's lease is shorter.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    async send(email) {
      await transporter.sendMail(mailOptions(email));
    },
    async close() {
      transporter.close();
    },
  };
}
