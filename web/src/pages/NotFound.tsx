import { useT } from '../i18n/index.ts';
import { Link } from '../router.tsx';
import { usePageTitle } from '../ui/hooks.ts';

export default function NotFound() {
  const t = useT();
  usePageTitle(t.notFound.title);
  return (
    <>
      <h1>{t.notFound.title}</h1>
      <p>{t.notFound.text}</p>
      <p>
        <Link href="/" className="fr-link">
          {t.notFound.back}
        </Link>
      </p>
    </>
  );
}
