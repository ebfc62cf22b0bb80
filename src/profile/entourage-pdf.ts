/**
 * The advance directives form as an A4 PDF (stored as an EXPPAT_3 document): the person's
 * identity, the model (A: serious illness, B: good health), each answer under its question,
 * the place and date, and what the law says about them (CSP L. 1111-11: revisable and
 * revocable at any time; binding on the doctor except in an emergency or when manifestly
 * inappropriate).
 */
import { PDFDocument } from 'pdf-lib';
import type { Color, PDFFont } from 'pdf-lib';
import type { AdvanceDirectivesForm, SedationChoice, Situation } from './entourage-input.ts';
import { A4_PORTRAIT, BLACK, Flow, GREY, describePdf, drawFooters, embedFonts, frenchDate } from './pdf-layout.ts';

const MARGIN = 56;

const SITUATION_FR: Readonly<Record<Situation, string>> = {
  serious_illness: 'Modèle A : je suis atteint(e) d’une maladie grave ou je pense être proche de la fin de ma vie.',
  good_health: 'Modèle B : je pense être en bonne santé.',
};
const SEDATION_FR: Readonly<Record<SedationChoice, string>> = {
  wants: 'Oui : si l’on arrête les traitements qui me maintiennent en vie, je veux une sédation profonde et continue jusqu’au décès.',
  does_not_want: 'Non : je ne veux pas de sédation profonde et continue jusqu’au décès.',
  no_opinion: 'Je ne me prononce pas : je m’en remets à l’équipe médicale et à ma personne de confiance.',
};

export interface DirectivesHeader {
  patientName: string;
  birthDate: string;
  writtenOn: string;
  generatedAt: Date;
}

export async function renderAdvanceDirectivesPdf(header: DirectivesHeader, form: AdvanceDirectivesForm): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const { regular, bold } = await embedFonts(doc);
  describePdf(doc, { title: `Directives anticipées – ${header.patientName}`, subject: 'EXPPAT_3', author: header.patientName, at: header.generatedAt });

  const flow = new Flow(doc, { page: A4_PORTRAIT, x: MARGIN, top: MARGIN, bottom: MARGIN });
  const block = (text: string, font: PDFFont, size: number, after = 4, color: Color = BLACK) => flow.paragraph(text, font, size, { after, color });

  block('Directives anticipées', bold, 18, 10);
  block(`${header.patientName}, né(e) le ${frenchDate(header.birthDate)}`, bold, 11, 2);
  block(SITUATION_FR[form.situation], regular, 10, 14);
  block('Mes volontés sur les traitements qui me maintiendraient en vie', bold, 12, 4);
  block('(réanimation cardio-respiratoire, ventilation artificielle, dialyse, alimentation et hydratation artificielles, intervention chirurgicale…)', regular, 9, 6, GREY);
  block(form.lifeSustainingTreatments, regular, 10.5, 12);
  block('Sédation profonde et continue jusqu’au décès', bold, 12, 6);
  block(SEDATION_FR[form.deepSedation], regular, 10.5, 12);
  if (form.otherWishes !== null) {
    block('Autres volontés', bold, 12, 4);
    block('(lieu de fin de vie, accompagnement, convictions…)', regular, 9, 6, GREY);
    block(form.otherWishes, regular, 10.5, 12);
  }
  block(`Fait${form.place === null ? '' : ` à ${form.place}`}, le ${frenchDate(header.writtenOn)}, dans mon espace Carnet.`, regular, 10.5, 16);
  block(
    'Ces directives anticipées peuvent être révisées ou révoquées à tout moment. Elles s’imposent au médecin, sauf en cas d’urgence vitale le temps d’évaluer la situation, ou si elles apparaissent manifestement inappropriées ou non conformes à la situation médicale (code de la santé publique, article L. 1111-11).',
    regular,
    8.5,
    0,
    GREY,
  );

  drawFooters(doc, regular, (n, total) => [`Carnet · Directives anticipées · ${header.patientName} · page ${n}/${total}`], { x: MARGIN, y: 24 });
  return Buffer.from(await doc.save());
}
