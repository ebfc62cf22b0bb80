/**
 * Automatic creation of spaces from the insurer's beneficiary file (RULES §6): every insured
 * person gets a pending space, a single-use provisional code (stored as a keyed hash only)
 * and an information message; known people get their changed traits updated.
 *
 * Streamed: lines are read, checked and written by batches, so memory stays flat whatever
 * the size of the file. While the database writes a batch (two at a time on PostgreSQL), the
 * next one is read and checked.
 * A bad line is reported (line, field, reason) and skipped; the import goes on.
 */
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import type { Db } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import { addDays, addYears } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import { inBatches, readRecords } from '../platform/records/index.ts';
import type { RecordFormat, SourceRecord } from '../platform/records/index.ts';
import { channelFor } from '../platform/mail/outbox.ts';
import type { Recipient } from '../platform/mail/outbox.ts';
import { CODE_VALIDITY_DAYS, OPENING_DELAY_DAYS, formatCode, newProvisionalCode, provisionalCodeHash } from '../lifecycle/index.ts';
import { BENEFICIARY_COLUMNS, checkBeneficiaryLine, checkHeader, displayName } from './beneficiary-line.ts';
import type { Beneficiary, LineError } from './beneficiary-line.ts';
import { linkRepresentatives, upsertBatch } from './store.ts';
import type { BatchColumns, BatchCounts, BatchTimes } from './store.ts';

export interface ImportDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Pick<Config, 'secret' | 'baseUrl'>;
}

export interface ImportCounts {
  /** Lines of data read (the CSV header and blank lines are not counted). */
  rows: number;
  /** New spaces (each with its code and information message). */
  created: number;
  /** Known people whose traits or contact details changed. */
  updated: number;
  /** Known people already up to date. */
  unchanged: number;
  /** Valid lines of deceased people unknown to Carnet: no space is created. */
  skipped: number;
  /** Lines rejected (one line may have several problems, each reported). */
  errors: number;
}

export interface ImportProgress extends ImportCounts {
  bytesRead: number;
}

export interface ImportSummary extends ImportCounts {
  /** Minors newly attached to their legal representative. */
  linked: number;
  /** Former representatives replaced by the one the file names. */
  revoked: number;
  /** Minors whose representative is not (yet) known to Carnet. */
  unlinked: number;
  durationMs: number;
}

export interface ImportOptions {
  /** Rows per statement and transaction (default 2,000: with two batches written at a time, measured best for memory at a similar speed). */
  batchSize?: number;
  /** Batches written at the same time on PostgreSQL (default 2; PGlite writes one at a time). */
  parallelBatches?: number;
  /** Called after each batch is committed. */
  onProgress?: (p: ImportProgress) => void;
  /** Called for each problem of a rejected line, in file order. */
  onError?: (e: LineError) => void;
}

export const DEFAULT_BATCH_SIZE = 2000;
/**
 * Batches written at the same time on PostgreSQL (PGlite has one connection: one at a time).
 * The database does most of the work of an import: two connections use two of its cores.
 */
export const DEFAULT_PARALLEL_BATCHES = 2;
const MAX_PARALLEL_BATCHES = 8;
const MAX_BATCH_SIZE = 50_000;
/**
 * Up to this many lines, the representatives are linked for the people read only (a daily
 * file); beyond, for every minor (a national file). Bounds the memory either way (~3 MB).
 */
export const SCOPED_LINK_LIMIT = 200_000;

/** Imports a beneficiary file (format documented in beneficiary-line.ts). */
export async function importBeneficiaries(deps: ImportDeps, input: Readable, format: RecordFormat, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new AppError('validation_failed', `The batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}.`, { details: [{ field: 'batchSize', reason: `got ${batchSize}` }] });
  }
  const parallel = opts.parallelBatches ?? DEFAULT_PARALLEL_BATCHES;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL_BATCHES) {
    throw new AppError('validation_failed', `The number of parallel batches must be a whole number from 1 to ${MAX_PARALLEL_BATCHES}.`, { details: [{ field: 'parallelBatches', reason: `got ${parallel}` }] });
  }
  const counts: ImportCounts = { rows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, errors: 0 };
  let bytesRead = 0;
  const reject = (errors: LineError[]) => {
    counts.errors++;
    for (const e of errors) opts.onError?.(e);
  };

  // Batches are written while the next ones are read and checked; a failure stops the import.
  const writing = new Map<number, InFlight>();
  let written = 0;
  const maxInFlight = deps.db.engine === 'pglite' ? 1 : parallel;
  let failure: { error: unknown } | undefined;
  let reported: Promise<void> = Promise.resolve();
  let headerChecked = format !== 'csv';
  let lastLine = -1;
  // The matricules read, one string per batch (a few bytes each, not a string and a set entry
  // each; a copy, not slices of the file's lines); null beyond SCOPED_LINK_LIMIT.
  let scope: { parts: string[]; size: number } | null = { parts: [], size: 0 };

  const source = guardInput(input);
  try {
    for await (const records of inBatches(readRecords(source.stream, format, { onBytes: (n) => (bytesRead = n) }), batchSize)) {
      source.check(); // the lines after a read error (a cut-off last line) are never written
      if (!headerChecked) headerChecked = checkCsvHeader(records);
      const now = deps.clock.now();
      const valid: { line: number; value: Beneficiary }[] = [];
      for (const r of records) {
        if (r.line === lastLine && r.error !== undefined) continue; // a second parser message for the same line
        lastLine = r.line;
        counts.rows++;
        if (r.error !== undefined) {
          reject([{ line: r.line, field: null, reason: format === 'csv' ? `malformed CSV line (${r.error})` : `${r.error}` }]);
          continue;
        }
        const c = checkBeneficiaryLine(r.fields, r.line, now, { strictKeys: format === 'ndjson' });
        if (c.ok) valid.push({ line: r.line, value: c.value });
        else reject(c.errors);
      }
      const batch = prepareBatch(deps, dedupe(valid, reject), now);
      if (scope !== null && batch.size > 0) {
        scope.parts.push(batch.columns.matricule.join(','));
        scope.size += batch.size;
        if (scope.size > SCOPED_LINK_LIMIT) scope = null;
      }

      // A batch waits for a free connection, and for any batch in flight that names one of its
      // people: it must see that batch's rows (the later line wins), never race it.
      const names = (w: InFlight) => batch.columns.matricule.some((m) => w.matricules.has(m));
      while (writing.size >= maxInFlight || [...writing.values()].some(names)) {
        await Promise.race([...writing.values()].map((w) => w.done));
      }
      if (failure) throw failure.error;
      if (batch.size === 0) {
        opts.onProgress?.({ ...counts, bytesRead });
        continue;
      }
      // One statement per batch, hence one transaction (a statement is atomic): a space never
      // exists without its code and its message. Sent at once, it runs while the next batch
      // is read and checked, and on PostgreSQL beside the previous one.
      const id = ++written;
      const size = batch.size; // not the batch: its columns are garbage once the statement is sent
      const statement = upsertBatch(deps.db, batch.columns, batch.times);
      const previous = reported;
      const w: InFlight = {
        matricules: new Set(batch.columns.matricule),
        // Counted and reported in file order, whichever batch commits first.
        done: (async () => {
          try {
            const r = await statement;
            await previous;
            addCounts(counts, size, r);
            opts.onProgress?.({ ...counts, bytesRead });
          } catch (e) {
            failure ??= { error: e };
          } finally {
            writing.delete(id);
          }
        })(),
      };
      reported = w.done;
      writing.set(id, w);
    }
  } finally {
    // Never return (or throw) with a statement still running.
    await Promise.all([...writing.values()].map((w) => w.done));
  }
  if (failure) throw failure.error;
  source.check();

  const now = deps.clock.now();
  const links =
    scope !== null && scope.size === 0
      ? { linked: 0, revoked: 0, unlinked: 0 }
      : await linkRepresentatives(deps.db, now.toISOString(), isoDate(addYears(now, -18)), scope === null ? null : scope.parts.join(',').split(','));
  return { ...counts, ...links, durationMs: Math.round(performance.now() - started) };
}

/**
 * The input as the record reader sees it: a read error (a client that disconnects, a body
 * over its limit, a disk failure) ends it, and `check()` then throws, so the lines after the
 * error, a cut-off last line among them, are never imported. Batches committed before stay:
 * running the import again once the file is whole completes it (it is idempotent).
 */
function guardInput(input: Readable): { stream: Readable; check(): void } {
  const stream = new PassThrough();
  let failed: unknown;
  let ended = false;
  const stop = (e: unknown) => {
    failed ??= e;
    stream.end();
  };
  input.on('end', () => (ended = true));
  input.on('error', stop);
  input.on('close', () => {
    if (!ended) stop(new Error('the input was closed before its end'));
  });
  input.pipe(stream);
  return {
    stream,
    check() {
      if (failed === undefined) return;
      if (failed instanceof AppError) throw failed;
      const reason = failed instanceof Error ? failed.message : String(failed);
      throw new AppError('bad_request', `The file could not be read to its end (${reason}). The lines before were imported; import the whole file again: it is idempotent.`, { cause: failed });
    },
  };
}

/** In CSV every line has the header's columns: a wrong header would reject every line. */
function checkCsvHeader(records: SourceRecord[]): boolean {
  const first = records.find((r) => r.fields !== undefined);
  if (first?.fields === undefined) return false;
  const { missing, unknown } = checkHeader(Object.keys(first.fields));
  if (missing.length > 0 || unknown.length > 0) {
    const details = [...missing.map((c) => ({ field: c, reason: 'required column missing from the header line' })), ...unknown.map((c) => ({ field: c, reason: 'unknown column' }))];
    throw new AppError('validation_failed', `The header line of the file is wrong (${details.map((d) => `${d.field}: ${d.reason}`).join('; ')}). Expected columns: ${BENEFICIARY_COLUMNS.join(', ')}.`, { details });
  }
  return true;
}

/** A matricule twice in a batch: the later line wins, the earlier one is reported. */
function dedupe(valid: { line: number; value: Beneficiary }[], reject: (e: LineError[]) => void): { line: number; value: Beneficiary }[] {
  const seen = new Map<string, number>();
  const keep: ({ line: number; value: Beneficiary } | undefined)[] = [];
  for (const v of valid) {
    const prev = seen.get(v.value.matricule);
    if (prev !== undefined) {
      const earlier = keep[prev];
      if (earlier) reject([{ line: earlier.line, field: 'matricule', reason: `duplicate of line ${v.line} (the later line is imported)` }]);
      keep[prev] = undefined;
    }
    seen.set(v.value.matricule, keep.length);
    keep.push(v);
  }
  return keep.filter((v) => v !== undefined);
}

interface InFlight {
  /** The people of the batch, which the next batches must not name while it runs. */
  matricules: Set<string>;
  /** Settles (never rejects) when the batch is committed or has failed. */
  done: Promise<void>;
}

interface PreparedBatch {
  size: number;
  columns: BatchColumns;
  times: BatchTimes;
}

/**
 * Columns of the statement. A code, its hash and the message are made for every row (the
 * statement uses them only for new people): one HMAC per row, no second round trip.
 */
function prepareBatch(deps: ImportDeps, rows: { value: Beneficiary }[], now: Date): PreparedBatch {
  const opensAt = addDays(now, OPENING_DELAY_DAYS);
  const expiresAt = addDays(now, CODE_VALIDITY_DAYS);
  const opensOn = isoDate(opensAt);
  const expiresOn = isoDate(expiresAt);
  // The params are the same for the whole batch but for the code (and a child's name).
  const paramsTail = `,"expiresOn":"${expiresOn}","opensOn":"${opensOn}","activateUrl":${JSON.stringify(`${deps.config.baseUrl}/activer`)},"opposeUrl":${JSON.stringify(`${deps.config.baseUrl}/opposition`)}`;
  const c: BatchColumns = {
    matricule: [],
    patientId: [],
    insOid: [],
    birthName: [],
    birthGivenNames: [],
    usedName: [],
    birthDate: [],
    sex: [],
    birthplaceCode: [],
    cardSerial: [],
    email: [],
    phone: [],
    address: [],
    postalCode: [],
    city: [],
    representativeMatricule: [],
    deceasedOn: [],
    codeHash: [],
    messageId: [],
    channel: [],
    recipient: [],
    params: [],
  };
  for (const { value: b } of rows) {
    const code = newProvisionalCode(deps.random);
    const name = displayName(b);
    const recipient: Recipient = { name: b.minor ? `Représentants légaux de ${name}` : name };
    if (b.email !== null) recipient.email = b.email;
    if (b.address !== null) {
      recipient.address = b.address;
      if (b.postalCode !== null) recipient.postalCode = b.postalCode;
      if (b.city !== null) recipient.city = b.city;
    }
    c.matricule.push(b.matricule);
    c.patientId.push(deps.random.uuid());
    c.insOid.push(b.insOid);
    c.birthName.push(b.birthName);
    c.birthGivenNames.push(b.birthGivenNames);
    c.usedName.push(b.usedName);
    c.birthDate.push(b.birthDate);
    c.sex.push(b.sex);
    c.birthplaceCode.push(b.birthplaceCode);
    c.cardSerial.push(b.cardSerial);
    c.email.push(b.email);
    c.phone.push(b.phone);
    c.address.push(b.address);
    c.postalCode.push(b.postalCode);
    c.city.push(b.city);
    c.representativeMatricule.push(b.representativeMatricule);
    c.deceasedOn.push(b.deceasedOn);
    c.codeHash.push(provisionalCodeHash(deps.config.secret, code));
    c.messageId.push(deps.random.uuid());
    c.channel.push(channelFor(recipient));
    c.recipient.push(JSON.stringify(recipient));
    // An adult is greeted by name; a child's representatives read about the child.
    c.params.push(`{"code":"${formatCode(code)}",${b.minor ? '"childName"' : '"name"'}:${JSON.stringify(name)}${paramsTail}}`);
  }
  return { size: rows.length, columns: c, times: { now: now.toISOString(), opensAt: opensAt.toISOString(), codeExpiresAt: expiresAt.toISOString() } };
}

function addCounts(counts: ImportCounts, size: number, r: BatchCounts): void {
  counts.created += r.created;
  counts.updated += r.updated;
  counts.skipped += r.skipped;
  counts.unchanged += size - r.created - r.updated - r.skipped;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
