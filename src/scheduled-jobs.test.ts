import { expect, it } from 'vitest';
import { describeEngines } from '../test/engines.ts';
import { signIn, testApp } from '../test/helpers.ts';
import { insertActivePatient } from '../test/fixtures.ts';
import { cryptoRandom } from './platform/random.ts';
import { runScheduledJobs } from './scheduled-jobs.ts';

describeEngines('scheduled jobs', (getDb) => {
  it('remove expired sessions and old sign-in challenges, keeping live ones', async () => {
    const ctx = await testApp(getDb());
    const deps = { db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: ctx.config };
    const a = await insertActivePatient(ctx.db);
    await signIn(ctx, a.loginId, a.password);
    expect((await runScheduledJobs(deps)).expiredSessions).toBe(0);
    ctx.clock.advance(25 * 60 * 60 * 1000); // past the session limits and the 1-day keep of challenges
    const fresh = await signIn(ctx, a.loginId, a.password);
    const report = await runScheduledJobs(deps);
    expect(report.expiredSessions).toBeGreaterThanOrEqual(1);
    expect(report.expiredChallenges).toBeGreaterThanOrEqual(1);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: fresh.cookie } });
    expect(me.statusCode).toBe(200);
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [a.patientId])).toHaveLength(1);
  });
});
