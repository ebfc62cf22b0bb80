import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEngines } from '../../test/engines.ts';
import type { Db } from '../storage/index.ts';
import { appendAudit, canonicalJson, eventHash, GENESIS_HASH } from './audit-log.ts';
import type { AuditEntry } from './audit-log.ts';
import { verifyChains } from './verify.ts';

const GP: AuditEntry['actor'] = { type: 'professional', id: '810001234567', name: 'Dr Paul BERNARD', profession: '10', specialty: 'SM54' };

/** A patient with `n` events: a mix of actors, details with keys in no particular order. */
async function chain(db: Db, n: number, start = new Date('2026-03-01T08:00:00.123Z')): Promise<string> {
  const patientId = randomUUID();
  for (let i = 0; i < n; i++) {
    const entry: AuditEntry =
      i % 3 === 0
        ? { actor: { type: 'patient', id: patientId, name: 'Claire MARTIN' }, action: 'sign_in', detail: { method: 'password+email_code', zeta: 1, alpha: [{ b: 2, a: 1 }], undef: undefined } }
        : i % 3 === 1
          ? { actor: GP, action: 'document_read', target: `DocumentReference/${i}`, mode: i === 4 ? 'bris_de_glace' : 'normal', detail: { justification: 'urgence', n: 1.5 } }
          : { actor: { type: 'system' }, action: 'space_opened' };
    await db.tx((q) => appendAudit(q, patientId, new Date(start.getTime() + i * 60_000), entry));
  }
  return patientId;
}

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const shuffled = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x))) as unknown;
        expect(canonicalJson(shuffled)).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('the hash covers the actor name and profession', () => {
    const base = { patientId: randomUUID(), seq: 1, at: '2026-03-01T08:00:00.000Z', actorType: 'professional', actorId: '8', actorName: 'A', actorProfession: '10', actorSpecialty: 'SM54', action: 'x', target: null, mode: 'normal', detail: {}, prevHash: GENESIS_HASH };
    const h = eventHash(base);
    expect(eventHash({ ...base, actorName: 'B' })).not.toBe(h);
    expect(eventHash({ ...base, actorProfession: '60' })).not.toBe(h);
    expect(eventHash({ ...base, actorSpecialty: null })).not.toBe(h);
    expect(eventHash({ ...base, detail: { a: 1 } })).not.toBe(h);
  });
});

describeEngines('verifyChains', (getDb) => {
  const sql = (text: string, params: (string | number)[]) => getDb().query(text, params);

  it('holds for intact chains, across pages (jsonb reorders keys, the hash does not care)', async () => {
    const a = await chain(getDb(), 7);
    const b = await chain(getDb(), 1);
    const r = await verifyChains(getDb(), { pageSize: 3 });
    expect(r.firstBroken).toBeNull();
    expect(r.brokenChains).toBe(0);
    expect(r.events).toBeGreaterThanOrEqual(8);
    expect(r.patients).toBeGreaterThanOrEqual(2);
    for (const [p, n] of [[a, 7], [b, 1]] as const) {
      expect(await verifyChains(getDb(), { patientId: p, pageSize: 2 })).toMatchObject({ patients: 1, events: n, firstBroken: null });
    }
    const stored = await getDb().query<{ actor_profession: string; actor_specialty: string; actor_name: string }>('SELECT actor_profession, actor_specialty, actor_name FROM audit_events WHERE patient_id = $1 AND seq = 2', [a]);
    expect(stored[0]).toEqual({ actor_profession: '10', actor_specialty: 'SM54', actor_name: 'Dr Paul BERNARD' });
  });

  it('an edited field is a hash_mismatch at that event (detail, action, actor name, date)', async () => {
    const edits: [string, string][] = [
      ['detail', `UPDATE audit_events SET detail = '{"justification": "curiosité", "n": 1.5}' WHERE patient_id = $1 AND seq = $2`],
      ['action', `UPDATE audit_events SET action = 'space_opened' WHERE patient_id = $1 AND seq = $2`],
      ['actor_name', `UPDATE audit_events SET actor_name = 'Someone else' WHERE patient_id = $1 AND seq = $2`],
      ['at', `UPDATE audit_events SET at = at + interval '1 second' WHERE patient_id = $1 AND seq = $2`],
      ['actor_profession', `UPDATE audit_events SET actor_profession = '60' WHERE patient_id = $1 AND seq = $2`],
    ];
    for (const [field, update] of edits) {
      const p = await chain(getDb(), 6);
      await sql(update, [p, 5]);
      const r = await verifyChains(getDb(), { patientId: p, pageSize: 4 });
      expect(r.firstBroken, field).toMatchObject({ patientId: p, seq: 5, reason: 'hash_mismatch' });
      expect(r.firstBroken?.at?.toISOString().slice(0, 10)).toBe('2026-03-01');
      expect(r.events).toBe(6);
    }
  });

  it('a cut link is a prev_hash_mismatch; an edit whose hash was recomputed shows at the next event', async () => {
    const p = await chain(getDb(), 5);
    await sql(`UPDATE audit_events SET prev_hash = $3 WHERE patient_id = $1 AND seq = $2`, [p, 3, 'f'.repeat(64)]);
    expect((await verifyChains(getDb(), { patientId: p })).firstBroken).toMatchObject({ seq: 3, reason: 'prev_hash_mismatch' });

    const q = await chain(getDb(), 5);
    await sql(`UPDATE audit_events SET action = 'nothing_happened', hash = $3 WHERE patient_id = $1 AND seq = $2`, [q, 2, 'e'.repeat(64)]);
    expect((await verifyChains(getDb(), { patientId: q })).firstBroken).toMatchObject({ seq: 2, reason: 'hash_mismatch' });
    // A forger who recomputes the edited event's hash correctly still breaks the next link.
    const [row] = await getDb().query<{ at: Date; detail: unknown; prev_hash: string; actor_id: string | null; actor_name: string | null; actor_profession: string | null; actor_specialty: string | null; target: string | null; mode: string; actor_type: string }>(
      'SELECT * FROM audit_events WHERE patient_id = $1 AND seq = 2',
      [q],
    );
    if (!row) throw new Error('no row');
    const forged = eventHash({
      patientId: q,
      seq: 2,
      at: row.at.toISOString(),
      actorType: row.actor_type,
      actorId: row.actor_id,
      actorName: row.actor_name,
      actorProfession: row.actor_profession,
      actorSpecialty: row.actor_specialty,
      action: 'nothing_happened',
      target: row.target,
      mode: row.mode,
      detail: row.detail,
      prevHash: row.prev_hash,
    });
    await sql('UPDATE audit_events SET hash = $3 WHERE patient_id = $1 AND seq = $2', [q, 2, forged]);
    expect((await verifyChains(getDb(), { patientId: q })).firstBroken).toMatchObject({ seq: 3, reason: 'prev_hash_mismatch' });
  });

  it('a deleted event is a seq_gap at the event after it (first one included)', async () => {
    const p = await chain(getDb(), 5);
    await sql('DELETE FROM audit_events WHERE patient_id = $1 AND seq = $2', [p, 3]);
    expect((await verifyChains(getDb(), { patientId: p })).firstBroken).toMatchObject({ patientId: p, seq: 4, reason: 'seq_gap', expectedSeq: 3 });
    const q = await chain(getDb(), 3);
    await sql('DELETE FROM audit_events WHERE patient_id = $1 AND seq = $2', [q, 1]);
    expect((await verifyChains(getDb(), { patientId: q })).firstBroken).toMatchObject({ seq: 2, reason: 'seq_gap', expectedSeq: 1 });
  });

  it('deleting the last events is a tail_missing; deleting a whole chain is a chain_missing (the recorded heads tell)', async () => {
    const p = await chain(getDb(), 6);
    await sql('DELETE FROM audit_events WHERE patient_id = $1 AND seq > 4', [p]);
    expect((await verifyChains(getDb(), { patientId: p, pageSize: 2 })).firstBroken).toMatchObject({ patientId: p, seq: 4, reason: 'tail_missing', expectedSeq: 6 });
    const q = await chain(getDb(), 3);
    await sql('DELETE FROM audit_events WHERE patient_id = $1', [q]);
    expect(await verifyChains(getDb(), { patientId: q })).toMatchObject({ patients: 1, events: 0, brokenChains: 1, firstBroken: { patientId: q, reason: 'chain_missing', expectedSeq: 3 } });
  });
});

describeEngines('verifyChains over every chain', (getDb) => {
  it('names the first broken link in (patient, seq) order, counts broken chains and reads on', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await chain(getDb(), 4));
    const sorted = [...ids].sort();
    const [second, fourth] = [sorted[1] as string, sorted[3] as string];
    await getDb().query("UPDATE audit_events SET detail = '{}' WHERE patient_id = $1 AND seq = 2", [fourth]);
    await getDb().query('DELETE FROM audit_events WHERE patient_id = $1 AND seq = 3', [second]);
    let calls = 0;
    const r = await verifyChains(getDb(), { pageSize: 3, onProgress: () => calls++ });
    expect(r).toMatchObject({ patients: 5, events: 19, brokenChains: 2, firstBroken: { patientId: second, seq: 4, reason: 'seq_gap' } });
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(await verifyChains(getDb(), { patientId: randomUUID() })).toMatchObject({ patients: 0, events: 0, firstBroken: null });
  });
});
