import { useEffect, useRef, useState } from 'react';
import type { EventPayload, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff } from '../lib/directory';
import { Name } from '../i18n/Name';

type Alert = EventPayload<'alerts.emergencies'>['emergencies'][number];
const SIREN_URL = './siren.wav';

/**
 * The in-app emergency modal (what the main process alerts this user to, oldest first) and the siren.
 * The main process decides when the siren sounds; the renderer only plays it, once per command.
 */
export function EmergencyAlerts({ client, profile, onOpenConsole }: { client: ConsoleClient; profile: Profile; onOpenConsole(): void }) {
  const { t, errorText } = useI18n();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [dismissed, setDismissed] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [sirenCount, setSirenCount] = useState(0);
  const siren = useRef<HTMLAudioElement | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const visible = alerts.length > 0 && !dismissed;

  // The modal takes focus so Enter acts on the first call and Esc hides it from anywhere in the window.
  useEffect(() => {
    if (!visible) return;
    dialog.current?.querySelector<HTMLButtonElement>('li button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setDismissed(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible]);

  useEffect(() => {
    let live = true;
    void client
      .call('alerts.openEmergencies', {})
      .then(({ emergencies }) => live && setAlerts(emergencies))
      .catch(() => {});
    const offAlerts = client.on('alerts.emergencies', ({ emergencies, reason }) => {
      setAlerts(emergencies);
      if (reason === 'raised' || reason === 'escalated') setDismissed(false);
    });
    const offSiren = client.on('alerts.siren', ({ action }) => {
      if (action === 'play') {
        siren.current ??= new Audio(SIREN_URL);
        siren.current.currentTime = 0;
        setSirenCount((n) => n + 1);
        // Autoplay may be refused before the user has interacted; the modal still shows.
        void siren.current.play().catch(() => {});
      } else {
        siren.current?.pause();
      }
    });
    return () => {
      live = false;
      offAlerts();
      offSiren();
      siren.current?.pause();
    };
  }, [client]);

  if (!visible) return <span hidden data-testid="siren-count" data-count={sirenCount} />;

  const act = async (alert: Alert) => {
    setError(null);
    try {
      if (profile.role === 'reader') await client.call('emergencies.accept', { callId: alert.id });
      else await client.call('emergencies.acknowledge', { callId: alert.id });
      onOpenConsole();
    } catch (failure) {
      setError(toIpcError(failure));
    }
  };

  return (
    <div className="dialog-backdrop dialog-backdrop--alert">
      <div
        className="dialog dialog--emergency"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="emergency-alert-title"
        data-testid="emergency-alert"
        ref={dialog}
      >
        <span hidden data-testid="siren-count" data-count={sirenCount} />
        <h3 id="emergency-alert-title">{t('alerts.title', { count: alerts.length })}</h3>
        <ul className="emergency-list">
          {alerts.map((a) => (
            <li key={a.id} className={`emergency emergency--${a.state}`}>
              <strong>
                <Name>{a.clientName || t('emergency.client')}</Name>
              </strong>
              <span className="badge badge--danger">{t(`emergency.state.${a.state}`)}</span>
              {a.escalationLevel > 0 && <span className="badge">{t('emergency.level', { level: a.escalationLevel })}</span>}
              <span className="muted">{t('alerts.repeats', { count: a.alertCount })}</span>
              {(profile.role === 'reader' || isStaff(profile.role)) && (
                <button type="button" onClick={() => void act(a)}>
                  {profile.role === 'reader' ? t('emergency.accept') : t('emergency.acknowledge')}
                </button>
              )}
            </li>
          ))}
        </ul>
        {error && (
          <p className="form-error" role="alert" data-error-code={error.code}>
            {errorText(error)}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="secondary" onClick={onOpenConsole}>
            {t('alerts.openConsole')}
          </button>
          <button type="button" className="secondary" onClick={() => setDismissed(true)}>
            {t('alerts.later')}
          </button>
        </div>
      </div>
    </div>
  );
}
