import { expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO, isDatabaseEmpty, loadDemoData } from './demo-data.ts';

describeEngines('demo data (what the README promises a newcomer)', (getDb) => {
  it('loads the directory and the demo people; the README accounts work', async () => {
    const ctx = await testApp(getDb());
    const deps = { db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: ctx.config };
    expect(await isDatabaseEmpty(deps)).toBe(true);
    await loadDemoData(deps);
    expect(await isDatabaseEmpty(deps)).toBe(false);

    // Claire signs in and manages her son's space.
    const s = await signIn(ctx, DEMO.patient.loginId, DEMO.patient.password);
    const me = (await ctx.app.inject({ method: 'GET', url: '/api/spaces/me', headers: { cookie: s.cookie } })).json();
    expect(me.space).toMatchObject({ status: 'active', name: 'Claire MARTIN' });
    expect(me.manages).toEqual([expect.objectContaining({ name: 'Léo MARTIN', status: 'active', rank: 1 })]);

    // Lucas activates his space with the code of his information e-mail.
    const code = (await ctx.db.query<{ code: string }>("SELECT params->>'code' AS code FROM outbox WHERE template = 'space_information' AND recipient->>'email' = 'lucas.petit@demo.carnet.example'"))[0]?.code;
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const act = await ctx.app.inject({
      method: 'POST',
      url: '/api/spaces/activation',
      payload: { matricule: DEMO.pending.matricule, birthDate: DEMO.pending.birthDate, code, loginId: 'lucas.petit', password: 'Bonjour-Lyon-69!', email: 'lucas.petit@demo.carnet.example', acceptTerms: true },
    });
    expect(act.statusCode).toBe(201);

    // Jeanne has no e-mail: her information goes by letter.
    const letters = await ctx.db.query<{ channel: string }>("SELECT channel FROM outbox WHERE template = 'space_information' AND recipient->>'postalCode' = '33000'");
    expect(letters).toEqual([{ channel: 'letter' }]);

    // Paul can oppose with his carte Vitale serial.
    const opp = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: DEMO.opposable.matricule, birthDate: DEMO.opposable.birthDate, cardSerial: DEMO.opposable.cardSerial } });
    expect(opp.statusCode).toBe(201);

    // The demo operator token reaches the operator API.
    const dir = await ctx.app.inject({ method: 'GET', url: '/api/operator/professionals?profession=10', headers: { authorization: `Bearer ${DEMO.operatorToken}` } });
    expect(dir.statusCode).toBe(200);
  });

  it('is refused in production', async () => {
    const ctx = await testApp(getDb());
    await expect(loadDemoData({ db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: { ...ctx.config, env: 'production' } })).rejects.toThrow(/production/);
  });
});
