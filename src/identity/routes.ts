import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { checkFiness, checkIdNatPs, PROFESSIONS } from './directory.ts';
import { findProfessional, searchProfessionals } from './directory-store.ts';
import { requireStaff } from './staff-auth.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const OrganisationSchema = Type.Object({
  finess: Type.String(),
  structureId: Type.String({ description: 'National structure identifier: "1" + FINESS' }),
  name: Type.String(),
  kind: Type.String(),
  kindLabel: Nullable(Type.String()),
  siret: Nullable(Type.String()),
  city: Nullable(Type.String()),
  active: Type.Boolean(),
});

const ProfessionalSchema = Type.Object({
  idNatPs: Type.String({ description: 'National identifier: "8" + RPPS (OID 1.2.250.1.71.4.2.1)' }),
  rpps: Type.String(),
  familyName: Type.String(),
  givenName: Type.String(),
  professionCode: Type.String({ description: 'TRE_G15' }),
  professionLabel: Nullable(Type.String()),
  specialtyCode: Nullable(Type.String({ description: 'TRE_R38 (physicians)' })),
  specialtyLabel: Nullable(Type.String()),
  email: Nullable(Type.String()),
  active: Type.Boolean({ description: 'False once the national directory no longer lists the professional' }),
  organisation: Nullable(OrganisationSchema),
});

/**
 * Operator routes of the identity capability: the professional directory. Every route of
 * this plugin needs an operator token (checked before the input, so a caller without a
 * valid token learns nothing from validation messages).
 */
export const identityRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['directory'];
  const security = [{ staffToken: [] }];

  app.addHook('preValidation', async (request) => {
    await requireStaff(deps.db, deps.config.secret, request, ['operator']);
  });

  app.get(
    '/api/operator/professionals',
    {
      schema: {
        tags,
        security,
        summary: 'Search the professional directory (operator).',
        querystring: Type.Object(
          {
            name: Type.Optional(Type.String({ maxLength: 100, description: 'Words matching the start of the family or given name' })),
            profession: Type.Optional(Type.String({ pattern: '^[0-9]{2}$', description: `TRE_G15 profession code (${Object.keys(PROFESSIONS).join(', ')})` })),
            finess: Type.Optional(Type.String({ minLength: 9, maxLength: 9, description: 'FINESS of the organisation' })),
            includeInactive: Type.Optional(Type.Boolean({ default: false })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ professionals: Type.Array(ProfessionalSchema) }) },
      },
    },
    async (req) => {
      const { name, profession, finess, includeInactive, limit } = req.query;
      if (finess !== undefined) {
        const f = checkFiness(finess);
        if (!f.ok) throw new AppError('validation_failed', `Invalid input: querystring.finess ${f.reason}.`, { details: [{ field: 'querystring.finess', reason: f.reason }] });
      }
      const professionals = await searchProfessionals(deps.db, { name, profession, finess: finess?.toUpperCase(), includeInactive, limit: limit ?? 20 });
      return { professionals };
    },
  );

  app.get(
    '/api/operator/professionals/:idNatPs',
    {
      schema: {
        tags,
        security,
        summary: 'A professional of the directory by national identifier (operator).',
        params: Type.Object({ idNatPs: Type.String({ maxLength: 32 }) }),
        response: { 200: ProfessionalSchema },
      },
    },
    async (req) => {
      const id = checkIdNatPs(req.params.idNatPs);
      if (!id.ok) throw new AppError('validation_failed', `Invalid input: params.idNatPs ${id.reason}.`, { details: [{ field: 'params.idNatPs', reason: id.reason }] });
      const professional = await findProfessional(deps.db, id.value);
      if (professional === null) throw new AppError('not_found', `No professional ${id.value} in the directory.`);
      return professional;
    },
  );
};
