import { createInterface } from 'node:readline';
import { PassThrough, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';

export const RECORD_FORMATS = ['csv', 'ndjson'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** One line of an input file: its fields, or why it could not be read. */
export type SourceRecord =
  | { line: number; fields: Record<string, unknown>; error?: undefined }
  | { line: number; fields?: undefined; error: string };

/** Picks the format from a file name or a content type; CSV when unsure. */
export function detectFormat(nameOrType: string): RecordFormat {
  return /ndjson|jsonl|x-ndjson|json$/i.test(nameOrType) ? 'ndjson' : 'csv';
}

export interface ReadRecordsOptions {
  /** Called with the number of bytes read so far (for progress bars). */
  onBytes?: (bytesRead: number) => void;
}

/**
 * Streams the records of a CSV (header line, `,` or `;` separated, UTF-8 with or without
 * BOM) or NDJSON input. Memory stays flat: records are pulled one by one and the source is
 * paused while the consumer works. A malformed line yields an error record and the reading
 * goes on.
 */
export async function* readRecords(input: Readable, format: RecordFormat, opts: ReadRecordsOptions = {}): AsyncGenerator<SourceRecord> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      opts.onBytes?.(bytes);
      cb(null, chunk);
    },
  });
  input.on('error', (e) => counter.destroy(e));
  const source = input.pipe(counter);
  if (format === 'ndjson') yield* readNdjson(source);
  else yield* readCsv(source);
}

async function* readNdjson(source: Readable): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line, error: 'must be a JSON object' };
      else yield { line, fields: value as Record<string, unknown> };
    } catch {
      yield { line, error: 'is not valid JSON' };
    }
  }
}

async function* readCsv(source: Readable): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  const parser = parse({
    bom: true,
    columns: (header: string[]) => header.map((h) => h.trim()),
    delimiter: [',', ';'],
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    skip_records_with_error: true,
    info: true,
    on_skip: (err) => {
      const line = (err as { lines?: number } | undefined)?.lines ?? 0;
      skipped.push({ line, error: err?.message.replace(/^Invalid Record Length: /, '') ?? 'malformed CSV line' });
    },
  });
  const out = new PassThrough({ objectMode: true });
  source.pipe(parser).pipe(out);
  parser.on('error', (e) => out.destroy(e));
  for await (const rec of out as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    // The parser reports a skipped line before the records buffered ahead of it: keep file order.
    while (skipped.length > 0 && (skipped[0]?.line ?? 0) < rec.info.lines) yield skipped.shift() as SourceRecord;
    yield { line: rec.info.lines, fields: rec.record };
  }
  while (skipped.length > 0) yield skipped.shift() as SourceRecord;
}

/** Groups an async iterable into arrays of at most `size`. */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
