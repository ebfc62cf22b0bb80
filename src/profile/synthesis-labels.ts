/**
 * French labels of every coded value the profile synthesis prints (the API keeps codes and
 * English displays; the PDF is read by the patient and their doctors). Each table is typed
 * over its code list, so a new code fails to compile until it has its label.
 */
import type {
  ACTIVITY_LEVELS,
  ALCOHOL_STATUSES,
  ALLERGY_CATEGORIES,
  ALLERGY_TYPES,
  CONDITION_KINDS,
  CONDITION_STATUSES,
  DIETS,
  DISABILITY_KINDS,
  FamilyRelation,
  SEVERITIES,
  TOBACCO_STATUSES,
} from './health-history-validation.ts';
import type { MeasureType } from './measures-catalogue.ts';
import type { WhoBmiClass } from './measures-statistics.ts';
import type { RecorderKind } from './health-history-store.ts';

type Labels<T extends readonly string[]> = Readonly<Record<T[number], string>>;

export const CONDITION_KIND_FR: Labels<typeof CONDITION_KINDS> = { disease: 'Maladie', health_topic: 'Sujet de santé' };
export const CONDITION_STATUS_FR: Labels<typeof CONDITION_STATUSES> = { active: 'en cours', resolved: 'terminé' };

export const DISABILITY_KIND_FR: Labels<typeof DISABILITY_KINDS> = {
  motor: 'Handicap moteur',
  visual: 'Handicap visuel',
  hearing: 'Handicap auditif',
  mental: 'Handicap mental',
  cognitive: 'Handicap cognitif',
  psychic: 'Handicap psychique',
  disabling_disease: 'Maladie invalidante',
  multiple: 'Polyhandicap',
  other: 'Autre handicap',
};

export const ALLERGY_TYPE_FR: Labels<typeof ALLERGY_TYPES> = { allergy: 'Allergie', intolerance: 'Intolérance' };
/** After "Allergie" / "Intolérance": both feminine. */
export const ALLERGY_CATEGORY_FR: Labels<typeof ALLERGY_CATEGORIES> = { food: 'alimentaire', medication: 'médicamenteuse', environment: 'environnementale', biologic: 'biologique' };
/** Of a reaction (feminine). */
export const SEVERITY_FR: Labels<typeof SEVERITIES> = { mild: 'légère', moderate: 'modérée', severe: 'sévère' };

export const FAMILY_RELATION_FR: Readonly<Record<FamilyRelation, string>> = {
  MTH: 'Mère',
  FTH: 'Père',
  PRN: 'Parent',
  SIS: 'Sœur',
  BRO: 'Frère',
  SIB: 'Frère ou sœur',
  HSIS: 'Demi-sœur',
  HBRO: 'Demi-frère',
  TWINSIS: 'Sœur jumelle',
  TWINBRO: 'Frère jumeau',
  DAU: 'Fille',
  SON: 'Fils',
  CHILD: 'Enfant',
  GRMTH: 'Grand-mère',
  GRFTH: 'Grand-père',
  MGRMTH: 'Grand-mère maternelle',
  MGRFTH: 'Grand-père maternel',
  PGRMTH: 'Grand-mère paternelle',
  PGRFTH: 'Grand-père paternel',
  GRNDDAU: 'Petite-fille',
  GRNDSON: 'Petit-fils',
  AUNT: 'Tante',
  UNCLE: 'Oncle',
  MAUNT: 'Tante maternelle',
  MUNCLE: 'Oncle maternel',
  PAUNT: 'Tante paternelle',
  PUNCLE: 'Oncle paternel',
  COUSN: 'Cousin ou cousine',
  NIECE: 'Nièce',
  NEPHEW: 'Neveu',
};

export const TOBACCO_FR: Labels<typeof TOBACCO_STATUSES> = { never: 'Jamais fumé', former: 'Ancien fumeur', current: 'Fumeur actuel' };
export const ALCOHOL_FR: Labels<typeof ALCOHOL_STATUSES> = { never: 'Jamais', former: 'Ancienne consommation (arrêtée)', occasional: 'Consommation occasionnelle', regular: 'Consommation régulière' };
export const ACTIVITY_FR: Labels<typeof ACTIVITY_LEVELS> = { sedentary: 'Sédentaire', low: 'Faible', moderate: 'Modérée', high: 'Élevée' };
export const DIET_FR: Labels<typeof DIETS> = {
  omnivore: 'Omnivore',
  pescatarian: 'Pescétarien',
  vegetarian: 'Végétarien',
  vegan: 'Végétalien (vegan)',
  gluten_free: 'Sans gluten',
  lactose_free: 'Sans lactose',
  low_salt: 'Pauvre en sel',
  low_sugar: 'Pauvre en sucre',
  halal: 'Halal',
  kosher: 'Casher',
  other: 'Autre',
};

/** Measures: the French name and the unit as printed (the kept unit of the catalogue). */
export const MEASURE_FR: Readonly<Record<MeasureType, { label: string; unit: string }>> = {
  weight: { label: 'Poids', unit: 'kg' },
  height: { label: 'Taille', unit: 'm' },
  bmi: { label: 'Indice de masse corporelle (IMC)', unit: 'kg/m²' },
  waist_circumference: { label: 'Tour de taille', unit: 'cm' },
  head_circumference: { label: 'Périmètre crânien', unit: 'cm' },
  body_temperature: { label: 'Température', unit: '°C' },
  blood_glucose: { label: 'Glycémie', unit: 'mg/dL' },
  interstitial_glucose: { label: 'Glucose interstitiel', unit: 'mg/dL' },
  hba1c: { label: 'Hémoglobine glyquée (HbA1c)', unit: '%' },
  blood_pressure: { label: 'Tension artérielle', unit: 'mmHg' },
  pain: { label: 'Douleur', unit: '/10' },
  heart_rate: { label: 'Fréquence cardiaque', unit: 'battements/min' },
  steps: { label: 'Nombre de pas', unit: 'pas/jour' },
};

/** WHO classes of an adult's BMI, as French health services name them. */
export const BMI_CLASS_FR: Readonly<Record<WhoBmiClass, string>> = {
  underweight: 'Insuffisance pondérale (IMC inférieur à 18,5)',
  normal: 'Corpulence normale (IMC de 18,5 à 24,9)',
  pre_obesity: 'Surpoids (IMC de 25 à 29,9)',
  obesity_class_1: 'Obésité modérée, classe I (IMC de 30 à 34,9)',
  obesity_class_2: 'Obésité sévère, classe II (IMC de 35 à 39,9)',
  obesity_class_3: 'Obésité massive, classe III (IMC de 40 ou plus)',
};

/** Who asked for the synthesis, after "à la demande de <name>". */
export const REQUESTER_FR: Readonly<Record<RecorderKind, string>> = {
  patient: 'titulaire de l’espace',
  representative: 'représentant légal',
  aidant: 'aidant',
};

export const SEX_FR: Readonly<Record<string, string>> = { F: 'féminin', M: 'masculin', U: 'non précisé' };

/** The kind of INS matricule, by the OID of its assigning authority (RULES §2). */
export const INS_KIND_FR: Readonly<Record<string, string>> = {
  '1.2.250.1.213.1.4.8': 'NIR',
  '1.2.250.1.213.1.4.9': 'NIA',
  '1.2.250.1.213.1.4.10': 'NIR de test',
};
