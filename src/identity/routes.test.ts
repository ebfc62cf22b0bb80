import { beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from './demo-directory.ts';
import { createStaffAccount, listStaffAccounts, revokeStaffAccount } from './staff-accounts.ts';
import { staffTokenHash } from './staff-auth.ts';

describeEngines('operator directory routes', (getDb) => {
  let t: TestContext;
  let operator: string;
  let insurer: string;
  let revoked: string;

  beforeAll(async () => {
    t = await testApp(getDb());
    const deps = { clock: t.clock, random: cryptoRandom, config: t.config };
    operator = (await createStaffAccount(t.db, deps, 'operator', 'Exploitation')).token;
    t.clock.advance(60_000);
    insurer = (await createStaffAccount(t.db, deps, 'insurer', 'CNAM')).token;
    t.clock.advance(60_000);
    const r = await createStaffAccount(t.db, deps, 'operator', 'Departed');
    revoked = r.token;
    expect(await revokeStaffAccount(t.db, t.clock, r.accountId)).toBe('revoked');
    await loadDemoDirectory(t.db, t.clock);
  });

  const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const GP = DEMO_PROFESSIONALS.generalPractitioner;

  it('answers 401 without a token, with an unknown one and with a revoked one', async () => {
    for (const token of [undefined, 'not-a-token', revoked]) {
      for (const url of ['/api/operator/professionals?name=bernard', `/api/operator/professionals/${GP}`, '/api/operator/professionals/garbage']) {
        const res = await get(url, token);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'unauthenticated' });
        expect(res.body).not.toMatch(/BERNARD/);
      }
    }
    const basic = await t.app.inject({ method: 'GET', url: '/api/operator/professionals', headers: { authorization: `Basic ${operator}` } });
    expect(basic.statusCode).toBe(401);
  });

  it('answers 403 to an insurer token', async () => {
    const res = await get(`/api/operator/professionals/${GP}`, insurer);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden' });
  });

  it('returns a professional by idNatPs to an operator', async () => {
    const res = await get(`/api/operator/professionals/${GP}`, operator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      idNatPs: GP,
      rpps: GP.slice(1),
      familyName: 'BERNARD',
      givenName: 'Sophie',
      professionCode: '10',
      professionLabel: 'Médecin',
      specialtyCode: 'SM54',
      specialtyLabel: 'Médecine générale',
      email: 'sophie.bernard@demo.carnet.example',
      active: true,
      organisation: { finess: '759990013', structureId: '1759990013', name: 'Cabinet médical des Lilas', kind: 'cabinet', kindLabel: 'Cabinet médical', siret: null, city: 'Paris', active: true },
    });
  });

  it('answers 400 to a malformed idNatPs and 404 to an unknown one', async () => {
    for (const bad of ['123', `9${GP.slice(1)}`, GP.slice(1), `${GP.slice(0, -1)}${(Number(GP.at(-1)) + 1) % 10}`]) {
      const res = await get(`/api/operator/professionals/${bad}`, operator);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'params.idNatPs' }] });
    }
    const unknown = await get('/api/operator/professionals/810005173140', operator);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found' });
  });

  it('searches by name, profession and FINESS', async () => {
    const names = async (query: string) => {
      const res = await get(`/api/operator/professionals?${query}`, operator);
      expect(res.statusCode).toBe(200);
      return (res.json() as { professionals: { familyName: string }[] }).professionals.map((p) => p.familyName);
    };
    expect(await names('name=bern')).toEqual(['BERNARD']);
    expect(await names('profession=10')).toEqual(['BERNARD', 'HADDAD', 'LEROY']);
    expect(await names('profession=10&limit=2')).toEqual(['BERNARD', 'HADDAD']);
    expect(await names('finess=759990013')).toEqual(['BERNARD', 'MOREAU']);
    expect(await names('name=sophie&profession=21')).toEqual([]);
  });

  it('answers 400 to a malformed search', async () => {
    for (const q of ['limit=0', 'limit=1000', 'profession=medecin', 'finess=759990014', 'finess=12', 'unknown=1']) {
      const res = await get(`/api/operator/professionals?${q}`, operator);
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('stores only a keyed hash of the token and lists accounts with their state', async () => {
    const rows = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM staff_accounts');
    expect(rows.map((r) => r.token_hash)).toContain(staffTokenHash(t.config.secret, operator));
    expect(JSON.stringify(rows)).not.toContain(operator);
    const accounts = await listStaffAccounts(t.db);
    expect(accounts.map((a) => [a.role, a.name, a.revokedAt === null])).toEqual([
      ['operator', 'Exploitation', true],
      ['insurer', 'CNAM', true],
      ['operator', 'Departed', false],
    ]);
  });
});

describeEngines('staff accounts', (getDb) => {
  it('refuses a bad role or name, and revokes idempotently', async () => {
    const { db, clock, config } = await testApp(getDb());
    const deps = { clock, random: cryptoRandom, config };
    await expect(createStaffAccount(db, deps, 'admin' as 'operator', 'X')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(createStaffAccount(db, deps, 'operator', '   ')).rejects.toMatchObject({ code: 'validation_failed' });
    const { accountId, token } = await createStaffAccount(db, deps, 'operator', '  Alice   Martin ');
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect((await listStaffAccounts(db)).find((a) => a.accountId === accountId)).toMatchObject({ name: 'Alice Martin', createdAt: clock.now(), revokedAt: null });
    clock.advanceDays(1);
    expect(await revokeStaffAccount(db, clock, accountId)).toBe('revoked');
    expect(await revokeStaffAccount(db, clock, accountId)).toBe('already_revoked');
    expect((await listStaffAccounts(db)).find((a) => a.accountId === accountId)?.revokedAt).toEqual(clock.now());
    await expect(revokeStaffAccount(db, clock, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
    await expect(revokeStaffAccount(db, clock, 'nope')).rejects.toMatchObject({ code: 'bad_request' });
  });
});
