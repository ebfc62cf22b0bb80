/**
 * The professional directory as FHIR R4: Practitioner (id = idNatPs), PractitionerRole (one per
 * professional: their profession, specialty and organisation; id = idNatPs) and Organization
 * (id = FINESS). Read and search, for a signed-in professional. Views over identity's directory.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CodeableConcept, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { ID_NAT_PS_OID, findOrganisation, findProfessional, searchProfessionals } from '../identity/index.ts';
import type { Organisation, Professional } from '../identity/index.ts';
import { MAX_COUNT, badParam, givenParams, pageOf, parseReference, parseTokens, searchset } from './search.ts';
import type { Page, Token } from './search.ts';
import { fhirBase, sendResource } from './http.ts';

export const ID_NAT_PS_SYSTEM = `urn:oid:${ID_NAT_PS_OID}`;
/** Identifiant national de structure (idNatSt: "1" + FINESS). */
export const ID_NAT_ST_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.2';
/** FINESS, as FR Core names its system. */
export const FINESS_SYSTEM = 'http://finess.sante.gouv.fr';
/** TRE_G15 professions and TRE_R38 ordinal specialties, by their ANS FHIR canonical URLs. */
export const PROFESSION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const SPECIALTY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

const ID_NAT_PS = /^8\d{11}$/;
const FINESS = /^(\d{2}|2A|2B)\d{7}$/;

const concept = (system: string, code: string, display: string | null): CodeableConcept => ({ coding: [{ system, code, ...(display === null ? {} : { display }) }], ...(display === null ? {} : { text: display }) });

export function practitionerOf(p: Professional): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: p.idNatPs,
    identifier: [{ use: 'official', system: ID_NAT_PS_SYSTEM, value: p.idNatPs }],
    active: p.active,
    name: [{ use: 'official', family: p.familyName, given: p.givenName.split(' ').filter((g) => g !== ''), text: `${p.givenName} ${p.familyName}` }],
    ...(p.email === null ? {} : { telecom: [{ system: 'email' as const, value: p.email, use: 'work' as const }] }),
    qualification: [{ code: concept(PROFESSION_SYSTEM, p.professionCode, p.professionLabel) }],
  };
}

export function practitionerRoleOf(p: Professional): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: p.idNatPs,
    identifier: [{ system: ID_NAT_PS_SYSTEM, value: p.idNatPs }],
    active: p.active,
    practitioner: { reference: `Practitioner/${p.idNatPs}`, display: `${p.givenName} ${p.familyName}` },
    ...(p.organisation === null ? {} : { organization: { reference: `Organization/${p.organisation.finess}`, display: p.organisation.name } }),
    code: [concept(PROFESSION_SYSTEM, p.professionCode, p.professionLabel)],
    ...(p.specialtyCode === null ? {} : { specialty: [concept(SPECIALTY_SYSTEM, p.specialtyCode, p.specialtyLabel)] }),
  };
}

export function organizationOf(o: Organisation): Organization {
  return {
    resourceType: 'Organization',
    id: o.finess,
    identifier: [
      { use: 'official', system: ID_NAT_ST_SYSTEM, value: o.structureId },
      { system: FINESS_SYSTEM, value: o.finess },
    ],
    active: o.active,
    name: o.name,
    type: [{ text: o.kindLabel ?? o.kind }],
    ...(o.city === null ? {} : { address: [{ city: o.city, country: 'FR' }] }),
  };
}

const notFound = (type: string, id: string) => new AppError('not_found', `${type}/${id} is not in the directory.`);

/** The idNatPs a Practitioner identifier token names, or null when it names none of ours. */
function idNatPsOfTokens(tokens: readonly Token[]): string[] {
  return tokens.filter((t) => (t.system === undefined || t.system === ID_NAT_PS_SYSTEM) && ID_NAT_PS.test(t.code)).map((t) => t.code);
}

function finessOfTokens(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if ((t.system === undefined || t.system === FINESS_SYSTEM) && FINESS.test(t.code)) out.push(t.code);
    else if ((t.system === undefined || t.system === ID_NAT_ST_SYSTEM) && /^1/.test(t.code) && FINESS.test(t.code.slice(1))) out.push(t.code.slice(1));
  }
  return [...new Set(out)];
}

/** Searches go through the directory's limit (500): a page must end within it. */
const DIRECTORY_WINDOW = 500;
function windowOf(page: Page): number {
  if (page.offset + page.count >= DIRECTORY_WINDOW) throw badParam('_offset', `directory searches show the first ${DIRECTORY_WINDOW} matches: narrow the search`);
  return page.offset + page.count + 1;
}

const Paging = {
  _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT, description: `Page size (default 20, at most ${MAX_COUNT})` })),
  _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Matches to skip' })),
};
const Str = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const PractitionerQuery = Type.Object(
  { identifier: Str(`${ID_NAT_PS_SYSTEM}|<idNatPs>, or the idNatPs`), name: Str('Words starting the family or given name'), family: Str('Start of the family name'), ...Paging },
  { additionalProperties: false },
);
const RoleQuery = Type.Object(
  {
    practitioner: Str('Practitioner/<idNatPs>'),
    organization: Str('Organization/<FINESS>'),
    role: Str('TRE_G15 profession code ([system|]code)'),
    specialty: Str('TRE_R38 specialty code ([system|]code)'),
    ...Paging,
  },
  { additionalProperties: false },
);
const OrganizationQuery = Type.Object({ identifier: Str('FINESS, or urn:oid:1.2.250.1.71.4.2.2|1<FINESS>'), ...Paging }, { additionalProperties: false });

const words = (s: string) => s.toLowerCase().split(/[\s-]+/).filter((w) => w !== '');

/** Family name starting with `family`, or one of its words does (as the directory search does). */
const familyMatches = (p: Professional, family: string): boolean => {
  const f = family.toLowerCase().trim();
  const fam = p.familyName.toLowerCase();
  return fam.startsWith(f) || words(fam).some((w) => w.startsWith(f));
};

export const directoryFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = fhirBase(deps.config);

  app.get('/Practitioner/:id', { schema: { params: IdParams } }, async (req, reply) => {
    requireProfessional(req);
    const p = ID_NAT_PS.test(req.params.id) ? await findProfessional(deps.db, req.params.id) : null;
    if (p === null) throw notFound('Practitioner', req.params.id);
    return sendResource(reply, practitionerOf(p));
  });

  app.get('/Practitioner', { schema: { querystring: PractitionerQuery } }, async (req, reply) => {
    requireProfessional(req);
    const q = req.query;
    const page = pageOf(q);
    let found: Professional[];
    if (q.identifier !== undefined) {
      const ids = idNatPsOfTokens(parseTokens('identifier', q.identifier));
      found = (await Promise.all(ids.map((id) => findProfessional(deps.db, id)))).filter((p): p is Professional => p !== null && p.active);
      if (q.name !== undefined) {
        const ws = words(q.name);
        found = found.filter((p) => ws.every((w) => words(`${p.givenName} ${p.familyName}`).some((x) => x.startsWith(w))));
      }
    } else {
      found = await searchProfessionals(deps.db, { name: [q.name, q.family].filter((s) => s !== undefined).join(' '), limit: windowOf(page) });
    }
    if (q.family !== undefined) found = found.filter((p) => familyMatches(p, q.family ?? ''));
    const shown = found.slice(page.offset, page.offset + page.count);
    const more = found.length > page.offset + page.count;
    return sendResource(reply, searchset(base, 'Practitioner', givenParams(q, ['identifier', 'name', 'family']), page, shown.map(practitionerOf), more));
  });

  app.get('/PractitionerRole/:id', { schema: { params: IdParams } }, async (req, reply) => {
    requireProfessional(req);
    const p = ID_NAT_PS.test(req.params.id) ? await findProfessional(deps.db, req.params.id) : null;
    if (p === null) throw notFound('PractitionerRole', req.params.id);
    return sendResource(reply, practitionerRoleOf(p));
  });

  app.get('/PractitionerRole', { schema: { querystring: RoleQuery } }, async (req, reply) => {
    requireProfessional(req);
    const q = req.query;
    const page = pageOf(q);
    const roles = q.role === undefined ? undefined : parseTokens('role', q.role);
    const specialties = q.specialty === undefined ? undefined : parseTokens('specialty', q.specialty);
    const finess = q.organization === undefined ? undefined : parseReference('organization', q.organization, 'Organization', FINESS);
    let found: Professional[];
    if (q.practitioner !== undefined) {
      const p = await findProfessional(deps.db, parseReference('practitioner', q.practitioner, 'Practitioner', ID_NAT_PS));
      found = p !== null && p.active ? [p] : [];
      if (finess !== undefined) found = found.filter((x) => x.organisation?.finess === finess);
    } else {
      // One profession goes to SQL; several, and specialties, are filtered here.
      const one = roles?.length === 1 ? roles[0]?.code : undefined;
      if (finess === undefined && one === undefined && specialties === undefined) throw badParam('practitioner', 'give practitioner, organization, role or specialty');
      found = await searchProfessionals(deps.db, { finess, profession: one, limit: specialties === undefined && (roles?.length ?? 1) === 1 ? windowOf(page) : DIRECTORY_WINDOW });
    }
    if (roles !== undefined) found = found.filter((p) => roles.some((t) => t.code === p.professionCode && (t.system === undefined || t.system === PROFESSION_SYSTEM)));
    if (specialties !== undefined) found = found.filter((p) => p.specialtyCode !== null && specialties.some((t) => t.code === p.specialtyCode && (t.system === undefined || t.system === SPECIALTY_SYSTEM)));
    const shown = found.slice(page.offset, page.offset + page.count);
    const more = found.length > page.offset + page.count;
    return sendResource(reply, searchset(base, 'PractitionerRole', givenParams(q, ['practitioner', 'organization', 'role', 'specialty']), page, shown.map(practitionerRoleOf), more));
  });

  app.get('/Organization/:id', { schema: { params: IdParams } }, async (req, reply) => {
    requireProfessional(req);
    const o = FINESS.test(req.params.id) ? await findOrganisation(deps.db, req.params.id) : null;
    if (o === null) throw notFound('Organization', req.params.id);
    return sendResource(reply, organizationOf(o));
  });

  app.get('/Organization', { schema: { querystring: OrganizationQuery } }, async (req, reply) => {
    requireProfessional(req);
    const q = req.query;
    const page = pageOf(q);
    // TODO(identity): a search of organisations by name needs a directory query identity does not offer yet.
    if (q.identifier === undefined) throw badParam('identifier', 'is required: organisations are searched by FINESS (or national structure id)');
    const found = (await Promise.all(finessOfTokens(parseTokens('identifier', q.identifier)).map((f) => findOrganisation(deps.db, f)))).filter((o): o is Organisation => o !== null);
    const shown = found.slice(page.offset, page.offset + page.count);
    return sendResource(reply, searchset(base, 'Organization', givenParams(q, ['identifier']), page, shown.map(organizationOf), found.length > page.offset + page.count, found.length));
  });
};
