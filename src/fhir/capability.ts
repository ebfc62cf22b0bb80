/**
 * The CapabilityStatement at /fhir/metadata: what this server does (resources, interactions,
 * search parameters) and how to get a token (SMART on FHIR / OAuth 2 security service, the
 * token endpoint in the oauth-uris extension). Kept in step with the routes by a test.
 */
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import type { Config } from '../config.ts';
import { tokenEndpointUrl } from '../pro-auth/index.ts';
import { fhirBase } from './http.ts';
import { PROFILE_FHIR_CAPABILITIES } from './profile-resources.ts';

type Param = [name: string, type: CapabilityStatementRestResourceSearchParam['type'], documentation: string];

const PAGING: Param[] = [
  ['_count', 'number', 'Page size (default 20, at most 100)'],
  ['_offset', 'number', 'Matches to skip (the next link carries it)'],
];

type Interaction = 'read' | 'search-type';
type ResourceEntry = [type: CapabilityStatementRestResource['type'], search: Param[] | null, documentation: string, interactions?: Interaction[]];

const RESOURCES: ResourceEntry[] = [
  [
    'Practitioner',
    [
      ['identifier', 'token', 'idNatPs (urn:oid:1.2.250.1.71.4.2.1)'],
      ['name', 'string', 'Words starting the family or given name'],
      ['family', 'string', 'Start of the family name'],
    ],
    'Health professionals of the directory; id = idNatPs.',
  ],
  [
    'PractitionerRole',
    [
      ['practitioner', 'reference', 'Practitioner/<idNatPs>'],
      ['organization', 'reference', 'Organization/<FINESS>'],
      ['role', 'token', 'Profession, TRE_G15'],
      ['specialty', 'token', 'Ordinal specialty, TRE_R38'],
    ],
    'The profession, specialty and organisation of a professional; id = idNatPs.',
  ],
  ['Organization', [['identifier', 'token', 'FINESS, or national structure id (urn:oid:1.2.250.1.71.4.2.2)']], 'Organisations of the directory; id = FINESS.'],
  [
    'DocumentReference',
    [
      ['patient', 'reference', 'Patient/<id>: required'],
      ['type', 'token', 'Document type: LOINC (http://loinc.org) or TRE_A05 (urn:oid:1.2.250.1.213.1.1.4.12)'],
      ['category', 'token', 'Document class, TRE_A03 (urn:oid:1.2.250.1.213.1.1.4.1)'],
      ['date', 'date', 'When the document was submitted'],
      ['status', 'token', 'current, superseded (default: both)'],
    ],
    'Documents of the shared record the professional may read (the authorization matrix and the patient’s choices apply; others are not found).',
  ],
  ['Binary', null, 'Content of a document (raw with its content type, or a Binary resource when Accept is application/fhir+json).'],
  ['Patient', null, 'The patient’s identity (INS, names, sex, birth date, MSSanté address) for a professional who may enter the record; reading it is traced.'],
  ...PROFILE_FHIR_CAPABILITIES.map(([type, search, documentation]): ResourceEntry => [type, search, documentation]),
  [
    'Immunization',
    [
      ['patient', 'reference', 'Patient/<id>: required'],
      ['date', 'date', 'When the vaccine was given'],
      ['vaccine-code', 'token', 'ATC code of the vaccine (http://www.whocc.no/atc)'],
    ],
    'Vaccinations, entered by the patient side or by a professional, for a professional the matrix and the patient’s choices let in.',
  ],
  ['RelatedPerson', [['patient', 'reference', 'Patient/<id>: required']], 'The patient’s entourage: emergency contacts, trusted person (personne de confiance), caregivers; per the matrix.'],
  [
    'Observation',
    [
      ['patient', 'reference', 'Patient/<id> (default: the signed-in patient); also subject'],
      ['code', 'token', 'LOINC code of the measure (http://loinc.org)'],
      ['category', 'token', 'vital-signs, laboratory, exam, survey, activity'],
      ['date', 'date', 'When the measure was taken'],
    ],
    'The patient’s measures (vital-signs profiles where they apply; blood pressure as one Observation with two components; BMI computed), for the patient’s own session; professionals get 404.',
  ],
  [
    'AuditEvent',
    [
      ['patient', 'reference', 'Patient/<id>: required'],
      ['date', 'date', 'When the event was recorded'],
    ],
    'The patient’s trace (RULES §5), for the patient’s own session (or a minor’s legal representative); professionals get 404.',
    ['search-type'],
  ],
];

export function capabilityStatement(config: Pick<Config, 'baseUrl'>, date: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = RESOURCES.map(([type, search, documentation, interactions]) => ({
    type,
    documentation,
    interaction: (interactions ?? (search === null ? ['read'] : ['read', 'search-type'])).map((code) => ({ code })),
    ...(search === null ? {} : { searchParam: [...search, ...PAGING].map(([name, t, doc]) => ({ name, type: t, documentation: doc })) }),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Carnet',
    kind: 'instance',
    software: { name: 'Carnet', version: '0.1.0' },
    implementation: { description: 'Carnet FHIR R4 facade: the professional directory and the shared record’s documents', url: fhirBase(config) },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Every interaction but metadata needs a professional: Authorization: Bearer <access token with scope fhir>. Emergency access (RULES §3.3): send X-Purpose-Of-Use: ETREAT (SAMU regulator) or BTG (bris de glace, with X-Btg-Justification, percent-encoded); the answers then carry meta.security v3-ActReason and the header X-Carnet-Emergency-Mode. POST / takes an IHE MHD provide document bundle (transaction).',
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth 2 (JWT bearer grant, RFC 7523)' }],
          description: `Get an access token at ${tokenEndpointUrl(config)} (grant urn:ietf:params:oauth:grant-type:jwt-bearer, scope fhir).`,
          extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenEndpointUrl(config) }] }],
        },
        resource,
        interaction: [{ code: 'transaction', documentation: 'IHE MHD ITI-65 provide document bundle: DocumentReference + Binary (and List)' }],
      },
    ],
  };
}
