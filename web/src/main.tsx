import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link } from './router.tsx';
import { useLang } from './i18n/index.ts';
import { App } from './App.tsx';
import './carnet.css';

startReactDsfr({ defaultColorScheme: 'system', Link, useLang });

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
