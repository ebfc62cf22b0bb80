/**
 * A professional finds a patient's space by INS and traits (the INS is read from the card or
 * the national teleservice; the traits confirm it is the person in front of them). Identity
 * only: no health data. A match needs the matricule AND the date of birth (and the birth name
 * when given): a mistyped matricule that happens to exist does not reveal someone else. A
 * space that is not open (pending, opposed, closed, purged) is not found: professionals have
 * no access to it (RULES §3.5, §6). Every match is traced in the patient's trace.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { checkNir, isIsoDate } from '../identity/index.ts';
import { appendAudit } from '../audit/index.ts';
import { documentsCallerOf } from './professional-caller.ts';

/** Upper case without accents, hyphens and apostrophes as spaces: how the INS traits compare. */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[-'’]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const Body = Type.Object(
  {
    nir: Type.String({ minLength: 1, maxLength: 20, description: 'INS matricule (NIR), 15 characters with its key; spaces allowed' }),
    birthDate: Type.String({ minLength: 10, maxLength: 10, description: 'YYYY-MM-DD' }),
    birthName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Nom de naissance (accents and case do not matter)' })),
  },
  { additionalProperties: false },
);

const Found = Type.Object({
  patientId: Type.String({ format: 'uuid' }),
  birthName: Type.String(),
  usedName: Type.Union([Type.String(), Type.Null()]),
  givenNames: Type.String(),
  birthDate: Type.String(),
  sex: Type.String(),
  status: Type.String(),
});

interface PatientRow {
  patient_id: string;
  birth_name: string;
  used_name: string | null;
  birth_given_names: string;
  birth_date: string;
  sex: string;
  status: string;
}

export const patientLookupRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/pro/patients/search',
    {
      schema: {
        tags: ['professionals'],
        summary: 'Find a patient’s space by INS matricule and date of birth (and birth name): identity only, traced in the patient’s trace. 404 when no open space matches.',
        body: Body,
        response: { 200: Found },
      },
    },
    async (req) => {
      const principal = requireProfessional(req);
      const nir = checkNir(req.body.nir);
      if (!nir.ok) throw new AppError('validation_failed', `Invalid input: body.nir ${nir.reason}.`, { details: [{ field: 'body.nir', reason: nir.reason }] });
      if (!isIsoDate(req.body.birthDate)) throw new AppError('validation_failed', 'Invalid input: body.birthDate must be a date YYYY-MM-DD.', { details: [{ field: 'body.birthDate', reason: 'not a date YYYY-MM-DD' }] });
      const now = deps.clock.now();
      const found = await deps.db.tx(async (q) => {
        const rows = await q.query<PatientRow>(
          `SELECT p.patient_id, p.birth_name, p.used_name, p.birth_given_names, p.birth_date::text AS birth_date, p.sex, p.status
             FROM patient_ins i JOIN patients p ON p.patient_id = i.patient_id WHERE i.matricule = $1`,
          [nir.nir],
        );
        const p = rows[0];
        if (!p || p.birth_date !== req.body.birthDate) return null;
        if (req.body.birthName !== undefined && foldName(req.body.birthName) !== foldName(p.birth_name)) return null;
        if (p.status !== 'open' && p.status !== 'active') return null;
        const caller = documentsCallerOf(principal);
        if (caller.kind !== 'professional') return null;
        await appendAudit(q, p.patient_id, now, {
          actor: { type: 'professional', id: caller.idNatPs, name: caller.name, profession: caller.professionCode, specialty: caller.specialtyCode ?? undefined },
          action: 'patient_identity_lookup',
          target: `Patient/${p.patient_id}`,
          detail: { byBirthName: req.body.birthName !== undefined },
        });
        return p;
      });
      if (found === null) throw new AppError('not_found', 'No open space matches this INS and these traits. Check the matricule (15 characters with its key) and the date of birth on the card.');
      return {
        patientId: found.patient_id,
        birthName: found.birth_name,
        usedName: found.used_name,
        givenNames: found.birth_given_names,
        birthDate: found.birth_date,
        sex: found.sex,
        status: found.status,
      };
    },
  );
};
