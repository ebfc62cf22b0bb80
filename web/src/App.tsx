import { Suspense, lazy, useEffect, useRef } from 'react';
import type { ComponentType, LazyExoticComponent } from 'react';
import { matchPath, navigate, useLocation } from './router.tsx';
import { PatientProvider, ProProvider, usePatient } from './session.tsx';
import { Layout } from './Layout.tsx';
import { Loading } from './ui/feedback.tsx';
import { ProEmergencyProvider } from './pages/pro/emergency.tsx';

type Page = LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
interface Route {
  pattern: string;
  page: Page;
  /** public: anyone; patient: a signed-in person; pro: the professional area. */
  area: 'public' | 'patient' | 'pro';
}

const page = (load: () => Promise<{ default: ComponentType<{ params: Record<string, string> }> }>): Page => lazy(load);

const ROUTES: Route[] = [
  { pattern: '/', area: 'public', page: page(() => import('./pages/Landing.tsx')) },
  { pattern: '/connexion', area: 'public', page: page(() => import('./pages/patient/SignIn.tsx')) },
  { pattern: '/activer', area: 'public', page: page(() => import('./pages/patient/Activation.tsx')) },
  { pattern: '/opposition', area: 'public', page: page(() => import('./pages/patient/Opposition.tsx')) },
  { pattern: '/accueil', area: 'patient', page: page(() => import('./pages/patient/Home.tsx')) },
  { pattern: '/documents', area: 'patient', page: page(() => import('./pages/patient/Documents.tsx')) },
  { pattern: '/documents/:documentId', area: 'patient', page: page(() => import('./pages/patient/DocumentPage.tsx')) },
  { pattern: '/acces', area: 'patient', page: page(() => import('./pages/patient/Access.tsx')) },
  { pattern: '/historique', area: 'patient', page: page(() => import('./pages/patient/History.tsx')) },
  { pattern: '/notifications', area: 'patient', page: page(() => import('./pages/patient/Notifications.tsx')) },
  { pattern: '/cloture', area: 'patient', page: page(() => import('./pages/patient/Closure.tsx')) },
  { pattern: '/donnees', area: 'patient', page: page(() => import('./pages/patient/MyData.tsx')) },
  { pattern: '/profil', area: 'patient', page: page(() => import('./pages/patient/Profile.tsx')) },
  { pattern: '/mesures', area: 'patient', page: page(() => import('./pages/patient/Measures.tsx')) },
  { pattern: '/vaccinations', area: 'patient', page: page(() => import('./pages/patient/Vaccinations.tsx')) },
  { pattern: '/entourage', area: 'patient', page: page(() => import('./pages/patient/Entourage.tsx')) },
  { pattern: '/aidants', area: 'patient', page: page(() => import('./pages/patient/Aidants.tsx')) },
  { pattern: '/aidants/invitations', area: 'patient', page: page(() => import('./pages/patient/Invitations.tsx')) },
  { pattern: '/pro/patients', area: 'pro', page: page(() => import('./pages/pro/ProSearch.tsx')) },
  { pattern: '/pro/patients/:patientId', area: 'pro', page: page(() => import('./pages/pro/ProPatient.tsx')) },
  { pattern: '/pro/patients/:patientId/documents/:documentId', area: 'pro', page: page(() => import('./pages/pro/ProDocument.tsx')) },
];
const NotFound = page(() => import('./pages/NotFound.tsx'));

function resolve(location: string): { route: Route | null; params: Record<string, string> } {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, location);
    if (params !== null) return { route, params };
  }
  return { route: null, params: {} };
}

/** Patient pages need a signed-in person: else to the sign-in page, coming back here after. */
function RequirePatient({ children, location }: { children: React.ReactNode; location: string }) {
  const { session } = usePatient();
  useEffect(() => {
    if (session === null) navigate(`/connexion?retour=${encodeURIComponent(location)}`, { replace: true });
  }, [session, location]);
  if (session === undefined || session === null) return <Loading />;
  return <>{children}</>;
}

function Routed() {
  const location = useLocation();
  const { route, params } = resolve(location);
  const main = useRef<HTMLElement>(null);
  const path = location.split('?')[0] ?? '';
  const shown = useRef(path);
  // After a navigation to another page, focus moves to its content (screen readers announce it);
  // never on the page the browser loaded, where the skip link must come first.
  useEffect(() => {
    if (shown.current === path) return;
    shown.current = path;
    main.current?.focus();
  }, [path]);
  const Page = route?.page ?? NotFound;
  const area = route?.area ?? 'public';
  const content = (
    <Suspense fallback={<Loading />}>
      <Page params={params} />
    </Suspense>
  );
  return (
    <Layout area={area} mainRef={main}>
      {area === 'patient' ? <RequirePatient location={location}>{content}</RequirePatient> : content}
    </Layout>
  );
}

export function App() {
  const location = useLocation();
  const isPro = /^\/pro(\/|\?|$)/.test(location);
  // The professional area has its own session; it never loads the patient's, and vice versa.
  return isPro ? (
    <ProProvider>
      <ProEmergencyProvider>
        <Routed />
      </ProEmergencyProvider>
    </ProProvider>
  ) : (
    <PatientProvider>
      <Routed />
    </PatientProvider>
  );
}
