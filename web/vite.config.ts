import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The portal: React on the State design system (react-dsfr). The DSFR's CSS, fonts and icons
 * are copied to public/dsfr by react-dsfr's scripts (scripts/build-portal.ts runs them).
 * Built to web/dist, served by the Carnet server (src/portal/).
 */
export default defineConfig({
  root,
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // index.html points to hashed files under /assets/, served immutable.
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite web` during development: the API is the Carnet server.
    proxy: { '/api': 'http://localhost:3000', '/pro/login': 'http://localhost:3000', '/pro/callback': 'http://localhost:3000', '/pro/logout': 'http://localhost:3000', '/dev': 'http://localhost:3000' },
  },
});
