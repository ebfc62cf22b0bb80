import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailTransport } from './mail-transport.ts';
import { mailOptions } from './mail-transport.ts';
import { parseEml } from './parse-eml.ts';
import type { ParsedEml } from './parse-eml.ts';

/**
 * The development mailbox: every e-mail becomes an RFC 822 .eml file under `dir`
 * (`<dataDir>/mail`), built by nodemailer's stream transport, so it holds the bytes SMTP would
 * carry and opens in any mail client. Never used in production (config refuses it).
 */
export function createFileMailbox(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(email) {
      const options = mailOptions(email);
      const info = await composer.sendMail(options);
      if (!Buffer.isBuffer(info.message)) throw new Error('mail: the stream transport did not return a buffer');
      const id = `${fileStamp(email.date ?? new Date())}-${email.messageId}`;
      await mkdir(dir, { recursive: true });
      // Written aside then renamed: a reader never sees half a message.
      const tmp = join(dir, `.${id}.tmp`);
      await writeFile(tmp, info.message, { mode: 0o600 });
      await rename(tmp, join(dir, `${id}.eml`));
    },
  };
}

/** 2026-01-15T09:00:00.123Z -> 20260115T090000123Z: file names sort by time. */
function fileStamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

/** Id of a message in the mailbox: its file name without `.eml`. Strict, so it cannot name another file. */
export const MAILBOX_ID = /^[0-9]{8}T[0-9]{9}Z-[A-Za-z0-9-]{1,64}$/;

export interface MailboxEntry extends ParsedEml {
  id: string;
}

/** The newest messages first (at most `limit`). A missing folder is an empty mailbox. */
export async function listMailbox(dir: string, limit = 200): Promise<MailboxEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const ids = names
    .filter((n) => n.endsWith('.eml'))
    .map((n) => n.slice(0, -4))
    .filter((id) => MAILBOX_ID.test(id))
    .sort()
    .reverse()
    .slice(0, limit);
  const entries = await Promise.all(ids.map((id) => readMailboxMessage(dir, id)));
  return entries.filter((e): e is MailboxEntry => e !== undefined);
}

/** One message by id, or undefined when the id is malformed or unknown. */
export async function readMailboxMessage(dir: string, id: string): Promise<MailboxEntry | undefined> {
  if (!MAILBOX_ID.test(id)) return undefined;
  try {
    return { id, ...(await parseEml(await readFile(join(dir, `${id}.eml`)))) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
