import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PDFDocument } from 'pdf-lib';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../../test/engines.ts';
import { testConfig } from '../../../test/helpers.ts';
import { ManualClock } from '../clock.ts';
import { cryptoRandom } from '../random.ts';
import type { Db } from '../../storage/index.ts';
import { channelFor, enqueueMessage } from './outbox.ts';
import type { OutgoingMessage, Recipient } from './outbox.ts';
import { CLAIM_LEASE_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS, createMailDelivery, drainOutbox, startOutboxWorker } from './outbox-worker.ts';
import type { OutboxDeps } from './outbox-worker.ts';
import { createSmtpTransport } from './mail-transport.ts';
import type { Email, MailTransport } from './mail-transport.ts';
import { createLetterFolder } from './letter-folder.ts';
import { createFileMailbox } from './file-mailbox.ts';
import { parseEml } from './parse-eml.ts';
import type { ParsedEml } from './parse-eml.ts';

const MAIL_FROM = 'Carnet <ne-pas-repondre@carnet.localhost>';
const CODE = 'K7QM-2WXP-9RTB';

interface Received {
  envelopeTo: string[];
  mail: ParsedEml;
}

/** A real SMTP server on a free local port; `reject` refuses every recipient. */
async function startSmtp(opts: { reject?: boolean } = {}): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (opts.reject) callback(Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void parseEml(Buffer.concat(chunks)).then((mail) => {
          received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function information(recipient: Recipient): OutgoingMessage {
  return {
    patientId: null,
    template: 'space_information',
    channel: channelFor(recipient),
    recipient,
    params: { code: CODE, expiresOn: '2026-02-26', opensOn: '2026-02-26', activateUrl: 'https://carnet.example.fr/activer', opposeUrl: 'https://carnet.example.fr/opposition' },
  };
}

interface Row {
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  params: Record<string, string>;
}

async function row(db: Db, id: string): Promise<Row> {
  const [r] = await db.query<Row>('SELECT message_id, status, attempts, next_attempt_at, last_error, sent_at, params FROM outbox WHERE message_id = $1', [id]);
  if (r === undefined) throw new Error(`no outbox row ${id}`);
  return r;
}

function tempDir(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'carnet-outbox-')), name);
}

/** A transport that records what it is given. */
function recordingTransport(delayMs = 0): MailTransport & { sent: Email[] } {
  const sent: Email[] = [];
  return {
    sent,
    async send(email) {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      sent.push(email);
    },
  };
}

describeEngines('outbox worker', (getDb) => {
  let clock: ManualClock;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    clock = new ManualClock('2026-01-15T09:00:00Z');
    await getDb().query('DELETE FROM outbox');
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  function deps(transport: MailTransport, letters = createLetterFolder(tempDir('letters'))): OutboxDeps {
    return { db: getDb(), clock, config: { mailFrom: MAIL_FROM }, transport, letters };
  }

  it('sends a due e-mail over SMTP, then marks it sent and scrubs the code from its params', async () => {
    const smtp = await startSmtp();
    const transport = createSmtpTransport(smtp.url);
    closers.push(async () => transport.close?.(), smtp.close);
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Claire Martin', email: 'claire.martin@example.org' }));

    clock.advance(1000);
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 1, retried: 0, failed: 0 });

    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0] as Received;
    expect(got.envelopeTo).toEqual(['claire.martin@example.org']);
    expect(got.mail.to).toBe('claire.martin@example.org');
    expect(got.mail.from).toBe(MAIL_FROM);
    expect(got.mail.subject).toBe('Votre espace santé Carnet va être créé');
    expect(got.mail.text).toContain(CODE);
    expect(got.mail.html).toContain(CODE);
    expect(got.mail.messageId).toBe(`${id}@carnet.localhost`);

    const r = await row(getDb(), id);
    expect(r.status).toBe('sent');
    expect(r.attempts).toBe(1);
    expect(new Date(r.sent_at as Date).toISOString()).toBe('2026-01-15T09:00:01.000Z');
    expect(r.params).toEqual({ code: '[sent]', expiresOn: '[sent]', opensOn: '[sent]', activateUrl: '[sent]', opposeUrl: '[sent]' });
    expect(JSON.stringify(r)).not.toContain(CODE);

    // Nothing is sent twice.
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('retries a rejected message later and later, then gives up after the last attempt', async () => {
    const smtp = await startSmtp({ reject: true });
    const transport = createSmtpTransport(smtp.url);
    closers.push(async () => transport.close?.(), smtp.close);
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Claire Martin', email: 'nobody@example.org' }));

    expect(await drainOutbox(deps(transport))).toEqual({ sent: 0, retried: 1, failed: 0 });
    let r = await row(getDb(), id);
    expect(r.status).toBe('pending');
    expect(r.attempts).toBe(1);
    expect(new Date(r.next_attempt_at).getTime()).toBe(clock.now().getTime() + 60_000);
    expect(r.last_error).toMatch(/550/);
    expect(r.last_error).not.toContain(CODE);
    expect(r.last_error?.length).toBeLessThanOrEqual(300);
    expect(r.params.code).toBe(CODE); // kept for the next attempt

    // Not due yet: left alone.
    clock.advance(59_000);
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 0, retried: 0, failed: 0 });

    const delays: number[] = [60_000];
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      clock.set(r.next_attempt_at);
      const result = await drainOutbox(deps(transport));
      r = await row(getDb(), id);
      expect(r.attempts).toBe(attempt);
      if (attempt < MAX_ATTEMPTS) {
        expect(result).toEqual({ sent: 0, retried: 1, failed: 0 });
        expect(r.status).toBe('pending');
        delays.push(new Date(r.next_attempt_at).getTime() - clock.now().getTime());
      } else {
        expect(result).toEqual({ sent: 0, retried: 0, failed: 1 });
      }
    }
    expect(delays).toEqual(RETRY_DELAYS_MS);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(r.status).toBe('failed');
    expect(r.sent_at).toBeNull();
    expect(r.params.code).toBe('[not sent]');
    expect(smtp.received).toHaveLength(0);

    // A failed message is not tried again.
    clock.advanceDays(30);
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it('sends a paper letter when the recipient has no e-mail address', async () => {
    const dir = tempDir('letters');
    const transport = recordingTransport();
    const recipient = { name: 'Mme Hélène Dupré', address: '3 place Bellecour', postalCode: '69002', city: 'Lyon' };
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, { ...information(recipient), params: { ...information(recipient).params, childName: 'Zoé' } });

    expect(await drainOutbox(deps(transport, createLetterFolder(dir)))).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(transport.sent).toHaveLength(0);
    expect(readdirSync(dir)).toEqual([`${id}.pdf`]);
    const pdf = await PDFDocument.load(readFileSync(join(dir, `${id}.pdf`)));
    expect([1, 2]).toContain(pdf.getPageCount());
    expect(pdf.getPage(0).getWidth()).toBeCloseTo(595.28, 1);
    expect(pdf.getPage(0).getHeight()).toBeCloseTo(841.89, 1);
    expect(pdf.getTitle()).toBe('L’espace santé Carnet de Zoé va être créé');
    expect((await row(getDb(), id)).status).toBe('sent');
  });

  it('fails a letter without a postal address, and retries it', async () => {
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Sans Adresse' }));
    expect(await drainOutbox(deps(recordingTransport()))).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect((await row(getDb(), id)).last_error).toContain('no complete postal address');
  });

  it('takes the oldest due messages first, up to the limit', async () => {
    const transport = recordingTransport();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: `P${i}`, email: `p${i}@example.org` })));
      clock.advance(1000);
    }
    expect(await drainOutbox(deps(transport), { limit: 2 })).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(transport.sent.map((e) => e.messageId)).toEqual(ids.slice(0, 2));
    expect(await drainOutbox(deps(transport), { limit: 10 })).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect(transport.sent.map((e) => e.messageId).sort()).toEqual([...ids].sort());
  });

  it('never sends a message twice when several workers drain at once', async () => {
    const transport = recordingTransport(2);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: `P${i}`, email: `p${i}@example.org` })));
    const results = await Promise.all([1, 2, 3].map(() => drainOutbox(deps(transport), { limit: 25, concurrency: 5 })));
    const rest = await drainOutbox(deps(transport), { limit: 100 });
    expect(results.reduce((n, r) => n + r.sent, 0) + rest.sent).toBe(60);
    const sentIds = transport.sent.map((e) => e.messageId);
    expect(new Set(sentIds).size).toBe(sentIds.length);
    expect(sentIds.sort()).toEqual([...ids].sort());
  });

  it('sends again a message whose worker died after claiming it, once the lease is over', async () => {
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Claire', email: 'claire@example.org' }));
    // A worker claims the row and dies before recording anything.
    const dying: MailTransport = { send: () => new Promise<void>(() => undefined) };
    void drainOutbox(deps(dying));
    await expect.poll(async () => (await row(getDb(), id)).attempts).toBe(1);

    const transport = recordingTransport();
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(CLAIM_LEASE_MS);
    expect(await drainOutbox(deps(transport))).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(transport.sent.map((e) => e.messageId)).toEqual([id]);
  });

  it('runs as a background worker that stops cleanly', async () => {
    const dir = tempDir('mail');
    const id = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Claire', email: 'claire@example.org' }));
    const stop = startOutboxWorker(deps(createFileMailbox(dir)), { intervalMs: 20 });
    await expect.poll(async () => (await row(getDb(), id)).status, { timeout: 10_000 }).toBe('sent');
    await stop();

    const later = await enqueueMessage(getDb(), { clock, random: cryptoRandom }, information({ name: 'Paul', email: 'paul@example.org' }));
    await new Promise((r) => setTimeout(r, 100));
    expect((await row(getDb(), later)).status).toBe('pending');
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('keeps running when a drain fails', async () => {
    const errors: unknown[] = [];
    const broken = { ...deps(recordingTransport()), db: { ...getDb(), tx: () => Promise.reject(new Error('database unreachable')) } as Db };
    const stop = startOutboxWorker(broken, { intervalMs: 10, onError: (e) => errors.push(e) });
    await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2);
    await stop();
    expect((errors[0] as Error).message).toBe('database unreachable');
  });
});

describe('createMailDelivery', () => {
  it('uses the file mailbox without SMTP, and always the letters folder', async () => {
    const config = testConfig();
    const delivery = createMailDelivery(config);
    await delivery.transport.send({ to: 'a@example.org', from: MAIL_FROM, subject: 'Test', text: 'Bonjour', html: '<p>Bonjour</p>', messageId: '00000000-0000-4000-8000-000000000001' });
    expect(readdirSync(join(config.dataDir, 'mail'))).toHaveLength(1);
    await delivery.close();
  });

  it('refuses the local mailbox in production', () => {
    expect(() => createMailDelivery({ ...testConfig(), env: 'production', smtpUrl: undefined })).toThrow(/SMTP_URL/);
  });
});
