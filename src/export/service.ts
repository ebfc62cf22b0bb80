/**
 * "Download all my data": the whole space as one ZIP (the documents with their content and
 * metadata, the medical profile, measures, vaccinations, entourage & volontés, and the trace),
 * decided once (`download_all`: the holder, or a minor's legal representative; never an aidant,
 * RULES §1) and traced once (`space_exported`), read in one transaction so the parts agree.
 */
import { strToU8, zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import type { AppDeps } from '../app.ts';
import { withRecordAccess, createDocumentsRepository, personName } from '../records/index.ts';
import type { RecordCaller } from '../records/index.ts';
import { readWholeTrace } from '../audit/index.ts';
import { createProfileSealer, listMeasures, MEASURE_CATALOGUE, readEntourage, readHealthHistory, readVaccinations } from '../profile/index.ts';
import type { MeasureType } from '../profile/index.ts';

/** File name extension of a stored format. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/tiff': 'tif',
  'application/rtf': 'rtf',
  'text/rtf': 'rtf',
  'text/plain': 'txt',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/hl7-cda+xml': 'xml',
};

/** A file name safe on every system: letters, digits, dashes; accents dropped; bounded. */
export function safeFileName(title: string): string {
  const base = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return base === '' ? 'document' : base;
}

const README = (name: string, at: string) => `Carnet — export de l'espace santé de ${name}
Établi le ${at}.

Contenu :
- documents/ : chaque document du dossier que vous pouvez voir, avec son contenu ;
  documents.json donne pour chacun son type, sa date, son auteur, sa taille et son empreinte SHA-256.
- profil/ : votre profil médical (antécédents, traitements, allergies...), vos mesures,
  vos vaccinations, votre entourage et vos volontés, au format JSON.
- historique.json : l'historique de toutes les actions sur votre espace (qui, quand, quoi, en quel mode).

Ces données sont personnelles et sensibles : conservez ce fichier en lieu sûr.
`;

export interface SpaceExport {
  fileName: string;
  zip: Buffer;
  documents: number;
}

export function createExportService(deps: AppDeps) {
  const repo = createDocumentsRepository(deps);
  const sealer = createProfileSealer(deps);
  // BMI is computed, never stored.
  const measureTypes = (Object.keys(MEASURE_CATALOGUE) as MeasureType[]).filter((t) => t !== 'bmi');

  return {
    async exportSpace(personId: string, patientId: string): Promise<SpaceExport> {
      const caller: RecordCaller = { kind: 'person', personId };
      const { value } = await withRecordAccess(deps, caller, patientId, { action: 'download_all', kind: 'space', traceAction: 'space_exported' }, async ({ q, now }) => {
        const documents = await repo.readAllIn(q, caller, patientId);
        const name = (await personName(q, patientId)) ?? '';
        const files: Zippable = {};
        const json = (v: unknown) => strToU8(`${JSON.stringify(v, null, 2)}\n`);
        files['LISEZMOI.txt'] = strToU8(README(name, now.toISOString()));
        const seen = new Set<string>();
        const listed = documents.map(({ document, content }) => {
          let file = `${document.createdOn}-${safeFileName(document.title)}`;
          for (let i = 2; seen.has(file); i++) file = `${document.createdOn}-${safeFileName(document.title)}-${i}`;
          seen.add(file);
          const path = `documents/${file}.${EXTENSIONS[document.format] ?? 'bin'}`;
          files[path] = [new Uint8Array(content), { level: 0 }];
          return { file: path, ...document };
        });
        files['documents.json'] = json(listed);
        files['profil/antecedents.json'] = json(await readHealthHistory(q, patientId, sealer));
        files['profil/mesures.json'] = json(await listMeasures(q, patientId, sealer, measureTypes));
        files['profil/vaccinations.json'] = json(await readVaccinations(q, patientId, sealer));
        files['profil/entourage.json'] = json(await readEntourage(q, patientId, sealer));
        files['historique.json'] = json(await readWholeTrace(q, patientId));
        const zip = Buffer.from(zipSync(files, { level: 6, mtime: now }));
        return { value: { zip, documents: documents.length, day: now.toISOString().slice(0, 10) }, detail: { documents: documents.length, bytes: zip.length } };
      });
      return { fileName: `carnet-export-${value.day}.zip`, zip: value.zip, documents: value.documents };
    },
  };
}
