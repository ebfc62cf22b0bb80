import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectFormat, inBatches, readRecords } from './read-records.ts';
import type { SourceRecord } from './read-records.ts';

async function all(text: string, format: 'csv' | 'ndjson'): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(Readable.from([Buffer.from(text)]), format)) out.push(r);
  return out;
}

describe('readRecords', () => {
  it('reads CSV with a BOM, semicolons and line numbers', async () => {
    const r = await all('\uFEFFnir;birth_name\n1;DUPONT\n\n2;MARTIN\n', 'csv');
    expect(r).toEqual([
      { line: 2, fields: { nir: '1', birth_name: 'DUPONT' } },
      { line: 4, fields: { nir: '2', birth_name: 'MARTIN' } },
    ]);
  });

  it('reports a CSV line with the wrong number of fields and goes on', async () => {
    const r = await all('a,b\n1,2\n3\n4,5\n', 'csv');
    expect(r.map((x) => x.line)).toEqual([2, 3, 4]);
    expect(r[1]?.error).toMatch(/columns|fields/i);
    expect(r[2]?.fields).toEqual({ a: '4', b: '5' });
  });

  it('reads NDJSON, reporting bad lines by number', async () => {
    const r = await all('{"a":1}\nnot json\n[1]\n\n{"a":2}\n', 'ndjson');
    expect(r).toEqual([
      { line: 1, fields: { a: 1 } },
      { line: 2, error: 'is not valid JSON' },
      { line: 3, error: 'must be a JSON object' },
      { line: 5, fields: { a: 2 } },
    ]);
  });

  it('reports bytes read and batches records', async () => {
    let seen = 0;
    const src = Readable.from([Buffer.from('x\n1\n2\n3\n')]);
    const batches: number[] = [];
    for await (const b of inBatches(readRecords(src, 'csv', { onBytes: (n) => (seen = n) }), 2)) batches.push(b.length);
    expect(batches).toEqual([2, 1]);
    expect(seen).toBe(8);
  });

  it('detects the format from a name or content type', () => {
    expect(detectFormat('people.ndjson')).toBe('ndjson');
    expect(detectFormat('application/x-ndjson')).toBe('ndjson');
    expect(detectFormat('people.csv')).toBe('csv');
    expect(detectFormat('text/csv')).toBe('csv');
  });
});
