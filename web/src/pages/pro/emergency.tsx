/**
 * The professional's access mode for the patient open now. In an emergency mode (SAMU, bris de
 * glace) a banner stays on every page of the professional area until they leave it (RULES §3.3).
 */
import { createContext, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useT } from '../../i18n/index.ts';
import type { FoundPatient } from '../../types.ts';

export type AccessMode = 'normal' | 'samu' | 'bris_de_glace';
export interface Emergency {
  patientId: string;
  mode: Exclude<AccessMode, 'normal'>;
  justification: string;
}

interface EmergencyState {
  emergency: Emergency | null;
  start(e: Emergency): void;
  stop(): void;
}

const Ctx = createContext<EmergencyState | null>(null);

export function ProEmergencyProvider({ children }: { children: ReactNode }) {
  const [emergency, setEmergency] = useState<Emergency | null>(null);
  const value = useMemo(() => ({ emergency, start: setEmergency, stop: () => setEmergency(null) }), [emergency]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useEmergency(): EmergencyState {
  const v = useContext(Ctx);
  if (v === null) throw new Error('useEmergency outside ProEmergencyProvider');
  return v;
}

/** The query string of a read in the current mode for `patientId` ('' in normal mode). */
export function modeQuery(e: Emergency | null, patientId: string): string {
  if (e === null || e.patientId !== patientId) return '';
  const q = new URLSearchParams({ mode: e.mode });
  if (e.mode === 'bris_de_glace') q.set('justification', e.justification);
  return `?${q.toString()}`;
}

const KEY = 'carnet.pro.patients';
export function rememberPatient(p: FoundPatient): void {
  const all = JSON.parse(window.sessionStorage.getItem(KEY) ?? '{}') as Record<string, FoundPatient>;
  all[p.patientId] = p;
  window.sessionStorage.setItem(KEY, JSON.stringify(all));
}
export function recallPatient(patientId: string): FoundPatient | null {
  const all = JSON.parse(window.sessionStorage.getItem(KEY) ?? '{}') as Record<string, FoundPatient>;
  return all[patientId] ?? null;
}
export function patientName(p: FoundPatient | null): string {
  if (p === null) return '';
  return `${p.givenNames.split(' ')[0] ?? ''} ${p.usedName ?? p.birthName}`.trim();
}

export function EmergencyBanner() {
  const t = useT();
  const { emergency, stop } = useEmergency();
  if (emergency === null) return null;
  const who = patientName(recallPatient(emergency.patientId));
  return (
    <div className="carnet-emergency-banner" role="region" aria-label={t.pro.emergency.bannerLabel}>
      <div className="fr-container carnet-emergency-banner__inner">
        <p className="fr-mb-0">
          <span className="fr-icon-alarm-warning-fill" aria-hidden="true" /> <strong>{t.pro.emergency.bannerTitle(t.pro.emergency.modes[emergency.mode])}</strong>{' '}
          {t.pro.emergency.bannerText(who)}
        </p>
        <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary carnet-emergency-banner__stop" onClick={stop}>
          {t.pro.emergency.leave}
        </button>
      </div>
    </div>
  );
}
