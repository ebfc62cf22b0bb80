import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../../test/engines.ts';
import { testApp } from '../../../test/helpers.ts';
import type { TestContext } from '../../../test/helpers.ts';
import { cryptoRandom } from '../random.ts';
import { enqueueMessage } from './outbox.ts';
import type { Recipient } from './outbox.ts';
import { createMailDelivery, drainOutbox } from './outbox-worker.ts';

const CODE = 'K7QM-2WXP-9RTB';

interface ListedMail {
  id: string;
  to: string;
  subject: string;
  date: string;
  text: string;
}

async function sendInformation(ctx: TestContext, recipient: Recipient): Promise<string> {
  const id = await enqueueMessage(ctx.db, { clock: ctx.clock, random: cryptoRandom }, {
    patientId: null,
    template: 'space_information',
    channel: recipient.email ? 'email' : 'letter',
    recipient,
    params: { code: CODE, expiresOn: '2026-02-26', opensOn: '2026-02-26', activateUrl: 'https://carnet.example.fr/activer?c=1&d=2', opposeUrl: 'https://carnet.example.fr/opposition' },
  });
  const delivery = createMailDelivery(ctx.config);
  await drainOutbox({ db: ctx.db, clock: ctx.clock, config: ctx.config, ...delivery });
  await delivery.close();
  return id;
}

describeEngines('development mailbox routes', (getDb) => {
  beforeEach(async () => {
    await getDb().query('DELETE FROM outbox');
  });

  it('lists the e-mails as JSON, with the text holding the activation code', async () => {
    const ctx = await testApp(getDb());
    const id = await sendInformation(ctx, { name: 'Claire Martin', email: 'claire@example.org' });
    const res = await ctx.app.inject({ method: 'GET', url: '/dev/mail?format=json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const list = res.json<ListedMail[]>();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ to: 'claire@example.org', subject: 'Votre espace santé Carnet va être créé', date: '2026-01-15T09:00:00.000Z' });
    expect(list[0]?.id).toMatch(new RegExp(`^20260115T090000000Z-${id}$`));
    expect(list[0]?.text).toContain(CODE);
  });

  it('shows the list as an accessible French page, newest first', async () => {
    const ctx = await testApp(getDb());
    await sendInformation(ctx, { name: 'Claire Martin', email: 'claire@example.org' });
    ctx.clock.advance(60_000);
    await sendInformation(ctx, { name: 'Paul <Dupont>', email: 'paul@example.org' });
    const res = await ctx.app.inject({ method: 'GET', url: '/dev/mail' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const html = res.body;
    expect(html).toMatch(/^<!doctype html>\n<html lang="fr">/);
    expect(html).toContain('<title>');
    expect(html).toContain('<main>');
    expect(html).toContain('<caption>');
    expect(html).toContain('<th scope="col">Destinataire</th>');
    expect(html).toMatch(/n’ont pas été envoyés/); // announces itself
    const list = (await ctx.app.inject({ method: 'GET', url: '/dev/mail?format=json' })).json<ListedMail[]>();
    expect(list.map((m) => m.to)).toEqual(['paul@example.org', 'claire@example.org']);
    expect(html.indexOf(`/dev/mail/${list[0]?.id}`)).toBeGreaterThan(0);
    expect(html.indexOf(`/dev/mail/${list[0]?.id}`)).toBeLessThan(html.indexOf(`/dev/mail/${list[1]?.id}`));
  });

  it('shows one e-mail: its HTML in a sandboxed frame and its text', async () => {
    const ctx = await testApp(getDb());
    await sendInformation(ctx, { name: 'Claire Martin', email: 'claire@example.org' });
    const [mail] = (await ctx.app.inject({ method: 'GET', url: '/dev/mail?format=json' })).json<ListedMail[]>();
    const res = await ctx.app.inject({ method: 'GET', url: `/dev/mail/${mail?.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<dd>claire@example.org</dd>');
    expect(res.body).toContain('<dd>Votre espace santé Carnet va être créé</dd>');
    expect(res.body).toMatch(/<iframe title="[^"]+" sandbox="[^"]*" srcdoc="&#60;!doctype html&#62;/);
    expect(res.body).not.toMatch(/<iframe[^>]*allow-scripts/);
    expect(res.body).toContain(`<pre>`);
    expect(res.body).toContain(CODE);
    // Links of the text are clickable, and stay escaped.
    expect(res.body).toContain('<a href="https://carnet.example.fr/activer?c=1&#38;d=2">');
  });

  it('lists and serves paper letters as PDF', async () => {
    const ctx = await testApp(getDb());
    const id = await sendInformation(ctx, { name: 'Mme Hélène Dupré', address: '3 place Bellecour', postalCode: '69002', city: 'Lyon' });
    const list = (await ctx.app.inject({ method: 'GET', url: '/dev/letters?format=json' })).json<{ id: string; url: string }[]>();
    expect(list).toEqual([expect.objectContaining({ id, url: `/dev/letters/${id}.pdf` })]);
    const page = await ctx.app.inject({ method: 'GET', url: '/dev/letters' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/dev/letters/${id}.pdf"`);
    const res = await ctx.app.inject({ method: 'GET', url: `/dev/letters/${id}.pdf` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = await PDFDocument.load(res.rawPayload);
    expect(pdf.getPage(0).getWidth()).toBeCloseTo(595.28, 1);
    expect(pdf.getTitle()).toBe('Votre espace santé Carnet va être créé');
  });

  it('answers 404 for an unknown message or letter', async () => {
    const ctx = await testApp(getDb());
    expect((await ctx.app.inject({ method: 'GET', url: '/dev/mail/20260115T090000000Z-00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/dev/letters/00000000-0000-4000-8000-000000000000.pdf' })).statusCode).toBe(404);
  });

  it('refuses ids that walk out of the mailbox', async () => {
    const ctx = await testApp(getDb());
    writeFileSync(join(ctx.config.dataDir, 'secret.eml'), 'TOP-SECRET');
    writeFileSync(join(ctx.config.dataDir, 'secret.pdf'), 'TOP-SECRET');
    mkdirSync(join(ctx.config.dataDir, 'mail'), { recursive: true });
    // Encoded, the dots reach the route and its strict id pattern refuses them.
    for (const url of [
      '/dev/mail/..%2Fsecret',
      '/dev/mail/..%2F..%2Fsecret',
      '/dev/mail/20260115T090000000Z-x%2F..%2F..%2Fsecret',
      '/dev/mail/%2e%2e%2fsecret',
      '/dev/letters/..%2Fsecret.pdf',
      '/dev/letters/%2e%2e%2f%2e%2e%2fsecret.pdf',
    ]) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'validation_failed' });
    }
    // Plain, the router resolves them to another path, which is no route.
    for (const url of ['/dev/mail/../secret', '/dev/letters/../secret.pdf', '/dev/mail/../../secret.eml']) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('TOP-SECRET');
    }
  });

  it('does not exist in production', async () => {
    const ctx = await testApp(getDb(), { config: { env: 'production' } });
    for (const url of ['/dev/mail', '/dev/mail?format=json', '/dev/mail/20260115T090000000Z-00000000-0000-4000-8000-000000000000', '/dev/letters', '/dev/letters/x.pdf']) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('does not exist when mail really goes out over SMTP', async () => {
    const ctx = await testApp(getDb(), { config: { smtpUrl: 'smtp://127.0.0.1:2525' } });
    expect((await ctx.app.inject({ method: 'GET', url: '/dev/mail' })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/dev/letters' })).statusCode).toBe(404);
  });
});
