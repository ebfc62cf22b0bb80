/**
 * Who is signed in. The patient side: the session, the spaces the person may open (their own,
 * the children they represent, later the people they help) and the one open now, kept for the
 * tab in sessionStorage. The professional side: their browser session and identity.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, api, get, setCsrf } from './api.ts';
import type { Capabilities, PatientSession, ProMe, SpaceChoice, SpacesOverview } from './types.ts';

const FULL: Capabilities = {
  canReadRecord: true,
  canAddDocuments: true,
  canEditProfile: true,
  canReadTrace: true,
  canManageSettings: true,
  canManageAidants: true,
  canInviteRepresentative: false,
  canEditContactDetails: true,
  canClose: true,
  canDownload: true,
};
const SPACE_KEY = 'carnet.space';

interface PatientState {
  /** undefined while loading, null when nobody is signed in. */
  session: PatientSession | null | undefined;
  spaces: SpaceChoice[];
  current: SpaceChoice | null;
  select(patientId: string): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const PatientContext = createContext<PatientState | null>(null);

/** The spaces one may open: GET /api/me/spaces when the server has it, else /api/spaces/me (own + children). */
async function loadSpaces(session: PatientSession): Promise<SpaceChoice[]> {
  try {
    const r = await get<{ spaces: SpaceChoice[] }>('/api/me/spaces');
    if (Array.isArray(r.spaces) && r.spaces.length > 0) return r.spaces;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const o = await get<SpacesOverview>('/api/spaces/me');
  return [
    { patientId: o.space.patientId, name: o.space.name || session.displayName, role: 'holder', status: o.space.status, capabilities: FULL },
    ...o.manages.map((m) => ({ patientId: m.patientId, name: m.name, role: 'representative' as const, status: m.status, capabilities: { ...FULL, canManageAidants: m.rank === 1, canInviteRepresentative: m.rank === 1 } })),
  ];
}

export function PatientProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<PatientSession | null | undefined>(undefined);
  const [spaces, setSpaces] = useState<SpaceChoice[]>([]);
  const [selected, setSelected] = useState<string | null>(() => window.sessionStorage.getItem(SPACE_KEY));

  const refresh = useCallback(async () => {
    try {
      const s = await get<PatientSession>('/api/auth/session');
      setCsrf('patient', s.csrfToken);
      setSpaces(await loadSpaces(s));
      setSession(s);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setCsrf('patient', null);
        setSession(null);
        setSpaces([]);
      } else {
        setSession(null);
      }
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const select = useCallback((patientId: string) => {
    window.sessionStorage.setItem(SPACE_KEY, patientId);
    setSelected(patientId);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/api/auth/logout');
    } finally {
      window.sessionStorage.removeItem(SPACE_KEY);
      setCsrf('patient', null);
      setSelected(null);
      setSession(null);
      setSpaces([]);
    }
  }, []);

  const current = spaces.find((s) => s.patientId === selected) ?? spaces.find((s) => s.role === 'holder') ?? spaces[0] ?? null;
  const value = useMemo(() => ({ session, spaces, current, select, refresh, signOut }), [session, spaces, current, select, refresh, signOut]);
  return <PatientContext.Provider value={value}>{children}</PatientContext.Provider>;
}

export function usePatient(): PatientState {
  const v = useContext(PatientContext);
  if (v === null) throw new Error('usePatient outside PatientProvider');
  return v;
}

interface ProState {
  me: ProMe | null | undefined;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const ProContext = createContext<ProState | null>(null);

export function ProProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<ProMe | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      const s = await get<{ csrfToken: string }>('/api/pro/session');
      setCsrf('pro', s.csrfToken);
      setMe(await get<ProMe>('/api/pro/me'));
    } catch {
      setCsrf('pro', null);
      setMe(null);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const signOut = useCallback(async () => {
    try {
      await api('POST', '/pro/logout');
    } finally {
      setCsrf('pro', null);
      setMe(null);
    }
  }, []);
  const value = useMemo(() => ({ me, refresh, signOut }), [me, refresh, signOut]);
  return <ProContext.Provider value={value}>{children}</ProContext.Provider>;
}

export function usePro(): ProState {
  const v = useContext(ProContext);
  if (v === null) throw new Error('usePro outside ProProvider');
  return v;
}
