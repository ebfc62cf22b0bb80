import { useT } from './i18n/index.ts';
import { usePatient } from './session.tsx';

/** Whose space is open, always; and the switch between one's own and those one manages or helps. */
export function SpaceBanner() {
  const t = useT();
  const { spaces, current, select } = usePatient();
  if (current === null) return null;
  const role = t.space.role[current.role];
  return (
    <div className={`carnet-space-banner ${current.role === 'holder' ? '' : 'carnet-space-banner--other'}`}>
      <div className="fr-container carnet-space-banner__inner">
        <p className="fr-mb-0" id="carnet-space-open" aria-live="polite">
          <span className="fr-icon-user-line fr-icon--sm" aria-hidden="true" /> {t.space.open} <strong>{current.name}</strong> <span className="carnet-space-banner__role">({role})</span>
        </p>
        {spaces.length > 1 ? (
          <div className="fr-select-group fr-mb-0 carnet-space-banner__switch">
            <label className="fr-label" htmlFor="carnet-space-select">
              {t.space.switchLabel}
            </label>
            <select className="fr-select" id="carnet-space-select" value={current.patientId} onChange={(e) => select(e.target.value)}>
              {spaces.map((s) => (
                <option key={s.patientId} value={s.patientId}>
                  {s.name} ({t.space.roleShort[s.role]})
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
    </div>
  );
}
