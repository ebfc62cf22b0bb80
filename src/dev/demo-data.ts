import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { importBeneficiaries } from '../beneficiaries/index.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { staffTokenHash } from '../identity/staff-auth.ts';
import { activateChildSpace, activateSpace } from '../lifecycle/service.ts';

/**
 * Demo data, loaded on the first start of a development installation (never in production:
 * the passwords and tokens below are published in the README). It goes through the same
 * import and activation code as real people, so the demo shows what really happens.
 */
export const DEMO = {
  patient: { loginId: 'claire.martin', password: 'Carnet-Demo-2026!', matricule: '285047505612322', birthDate: '1985-04-12', name: 'Claire MARTIN' },
  child: { matricule: '116097505604522', birthDate: '2016-09-09', name: 'Léo MARTIN' },
  /** Left pending: activate with the code of his e-mail at /dev/mail. */
  pending: { matricule: '190076912308703', birthDate: '1990-07-21', name: 'Lucas PETIT' },
  /** Pending, no e-mail: his information went by letter (PDF at /dev/letters). */
  letter: { matricule: '248113306301272', birthDate: '1948-11-03', name: 'Jeanne LAMBERT (née DUBOIS)' },
  /** Pending, carte Vitale serial 1000000005: try the opposition. */
  opposable: { matricule: '172021305503445', birthDate: '1972-02-14', cardSerial: '1000000005', name: 'Paul LEROY' },
  operatorToken: 'carnet-demo-operator-token',
  insurerToken: 'carnet-demo-insurer-token',
} as const;

const BENEFICIARIES = fileURLToPath(new URL('./demo-beneficiaries.csv', import.meta.url));

export async function isDatabaseEmpty(deps: Pick<AppDeps, 'db'>): Promise<boolean> {
  const rows = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patient_ins');
  return rows[0]?.n === 0;
}

async function codeFromOutbox(deps: AppDeps, matricule: string): Promise<string> {
  const rows = await deps.db.query<{ code: string }>(
    `SELECT o.params->>'code' AS code FROM outbox o JOIN patient_ins i ON i.patient_id = o.patient_id
     WHERE i.matricule = $1 AND o.template = 'space_information' ORDER BY o.created_at DESC LIMIT 1`,
    [matricule],
  );
  const code = rows[0]?.code;
  if (!code) throw new Error(`demo data: no information message for ${matricule}`);
  return code;
}

export async function loadDemoData(deps: AppDeps): Promise<void> {
  if (deps.config.env === 'production') throw new AppError('refused_in_production', 'Demo data cannot be loaded in production.');
  await loadDemoDirectory(deps.db, deps.clock);
  const summary = await importBeneficiaries(deps, createReadStream(BENEFICIARIES), 'csv');
  if (summary.errors > 0) throw new Error(`demo data: ${summary.errors} beneficiary lines refused`);

  const p = DEMO.patient;
  const { patientId } = await activateSpace(deps, {
    matricule: p.matricule,
    birthDate: p.birthDate,
    code: await codeFromOutbox(deps, p.matricule),
    loginId: p.loginId,
    password: p.password,
    email: 'claire.martin@demo.carnet.example',
    phone: '0612345678',
    acceptTerms: true,
  });
  await activateChildSpace(deps, patientId, { matricule: DEMO.child.matricule, birthDate: DEMO.child.birthDate, code: await codeFromOutbox(deps, DEMO.child.matricule) });

  const now = deps.clock.now();
  for (const [role, name, token] of [
    ['operator', 'Opérateur de démonstration', DEMO.operatorToken],
    ['insurer', 'Assurance Maladie (démonstration)', DEMO.insurerToken],
  ] as const) {
    await deps.db.query('INSERT INTO staff_accounts (account_id, role, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      deps.random.uuid(),
      role,
      name,
      staffTokenHash(deps.config.secret, token),
      now,
    ]);
  }
}
