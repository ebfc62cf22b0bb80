import { Readable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { staffTokenHash } from '../identity/staff-auth.ts';
import { cryptoRandom } from '../platform/random.ts';
import { csvOf, ndjsonOf, person } from './test-fixtures.ts';
import { importBeneficiaries } from './import-beneficiaries.ts';
import { limited } from './routes.ts';

const URL = '/api/operator/beneficiaries';

describeEngines('beneficiary import route', (getDb) => {
  let t: TestContext;
  const tokens = { operator: 'operator-token-for-tests', insurer: 'insurer-token-for-tests', revoked: 'revoked-token-for-tests' };

  beforeAll(async () => {
    t = await testApp(getDb());
    const now = t.clock.now();
    for (const [name, role, revokedAt] of [
      ['operator', 'operator', null],
      ['insurer', 'insurer', null],
      ['revoked', 'operator', now],
    ] as const) {
      await t.db.query('INSERT INTO staff_accounts (account_id, role, name, token_hash, created_at, revoked_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)', [
        role,
        name,
        staffTokenHash(t.config.secret, tokens[name]),
        now,
        revokedAt,
      ]);
    }
  });

  const post = (body: string | Readable, contentType: string, token?: string) =>
    t.app.inject({ method: 'POST', url: URL, payload: body, headers: { 'content-type': contentType, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });

  it('answers 401 without a token, with an unknown one and with a revoked one, before reading the file', async () => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patients');
    for (const token of [undefined, 'not-a-token', tokens.revoked]) {
      const res = await post(csvOf([person()]), 'text/csv', token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthenticated' });
    }
    expect(await t.db.query('SELECT count(*)::int AS n FROM patients')).toEqual(before);
  });

  it('imports a streamed CSV body for an operator', async () => {
    const people = [person(), person({ email: null }), person()];
    const text = csvOf(people);
    // Sent in small chunks, as a large upload arrives.
    const chunks = text.match(/[\s\S]{1,50}/g) ?? [];
    const res = await post(Readable.from(chunks.map((c) => Buffer.from(c))), 'text/csv; charset=utf-8', tokens.operator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, errors: 0, errorSample: [] });
    const again = await post(text, 'text/csv', tokens.insurer);
    expect(again.json()).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
  });

  it('imports NDJSON for an insurer, reporting bad lines in the answer', async () => {
    const good = person();
    const res = await post(`${ndjsonOf([good])}{"matricule": nope\n${JSON.stringify({ ...person(), birth_date: '2099-01-01' })}\n`, 'application/x-ndjson', tokens.insurer);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      rows: 3,
      created: 1,
      errors: 2,
      errorSample: [
        { line: 2, field: null, reason: 'is not valid JSON' },
        { line: 3, field: 'birth_date', reason: 'is in the future' },
      ],
    });
  });

  it('answers 200 with the report when every line is bad, the first 100 problems listed', async () => {
    const bad = Array.from({ length: 120 }, () => ({ ...person(), sex: 'X' }));
    const res = await post(csvOf(bad), 'text/csv', tokens.operator);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { rows: number; created: number; errors: number; errorSample: { line: number; field: string }[] };
    expect(body).toMatchObject({ rows: 120, created: 0, errors: 120 });
    expect(body.errorSample).toHaveLength(100);
    expect(body.errorSample[0]).toEqual({ line: 2, field: 'sex', reason: 'must be M, F or U' });
    expect(body.errorSample[99]?.line).toBe(101);
  });

  it('answers 400 for a CSV file whose header is wrong', async () => {
    const res = await post(csvOf([person()]).replace('birth_date', 'date_naissance'), 'text/csv', tokens.operator);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([{ field: 'birth_date', reason: 'required column missing from the header line' }]) });
  });

  it('answers 415 to another content type', async () => {
    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      const res = await post(type === 'application/json' ? '[]' : 'x', type, tokens.operator);
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ code: 'unsupported_media_type', detail: expect.stringMatching(/text\/csv.*application\/x-ndjson/) });
    }
  });

  it('takes an empty body as an empty file', async () => {
    const res = await t.app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'text/csv', authorization: `Bearer ${tokens.operator}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 0, created: 0, errors: 0 });
  });

  it('stops a body past its size limit with a 413 error', async () => {
    const text = csvOf([person(), person(), person()]);
    const body = limited(Readable.from([Buffer.from(text)]), text.length - 10);
    await expect(importBeneficiaries({ ...t, random: cryptoRandom }, body, 'csv')).rejects.toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('is described in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as { paths: Record<string, { post?: { summary?: string } }> };
    expect(doc.paths[URL]?.post?.summary).toMatch(/beneficiary file/);
  });
});
