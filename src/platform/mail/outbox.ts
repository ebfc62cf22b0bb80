import type { Queryable } from '../../storage/index.ts';
import type { Clock } from '../clock.ts';
import type { Random } from '../random.ts';
import type { Locale } from './templates.ts';

/** Every message Carnet sends. Each has a French (and English) template in templates.ts. */
export const TEMPLATES = [
  'space_information', // space created: provisional code, date it opens, how to oppose
  'code_regenerated', // a new provisional code
  'opposition_proof', // proof that the person opposed the creation of their space
  'space_activated',
  'login_otp', // 6-digit one-time code of a sign-in
  'space_closed',
  'deletion_requested',
  'representative_invitation',
  'aidant_invitation', // a space invites a Carnet user to be its aidant (RULES §1)
  'aidant_answered', // the invited person accepted or refused (to the space)
  'aidant_ended', // a designation ended: revoked by the space (to the aidant) or withdrawn by the aidant (to the space)
  'record_access', // a professional accessed the record (first access, emergency access, every access per preferences)
  'new_document', // a document was added to the space (per preferences)
  'document_awaiting', // a document invisible to the patient for 2 weeks awaits an announcement consultation (RULES §4.4)
  'document_visible', // a document invisible to the patient became visible after a month (RULES §4.4)
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export const CHANNELS = ['email', 'letter'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Recipient {
  email?: string | undefined;
  /** Full name, for letters and greetings. */
  name: string;
  address?: string | undefined;
  postalCode?: string | undefined;
  city?: string | undefined;
  /** Language of the messages; French when absent. */
  locale?: Locale | undefined;
}

export interface OutgoingMessage {
  patientId: string | null;
  template: TemplateName;
  channel: Channel;
  recipient: Recipient;
  params: Record<string, string>;
}

/** Writes a message to the outbox in the caller's transaction; the worker sends it after commit. */
export async function enqueueMessage(q: Queryable, deps: { clock: Clock; random: Random }, msg: OutgoingMessage): Promise<string> {
  const id = deps.random.uuid();
  const now = deps.clock.now().toISOString();
  await q.query(
    `INSERT INTO outbox (message_id, patient_id, template, channel, recipient, params, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)`,
    [id, msg.patientId, msg.template, msg.channel, JSON.stringify(msg.recipient), JSON.stringify(msg.params), now],
  );
  return id;
}

/** E-mail when an address is known, else a paper letter. */
export function channelFor(recipient: Recipient): Channel {
  return recipient.email ? 'email' : 'letter';
}
