import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { appendAudit } from './audit-log.ts';
import { verifyChains } from './verify.ts';

describeEngines('trace appends under concurrency', (getDb) => {
  it('20 concurrent transactions tracing for one patient all commit, in one unbroken chain', async () => {
    const db = getDb();
    const patientId = randomUUID();
    const at = new Date('2026-02-01T10:00:00Z');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.tx(async (q) => {
          await appendAudit(q, patientId, at, { actor: { type: 'patient', id: patientId }, action: `action_${i}`, detail: { i, b: 'x', a: 'y' } });
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const seqs = await db.query<{ seq: number }>('SELECT seq FROM audit_events WHERE patient_id = $1 ORDER BY seq', [patientId]);
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const report = await verifyChains(db, { patientId });
    expect(report.firstBroken).toBeNull();
    expect(report.events).toBe(20);
  });
});
