import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { carnet } from '../../test/cli.ts';
import { errorReportPath } from './import-professionals-command.ts';


const HEADER = 'rpps,family_name,given_name,profession_code,specialty_code,email,finess,organisation_name,organisation_kind,siret,city';

describe('carnet import-professionals', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
    vi.stubEnv('CARNET_DATA_DIR', join(dir, 'data'));
    vi.stubEnv('CARNET_SECRET', randomBytes(32).toString('base64'));
    vi.stubEnv('DATABASE_URL', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('imports a file, reports bad lines on screen and in a CSV beside the file, and is idempotent', async () => {
    const file = join(dir, 'annuaire.csv');
    writeFileSync(
      file,
      [
        HEADER,
        '99900000011,BERNARD,Sophie,10,SM54,sophie@example.org,759990013,"Cabinet des Lilas, Paris",cabinet,,Paris',
        '99900000012,FAUX,Numéro,10,,,,,,,',
        '99900000029,LEROY,Marc,10,SM04,not-an-email,,,,,',
        '99900000037,DUBOIS,Claire,21,,,,,,,',
      ].join('\n'),
    );
    const first = await carnet('import-professionals', file);
    expect(first.code).toBe(2);
    expect(first.out).toMatch(/^import-professionals annuaire\.csv: 4 rows: 2 created, 0 updated, 0 unchanged, 0 deactivated, 2 errors, in \d+\.\d s \(organisations: 1 created, 0 updated\)$/);
    expect(first.err).toContain('line 3, rpps: control key (last digit) is wrong');
    expect(first.err).toContain('line 4, email: is not an e-mail address (value: not-an-email)');
    const report = errorReportPath(file);
    expect(report).toBe(join(dir, 'annuaire.errors.csv'));
    expect(first.err).toContain(`the full list is in ${report}`);
    expect(readFileSync(report, 'utf8')).toBe(
      'line,field,value,reason\n3,rpps,99900000012,control key (last digit) is wrong: the number was probably mistyped\n4,email,not-an-email,is not an e-mail address\n',
    );

    const second = await carnet('import-professionals', file);
    expect(second.out).toMatch(/4 rows: 0 created, 0 updated, 2 unchanged, 0 deactivated, 2 errors/);

    // Fixed file: no error, and the stale report is gone.
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => !/FAUX|not-an-email/.test(l)).join('\n'));
    const third = await carnet('import-professionals', file);
    expect(third).toMatchObject({ code: 0, err: '' });
    expect(third.out).toMatch(/2 rows: 0 created, 0 updated, 2 unchanged/);
    expect(existsSync(report)).toBe(false);
  }, 120_000);

  it('reads NDJSON, deactivates with --full, and exits 0 without a report when every line is good', async () => {
    const csv = join(dir, 'all.csv');
    writeFileSync(csv, [HEADER, '99900000011,BERNARD,Sophie,10,,,,,,,', '99900000029,LEROY,Marc,10,,,,,,,'].join('\n') + '\n');
    expect((await carnet('import-professionals', csv)).code).toBe(0);
    expect(existsSync(errorReportPath(csv))).toBe(false);

    const extract = join(dir, 'extract.json.txt');
    writeFileSync(extract, JSON.stringify({ rpps: '99900000011', family_name: 'BERNARD', given_name: 'Sophie', profession_code: '10' }) + '\n');
    const full = await carnet('import-professionals', extract, '--format', 'ndjson', '--full');
    expect(full).toMatchObject({ code: 0, err: '' });
    expect(full.out).toMatch(/1 rows: 0 created, 0 updated, 1 unchanged, 1 deactivated, 0 errors/);
  }, 120_000);

  it('fails clearly on a missing file or an unknown format', async () => {
    const missing = await carnet('import-professionals', join(dir, 'nope.csv'));
    expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/Cannot read the file .*nope\.csv/) });
    const format = await carnet('import-professionals', join(dir, 'nope.csv'), '--format', 'xml');
    expect(format.code).not.toBe(0);
  }, 60_000);
});
