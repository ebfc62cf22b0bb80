/** The fields of a vaccination, shared by the patient's page and the professional's record (the vaccine from GET /api/vaccines). */
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import { useLang, useT } from '../i18n/index.ts';
import type { VaccinationView, VaccineCatalogue } from '../profile-types.ts';

function today(): string {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

export function VaccinationFields({ catalogue, entry, idPrefix }: { catalogue: VaccineCatalogue; entry: VaccinationView | null; idPrefix: string }) {
  const t = useT();
  const lang = useLang();
  const [code, setCode] = useState(entry?.vaccineCode ?? '');
  const vaccine = catalogue.vaccines.find((v) => v.code === code);
  const coded = (c: { code: string; display: string; label?: string }) => (lang === 'fr' ? (c.label ?? c.display) : c.display);
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-6">
        <Select label={t.vaccinations.vaccine} nativeSelectProps={{ name: 'vaccineCode', required: true, value: code, onChange: (e) => setCode(e.target.value) }}>
          <option value="" disabled>
            {t.vaccinations.chooseVaccine}
          </option>
          {catalogue.vaccines.map((v) => (
            <option key={v.code} value={v.code}>
              {v.label}
            </option>
          ))}
          <option value={catalogue.other.code}>{t.vaccinations.otherVaccine}</option>
        </Select>
      </div>
      <div className="fr-col-12 fr-col-md-6">
        <Input
          label={t.vaccinations.brand}
          hintText={vaccine && vaccine.names.length > 0 ? `${t.vaccinations.brandHint} (${vaccine.names.slice(0, 3).join(', ')})` : t.vaccinations.brandHint}
          nativeInputProps={{ name: 'vaccineName', maxLength: 120, required: code === catalogue.other.code, defaultValue: entry?.vaccineName ?? '', list: vaccine && vaccine.names.length > 0 ? `${idPrefix}-brands` : undefined }}
        />
        {vaccine && vaccine.names.length > 0 ? (
          <datalist id={`${idPrefix}-brands`}>
            {vaccine.names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        ) : null}
      </div>
      <div className="fr-col-12 fr-col-md-4">
        <Input label={t.vaccinations.date} nativeInputProps={{ name: 'date', type: 'date', required: true, max: today(), defaultValue: entry?.date ?? today() }} />
      </div>
      <div className="fr-col-6 fr-col-md-4">
        <Input label={t.vaccinations.dose} nativeInputProps={{ name: 'doseNumber', type: 'number', min: 1, max: 20, inputMode: 'numeric', defaultValue: entry?.doseNumber ?? '' }} />
      </div>
      <div className="fr-col-6 fr-col-md-4">
        <Input label={t.vaccinations.lot} nativeInputProps={{ name: 'lotNumber', maxLength: 40, pattern: '[A-Za-z0-9][A-Za-z0-9 ./\\-]{0,39}', defaultValue: entry?.lotNumber ?? '' }} />
      </div>
      <div className="fr-col-12 fr-col-md-6">
        <Select label={t.vaccinations.route} nativeSelectProps={{ name: 'route', defaultValue: entry?.route?.code ?? '' }}>
          <option value="">–</option>
          {catalogue.routes.map((r) => (
            <option key={r.code} value={r.code}>
              {coded(r)}
            </option>
          ))}
        </Select>
      </div>
      <div className="fr-col-12 fr-col-md-6">
        <Select label={t.vaccinations.site} nativeSelectProps={{ name: 'site', defaultValue: entry?.site?.code ?? '' }}>
          <option value="">–</option>
          {catalogue.sites.map((s) => (
            <option key={s.code} value={s.code}>
              {coded(s)}
            </option>
          ))}
        </Select>
      </div>
    </div>
  );
}

/** The JSON body of the fields above (empty ones left out). */
export function vaccinationBody(f: FormData): Record<string, unknown> {
  const s = (k: string) => String(f.get(k) ?? '').trim();
  const body: Record<string, unknown> = { vaccineCode: s('vaccineCode'), date: s('date') };
  if (s('vaccineName')) body.vaccineName = s('vaccineName');
  if (s('doseNumber')) body.doseNumber = Number(s('doseNumber'));
  for (const k of ['lotNumber', 'route', 'site', 'notes']) if (s(k)) body[k] = s(k);
  return body;
}
