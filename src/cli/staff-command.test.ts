import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { carnet } from '../../test/cli.ts';
import { formatTable } from './staff-command.ts';


describe('carnet staff', () => {
  beforeEach(() => {
    // The CLI opens the embedded database in a fresh data folder.
    vi.stubEnv('CARNET_DATA_DIR', mkdtempSync(join(tmpdir(), 'carnet-cli-')));
    vi.stubEnv('CARNET_SECRET', randomBytes(32).toString('base64'));
    vi.stubEnv('DATABASE_URL', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('adds accounts, prints the token once, lists and revokes them', async () => {
    const empty = await carnet('staff', 'list');
    expect(empty).toMatchObject({ code: 0, out: expect.stringMatching(/No staff account yet/) });

    const added = await carnet('staff', 'add', '--role', 'operator', '--name', 'Exploitation Alice');
    expect(added.code).toBe(0);
    const id = /\(id ([0-9a-f-]{36})\)/.exec(added.out)?.[1] as string;
    const token = /^ {2}(\S{40,})$/m.exec(added.out)?.[1] as string;
    expect(id).toBeDefined();
    expect(token).toBeDefined();
    expect(added.out).toMatch(/shown ONCE/);
    expect(added.out).toMatch(/Keep it safe/);

    expect((await carnet('staff', 'add', '--role', 'insurer', '--name', 'CNAM')).code).toBe(0);

    const listed = await carnet('staff', 'list');
    expect(listed.code).toBe(0);
    const lines = listed.out.split('\n');
    expect(lines[0]).toMatch(/^id\s+role\s+name\s+created\s+revoked$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(1, 3))).toEqual([
      ['operator', 'Exploitation Alice'],
      ['insurer', 'CNAM'],
    ]);
    expect(listed.out).toContain(id);
    expect(listed.out).not.toContain(token);

    const revoked = await carnet('staff', 'revoke', id);
    expect(revoked).toMatchObject({ code: 0, out: `Account ${id} revoked: its token no longer works.` });
    expect((await carnet('staff', 'revoke', id)).out).toBe(`Account ${id} was already revoked.`);
    const after = (await carnet('staff', 'list')).out.split('\n').find((l) => l.startsWith(id));
    expect(after).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  }, 120_000);

  it('refuses a bad role, a missing name and an unknown account', async () => {
    const role = await carnet('staff', 'add', '--role', 'admin', '--name', 'X');
    expect(role.code).not.toBe(0);
    const name = await carnet('staff', 'add', '--role', 'operator');
    expect(name.code).not.toBe(0);
    const unknown = await carnet('staff', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringMatching(/No staff account 00000000-0000-4000-8000-000000000000/) });
  }, 120_000);
});

describe('formatTable', () => {
  it('aligns columns', () => {
    expect(formatTable(['a', 'bb'], [['xxx', 'y'], ['z', '']])).toBe('a    bb\n---  --\nxxx  y\nz');
  });
});
