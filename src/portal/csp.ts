import { createHash } from 'node:crypto';

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * The only inline style the portal runs: react-dsfr's colour-scheme element (useIsDark), one of
 * two fixed texts. Allowed by hash, so no 'unsafe-inline' is needed.
 */
const DSFR_COLOR_SCHEME_STYLES = [':root { color-scheme: light; }', ':root { color-scheme: dark; }'].map(sha256);

/**
 * The Content-Security-Policy of the portal's pages: scripts and styles from Carnet only (no
 * inline script at all), documents shown inline from blob: URLs the page made itself, no
 * plugins, no framing by other sites, forms and connections to Carnet only.
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${DSFR_COLOR_SCHEME_STYLES.join(' ')}`,
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "manifest-src 'self'",
  "worker-src 'self' blob:",
].join('; ');

/** Headers of every portal page (index.html). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PORTAL_CSP,
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};
