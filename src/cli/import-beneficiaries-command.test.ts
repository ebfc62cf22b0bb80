import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { ManualClock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import { csvOf, ndjsonOf, person } from '../beneficiaries/test-fixtures.ts';
import { buildProgram } from './index.ts';
import { carnet } from '../../test/cli.ts';
import { defaultReportPath, formatLineError, runImportBeneficiaries } from './import-beneficiaries-command.ts';
import type { CommandOutput } from './import-beneficiaries-command.ts';

function capture(): CommandOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, log: (l) => void out.push(l), error: (l) => void err.push(l), interactive: false };
}

describeEngines('carnet import-beneficiaries', (getDb) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-import-'));
  });
  const deps = () => ({ db: getDb(), clock: new ManualClock('2026-01-15T09:00:00Z'), random: cryptoRandom, config: { secret: randomBytes(32), baseUrl: 'https://carnet.test' } });

  it('prints the first 20 problems, writes them all to a CSV report next to the file, and a summary', async () => {
    const bad = Array.from({ length: 25 }, () => ({ ...person({ birthDate: '1985-04-12' }), birth_date: '1985-05-12' }));
    const file = join(dir, 'beneficiaires.csv');
    writeFileSync(file, csvOf([person(), ...bad, { ...person(), city: 'Paris, "centre"', email: 'x' }]));
    const io = capture();
    const summary = await runImportBeneficiaries(deps(), file, {}, io);
    expect(summary).toMatchObject({ rows: 27, created: 1, errors: 26 });

    expect(io.err.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 3}, birth_date: month does not match the matricule (04)`));
    expect(io.err[20]).toBe('... and 6 more problems in the report.');
    const report = join(dir, 'beneficiaires.errors.csv');
    expect(io.out[0]).toMatch(/^Imported 27 lines of beneficiaires\.csv in [\d.]+ s \([\d,]+ rows\/s\): 1 created, 0 updated, 0 unchanged, 0 skipped \(deceased, unknown\), 26 rejected\.$/);
    expect(io.out[2]).toBe(`26 lines rejected (26 problems): see ${report}`);
    const lines = readFileSync(report, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('line,field,reason');
    expect(lines[1]).toBe('3,birth_date,month does not match the matricule (04)');
    expect(lines).toHaveLength(27);
    expect(lines[26]).toBe('28,email,is not an e-mail address (name@domain.tld)');
  });

  it('reads NDJSON by its extension and writes the report where asked', async () => {
    const file = join(dir, 'delta.ndjson');
    writeFileSync(file, `${ndjsonOf([person(), person()])}not json\n`);
    const report = join(dir, 'elsewhere.csv');
    const io = capture();
    const summary = await runImportBeneficiaries(deps(), file, { errorsOut: report, batchSize: 1 }, io);
    expect(summary).toMatchObject({ rows: 3, created: 2, errors: 1 });
    expect(io.err).toEqual(['line 3: is not valid JSON']);
    expect(readFileSync(report, 'utf8')).toBe('line,field,reason\n3,,is not valid JSON\n');
  });

  it('refuses a file it cannot read, before touching the database', async () => {
    await expect(runImportBeneficiaries(deps(), join(dir, 'missing.csv'), {}, capture())).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/Cannot read .*missing\.csv: no such file/) });
    await expect(runImportBeneficiaries(deps(), dir, {}, capture())).rejects.toMatchObject({ message: expect.stringMatching(/it is not a file/) });
  });
});

describe('carnet import-beneficiaries (command line)', () => {
  beforeEach(() => {
    vi.stubEnv('CARNET_DATA_DIR', mkdtempSync(join(tmpdir(), 'carnet-cli-')));
    vi.stubEnv('CARNET_SECRET', randomBytes(32).toString('base64'));
    vi.stubEnv('DATABASE_URL', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });


  it('exits 0 with rejected lines, 1 when the file cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-import-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, csvOf([person(), { ...person(), sex: 'Z' }]));
    const ok = await carnet('import-beneficiaries', file);
    expect(ok.code).toBe(0);
    expect(ok.err).toBe('line 3, sex: must be M, F or U');
    expect(ok.out).toMatch(/1 created.*1 rejected/);
    expect(ok.out).toContain(defaultReportPath(file));

    const missing = await carnet('import-beneficiaries', join(dir, 'nope.csv'));
    expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/^carnet: Cannot read .*nope\.csv: no such file\.$/) });
    expect((await carnet('import-beneficiaries', file, '--batch-size', '0')).code).not.toBe(0);
    expect((await carnet('import-beneficiaries', file, '--format', 'xml')).code).not.toBe(0);
  }, 120_000);

  it('explains itself in --help', () => {
    const cmd = buildProgram().commands.find((c) => c.name() === 'import-beneficiaries');
    const help = cmd?.helpInformation() ?? '';
    expect(help).toMatch(/Usage: carnet import-beneficiaries \[options\] <file>/);
    for (const option of ['--format <format>', '--batch-size <n>', '--errors-out <file>']) expect(help).toContain(option);
    expect(cmd?.description()).toMatch(/provisional code/);
  });
});

describe('formatLineError and defaultReportPath', () => {
  it('format a problem as the operator reads it and name the report after the file', () => {
    expect(formatLineError({ line: 12, field: 'birth_date', reason: 'month does not match the matricule (05)' })).toBe('line 12, birth_date: month does not match the matricule (05)');
    expect(formatLineError({ line: 3, field: null, reason: 'is not valid JSON' })).toBe('line 3: is not valid JSON');
    expect(defaultReportPath('/data/in/beneficiaires-2026.csv')).toBe('/data/in/beneficiaires-2026.errors.csv');
    expect(defaultReportPath('/data/in/delta.ndjson')).toBe('/data/in/delta.errors.csv');
  });
});
