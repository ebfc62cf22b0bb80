import { useEffect, useState } from 'react';
import { getBlob } from '../api.ts';
import { viewKind } from '../doctypes.ts';
import { useT } from '../i18n/index.ts';
import { ErrorAlert, Loading } from './feedback.tsx';

export interface Loaded {
  url: string;
  text: string | null;
  warning: string | null;
  emergencyMode: string | null;
}

/** Reads a document's content as a blob and shows it inline: PDF in a frame, images, text. */
export function Viewer({ src, format, title, canDownload, onLoaded }: { src: string; format: string; title: string; canDownload: boolean; onLoaded?: (l: Loaded) => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const kind = viewKind(format);

  useEffect(() => {
    let url: string | null = null;
    let cancelled = false;
    setLoaded(null);
    setError(null);
    getBlob(src).then(
      async (r) => {
        if (cancelled) return;
        url = URL.createObjectURL(new Blob([r.blob], { type: format }));
        const l = { url, text: kind === 'text' ? await r.blob.text() : null, warning: r.warning, emergencyMode: r.emergencyMode };
        if (cancelled) return;
        setLoaded(l);
        onLoaded?.(l);
      },
      (e: unknown) => {
        if (!cancelled) setError(e);
      },
    );
    return () => {
      cancelled = true;
      if (url !== null) URL.revokeObjectURL(url);
    };
    // onLoaded is a callback of the parent: reading again when it changes identity would re-trace.
  }, [src, format, kind]);

  if (error !== null) return <ErrorAlert error={error} />;
  if (loaded === null) return <Loading label={t.viewer.loading} />;
  return (
    <div className="carnet-viewer">
      {kind === 'pdf' ? <iframe className="carnet-viewer__pdf" src={loaded.url} title={t.viewer.frameTitle(title)} /> : null}
      {kind === 'image' ? <img className="carnet-viewer__img" src={loaded.url} alt={t.viewer.imageAlt(title)} /> : null}
      {kind === 'text' ? (
        <pre className="carnet-viewer__text" tabIndex={0} aria-label={t.viewer.frameTitle(title)}>
          {loaded.text}
        </pre>
      ) : null}
      {kind === 'none' ? <p>{t.viewer.noPreview}</p> : null}
      {canDownload ? (
        <p className="fr-mt-2w">
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={loaded.url} download={title}>
            {t.viewer.download}
          </a>
        </p>
      ) : null}
    </div>
  );
}
