import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from '../api.ts';

/** Sets the tab's title: "<page> – Carnet". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Carnet`;
  }, [title]);
}

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  set(data: T): void;
}

/** GETs `url` (nothing when null) and keeps the answer, the error and the loading state. */
export function useResource<T>(url: string | null): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(url !== null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (url === null) return;
    const n = ++latest.current;
    setLoading(true);
    setError(null);
    get<T>(url).then(
      (d) => {
        if (n !== latest.current) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (n !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [url, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}
