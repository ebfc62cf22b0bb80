/**
 * Checking entourage & volontés as entered (pure: no I/O): contacts (emergency contact, trusted
 * person, caregiver) with a relation coded in HL7 v3 RoleCode and a phone or e-mail that works;
 * the organ donation statement; the advance directives form (the structure of the official
 * model, arrêté du 3 août 2016: model A "I have a serious illness", model B "I think I am in
 * good health"). Every problem names its field and says what to do.
 */
import type { ErrorDetail } from '../platform/errors.ts';
import { cleanText } from './vaccinations-input.ts';

export const CONTACT_KINDS = ['emergency_contact', 'trusted_person', 'caregiver'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const CONTACT_KIND_LABELS_FR: Readonly<Record<ContactKind, string>> = {
  emergency_contact: 'Contact en cas d’urgence',
  trusted_person: 'Personne de confiance',
  caregiver: 'Aidant',
};

/** Relations (HL7 v3 RoleCode, personal relationships), and 'other' with a free-text relation. */
export const RELATIONS = {
  SPS: ['spouse', 'Conjoint(e)'],
  DOMPART: ['domestic partner', 'Partenaire (Pacs, concubin)'],
  MTH: ['mother', 'Mère'],
  FTH: ['father', 'Père'],
  CHILD: ['child', 'Enfant'],
  SIB: ['sibling', 'Frère ou sœur'],
  GRPRN: ['grandparent', 'Grand-parent'],
  GRNDCHILD: ['grandchild', 'Petit-enfant'],
  EXT: ['extended family member', 'Autre membre de la famille'],
  FRND: ['unrelated friend', 'Ami(e)'],
  NBOR: ['neighbor', 'Voisin(e)'],
  other: ['other', 'Autre'],
} as const;
export type RelationCode = keyof typeof RELATIONS;
export const isRelationCode = (c: string): c is RelationCode => Object.hasOwn(RELATIONS, c);

export interface ContactInput {
  kind: string;
  familyName: string;
  givenName?: string | undefined;
  relation: string;
  relationText?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
}

export interface Contact {
  kind: ContactKind;
  familyName: string;
  givenName: string | null;
  relation: RelationCode;
  relationText: string | null;
  /** E.164 (+33612345678). */
  phone: string | null;
  email: string | null;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const EMAIL = /^[^\s@"<>(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A phone number in E.164, from French national (06 12 34 56 78) or international (+32 ...) writing; null if not one. */
export function normalizePhone(input: string): string | null {
  const compact = input.replace(/[\s.\-()]/g, '');
  if (/^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^00[1-9]\d{6,14}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^\+[1-9]\d{6,14}$/.test(compact)) return compact;
  return null;
}

export function checkContact(input: ContactInput): { ok: Contact } | { problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, reason: string) => problems.push({ field: `body.${field}`, reason });

  const kind = (CONTACT_KINDS as readonly string[]).includes(input.kind) ? (input.kind as ContactKind) : null;
  if (kind === null) problem('kind', `must be one of ${CONTACT_KINDS.join(', ')}`);
  const familyName = cleanText(input.familyName);
  if (familyName === null || familyName.length > 100 || !NAME.test(familyName)) problem('familyName', 'must be 1 to 100 letters (spaces, hyphens and apostrophes allowed)');
  const givenName = cleanText(input.givenName);
  if (givenName !== null && (givenName.length > 100 || !NAME.test(givenName))) problem('givenName', 'must be 1 to 100 letters (spaces, hyphens and apostrophes allowed)');
  const relation = isRelationCode(input.relation) ? input.relation : null;
  if (relation === null) problem('relation', `must be one of ${Object.keys(RELATIONS).join(', ')} (HL7 v3 RoleCode), or "other" with relationText`);
  const relationText = cleanText(input.relationText);
  if (relation === 'other' && relationText === null) problem('relationText', 'is required when relation is "other": say who this person is to you');
  if (relationText !== null && (relationText.length > 100 || CONTROL.test(relationText))) problem('relationText', 'must be at most 100 characters');

  const rawPhone = cleanText(input.phone);
  const phone = rawPhone === null ? null : normalizePhone(rawPhone);
  if (rawPhone !== null && phone === null) problem('phone', 'is not a phone number: write it as 06 12 34 56 78 or +32 2 123 45 67');
  const email = cleanText(input.email);
  if (email !== null && (email.length > 254 || !EMAIL.test(email))) problem('email', 'is not an e-mail address (name@example.fr)');
  if (rawPhone === null && email === null) problem('phone', 'give a phone number or an e-mail address, so this person can be reached');

  if (problems.length > 0 || kind === null || familyName === null || relation === null) return { problems };
  return { ok: { kind, familyName: familyName.toUpperCase(), givenName, relation, relationText: relation === 'other' ? relationText : null, phone, email: email === null ? null : email.toLowerCase() } };
}

export const DONATION_POSITIONS = ['accepts', 'accepts_partially', 'refuses'] as const;
export type DonationPosition = (typeof DONATION_POSITIONS)[number];
export const DONATION_LABELS_FR: Readonly<Record<DonationPosition, string>> = {
  accepts: 'Je souhaite donner mes organes et tissus',
  accepts_partially: 'Je souhaite donner certains organes ou tissus seulement',
  refuses: 'Je refuse le don de mes organes et tissus',
};

export function checkOrganDonation(input: { position: string; comment?: string | undefined }): { ok: { position: DonationPosition; comment: string | null } } | { problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const position = (DONATION_POSITIONS as readonly string[]).includes(input.position) ? (input.position as DonationPosition) : null;
  if (position === null) problems.push({ field: 'body.position', reason: `must be one of ${DONATION_POSITIONS.join(', ')}` });
  const comment = input.comment === undefined || input.comment.trim() === '' ? null : input.comment.trim();
  if (comment !== null && comment.length > 1000) problems.push({ field: 'body.comment', reason: 'must be at most 1000 characters' });
  if (position === 'accepts_partially' && comment === null) problems.push({ field: 'body.comment', reason: 'is required when you accept partially: say which organs or tissues' });
  if (problems.length > 0 || position === null) return { problems };
  return { ok: { position, comment } };
}

export const SITUATIONS = ['serious_illness', 'good_health'] as const;
export type Situation = (typeof SITUATIONS)[number];
export const SEDATION_CHOICES = ['wants', 'does_not_want', 'no_opinion'] as const;
export type SedationChoice = (typeof SEDATION_CHOICES)[number];

/** The advance directives form (structured text fields). */
export interface AdvanceDirectivesForm {
  situation: Situation;
  /** What the person wants about treatments that keep them alive (resuscitation, ventilation, dialysis, artificial nutrition and hydration, surgery...). */
  lifeSustainingTreatments: string;
  /** Deep and continuous sedation until death if treatments are stopped. */
  deepSedation: SedationChoice;
  /** Where and how to be accompanied, convictions, other wishes. */
  otherWishes: string | null;
  /** "Fait à" (place of writing). */
  place: string | null;
}

export interface AdvanceDirectivesInput {
  situation: string;
  lifeSustainingTreatments: string;
  deepSedation: string;
  otherWishes?: string | undefined;
  place?: string | undefined;
}

const longText = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim().replace(/\r\n?/g, '\n'));

export function checkAdvanceDirectives(input: AdvanceDirectivesInput): { ok: AdvanceDirectivesForm } | { problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, reason: string) => problems.push({ field: `body.${field}`, reason });
  const situation = (SITUATIONS as readonly string[]).includes(input.situation) ? (input.situation as Situation) : null;
  if (situation === null) problem('situation', `must be ${SITUATIONS.join(' or ')} (model A or B of the official form)`);
  const treatments = longText(input.lifeSustainingTreatments);
  if (treatments === null) problem('lifeSustainingTreatments', 'is required: write what you want about the treatments that would keep you alive');
  else if (treatments.length > 4000) problem('lifeSustainingTreatments', 'must be at most 4000 characters');
  const deepSedation = (SEDATION_CHOICES as readonly string[]).includes(input.deepSedation) ? (input.deepSedation as SedationChoice) : null;
  if (deepSedation === null) problem('deepSedation', `must be one of ${SEDATION_CHOICES.join(', ')}`);
  const otherWishes = longText(input.otherWishes);
  if (otherWishes !== null && otherWishes.length > 4000) problem('otherWishes', 'must be at most 4000 characters');
  const place = cleanText(input.place);
  if (place !== null && (place.length > 100 || CONTROL.test(place))) problem('place', 'must be at most 100 characters');
  if (problems.length > 0 || situation === null || treatments === null || deepSedation === null) return { problems };
  return { ok: { situation, lifeSustainingTreatments: treatments, deepSedation, otherWishes, place } };
}
