import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './app.ts';
import { devMailRoutes } from './platform/mail/index.ts';
import { authRoutes } from './auth/index.ts';
import { professionalPrincipalPlugin, proSignInPlugin, softwareAccessPlugin } from './pro-auth/index.ts';
import { lifecycleRoutes } from './lifecycle/index.ts';
import { beneficiaryRoutes } from './beneficiaries/index.ts';
import { identityRoutes } from './identity/index.ts';
import { createAuditRoutes } from './audit/index.ts';
import { controlsRoutes } from './records/controls-routes.ts';
import { documentsRoutes, mayReadTrace } from './records/index.ts';
import { fhirRoutes } from './fhir/index.ts';
import { entourageRoutes, healthHistoryRoutes, measuresRoutes, profileSynthesisRoutes, vaccinationsRoutes } from './profile/index.ts';
import { aidantsRoutes } from './aidants/index.ts';
import { exportRoutes } from './export/index.ts';
import { portalRoutes } from './portal/index.ts';

/** The patient's trace: the audit module reads it, records decides who may (decide()). */
const auditRoutes: FastifyPluginAsync<AppDeps> = (app, deps) => createAuditRoutes((q, viewer, patient, now) => mayReadTrace(q, deps.config.matrix, viewer, patient, now))(app, deps);

/** The capability plugins, each registered with the app's dependencies. */
export const routePlugins: FastifyPluginAsync<AppDeps>[] = [devMailRoutes, authRoutes, professionalPrincipalPlugin, proSignInPlugin, softwareAccessPlugin, lifecycleRoutes, beneficiaryRoutes, identityRoutes, auditRoutes, controlsRoutes,
  documentsRoutes,
  healthHistoryRoutes,
  measuresRoutes,
  vaccinationsRoutes,
  entourageRoutes,
  profileSynthesisRoutes,
  aidantsRoutes,
  exportRoutes,
  fhirRoutes,
  // Last: the portal answers the GET navigations no other route took.
  portalRoutes,
];
