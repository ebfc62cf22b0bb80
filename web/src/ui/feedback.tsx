import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { ApiError } from '../api.ts';
import { useT } from '../i18n/index.ts';
import type { Messages } from '../i18n/fr.ts';
import { Link } from '../router.tsx';

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <p role="status" aria-live="polite" className="carnet-loading fr-my-4w">
      <span className="carnet-spinner" aria-hidden="true" /> {label ?? t.common.loading}
    </p>
  );
}

/** What an error means, in the portal's language (the server's detail, in English, is added). */
export function errorMessage(t: Messages, e: unknown): { title: string; detail: string | null } {
  if (e instanceof ApiError) {
    const known = (t.errors as Record<string, string>)[e.code];
    const title = known ?? (e.status >= 500 ? t.errors.internal : t.errors.bad_request);
    const detail = e.code === 'network' || e.status >= 500 ? null : e.detail;
    return { title, detail };
  }
  return { title: t.errors.internal, detail: null };
}

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  if (error === null || error === undefined) return null;
  const m = errorMessage(t, error);
  return (
    <div className="fr-my-2w">
      <Alert severity="error" small={false} title={title ?? m.title} description={m.detail === null ? m.title : `${title === undefined ? '' : `${m.title} `}${t.errors.serverSays} ${m.detail}`} />
    </div>
  );
}

export function Success({ children }: { children: string }) {
  return (
    <div className="fr-my-2w">
      <Alert severity="success" small description={children} role="status" />
    </div>
  );
}

/**
 * What a page says to someone whose capabilities in the open space deny it (an aidant on the
 * access settings, the aidants or the closure): its title, a clear refusal, a way back.
 */
export function Refusal({ title, role, name }: { title: string; role: 'holder' | 'representative' | 'aidant'; name: string }) {
  const t = useT();
  return (
    <>
      <h1>{title}</h1>
      <Alert severity="info" title={t.refusal.title} description={role === 'aidant' ? t.refusal.aidant(name) : t.refusal.other} />
      <p className="fr-mt-3w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/accueil">
          {t.refusal.back}
        </Link>
      </p>
    </>
  );
}
