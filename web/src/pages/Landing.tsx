import { Tile } from '@codegouvfr/react-dsfr/Tile';
import { useEffect } from 'react';
import { useT } from '../i18n/index.ts';
import { navigate } from '../router.tsx';
import { usePatient } from '../session.tsx';
import { usePageTitle } from '../ui/hooks.ts';

export default function Landing() {
  const t = useT();
  const { session } = usePatient();
  usePageTitle(t.landing.title);
  useEffect(() => {
    if (session) navigate('/accueil', { replace: true });
  }, [session]);
  return (
    <>
      <h1>{t.landing.title}</h1>
      <p className="fr-text--lead">{t.landing.lead}</p>
      <h2 className="fr-h4">{t.landing.patients}</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Tile title={t.landing.signIn} desc={t.landing.signInDesc} linkProps={{ href: '/connexion' }} orientation="vertical" />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Tile title={t.landing.activate} desc={t.landing.activateDesc} linkProps={{ href: '/activer' }} orientation="vertical" />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Tile title={t.landing.oppose} desc={t.landing.opposeDesc} linkProps={{ href: '/opposition' }} orientation="vertical" />
        </div>
      </div>
      <h2 className="fr-h4 fr-mt-4w">{t.landing.professionals}</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Tile title={t.landing.proArea} desc={t.landing.proAreaDesc} linkProps={{ href: '/pro/patients' }} orientation="vertical" />
        </div>
      </div>
    </>
  );
}
