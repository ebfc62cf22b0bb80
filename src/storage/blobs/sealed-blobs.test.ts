import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEngines } from '../../../test/engines.ts';
import { ManualClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../db.ts';
import { createMasterKeyRing, createPatientKeys, createPgBlobStore, generateKey } from './index.ts';
import type { MasterKeyRing } from './index.ts';
import { aad, open, seal, toBuffer } from './seal.ts';

const clock = new ManualClock();
const store = (ring: MasterKeyRing) => {
  const keys = createPatientKeys({ ring, clock });
  return { keys, blobs: createPgBlobStore({ keys, clock }) };
};

async function integrityError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an integrity failure');
}

describeEngines('sealed blobs', (getDb) => {
  const masterKey = generateKey();
  const { keys, blobs } = store(createMasterKeyRing(masterKey));
  const text = (s: string) => Buffer.from(s, 'utf8');
  const put = (patientId: string, blobId: string, content: Buffer, type = 'text/plain') => getDb().tx((q) => blobs.put(q, patientId, blobId, content, type));
  const get = (patientId: string, blobId: string) => getDb().tx((q) => blobs.get(q, patientId, blobId));

  it('round-trips content, keeping its SHA-256 and size in clear and the content only sealed', async () => {
    const patient = randomUUID();
    const content = text('Compte rendu: glycémie 5,4 mmol/L. Secret médical.');
    const info = await put(patient, 'doc-1', content);
    expect(info).toEqual({ sha256: createHash('sha256').update(content).digest('hex'), size: content.length });

    expect(await get(patient, 'doc-1')).toEqual({ content, contentType: 'text/plain', ...info });
    const got = await get(patient, 'doc-1');
    expect(Buffer.isBuffer(got?.content)).toBe(true);

    const [row] = await getDb().query<{ sha256: unknown; size: number; ciphertext: unknown; iv: unknown; tag: unknown }>(
      'SELECT sha256, size, ciphertext, iv, tag FROM blobs WHERE patient_id = $1 AND blob_id = $2',
      [patient, 'doc-1'],
    );
    expect(toBuffer(row?.sha256).toString('hex')).toBe(info.sha256);
    expect(Number(row?.size)).toBe(content.length);
    const ciphertext = toBuffer(row?.ciphertext);
    expect(ciphertext.equals(content)).toBe(false);
    expect(ciphertext.includes(text('glycémie'))).toBe(false);
    expect(ciphertext.includes(text('Secret'))).toBe(false);
    expect(toBuffer(row?.iv)).toHaveLength(12);
    expect(toBuffer(row?.tag)).toHaveLength(16);
  });

  it('gives null for a missing blob, and deletes', async () => {
    const patient = randomUUID();
    expect(await get(patient, 'nothing')).toBeNull();
    await put(patient, 'gone', text('x'));
    expect(await getDb().tx((q) => blobs.delete(q, patient, 'gone'))).toBe(true);
    expect(await getDb().tx((q) => blobs.delete(q, patient, 'gone'))).toBe(false);
    expect(await get(patient, 'gone')).toBeNull();
  });

  it('never overwrites a blob, and stores empty content', async () => {
    const patient = randomUUID();
    await put(patient, 'once', text('first'));
    await expect(put(patient, 'once', text('second'))).rejects.toMatchObject({ code: 'conflict' });
    expect((await get(patient, 'once'))?.content.toString()).toBe('first');
    await put(patient, 'empty', Buffer.alloc(0));
    expect(await get(patient, 'empty')).toMatchObject({ size: 0, content: Buffer.alloc(0) });
  });

  it('writes nothing when the transaction rolls back, and a data key created in it is never used', async () => {
    const patient = randomUUID();
    await expect(
      getDb().tx(async (q) => {
        await blobs.put(q, patient, 'doc', text('rolled back'), 'text/plain');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await getDb().query('SELECT 1 FROM patient_keys WHERE patient_id = $1', [patient])).toHaveLength(0);
    await put(patient, 'doc', text('kept'));
    expect((await get(patient, 'doc'))?.content.toString()).toBe('kept');
  });

  it('round-trips 5 MB of binary content', async () => {
    const patient = randomUUID();
    const content = randomBytes(5 * 1024 * 1024);
    const info = await put(patient, 'scan.pdf', content, 'application/pdf');
    expect(info.size).toBe(content.length);
    const got = await get(patient, 'scan.pdf');
    expect(got?.content.equals(content)).toBe(true);
    expect(got?.sha256).toBe(info.sha256);
  });

  it('refuses a modified ciphertext byte, a swapped IV, a changed content type or SHA-256', async () => {
    const patient = randomUUID();
    const content = text('Résultat: négatif.');
    const tamper = async (blobId: string, sql: string, params: unknown[] = []) => {
      await put(patient, blobId, content);
      await getDb().query(sql, [patient, blobId, ...(params as string[])]);
      const e = await integrityError(get(patient, blobId));
      expect(e.code).toBe('integrity_failed');
      expect(e.message).toContain(blobId);
      expect(e.message).not.toContain('négatif');
    };
    await tamper('byte', `UPDATE blobs SET ciphertext = set_byte(ciphertext, 0, (get_byte(ciphertext, 0) + 1) % 256) WHERE patient_id = $1 AND blob_id = $2`);
    await put(patient, 'other', text('another one'));
    await tamper('iv', `UPDATE blobs SET iv = (SELECT iv FROM blobs WHERE patient_id = $1 AND blob_id = 'other') WHERE patient_id = $1 AND blob_id = $2`);
    await tamper('type', `UPDATE blobs SET content_type = 'text/html' WHERE patient_id = $1 AND blob_id = $2`);
    await tamper('tag', `UPDATE blobs SET tag = set_byte(tag, 15, (get_byte(tag, 15) + 1) % 256) WHERE patient_id = $1 AND blob_id = $2`);
    await tamper('hash', `UPDATE blobs SET sha256 = sha256('x'::bytea) WHERE patient_id = $1 AND blob_id = $2`);
    await tamper('size', `UPDATE blobs SET size = size + 1 WHERE patient_id = $1 AND blob_id = $2`);
  });

  it('refuses a blob row copied to another patient or another id', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await put(a, 'doc', text('à A seulement'));
    await put(b, 'own', text("B's own, so B has a data key"));
    const copy = (toPatient: string, toId: string) =>
      getDb().query(
        `INSERT INTO blobs (patient_id, blob_id, content_type, size, sha256, iv, tag, ciphertext, created_at)
         SELECT $2, $3, content_type, size, sha256, iv, tag, ciphertext, created_at FROM blobs WHERE patient_id = $1 AND blob_id = 'doc'`,
        [a, toPatient, toId],
      );
    await copy(b, 'doc');
    expect((await integrityError(get(b, 'doc'))).code).toBe('integrity_failed');
    await copy(a, 'copy');
    expect((await integrityError(get(a, 'copy'))).code).toBe('integrity_failed');
    const c = randomUUID(); // a patient without any data key
    await copy(c, 'doc');
    expect((await integrityError(get(c, 'doc'))).code).toBe('integrity_failed');
    expect((await get(a, 'doc'))?.content.toString()).toBe('à A seulement');
  });

  it("keeps a data key per patient: another patient's key does not open the content, nor unwrap as theirs", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const keyA = await getDb().tx((q) => keys.dataKeyFor(q, a));
    const keyB = await getDb().tx((q) => keys.dataKeyFor(q, b));
    expect(keyA).toHaveLength(32);
    expect(keyA.equals(keyB)).toBe(false);
    expect((await getDb().tx((q) => keys.dataKeyFor(q, a))).equals(keyA)).toBe(true);
    const where = aad('carnet:blob:v1', a, 'doc', 'text/plain');
    expect(open(keyB, where, seal(keyA, where, text('pour A')))).toBeUndefined();

    // B's wrapped key written into A's row does not unwrap for A (bound to the patient).
    await put(a, 'doc', text('pour A'));
    await getDb().query('UPDATE patient_keys SET wrapped_key = (SELECT wrapped_key FROM patient_keys WHERE patient_id = $2) WHERE patient_id = $1', [a, b]);
    const fresh = store(createMasterKeyRing(masterKey)); // no cache
    expect((await integrityError(getDb().tx((q) => fresh.blobs.get(q, a, 'doc')))).code).toBe('integrity_failed');
  });

  it('stores the data key only wrapped', async () => {
    const patient = randomUUID();
    const dataKey = await getDb().tx((q) => keys.dataKeyFor(q, patient));
    const [row] = await getDb().query<{ key_version: string; wrapped_key: unknown }>('SELECT key_version, wrapped_key FROM patient_keys WHERE patient_id = $1', [patient]);
    const wrapped = toBuffer(row?.wrapped_key);
    expect(wrapped).toHaveLength(60);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(wrapped.includes(dataKey.subarray(0, 8))).toBe(false);
    expect(row?.key_version).toBe(keys.ring.currentVersion);
  });

  it('rotates the master key: old data keys still unwrap, new ones use the new version, re-wrapping moves them over', async () => {
    const [oldKey, newKey] = [generateKey(), generateKey()];
    const before = store(createMasterKeyRing(oldKey));
    const after = store(createMasterKeyRing(newKey, [oldKey]));
    const onlyNew = store(createMasterKeyRing(newKey));
    expect(after.keys.ring.versions).toEqual([after.keys.ring.currentVersion, before.keys.ring.currentVersion]);
    expect(after.keys.ring.currentVersion).not.toBe(before.keys.ring.currentVersion);

    const [a, b] = [randomUUID(), randomUUID()];
    await getDb().tx((q) => before.blobs.put(q, a, 'old', text('sealed before rotation'), 'text/plain'));
    const version = async (p: string) => (await getDb().query<{ key_version: string }>('SELECT key_version FROM patient_keys WHERE patient_id = $1', [p]))[0]?.key_version;
    expect(await version(a)).toBe(before.keys.ring.currentVersion);

    expect((await getDb().tx((q) => after.blobs.get(q, a, 'old')))?.content.toString()).toBe('sealed before rotation');
    await expect(getDb().tx((q) => onlyNew.blobs.get(q, a, 'old'))).rejects.toThrow(/master key version [0-9a-f]{16}, which is not configured/);

    await getDb().tx((q) => after.blobs.put(q, b, 'new', text('sealed after rotation'), 'text/plain'));
    expect(await version(b)).toBe(after.keys.ring.currentVersion);

    expect(await getDb().tx((q) => after.keys.rewrap(q, a))).toBe(true);
    expect(await version(a)).toBe(after.keys.ring.currentVersion);
    expect((await getDb().tx((q) => onlyNew.blobs.get(q, a, 'old')))?.content.toString()).toBe('sealed before rotation');
    expect(await getDb().tx((q) => after.keys.rewrap(q, randomUUID()))).toBe(false);
  });

  it('creates one data key when two first uses race', async () => {
    const fresh = () => store(createMasterKeyRing(masterKey));
    const [s1, s2] = [fresh(), fresh()];
    const other = randomUUID();
    await Promise.all([getDb().tx((q: Queryable) => s1.blobs.put(q, other, 'one', text('1'), 'text/plain')), getDb().tx((q: Queryable) => s2.blobs.put(q, other, 'two', text('2'), 'text/plain'))]);
    expect(await getDb().query('SELECT 1 FROM patient_keys WHERE patient_id = $1', [other])).toHaveLength(1);
    expect((await getDb().tx((q) => s1.blobs.get(q, other, 'two')))?.content.toString()).toBe('2');
    expect((await getDb().tx((q) => s2.blobs.get(q, other, 'one')))?.content.toString()).toBe('1');
  });

  it('refuses ids and content types it cannot bind', async () => {
    await expect(put('not-a-uuid', 'doc', text('x'))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(put(randomUUID(), 'a/b', text('x'))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(put(randomUUID(), 'doc', text('x'), 'text/plain\0')).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
