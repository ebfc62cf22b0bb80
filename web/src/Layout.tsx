import { Header } from '@codegouvfr/react-dsfr/Header';
import type { HeaderProps } from '@codegouvfr/react-dsfr/Header';
import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import type { ReactNode, RefObject } from 'react';
import { setLang, useLang, useT } from './i18n/index.ts';
import type { Lang } from './i18n/index.ts';
import { navigate, useLocation } from './router.tsx';
import { usePatient, usePro } from './session.tsx';
import { SpaceBanner } from './SpaceBanner.tsx';
import { EmergencyBanner } from './pages/pro/emergency.tsx';

const PROFILE_PATHS = ['/profil', '/mesures', '/vaccinations', '/entourage'];
const FULL_NAMES: Record<Lang, string> = { fr: 'Français', en: 'English' };

/** The State's block mark text, the same in every language. */
const BRAND_TOP = (
  <>
    République
    <br />
    Française
  </>
);

/**
 * The language switch: one button offering the other language, named in that language (with
 * its lang attribute). react-dsfr's LanguageSelect nests its links inside its button, which
 * axe rightly refuses (nested-interactive).
 */
function langSwitch(lang: Lang): HeaderProps.QuickAccessItem {
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  return {
    iconId: 'fr-icon-translate-2',
    text: (
      <span lang={other}>
        {other.toUpperCase()} – {FULL_NAMES[other]}
      </span>
    ),
    buttonProps: { onClick: () => setLang(other), lang: other, 'data-carnet-lang': other },
  };
}

function Chrome({ header, banner, children, mainRef }: { header: ReactNode; banner: ReactNode; children: ReactNode; mainRef: RefObject<HTMLElement | null> }) {
  const t = useT();
  return (
    <>
      <SkipLinks
        links={[
          { anchor: '#contenu', label: t.layout.skipToContent },
          { anchor: '#pied-de-page', label: t.layout.skipToFooter },
        ]}
      />
      {header}
      {banner}
      <main id="contenu" ref={mainRef} tabIndex={-1} className="carnet-main">
        <div className="fr-container fr-py-4w">{children}</div>
      </main>
      <Footer
        id="pied-de-page"
        accessibility="partially compliant"
        brandTop={BRAND_TOP}
        homeLinkProps={{ href: '/', title: t.layout.homeTitle }}
        contentDescription={t.layout.footerDescription}
        bottomItems={[
          { text: t.layout.footerApi, linkProps: { href: '/docs', target: '_blank', title: `${t.layout.footerApi} – ${t.common.newWindow}` } },
          { text: t.layout.footerPro, linkProps: { href: '/pro/patients' } },
        ]}
      />
    </>
  );
}

function PatientChrome({ children, mainRef, area }: { children: ReactNode; mainRef: RefObject<HTMLElement | null>; area: 'public' | 'patient' }) {
  const t = useT();
  const lang = useLang();
  const location = useLocation();
  const path = location.split('?')[0] ?? '/';
  const { session, signOut, current } = usePatient();
  const signedIn = session !== null && session !== undefined;
  const caps = current?.capabilities;
  const nav = signedIn
    ? [
        { text: t.nav.home, linkProps: { href: '/accueil' }, isActive: path === '/accueil' },
        { text: t.nav.documents, linkProps: { href: '/documents' }, isActive: path.startsWith('/documents') },
        {
          text: t.nav.profileMenu,
          isActive: PROFILE_PATHS.includes(path),
          menuLinks: [
            { text: t.nav.profile, linkProps: { href: '/profil' }, isActive: path === '/profil' },
            { text: t.nav.measures, linkProps: { href: '/mesures' }, isActive: path === '/mesures' },
            { text: t.nav.vaccinations, linkProps: { href: '/vaccinations' }, isActive: path === '/vaccinations' },
            { text: t.nav.entourage, linkProps: { href: '/entourage' }, isActive: path === '/entourage' },
          ],
        },
        // What the open space's capabilities deny is not offered (an aidant: settings, aidants, closure).
        ...(caps?.canManageSettings !== false ? [{ text: t.nav.access, linkProps: { href: '/acces' }, isActive: path === '/acces' }] : []),
        ...(caps?.canReadTrace !== false ? [{ text: t.nav.history, linkProps: { href: '/historique' }, isActive: path === '/historique' }] : []),
        ...(caps?.canManageSettings !== false ? [{ text: t.nav.notifications, linkProps: { href: '/notifications' }, isActive: path === '/notifications' }] : []),
        // Aidants: one's own (to manage them), and the invitations one received (about the person, not the space).
        ...(caps?.canManageAidants || current?.role === 'holder'
          ? [{ text: t.nav.aidants, linkProps: { href: caps?.canManageAidants ? '/aidants' : '/aidants/invitations' }, isActive: path.startsWith('/aidants') }]
          : []),
        ...(caps?.canDownload ? [{ text: t.nav.myData, linkProps: { href: '/donnees' }, isActive: path === '/donnees' }] : []),
        ...(caps?.canClose || (current?.status === 'closed' && current.role !== 'aidant') ? [{ text: t.nav.closure, linkProps: { href: '/cloture' }, isActive: path === '/cloture' }] : []),
      ]
    : [];
  return (
    <Chrome
      mainRef={mainRef}
      header={
        <Header
          brandTop={BRAND_TOP}
          serviceTitle="Carnet"
          serviceTagline={t.layout.tagline}
          homeLinkProps={{ href: signedIn ? '/accueil' : '/', title: t.layout.homeTitle }}
          quickAccessItems={[
            langSwitch(lang),
            signedIn
              ? {
                  iconId: 'fr-icon-logout-box-r-line',
                  text: t.layout.signOut,
                  buttonProps: {
                    onClick: () => {
                      void signOut().then(() => navigate('/connexion'));
                    },
                  },
                }
              : { iconId: 'fr-icon-account-circle-line', text: t.layout.signIn, linkProps: { href: '/connexion' } },
          ]}
          navigation={nav.length > 0 ? nav : undefined}
        />
      }
      banner={signedIn && area === 'patient' ? <SpaceBanner /> : null}
    >
      {children}
    </Chrome>
  );
}

function ProChrome({ children, mainRef }: { children: ReactNode; mainRef: RefObject<HTMLElement | null> }) {
  const t = useT();
  const lang = useLang();
  const { me, signOut } = usePro();
  return (
    <Chrome
      mainRef={mainRef}
      header={
        <Header
          brandTop={BRAND_TOP}
          serviceTitle={t.pro.serviceTitle}
          serviceTagline={t.pro.tagline}
          homeLinkProps={{ href: '/pro/patients', title: t.pro.homeTitle }}
          quickAccessItems={[
            langSwitch(lang),
            me
              ? {
                  iconId: 'fr-icon-logout-box-r-line',
                  text: t.layout.signOut,
                  buttonProps: {
                    onClick: () => {
                      void signOut().then(() => navigate('/pro/patients'));
                    },
                  },
                }
              : { iconId: 'fr-icon-account-circle-line', text: t.pro.signIn, linkProps: { href: '/pro/login?returnTo=%2Fpro%2Fpatients' } },
          ]}
        />
      }
      banner={<EmergencyBanner />}
    >
      {children}
    </Chrome>
  );
}

export function Layout({ area, children, mainRef }: { area: 'public' | 'patient' | 'pro'; children: ReactNode; mainRef: RefObject<HTMLElement | null> }) {
  return area === 'pro' ? <ProChrome mainRef={mainRef}>{children}</ProChrome> : <PatientChrome mainRef={mainRef} area={area}>{children}</PatientChrome>;
}
