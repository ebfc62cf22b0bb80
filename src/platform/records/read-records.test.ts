import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { detectFormat, inBatches, readRecords } from './read-records.ts';
import type { SourceRecord } from './read-records.ts';

async function all(text: string | Buffer[], format: 'csv' | 'ndjson'): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(Readable.from(typeof text === 'string' ? [Buffer.from(text)] : text), format)) out.push(r);
  return out;
}

/** What csv-parse alone makes of CSV chunks (the reader before its fast path): the reference. */
async function reference(chunks: string | Buffer[]): Promise<SourceRecord[]> {
  const skipped: SourceRecord[] = [];
  const out: SourceRecord[] = [];
  const parser = parse({
    bom: true,
    columns: (header: string[]) => header.map((h) => h.trim()),
    delimiter: [',', ';'],
    trim: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: (err) => {
      skipped.push({ line: (err as { lines?: number } | undefined)?.lines ?? 0, error: err?.message.replace(/^Invalid Record Length: /, '') ?? 'malformed CSV line' });
    },
  });
  Readable.from(typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks).pipe(parser);
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length > 0 && (skipped[0]?.line ?? 0) < rec.info.lines) out.push(skipped.shift() as SourceRecord);
    out.push({ line: rec.info.lines, fields: rec.record });
  }
  return [...out, ...skipped];
}

/** A text cut into chunks at the given byte offsets (possibly inside a character). */
function chunked(text: string, cuts: number[]): Buffer[] {
  const b = Buffer.from(text);
  const at = [0, ...cuts.filter((c) => c > 0 && c < b.length).sort((x, y) => x - y), b.length];
  return at.slice(1).map((end, i) => b.subarray(at[i], end));
}

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
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

  it('splits simple lines itself and hands the rest to the full parser from the first quote on', async () => {
    const text = 'a;b\n1;x\n2\n"3";"y;z"\n4;w\n';
    expect(await all(text, 'csv')).toEqual([
      { line: 2, fields: { a: '1', b: 'x' } },
      { line: 3, error: 'columns length is 2, got 1 on line 3' },
      { line: 4, fields: { a: '3', b: 'y;z' } },
      { line: 5, fields: { a: '4', b: 'w' } },
    ]);
    expect(await all(text, 'csv')).toEqual(await reference(text));
  });

  it('reads CRLF lines, a BOM cut across chunks, blanks and accents like csv-parse', async () => {
    const text = '\uFEFF matricule , nom \r\n\r\n  1 ,\tÉLODIE\u00a0\r\n   \r\n2;Zoé\r\n3,a,b\r\n4,fin';
    const expected = await reference(text);
    expect(expected).toHaveLength(4);
    expect(expected[0]).toEqual({ line: 3, fields: { matricule: '1', nom: 'ÉLODIE' } });
    expect(await all(text, 'csv')).toEqual(expected);
    expect(await all(chunked(text, [1, 2, 30, 31, 32]), 'csv')).toEqual(await reference(chunked(text, [1, 2, 30, 31, 32])));
  });

  it('gives the same records as csv-parse on random files, cut anywhere', async () => {
    const next = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const pieces = ['a', 'é', 'Zoé', ' ', '\t', '\u00a0', '-', "'", '1', ',', ';', '', '\u2028'];
    for (let run = 0; run < 300; run++) {
      const eol = pick(['\n', '\r\n']);
      const quotes = next() < 0.3;
      const lines: string[] = [pick(['', '\uFEFF']) + pick(['x,y,z', 'x;y;z', ' x , y ; z ', 'x,y'])];
      for (let i = 0; i < 1 + Math.floor(next() * 12); i++) {
        let l = '';
        for (let k = Math.floor(next() * 10); k > 0; k--) l += pick(pieces);
        // Well-formed quoted fields (with a doubled quote or a line break inside) from some point on.
        const q = quotes && next() < 0.3 ? `"${l}""${pick(['', eol])}${l}"` : l;
        lines.push(next() < 0.5 ? `${l},${q};${l}` : q);
      }
      const text = lines.join(eol) + pick(['', eol]);
      const cuts = [1, 2, 3].map(() => Math.floor(next() * Buffer.byteLength(text)));
      const expected = await reference(chunked(text, cuts));
      // csv-parse may report a line twice when it comes in several chunks (the import keeps the first).
      const once = (rs: SourceRecord[]) => rs.filter((r, i) => !(r.error !== undefined && rs[i - 1]?.line === r.line));
      expect(once(await all(chunked(text, cuts), 'csv')), JSON.stringify(text)).toEqual(once(expected));
    }
  });

  it('throws the error of an input that fails part way (CSV and NDJSON)', async () => {
    for (const [format, first] of [
      ['csv', 'a,b\n1,2\n3,'],
      ['ndjson', '{"a":1}\n{"a":'],
    ] as const) {
      const input = new Readable({ read() {} });
      input.push(Buffer.from(first));
      setTimeout(() => input.destroy(new Error('disk failure')), 5);
      const seen: SourceRecord[] = [];
      await expect(
        (async () => {
          for await (const r of readRecords(input, format)) seen.push(r);
        })(),
      ).rejects.toThrow('disk failure');
      expect(seen).toHaveLength(1);
    }
  });

  it('throws the error of an input that fails after a quote (full parser)', async () => {
    const input = new Readable({ read() {} });
    input.push(Buffer.from('a,b\n"1",2\n3,'));
    setTimeout(() => input.destroy(new Error('disk failure')), 5);
    await expect(
      (async () => {
        for await (const r of readRecords(input, 'csv')) void r;
      })(),
    ).rejects.toThrow('disk failure');
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
