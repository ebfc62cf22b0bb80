import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { createExportService } from './service.ts';

/** "Télécharger toutes mes données" (the holder, or a child's legal representative; not an aidant). */
export const exportRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const service = createExportService(deps);
  app.get(
    '/api/spaces/:patientId/export',
    {
      config: { rateLimit: { max: 5, timeWindow: '1 minute' } },
      schema: {
        tags: ['export'],
        summary: 'Download all the data of a space as a ZIP: documents with their content, profile, measures, vaccinations, entourage, and the trace. Traced once.',
        params: Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const session = requirePatient(req);
      const out = await service.exportSpace(session.patientId, req.params.patientId);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${out.fileName}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(out.zip);
    },
  );
};
