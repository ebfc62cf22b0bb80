import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useLang, useT } from '../../i18n/index.ts';
import type { ProMe } from '../../types.ts';

const PROFESSIONS: Record<string, { fr: string; en: string }> = {
  '10': { fr: 'Médecin', en: 'Physician' },
  '21': { fr: 'Pharmacien', en: 'Pharmacist' },
  '40': { fr: 'Chirurgien-dentiste', en: 'Dentist' },
  '50': { fr: 'Sage-femme', en: 'Midwife' },
  '60': { fr: 'Infirmier', en: 'Nurse' },
  '70': { fr: 'Masseur-kinésithérapeute', en: 'Physiotherapist' },
  '80': { fr: 'Pédicure-podologue', en: 'Podiatrist' },
};

export function professionName(code: string, lang: 'fr' | 'en'): string {
  return PROFESSIONS[code]?.[lang] ?? code;
}

/** The "Se connecter avec Pro Santé Connect" panel (the development provider by default). */
export function ProSignInPanel({ returnTo }: { returnTo: string }) {
  const t = useT();
  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8">
        <h1>{t.pro.signInTitle}</h1>
        <p className="fr-text--lead">{t.pro.signInLead}</p>
        <div className="fr-connect-group fr-mb-3w">
          <a className="fr-btn fr-btn--lg carnet-psc-button" href={`/pro/login?returnTo=${encodeURIComponent(returnTo)}`}>
            <span className="fr-icon-shield-line fr-mr-1w" aria-hidden="true" />
            {t.pro.signInButton}
          </a>
        </div>
        <Alert severity="info" small description={t.pro.signInNote} />
      </div>
    </div>
  );
}

export function WhoAmI({ me }: { me: ProMe }) {
  const t = useT();
  const lang = useLang();
  return (
    <p className="fr-text--sm carnet-whoami">
      <span className="fr-icon-user-line fr-icon--sm" aria-hidden="true" /> {t.pro.signedInAs}{' '}
      <strong>
        {me.professionCode === '10' ? 'Dr ' : ''}
        {me.givenName} {me.familyName}
      </strong>{' '}
      ({professionName(me.professionCode, lang)}, RPPS {me.rpps})
    </p>
  );
}
