/**
 * Serves the portal (web/dist, built by scripts/build-portal.ts): hashed bundles under
 * /assets/ (immutable), the DSFR's CSS, fonts and icons under /dsfr/, and index.html for
 * every GET navigation that is not the API or another server page (the portal routes in the
 * browser). Pre-compressed siblings (.br, .gz) are sent when the browser accepts them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppDeps } from '../app.ts';
import { PAGE_HEADERS } from './csp.ts';

export const PORTAL_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths that belong to the server, never to the portal: they keep their own 404. */
const SERVER_PATHS = /^\/(api|fhir|dev|docs|oauth|health|assets|dsfr|\.well-known)(\/|$)|^\/pro\/(login|callback|logout)(\/|$)/;

const IMMUTABLE = 'public, max-age=31536000, immutable';
// DSFR files are versioned by a query string in index.html; their fonts and icons are not: a day.
const DSFR_CACHE = 'public, max-age=86400';

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') || request.headers['sec-fetch-mode'] === 'navigate';
}

const NOT_BUILT = `<!doctype html><html lang="fr"><meta charset="utf-8"><title>Carnet – portail non construit</title>
<h1>Le portail n’est pas construit</h1><p>Lancez <code>npm run build:portal</code> (ou <code>npm start</code>, qui le construit), puis rechargez.</p>
<p lang="en">The portal is not built: run <code>npm run build:portal</code> (or <code>npm start</code>, which builds it), then reload.</p></html>`;

export function portalPlugin(dist: string = PORTAL_DIST): FastifyPluginAsync<AppDeps> {
  return async (app) => {
    const indexFile = join(dist, 'index.html');
    const built = existsSync(indexFile);
    // Read once; re-read if the build changed it while running (npm run build:portal).
    let index = built ? readFileSync(indexFile) : null;
    let indexTime = built ? statSync(indexFile).mtimeMs : 0;
    const currentIndex = (): Buffer | null => {
      if (!existsSync(indexFile)) return null;
      const t = statSync(indexFile).mtimeMs;
      if (index === null || t !== indexTime) {
        index = readFileSync(indexFile);
        indexTime = t;
      }
      return index;
    };

    if (existsSync(join(dist, 'assets'))) {
      await app.register(fastifyStatic, {
        root: join(dist, 'assets'),
        prefix: '/assets/',
        preCompressed: true,
        cacheControl: false,
        index: false,
        setHeaders: (reply) => {
          reply.header('cache-control', IMMUTABLE);
          reply.header('x-content-type-options', 'nosniff');
        },
      });
    }
    if (existsSync(join(dist, 'dsfr'))) {
      await app.register(fastifyStatic, {
        root: join(dist, 'dsfr'),
        prefix: '/dsfr/',
        decorateReply: false,
        preCompressed: true,
        cacheControl: false,
        index: false,
        setHeaders: (reply) => {
          reply.header('cache-control', DSFR_CACHE);
          reply.header('x-content-type-options', 'nosniff');
        },
      });
    }

    app.get('/*', { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (SERVER_PATHS.test(path) || !wantsHtml(request)) return reply.callNotFound();
      const html = currentIndex();
      if (html === null) return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
      return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
    });
  };
}

/** The portal, served from web/dist. */
export const portalRoutes: FastifyPluginAsync<AppDeps> = portalPlugin();
