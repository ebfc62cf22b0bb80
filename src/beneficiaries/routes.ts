/**
 * Operator API of the beneficiary import: the insurer's file posted as a streamed body.
 */
import { Readable, Transform } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireStaff } from '../identity/index.ts';
import type { RecordFormat } from '../platform/records/index.ts';
import { importBeneficiaries } from './import-beneficiaries.ts';
import type { LineError } from './beneficiary-line.ts';

/** A national file is a few GiB; above this the body is refused. */
export const MAX_IMPORT_BYTES = 4 * 1024 ** 3;
export const ERROR_SAMPLE_SIZE = 100;

const MEDIA_TYPES: Record<string, RecordFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

const LineErrorSchema = Type.Object({
  line: Type.Integer({ description: 'Line number in the file (the CSV header is line 1).' }),
  field: Type.Union([Type.String(), Type.Null()], { description: 'Column name; null when the whole line could not be read.' }),
  reason: Type.String(),
});

const ImportReportSchema = Type.Object({
  rows: Type.Integer({ description: 'Lines of data read.' }),
  created: Type.Integer({ description: 'New spaces, each with a provisional code and an information message.' }),
  updated: Type.Integer({ description: 'Known people whose traits or contact details changed.' }),
  unchanged: Type.Integer(),
  skipped: Type.Integer({ description: 'Deceased people unknown to Carnet: no space created.' }),
  errors: Type.Integer({ description: 'Lines rejected; the others were imported.' }),
  linked: Type.Integer({ description: 'Minors newly attached to their legal representative.' }),
  revoked: Type.Integer({ description: 'Former representatives replaced.' }),
  unlinked: Type.Integer({ description: 'Minors whose representative is not known yet.' }),
  durationMs: Type.Integer(),
  errorSample: Type.Array(LineErrorSchema, { description: `The first ${ERROR_SAMPLE_SIZE} problems, in file order.` }),
});

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Counts the bytes of the body and stops it past the limit (custom parsers skip Fastify's bodyLimit). */
export function limited(body: Readable, max: number): Readable {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new AppError('payload_too_large', `The file is larger than ${max} bytes: split it.`));
      else cb(null, chunk);
    },
  });
  body.on('error', (e) => guard.destroy(e));
  return body.pipe(guard);
}

export const beneficiaryRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  // In this plugin only: the body is handed over as a stream, never buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.keys(MEDIA_TYPES), (_request, payload, done) => done(null, payload));

  app.post(
    '/api/operator/beneficiaries',
    {
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['operator'],
        summary: "Import the insurer's beneficiary file",
        description:
          'Streams a beneficiary file (text/csv with a header line, or application/x-ndjson) and creates a pending space, ' +
          'a provisional code and an information message for every new person; updates the changed traits of known ones. ' +
          'Idempotent. Bad lines are reported (line, field, reason) and skipped: the answer is 200 with the report even ' +
          'when every line is bad; a wrong CSV header is a 400. Operator or insurer token (401 without a valid one); ' +
          '415 for another content type. A matricule twice: the last line wins. Columns: matricule, oid, birth_name, birth_given_names, used_name, birth_date, sex, ' +
          'birthplace_code, card_serial, email, phone, address, postal_code, city, representative_matricule, deceased_on.',
        security: [{ staffToken: [] }],
        response: { 200: ImportReportSchema },
      },
      // Before the body is read: who calls, and in what format.
      onRequest: async (request) => {
        await requireStaff(deps.db, deps.config.secret, request, ['operator', 'insurer']);
        if (MEDIA_TYPES[mediaType(request)] === undefined) {
          throw new AppError('unsupported_media_type', 'Send the beneficiary file as text/csv (with a header line) or application/x-ndjson.');
        }
      },
    },
    async (request) => {
      const format = MEDIA_TYPES[mediaType(request)] ?? 'csv';
      const errorSample: LineError[] = [];
      // No body at all (Content-Length: 0) reaches here as undefined: an empty file.
      const body = request.body instanceof Readable ? request.body : Readable.from([]);
      const summary = await importBeneficiaries(deps, limited(body, MAX_IMPORT_BYTES), format, {
        onError: (e) => {
          if (errorSample.length < ERROR_SAMPLE_SIZE) errorSample.push(e);
        },
      });
      request.log.info({ summary }, 'beneficiary import');
      return { ...summary, errorSample };
    },
  );
};
