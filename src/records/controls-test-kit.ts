/**
 * Test kit for access controls and consent: professionals' bearer tokens (one registered
 * software client per organisation, as a hospital or a practice would have) and the trace of
 * a space. Used by tests only.
 */
import { expect } from 'vitest';
import type { TestContext } from '../../test/helpers.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, findProfessional } from '../identity/index.ts';
import { registerSoftwareClient } from '../pro-auth/index.ts';
import { tokenEndpointUrl } from '../pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import type { SoftwareKey } from '../pro-auth/token-test-kit.ts';

export const GP = DEMO_PROFESSIONALS.generalPractitioner; // Dr Sophie BERNARD, 10 / SM54
export const CARDIOLOGIST = DEMO_PROFESSIONALS.cardiologist; // Dr Marc LEROY, 10 / SM04
export const PHARMACIST = DEMO_PROFESSIONALS.pharmacist; // Claire DUBOIS, 21
export const NURSE = DEMO_PROFESSIONALS.nurse; // Julien MOREAU, 60

export interface ProKit {
  /** A fresh bearer token acting as this professional (their organisation's software). */
  token(idNatPs: string): Promise<string>;
  /** Headers for a professional's request. */
  headers(idNatPs: string): Promise<Record<string, string>>;
}

export function proKit(ctx: TestContext): ProKit {
  const clients = new Map<string, { clientId: string; key: SoftwareKey }>();
  const token = async (idNatPs: string): Promise<string> => {
    const p = await findProfessional(ctx.db, idNatPs);
    const finess = p?.organisation?.finess;
    if (!p || !finess) throw new Error(`${idNatPs}: no organisation in the demo directory`);
    let client = clients.get(finess);
    if (!client) {
      const key = await softwareKey('ES256');
      const registered = await registerSoftwareClient(ctx.db, { clock: ctx.clock, random: cryptoRandom }, { name: `DPI ${finess}`, organisationFiness: finess, jwks: key.jwks });
      client = { clientId: registered.clientId, key };
      clients.set(finess, client);
    }
    const assertion = await signAssertion(client.key, {
      iss: client.clientId,
      sub: idNatPs,
      aud: tokenEndpointUrl(ctx.config),
      now: ctx.clock.now(),
      claims: { profession: p.professionCode, ...(p.specialtyCode ? { specialty: p.specialtyCode } : {}), organisation: finess },
    });
    const res = await exchange(ctx.app, assertion);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { access_token: string }).access_token;
  };
  return { token, headers: async (idNatPs) => ({ authorization: `Bearer ${await token(idNatPs)}` }) };
}

export interface TraceRow {
  seq: number;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_profession: string | null;
  actor_specialty: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

/** The trace of a space, oldest first, sign-ins left out. */
export async function traceOf(ctx: Pick<TestContext, 'db'>, patientId: string): Promise<TraceRow[]> {
  const rows = await ctx.db.query<TraceRow>(
    'SELECT seq, actor_type, actor_id, actor_name, actor_profession, actor_specialty, action, target, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq',
    [patientId],
  );
  return rows.filter((r) => !r.action.startsWith('login') && !r.action.startsWith('sign'));
}
