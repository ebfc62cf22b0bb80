/** The fields of the health history's list sections and how an entry reads, shared by the patient's profile and the professional's record. */
import type { Messages } from '../i18n/fr.ts';
import type { HistoryEntry, ListSection } from '../profile-types.ts';

export type FieldName = keyof Messages['profile']['fields'];
export type CodeName = keyof Messages['profile']['codes'];
export interface Field {
  name: FieldName;
  kind: 'text' | 'textarea' | 'select' | 'partialDate' | 'int' | 'bool';
  required?: boolean;
  options?: readonly string[];
  max?: number;
}

const FAMILY = ['MTH', 'FTH', 'SIS', 'BRO', 'DAU', 'SON', 'MGRMTH', 'MGRFTH', 'PGRMTH', 'PGRFTH', 'AUNT', 'UNCLE', 'COUSN'] as const;

/** The fields of each list section, as the API names them (src/profile/health-history-validation.ts). */
export const FIELDS: Record<ListSection, Field[]> = {
  conditions: [
    { name: 'label', kind: 'text', required: true, max: 200 },
    { name: 'kind', kind: 'select', required: true, options: ['disease', 'health_topic'] },
    { name: 'status', kind: 'select', required: true, options: ['active', 'resolved'] },
    { name: 'onsetDate', kind: 'partialDate' },
    { name: 'resolvedDate', kind: 'partialDate' },
    { name: 'cim10', kind: 'text', max: 8 },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
  treatments: [
    { name: 'medication', kind: 'text', required: true, max: 200 },
    { name: 'dosage', kind: 'text', max: 300 },
    { name: 'reason', kind: 'text', max: 200 },
    { name: 'ongoing', kind: 'bool' },
    { name: 'startDate', kind: 'partialDate' },
    { name: 'endDate', kind: 'partialDate' },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
  hospitalisations: [
    { name: 'reason', kind: 'text', required: true, max: 300 },
    { name: 'establishment', kind: 'text', max: 200 },
    { name: 'startDate', kind: 'partialDate', required: true },
    { name: 'endDate', kind: 'partialDate' },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
  disabilities: [
    { name: 'label', kind: 'text', required: true, max: 200 },
    { name: 'kind', kind: 'select', required: true, options: ['motor', 'visual', 'hearing', 'mental', 'cognitive', 'psychic', 'disabling_disease', 'multiple', 'other'] },
    { name: 'since', kind: 'partialDate' },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
  allergies: [
    { name: 'substance', kind: 'text', required: true, max: 200 },
    { name: 'type', kind: 'select', required: true, options: ['allergy', 'intolerance'] },
    { name: 'category', kind: 'select', required: true, options: ['food', 'medication', 'environment', 'biologic'] },
    { name: 'reaction', kind: 'text', max: 300 },
    { name: 'severity', kind: 'select', options: ['mild', 'moderate', 'severe'] },
    { name: 'since', kind: 'partialDate' },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
  familyHistory: [
    { name: 'condition', kind: 'text', required: true, max: 200 },
    { name: 'relation', kind: 'select', required: true, options: FAMILY },
    { name: 'ageAtOnset', kind: 'int' },
    { name: 'note', kind: 'textarea', max: 1000 },
  ],
};

/** The field that names an entry. */
export const TITLE: Record<ListSection, string> = { conditions: 'label', treatments: 'medication', hospitalisations: 'reason', disabilities: 'label', allergies: 'substance', familyHistory: 'condition' };

export function optionLabel(t: Messages, field: FieldName, v: string): string {
  if (field === 'relation') return (t.profile.family as Record<string, string>)[v] ?? v;
  return (t.profile.codes as Record<string, string>)[v as CodeName] ?? v;
}

/** The name of an entry (its main field). */
export const entryTitle = (section: ListSection, e: HistoryEntry): string => String(e[TITLE[section]] ?? '');

/** The other short fields of an entry, one line ("Allergie · Médicament · Réaction : …"). */
export function entryDetails(t: Messages, section: ListSection, e: HistoryEntry): string {
  return FIELDS[section]
    .filter((f) => f.name !== TITLE[section] && f.kind !== 'textarea' && e[f.name] !== undefined && e[f.name] !== null && e[f.name] !== '')
    .map((f) => {
      const v = e[f.name];
      if (f.kind === 'bool') return v === true ? t.profile.fields[f.name] : null;
      if (f.kind === 'select') return optionLabel(t, f.name, String(v));
      return `${t.profile.fields[f.name]} : ${String(v)}`;
    })
    .filter(Boolean)
    .join(' · ');
}
