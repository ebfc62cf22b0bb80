import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { migrate, openDatabase } from './storage/index.ts';
import { systemClock } from './platform/clock.ts';
import { cryptoRandom } from './platform/random.ts';
import { startBackgroundWork } from './background.ts';

/**
 * Reads the configuration, opens and migrates the database, builds the app and listens:
 * the only place that does so. `npm start` and `carnet serve` both land here.
 */
export async function serve(env: Record<string, string | undefined>): Promise<void> {
  const t0 = performance.now();
  const config = loadConfig(env);
  const warn = (msg: string) => console.warn(`\x1b[33m[carnet] WARNING: ${msg}\x1b[0m`);
  if (config.secretIsGenerated) warn(`using a development secret generated in ${config.dataDir}/secret.key. Set CARNET_SECRET in production.`);
  if (config.masterKeyIsGenerated) warn(`sealing health content with a development master key generated in ${config.dataDir}/master.key: losing it loses the content. Set CARNET_MASTER_KEY (or CARNET_MASTER_KEY_FILE) in production, kept outside the database and its backups.`);
  if (config.databaseUrl === undefined) warn(`using the embedded database in ${config.dataDir}/pg (development). Set DATABASE_URL for PostgreSQL.`);
  if (config.smtpUrl === undefined) warn(`no SMTP_URL: e-mails are kept in ${config.dataDir}/mail and listed at ${config.baseUrl}/dev/mail.`);

  const opened = await openDatabase(config);
  const deps = { config, db: opened.db, clock: systemClock, random: cryptoRandom };
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stopBackground: (() => Promise<void>) | undefined;
  try {
    const m = await migrate(opened.db);
    if (m.to !== m.from) console.log(`[carnet] database migrated from ${m.from} to ${m.to}`);
    app = await buildApp(deps);
    stopBackground = await startBackgroundWork(deps);
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await stopBackground?.();
    await app?.close();
    await opened.close();
    throw e;
  }
  console.log(`[carnet] listening on ${config.baseUrl} (${opened.db.engine}) in ${Math.round(performance.now() - t0)} ms`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('[carnet] stopping');
    await stopBackground?.();
    await app?.close();
    await opened.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[1] && /main\.ts$/.test(process.argv[1])) {
  serve(process.env).catch((e: unknown) => {
    console.error(`[carnet] cannot start: ${(e as Error).message}`);
    process.exit(1);
  });
}
