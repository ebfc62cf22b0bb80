import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.ts';
import { AppError } from '../errors.ts';
import { listMailbox, readMailboxMessage } from './file-mailbox.ts';
import { listLetters } from './letter-folder.ts';
import { escapeHtml } from './templates.ts';

const MAILBOX_ID_PATTERN = '^[0-9]{8}T[0-9]{9}Z-[A-Za-z0-9-]{1,64}$';
const LETTER_ID_PATTERN = '^[A-Za-z0-9-]{1,64}$';

/**
 * The development mailbox in the browser: the e-mails and letters Carnet would have sent,
 * read from `<dataDir>/mail` and `<dataDir>/letters`. It exists only in development without
 * SMTP; in production, or when mail really goes out, these routes are not registered (404).
 */
export const devMailRoutes: FastifyPluginAsync<{ config: Config }> = async (fastify, { config }) => {
  if (config.env === 'production' || config.smtpUrl !== undefined) return;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const mailDir = join(config.dataDir, 'mail');
  const letterDir = join(config.dataDir, 'letters');
  const tags = ['development'];

  app.get(
    '/dev/mail',
    {
      schema: {
        description: 'Development only: the e-mails Carnet would have sent, newest first. `format=json` lists them with their text (to read an activation code from a script).',
        tags,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const messages = await listMailbox(mailDir);
      if (request.query.format === 'json') {
        devHeaders(reply);
        return messages.map((m) => ({ id: m.id, to: m.to, subject: m.subject, date: m.date?.toISOString() ?? null, text: m.text }));
      }
      const rows = messages
        .map(
          (m) =>
            `<tr><td>${escapeHtml(formatDate(m.date))}</td><td>${escapeHtml(m.to)}</td><td><a href="/dev/mail/${escapeHtml(m.id)}">${escapeHtml(m.subject || '(sans objet)')}</a></td></tr>`,
        )
        .join('\n');
      const body =
        messages.length === 0
          ? '<p>Aucun message pour l’instant.</p>'
          : `<table>\n<caption>Messages, du plus récent au plus ancien</caption>\n<thead><tr><th scope="col">Date</th><th scope="col">Destinataire</th><th scope="col">Objet</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
      return sendPage(reply, 'Boîte aux lettres de développement', `${body}\n<p><a href="/dev/letters">Courriers papier</a> · <a href="/dev/mail?format=json">JSON</a></p>`);
    },
  );

  app.get(
    '/dev/mail/:id',
    {
      schema: {
        description: 'Development only: one e-mail, its HTML and its text.',
        tags,
        params: Type.Object({ id: Type.String({ pattern: MAILBOX_ID_PATTERN }) }),
      },
    },
    async (request, reply) => {
      const m = await readMailboxMessage(mailDir, request.params.id);
      if (m === undefined) throw new AppError('not_found', 'No such message in the development mailbox.');
      const meta = [
        ['De', m.from],
        ['À', m.to],
        ['Date', formatDate(m.date)],
        ['Objet', m.subject],
      ]
        .map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`)
        .join('\n');
      // The message's own HTML in a sandboxed frame (no scripts, its own styles); its links
      // open in the whole window, so the activation link works from here.
      const frame =
        m.html === undefined
          ? ''
          : `<h2>Version HTML</h2>\n<iframe title="Message au format HTML" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="${escapeHtml(m.html.replace(/<head>/i, '<head><base target="_top">'))}"></iframe>`;
      const text = `<h2>Version texte</h2>\n<pre>${linkify(escapeHtml(m.text))}</pre>`;
      return sendPage(reply, m.subject || 'Message', `<dl>\n${meta}\n</dl>\n${frame}\n${text}\n<p><a href="/dev/mail">Tous les messages</a></p>`);
    },
  );

  app.get(
    '/dev/letters',
    {
      schema: {
        description: 'Development only: the paper letters (PDF) Carnet would have printed, newest first.',
        tags,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const letters = await listLetters(letterDir);
      if (request.query.format === 'json') {
        devHeaders(reply);
        return letters.map((l) => ({ id: l.id, date: l.date.toISOString(), size: l.size, url: `/dev/letters/${l.id}.pdf` }));
      }
      const rows = letters
        .map((l) => `<tr><td>${escapeHtml(formatDate(l.date))}</td><td><a href="/dev/letters/${escapeHtml(l.id)}.pdf">${escapeHtml(l.id)}.pdf</a></td><td>${Math.ceil(l.size / 1024)} Ko</td></tr>`)
        .join('\n');
      const body =
        letters.length === 0
          ? '<p>Aucun courrier pour l’instant.</p>'
          : `<table>\n<caption>Courriers, du plus récent au plus ancien</caption>\n<thead><tr><th scope="col">Date</th><th scope="col">Fichier</th><th scope="col">Taille</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
      return sendPage(reply, 'Courriers papier de développement', `${body}\n<p><a href="/dev/mail">E-mails</a></p>`);
    },
  );

  app.get(
    '/dev/letters/:id.pdf',
    {
      schema: {
        description: 'Development only: one letter as PDF.',
        tags,
        params: Type.Object({ id: Type.String({ pattern: LETTER_ID_PATTERN }) }),
      },
    },
    async (request, reply) => {
      let pdf: Buffer;
      try {
        pdf = await readFile(join(letterDir, `${request.params.id}.pdf`));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', 'No such letter in the development folder.');
        throw e;
      }
      devHeaders(reply);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${request.params.id}.pdf"`).send(pdf);
    },
  );
};

/** Messages hold codes and links with tokens: never cached, never sent as a referrer. */
function devHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
}

function sendPage(reply: FastifyReply, title: string, main: string): FastifyReply {
  devHeaders(reply);
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Carnet (développement)</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #161616; line-height: 1.5; }
.warning { border-left: 4px solid #b34000; background: #fff4f3; padding: .5rem 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
dt { font-weight: bold; } dd { margin: 0 0 .5rem; }
iframe { width: 100%; height: 40rem; border: 1px solid #ddd; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }
a { color: #000091; }
</style>
</head>
<body>
<header><p class="warning" role="note">Développement : ces messages n’ont pas été envoyés. Cette page n’existe pas en production ni quand SMTP_URL est défini.</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
${main}
</main>
</body>
</html>
`);
}

function formatDate(d: Date | undefined): string {
  if (d === undefined) return '';
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' }).format(d);
}

/** Turns the (already escaped) web addresses of a text into links. */
function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}
