/**
 * The profile synthesis (DOCPAT08, "Profil médical Mon espace santé") as an A4 portrait PDF:
 * a title block (the patient's identity, when and at whose request it was made), then every
 * section of the medical profile under its heading: lists as short entries, measures and
 * vaccinations as small tables, "Non renseigné" for an empty section, "Non concerné (déclaré
 * le …)" for one the patient said does not concern them. Advance
 * directives say only whether they exist and their date, never their content. A footer on
 * every page: the page count, and that the document reflects what was entered.
 * Pure rendering: the data is read (and the access decided) by synthesis-service.ts.
 */
import { DONATION_LABELS_FR } from './entourage-input.ts';
import { PDFDocument, rgb } from 'pdf-lib';
import { A4_PORTRAIT, Flow, GREY, describePdf, drawFooters, drawTable, embedFonts, longFrenchDate, tableHeight } from './pdf-layout.ts';
import type { Fonts, TableColumn } from './pdf-layout.ts';
import type { EntryView, HealthHistory, RecorderKind, SectionState } from './health-history-store.ts';
import type { MeasureSummaryItem, MeasuresSummary } from './measures-store.ts';
import { MEASURE_CATALOGUE } from './measures-catalogue.ts';
import { ADULT_YEARS, againstTarget, ageAt, parisDate } from './measures-statistics.ts';
import type { VaccinationView } from './vaccinations-store.ts';
import type { ContactView, EntourageView, AdvanceDirectivesView } from './entourage-store.ts';
import { CONTACT_KIND_LABELS_FR } from './entourage-input.ts';
import type { SynthesisIdentity } from './synthesis-store.ts';
import {
  ACTIVITY_FR,
  ALCOHOL_FR,
  ALLERGY_CATEGORY_FR,
  ALLERGY_TYPE_FR,
  BMI_CLASS_FR,
  CONDITION_KIND_FR,
  CONDITION_STATUS_FR,
  DIET_FR,
  DISABILITY_KIND_FR,
  FAMILY_RELATION_FR,
  INS_KIND_FR,
  MEASURE_FR,
  REQUESTER_FR,
  SEVERITY_FR,
  SEX_FR,
  TOBACCO_FR,
} from './synthesis-labels.ts';

export const SYNTHESIS_TITLE = 'Profil médical — synthèse';

export interface SynthesisInput {
  identity: SynthesisIdentity;
  /** When it is generated, and that day in Paris (YYYY-MM-DD). */
  generatedAt: Date;
  generatedOn: string;
  requestedBy: { kind: RecorderKind; name: string | null };
  history: HealthHistory;
  measures: MeasuresSummary;
  vaccinations: readonly VaccinationView[];
  entourage: EntourageView & { advanceDirectives: AdvanceDirectivesView | null };
}

const MARGIN = 50;
const BOTTOM = 64;
const BLUE = rgb(0, 0, 0.57);
const BOX = rgb(0.93, 0.94, 0.98);
const INDENT = 12;
const NOT_FILLED = 'Non renseigné';
/** A table up to this height (points) is not split across pages. */
const KEEP_TABLE = 300;

/** One entry of a list: a bold title, its details on one wrapped line, an optional note. */
interface Item {
  title: string;
  details: (string | null | undefined)[];
  note?: string | null | undefined;
}

// ---- Formatting ------------------------------------------------------------------------

/** A number the French way: decimal comma, thin spaces between thousands. */
function frenchNumber(n: number, decimals: number): string {
  return new Intl.NumberFormat('fr-FR', { maximumFractionDigits: decimals }).format(n).replace(/[\u202f\u00a0]/g, ' ');
}

/** "2 85 04 75 123 456 78": how a NIR is printed on a carte Vitale. */
export function spacedMatricule(m: string): string {
  return m.length === 15 ? [m.slice(0, 1), m.slice(1, 3), m.slice(3, 5), m.slice(5, 7), m.slice(7, 10), m.slice(10, 13), m.slice(13)].join(' ') : m;
}

/** "+33612345678" -> "06 12 34 56 78"; other countries as stored (E.164). */
export function frenchPhone(e164: string): string {
  const m = /^\+33(\d{9})$/.exec(e164);
  return m?.[1] === undefined ? e164 : `0${m[1]}`.replace(/(\d{2})(?=\d)/g, '$1 ');
}

const since = (label: string, d: string | undefined) => (d === undefined ? null : `${label} : ${longFrenchDate(d)}`);

function measureValue(m: MeasureSummaryItem): string {
  const def = MEASURE_CATALOGUE[m.type];
  const unit = MEASURE_FR[m.type].unit;
  if (m.systolic !== undefined && m.diastolic !== undefined) return `${frenchNumber(m.systolic, 0)}/${frenchNumber(m.diastolic, 0)} ${unit}`;
  return m.value === undefined ? '' : `${frenchNumber(m.value, def.decimals)}${unit.startsWith('/') ? '' : ' '}${unit}`;
}

// ---- Sections as items -------------------------------------------------------------------

type Content<K extends keyof HealthHistory> = HealthHistory[K] extends SectionState<infer C> | null ? EntryView<C> : never;

const conditionItem = (e: Content<'conditions'>): Item => ({
  title: e.label,
  details: [CONDITION_KIND_FR[e.kind], CONDITION_STATUS_FR[e.status], since('début', e.onsetDate), since('fin', e.resolvedDate), e.cim10 === undefined ? null : `CIM-10 ${e.cim10}`],
  note: e.note,
});

const treatmentItem = (e: Content<'treatments'>): Item => ({
  title: e.medication,
  details: [e.dosage, e.reason === undefined ? null : `pour : ${e.reason}`, e.ongoing ? 'en cours' : 'arrêté', since('début', e.startDate), since('fin', e.endDate), e.atc === undefined ? null : `ATC ${e.atc}`],
  note: e.note,
});

const hospitalisationItem = (e: Content<'hospitalisations'>): Item => ({
  title: e.reason,
  details: [e.establishment, since('entrée', e.startDate), since('sortie', e.endDate)],
  note: e.note,
});

const disabilityItem = (e: Content<'disabilities'>): Item => ({ title: e.label, details: [DISABILITY_KIND_FR[e.kind], since('depuis', e.since)], note: e.note });

const allergyItem = (e: Content<'allergies'>): Item => ({
  title: e.substance,
  details: [
    `${ALLERGY_TYPE_FR[e.type]} ${ALLERGY_CATEGORY_FR[e.category]}`,
    e.reaction === undefined ? null : `réaction : ${e.reaction}`,
    e.severity === undefined ? null : `gravité : ${SEVERITY_FR[e.severity]}`,
    since('depuis', e.since),
  ],
  note: e.note,
});

const familyItem = (e: Content<'familyHistory'>): Item => ({
  title: e.condition,
  details: [FAMILY_RELATION_FR[e.relation], e.ageAtOnset === undefined ? null : `survenue à ${e.ageAtOnset} an${e.ageAtOnset > 1 ? 's' : ''}`],
  note: e.note,
});

function contactItem(c: ContactView): Item {
  const relation = c.relation.code === 'other' && c.relationText !== null ? c.relationText : c.relation.label;
  return {
    title: [c.givenName, c.familyName].filter((s) => s !== null && s !== '').join(' '),
    details: [CONTACT_KIND_LABELS_FR[c.kind], relation, c.phone === null ? null : `tél. ${frenchPhone(c.phone)}`, c.email],
  };
}

function lifestyleLines(l: NonNullable<HealthHistory['lifestyle']>['value']): string[] {
  const out: string[] = [];
  if (l.tobacco !== undefined) {
    const t = l.tobacco;
    out.push(`Tabac : ${TOBACCO_FR[t.status]}${t.cigarettesPerDay === undefined ? '' : `, ${t.cigarettesPerDay} cigarette${t.cigarettesPerDay > 1 ? 's' : ''} par jour`}${t.quitYear === undefined ? '' : `, arrêt en ${t.quitYear}`}`);
  }
  if (l.alcohol !== undefined) {
    const a = l.alcohol;
    out.push(`Alcool : ${ALCOHOL_FR[a.status]}${a.drinksPerWeek === undefined ? '' : `, ${a.drinksPerWeek} verre${a.drinksPerWeek > 1 ? 's' : ''} standard par semaine`}`);
  }
  if (l.physicalActivity !== undefined) {
    const p = l.physicalActivity;
    out.push(`Activité physique : ${ACTIVITY_FR[p.level]}${p.minutesPerWeek === undefined ? '' : `, ${p.minutesPerWeek} minutes par semaine`}`);
  }
  if (l.diet !== undefined) out.push(`Alimentation : ${l.diet.kinds.map((k) => DIET_FR[k]).join(', ')}${l.diet.note === undefined ? '' : ` (${l.diet.note})`}`);
  return out;
}

// ---- Rendering ---------------------------------------------------------------------------

export async function renderProfileSynthesisPdf(s: SynthesisInput): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const fonts: Fonts = await embedFonts(doc);
  const { regular, bold } = fonts;
  const who = s.identity;
  describePdf(doc, { title: `${SYNTHESIS_TITLE} – ${who.name}`, subject: 'DOCPAT08 Profil médical', at: s.generatedAt });

  const flow = new Flow(doc, { page: A4_PORTRAIT, x: MARGIN, top: MARGIN, bottom: BOTTOM });
  const adult = ageAt(who.birthDate, s.generatedAt).years >= ADULT_YEARS;

  // Title block: the title, the identity in a tinted box, who asked and when.
  flow.line(SYNTHESIS_TITLE, bold, 20, { color: BLUE, lineHeight: 24 });
  flow.gap(12);
  const age = ageAt(who.birthDate, s.generatedAt).years;
  const identity: [string, typeof bold, number][] = [
    [who.name, bold, 12],
    [`${who.sex === 'F' ? 'Née' : who.sex === 'M' ? 'Né' : 'Né(e)'} le ${longFrenchDate(who.birthDate)} (${age} an${age > 1 ? 's' : ''}) · sexe : ${SEX_FR[who.sex] ?? who.sex}`, regular, 10],
    [`INS : ${spacedMatricule(who.matricule)} (${INS_KIND_FR[who.insOid] ?? 'matricule'})`, regular, 10],
  ];
  const pad = 8;
  const boxHeight = identity.reduce((h, [, , size]) => h + size * 1.4, 0) + 2 * pad;
  flow.page.drawRectangle({ x: MARGIN, y: flow.y - boxHeight, width: flow.width, height: boxHeight, color: BOX });
  flow.page.drawRectangle({ x: MARGIN, y: flow.y - boxHeight, width: 3, height: boxHeight, color: BLUE });
  flow.gap(pad - 2);
  for (const [text, font, size] of identity) flow.line(text, font, size, { indent: 12, lineHeight: size * 1.4 });
  flow.gap(pad + 2);
  const requester = `${s.requestedBy.name ?? 'la personne connectée'} (${REQUESTER_FR[s.requestedBy.kind]})`;
  flow.paragraph(`Synthèse établie le ${longFrenchDate(s.generatedOn)} à la demande de ${requester}.`, regular, 9.5, { color: GREY, after: 4 });

  // ---- Building blocks ----
  const LINE = { title: 13.5, detail: 12.5, note: 12 };
  const heading = (title: string, firstBlockHeight: number) => {
    flow.gap(12);
    flow.keep(22 + firstBlockHeight);
    flow.line(title, bold, 12.5, { color: BLUE, lineHeight: 16 });
    flow.page.drawLine({ start: { x: MARGIN, y: flow.y - 4 }, end: { x: MARGIN + flow.width, y: flow.y - 4 }, thickness: 0.75, color: BLUE });
    flow.gap(6);
  };
  const statusLine = (text: string) => flow.paragraph(text, regular, 10, { color: GREY, indent: INDENT, lineHeight: LINE.detail });
  const statusHeight = LINE.detail;

  const itemLines = (it: Item) => ({
    title: flow.wrap(it.title, bold, 10, INDENT),
    details: it.details.some((d) => d != null && d !== '') ? flow.wrap(it.details.filter((d): d is string => d != null && d !== '').join(' · '), regular, 9.5, INDENT) : [],
    note: it.note == null || it.note === '' ? [] : flow.wrap(`Note : ${it.note}`, regular, 9, INDENT),
  });
  const itemHeight = (it: Item) => {
    const l = itemLines(it);
    return l.title.length * LINE.title + l.details.length * LINE.detail + l.note.length * LINE.note + 4;
  };
  const drawItem = (it: Item) => {
    const l = itemLines(it);
    flow.keep(itemHeight(it));
    l.title.forEach((t, i) => {
      flow.line(t, bold, 10, { indent: INDENT, lineHeight: LINE.title });
      if (i === 0) flow.page.drawText('•', { x: MARGIN + 2, y: flow.y, size: 10, font: bold, color: BLUE });
    });
    for (const t of l.details) flow.line(t, regular, 9.5, { indent: INDENT, lineHeight: LINE.detail });
    for (const t of l.note) flow.line(t, regular, 9, { indent: INDENT, lineHeight: LINE.note, color: GREY });
    flow.gap(4);
  };
  const items = (title: string, list: readonly Item[], emptyText = NOT_FILLED) => {
    const first = list[0];
    heading(title, first === undefined ? statusHeight : itemHeight(first));
    if (first === undefined) statusLine(emptyText);
    list.forEach(drawItem);
  };
  function listSection<C>(title: string, state: SectionState<C>, toItem: (e: EntryView<C>) => Item): void {
    if (state.entries.length === 0 && state.notConcerned !== null) {
      heading(title, statusHeight);
      statusLine(`Non concerné (déclaré le ${longFrenchDate(state.notConcerned.statedOn)})`);
      return;
    }
    items(title, state.entries.map(toItem));
  }
  const plain = (title: string, lines: readonly string[]) => {
    heading(title, lines.length === 0 ? statusHeight : LINE.detail * 2);
    if (lines.length === 0) statusLine(NOT_FILLED);
    for (const l of lines) flow.paragraph(l, regular, 10, { indent: INDENT, lineHeight: LINE.detail + 0.5 });
  };

  // ---- Health history ----
  const h = s.history;
  listSection('Maladies et sujets de santé', h.conditions, conditionItem);
  listSection('Traitements', h.treatments, treatmentItem);
  listSection('Hospitalisations', h.hospitalisations, hospitalisationItem);
  listSection('Handicaps', h.disabilities, disabilityItem);
  listSection('Allergies et intolérances', h.allergies, allergyItem);
  listSection('Antécédents familiaux', h.familyHistory, familyItem);
  const bg = h.bloodGroup?.value;
  plain('Groupe sanguin', bg === undefined ? [] : [`${bg.abo} Rhésus ${bg.rh === 'positive' ? 'positif' : 'négatif'} (${bg.abo}${bg.rh === 'positive' ? '+' : '-'}), déclaré le ${longFrenchDate(bg.statedOn)}`]);

  // ---- Measures ----
  const m = s.measures;
  const hba1cTarget = m.targets.find((t) => t.type === 'hba1c');
  const targetText = (t: { low: number | null; high: number }) => (t.low === null ? `au plus ${frenchNumber(t.high, 1)} %` : `de ${frenchNumber(t.low, 1)} à ${frenchNumber(t.high, 1)} %`);
  const remark = (it: MeasureSummaryItem): string => {
    if (it.type === 'bmi') return m.bmiClass !== null ? BMI_CLASS_FR[m.bmiClass] : adult ? '' : 'Enfant : se reporter aux courbes de corpulence';
    if (it.type === 'hba1c' && hba1cTarget !== undefined && it.value !== undefined) {
      const pos = againstTarget(it.value, hba1cTarget);
      return `${pos === 'within' ? 'Dans l’objectif' : pos === 'above' ? 'Au-dessus de l’objectif' : 'En dessous de l’objectif'} (${targetText(hba1cTarget)})`;
    }
    return '';
  };
  const measureColumns: TableColumn<MeasureSummaryItem>[] = [
    { title: 'Mesure', width: 165, cell: (it) => MEASURE_FR[it.type].label },
    { title: 'Dernière valeur', width: 100, cell: measureValue },
    { title: 'Date', width: 90, cell: (it) => longFrenchDate(parisDate(new Date(it.effectiveAt))) },
    { title: 'Remarque', width: flow.width - 355, cell: remark },
  ];
  const TABLE = { size: 9, lineHeight: 11.5 };
  /** A short table stays in one piece; a long one at least keeps its header with a first row. */
  const tableBlock = (height: number) => (height <= KEEP_TABLE ? height : 50);
  heading('Mesures', m.items.length === 0 ? statusHeight : tableBlock(tableHeight(fonts, measureColumns, m.items, TABLE) + (hba1cTarget === undefined ? 0 : 20)));
  if (m.items.length === 0) statusLine(NOT_FILLED);
  else drawTable(flow, fonts, measureColumns, m.items, TABLE);
  if (hba1cTarget !== undefined) {
    flow.gap(4);
    flow.paragraph(`Objectif d’HbA1c fixé le ${longFrenchDate(parisDate(new Date(hba1cTarget.setAt)))} : ${targetText(hba1cTarget)}.`, regular, 9.5, { indent: INDENT, lineHeight: LINE.detail });
  }

  // ---- Vaccinations (oldest first, as in a paper carnet) ----
  const vaccinations = [...s.vaccinations].sort((a, b) => (a.date === b.date ? a.recordedAt.localeCompare(b.recordedAt) : a.date.localeCompare(b.date)));
  const vaccinationColumns: TableColumn<VaccinationView>[] = [
    { title: 'Date', width: 88, cell: (v) => longFrenchDate(v.date) },
    { title: 'Vaccin', width: 155, cell: (v) => (v.vaccineName !== null && v.vaccineName !== v.vaccineLabel ? `${v.vaccineLabel} (${v.vaccineName})` : v.vaccineLabel) },
    { title: 'Maladies ciblées', width: 137, cell: (v) => v.targetDiseases.map((d) => d.display).join(', ') },
    { title: 'Dose', width: 35, cell: (v) => (v.doseNumber === null ? '' : String(v.doseNumber)) },
    { title: 'Vacciné par', width: flow.width - 415, cell: (v) => v.performer?.name ?? v.performer?.idNatPs ?? '' },
  ];
  heading('Vaccinations', vaccinations.length === 0 ? statusHeight : tableBlock(tableHeight(fonts, vaccinationColumns, vaccinations, TABLE)));
  if (vaccinations.length === 0) statusLine(NOT_FILLED);
  else drawTable(flow, fonts, vaccinationColumns, vaccinations, TABLE);

  // ---- Lifestyle ----
  const life = h.lifestyle?.value;
  const lifeLines = life === undefined ? [] : lifestyleLines(life);
  plain('Mode de vie', life === undefined ? [] : [...lifeLines, `Déclaré le ${longFrenchDate(life.statedOn)}.`]);

  // ---- Entourage & volontés ----
  const e = s.entourage;
  items('Entourage (personne de confiance, contacts, aidants)', e.contacts.map(contactItem));
  plain(
    'Don d’organes et de tissus',
    e.organDonation === null
      ? []
      : [`${DONATION_LABELS_FR[e.organDonation.position]} (déclaré le ${longFrenchDate(e.organDonation.statedOn)})${e.organDonation.comment === null ? '' : ` : ${e.organDonation.comment}`}.`],
  );
  const ad = e.advanceDirectives;
  if (ad === null && !adult) plain('Directives anticipées', ['Sans objet : les directives anticipées ne concernent pas les mineurs.']);
  else
    plain(
      'Directives anticipées',
      ad === null ? [] : [`Rédigées le ${longFrenchDate(ad.writtenOn)} (${ad.source === 'form' ? 'formulaire rempli dans Carnet' : 'document déposé'}) ; elles se consultent dans les documents de l’espace.`],
    );

  drawFooters(
    doc,
    regular,
    (n, total) => [
      `Carnet — synthèse du profil médical — page ${n} / ${total}`,
      `Ce document reflète ce que le patient (ou ses proches) a saisi dans son profil médical, tel qu’il était le ${longFrenchDate(s.generatedOn)}.`,
    ],
    { x: MARGIN, y: 38, size: 7.5, ruleWidth: flow.width },
  );
  return Buffer.from(await doc.save());
}
