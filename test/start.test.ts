import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What `npm start` runs, on an empty data folder, as a newcomer would.
const dataDir = mkdtempSync(join(tmpdir(), 'carnet-start-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function start(port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'development', CARNET_DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: '', SMTP_URL: '', CARNET_SECRET: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on an empty data folder', () => {
  it('serves /health with demo data, delivers mail to /dev/mail, refuses a second process, stops cleanly', async () => {
    const port = await freePort();
    const first = start(port);
    const health = await until(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      return r.ok ? ((await r.json()) as { engine: string }) : undefined;
    }, 60_000);
    expect(health.engine).toBe('pglite');
    expect(first.output()).toMatch(/demo data loaded: sign in as "claire.martin"/);
    expect(first.output()).toMatch(/WARNING: using a development secret/);

    const mail = await until(async () => {
      const list = (await (await fetch(`http://127.0.0.1:${port}/dev/mail?format=json`)).json()) as { to: string; text: string }[];
      return list.some((m) => m.to === 'lucas.petit@demo.carnet.example') ? list : undefined;
    }, 20_000);
    expect(mail.find((m) => m.to === 'lucas.petit@demo.carnet.example')?.text).toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);

    const second = start(await freePort());
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another Carnet process is using the data folder/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 120_000);
});
