import { expect, it } from 'vitest';
import { describeEngines } from '../test/engines.ts';
import { testApp } from '../test/helpers.ts';
import { latestMigration } from './storage/index.ts';

describeEngines('app', (getDb, engine) => {
  it('reports health with the engine and migration level', async () => {
    const { app } = await testApp(getDb());
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', engine, migration: { level: latestMigration(), latest: latestMigration() } });
  });

  it('answers unknown routes with a 404 problem and no stack', async () => {
    const { app } = await testApp(getDb());
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'not_found', status: 404 });
    expect(res.body).not.toMatch(/at .*\.ts/);
  });

  it('serves the OpenAPI description at /docs', async () => {
    const { app } = await testApp(getDb());
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toMatch(/^3\./);
  });
});
