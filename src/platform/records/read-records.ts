import { createInterface } from 'node:readline';
import { Readable, pipeline } from 'node:stream';
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
 * goes on; an error of the input itself (a read error, a destroyed stream) is thrown.
 */
export async function* readRecords(input: Readable, format: RecordFormat, opts: ReadRecordsOptions = {}): AsyncGenerator<SourceRecord> {
  const chunks = counted(input, opts.onBytes);
  if (format === 'ndjson') yield* readNdjson(chunks);
  else yield* readCsv(chunks);
}

/** The input's chunks as Buffers, counted; an error of the input is thrown by the iteration. */
async function* counted(input: Readable, onBytes: ((n: number) => void) | undefined): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    onBytes?.(bytes);
    yield b;
  }
}

async function* readNdjson(chunks: AsyncIterable<Buffer>): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
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

const CSV_DELIMITERS = [',', ';'];
const ANY_DELIMITER = /[,;]/;
/** A line longer than this without a line break is left to the full parser (it bounds memory). */
const MAX_FAST_LINE = 1 << 20;

/**
 * CSV: the common lines (no double quote, one kind of line break) are split here, several
 * times faster than a general parser; from the first line that is not so simple to the end
 * of the file, csv-parse reads the rest. Both give the same records, line numbers and
 * errors: fields trimmed (the same blanks as csv-parse), blank lines skipped, `,` and `;`
 * both separators, a line with the wrong number of fields reported and skipped.
 */
async function* readCsv(chunks: AsyncIterable<Buffer>): AsyncGenerator<SourceRecord> {
  const it = chunks[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0); // the bytes not read yet: the start of a line
  let line = 0; // lines read so far
  let header: string[] | undefined;
  let crlf: boolean | undefined; // the line break, known after the first line
  let started = false;
  let ended = false;
  try {
    while (!ended) {
      const next = await it.next();
      if (next.done === true) ended = true;
      else buf = buf.length === 0 ? next.value : Buffer.concat([buf, next.value]);
      if (!started) {
        if (buf.length < 3 && !ended) continue;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
        started = true;
      }
      let pos = 0;
      let simple = true;
      for (;;) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl === -1 && !(ended && pos < buf.length)) break;
        // Each line is a string of its own: a field kept by the consumer keeps its line, not the chunk.
        let raw = buf.toString('utf8', pos, nl === -1 ? buf.length : nl);
        if (nl !== -1 && raw.endsWith('\r')) {
          if (crlf === false) {
            simple = false;
            break;
          }
          crlf = true;
          raw = raw.slice(0, -1);
        } else if (nl !== -1 && crlf === true) {
          simple = false;
          break;
        } else if (nl !== -1) {
          crlf = false;
        }
        if (raw.includes('"') || raw.includes('\r') || (header === undefined && raw.includes('__proto__'))) {
          simple = false;
          break;
        }
        pos = nl === -1 ? buf.length : nl + 1;
        line++;
        if (raw.trim() === '') continue;
        const values = splitFields(raw);
        if (header === undefined) {
          header = values;
          continue;
        }
        if (values.length !== header.length) {
          yield { line, error: `columns length is ${header.length}, got ${values.length} on line ${line}` };
          continue;
        }
        const fields: Record<string, string> = {};
        for (let i = 0; i < values.length; i++) fields[header[i] as string] = values[i] as string;
        yield { line, fields };
      }
      buf = buf.subarray(pos);
      if (!simple || buf.length > MAX_FAST_LINE) {
        yield* parseRest(buf, ended ? undefined : it, line, header, crlf);
        return;
      }
    }
  } finally {
    // The consumer stopped early (or the reading failed): release the input.
    if (!ended) await it.return?.();
  }
}

function splitFields(raw: string): string[] {
  const values = raw.includes(';') ? (raw.includes(',') ? raw.split(ANY_DELIMITER) : raw.split(';')) : raw.split(',');
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as string).trim();
  return values;
}

/**
 * csv-parse from `head` (what is left of the current chunk, starting at a line) and the
 * remaining chunks, numbering lines after the `offset` already read, with the header and
 * line break already found (if any).
 */
async function* parseRest(head: Buffer, rest: AsyncIterator<Buffer> | undefined, offset: number, header: string[] | undefined, crlf: boolean | undefined): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  const parser = parse({
    bom: true,
    columns: header ?? ((h: string[]) => h.map((c) => c.trim())),
    delimiter: CSV_DELIMITERS,
    ...(crlf === undefined ? {} : { record_delimiter: crlf ? '\r\n' : '\n' }),
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    skip_records_with_error: true,
    info: true,
    on_skip: (err) => {
      const line = ((err as { lines?: number } | undefined)?.lines ?? 0) + offset;
      const message = err?.message.replace(/^Invalid Record Length: /, '').replace(/\b(on|at) line (\d+)/, (_m, w: string, n: string) => `${w} line ${Number(n) + offset}`);
      skipped.push({ line, error: message ?? 'malformed CSV line' });
    },
  });
  async function* source(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (rest === undefined) return;
    for (let n = await rest.next(); n.done !== true; n = await rest.next()) yield n.value;
  }
  // pipeline: an error of the input destroys the parser, whose iteration then throws it.
  pipeline(Readable.from(source()), parser, () => {});
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const line = rec.info.lines + offset;
    // The parser reports a skipped line before the records buffered ahead of it: keep file order.
    while (skipped.length > 0 && (skipped[0]?.line ?? 0) < line) yield skipped.shift() as SourceRecord;
    yield { line, fields: rec.record };
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
