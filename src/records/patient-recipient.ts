import type { Queryable } from '../storage/index.ts';
import type { Recipient } from '../platform/mail/outbox.ts';

/** How a person is named to others: first given name and used (else birth) name, "Claire MARTIN". */
export function displayName(p: { birth_given_names: string; birth_name: string; used_name: string | null }): string {
  return `${p.birth_given_names.split(' ')[0] ?? ''} ${p.used_name ?? p.birth_name}`.trim();
}

/** Where a message to the patient goes: their e-mail, else their postal address. Null: no such patient. */
export async function patientRecipient(q: Queryable, patientId: string): Promise<Recipient | null> {
  const rows = await q.query<{ birth_given_names: string; birth_name: string; used_name: string | null; email: string | null; address: string | null; postal_code: string | null; city: string | null }>(
    'SELECT birth_given_names, birth_name, used_name, email, address, postal_code, city FROM patients WHERE patient_id = $1',
    [patientId],
  );
  const p = rows[0];
  if (!p) return null;
  return {
    name: displayName(p),
    email: p.email ?? undefined,
    address: p.address ?? undefined,
    postalCode: p.postal_code ?? undefined,
    city: p.city ?? undefined,
  };
}
