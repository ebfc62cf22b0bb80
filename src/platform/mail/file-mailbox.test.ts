import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileMailbox, listMailbox, readMailboxMessage } from './file-mailbox.ts';
import { renderMessage } from './templates.ts';

const FROM = 'Carnet <ne-pas-repondre@carnet.localhost>';

function newDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'carnet-mailbox-')), 'mail');
}

describe('file mailbox', () => {
  it('writes an RFC 822 .eml file, named by time and message id, that reads back', async () => {
    const dir = newDir();
    const m = renderMessage('code_regenerated', { code: 'ABCD-EFGH-JKMN', expiresOn: '2026-03-01', activateUrl: 'https://carnet.example.fr/activer', childName: 'Léa' });
    await createFileMailbox(dir).send({ to: 'claire@example.org', from: FROM, ...m, messageId: '3f1c2d3e-1111-4222-8333-944445555666', date: new Date('2026-01-15T09:00:00.123Z') });

    expect(readdirSync(dir)).toEqual(['20260115T090000123Z-3f1c2d3e-1111-4222-8333-944445555666.eml']);
    const raw = readFileSync(join(dir, '20260115T090000123Z-3f1c2d3e-1111-4222-8333-944445555666.eml'), 'latin1');
    expect(raw).toMatch(/^(?:[A-Za-z-]+: .*\r\n(?:[ \t].*\r\n)*)+\r\n/); // headers, CRLF, blank line
    expect(raw).toContain('To: claire@example.org\r\n');
    expect(raw).toContain('Message-ID: <3f1c2d3e-1111-4222-8333-944445555666@carnet.localhost>\r\n');
    expect(raw).toContain('Date: Thu, 15 Jan 2026 09:00:00 +0000\r\n');
    expect(raw).toContain('Auto-Submitted: auto-generated\r\n');
    expect(raw).toContain('Content-Type: multipart/alternative');
    // The code is greppable in the file: never cut by a quoted-printable soft break.
    expect(raw).toContain('ABCD-EFGH-JKMN');

    const read = await readMailboxMessage(dir, '20260115T090000123Z-3f1c2d3e-1111-4222-8333-944445555666');
    expect(read).toMatchObject({ to: 'claire@example.org', from: FROM, subject: m.subject, text: m.text, html: m.html, messageId: '3f1c2d3e-1111-4222-8333-944445555666@carnet.localhost' });
    expect(read?.date?.toISOString()).toBe('2026-01-15T09:00:00.000Z');
  });

  it('lists the newest first and ignores files that are not its own', async () => {
    const dir = newDir();
    const box = createFileMailbox(dir);
    for (const [i, at] of ['2026-01-15T09:00:00Z', '2026-01-17T09:00:00Z', '2026-01-16T09:00:00Z'].entries()) {
      const m = renderMessage('login_otp', { code: `12345${i}`, minutes: '10' });
      await box.send({ to: `u${i}@example.org`, from: FROM, ...m, messageId: `00000000-0000-4000-8000-00000000000${i}`, date: new Date(at) });
    }
    writeFileSync(join(dir, 'notes.eml'), 'not ours');
    writeFileSync(join(dir, 'README.txt'), 'x');
    const list = await listMailbox(dir);
    expect(list.map((e) => e.to)).toEqual(['u1@example.org', 'u2@example.org', 'u0@example.org']);
    expect(list[0]?.text).toContain('123451');
    expect(await listMailbox(join(dir, 'absent'))).toEqual([]);
  });

  it('refuses ids that could name another file', async () => {
    const dir = newDir();
    for (const id of ['../secret', '..', '20260115T090000123Z-a/../../x', '20260115T090000123Z-a.eml', '']) {
      expect(await readMailboxMessage(dir, id)).toBeUndefined();
    }
    await expect(createFileMailbox(dir).send({ to: 'a@example.org', from: FROM, subject: 's', text: 't', html: '<p>t</p>', messageId: '../../evil' })).rejects.toThrow('messageId');
  });
});
