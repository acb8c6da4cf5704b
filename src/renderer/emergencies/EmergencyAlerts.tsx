import { useEffect, useRef, useState } from 'react';
import type { EventPayload, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { allowedActions, type EmergencyActor } from '../../shared/emergency/state-machine';
import { Name } from '../i18n/Name';

type Alert = EventPayload<'alerts.emergencies'>['emergencies'][number];
const SIREN_URL = './siren.wav';

/**
 * The in-app emergency modal (what the main process alerts this user to, oldest first) and the siren.
 * The main process decides when the siren sounds; the renderer only plays it, once per command.
 */
export function EmergencyAlerts({ client, profile, emergencyOptIn = null, onOpenConsole }: { client: ConsoleClient; profile: Profile; emergencyOptIn?: boolean | null; onOpenConsole(): void }) {
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

  // An alert is an open call nobody has taken yet: what this person may do about it, as the server will accept it.
  const actor: EmergencyActor = { id: profile.id, role: profile.role, emergencyOptIn: emergencyOptIn ?? profile.role === 'reader' };
  const actionFor = (alert: Alert) =>
    allowedActions({ state: alert.state, escalationLevel: alert.escalationLevel, escalateAt: null, acceptedBy: null, acknowledgedBy: null, clientId: '' }, actor)[0] ?? null;

  const act = async (alert: Alert, action: 'accept' | 'acknowledge') => {
    setError(null);
    try {
      if (action === 'accept') await client.call('emergencies.accept', { callId: alert.id });
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
              {(() => {
                const action = actionFor(a);
                if (action === 'accept' || action === 'acknowledge')
                  return (
                    <button type="button" onClick={() => void act(a, action)}>
                      {t(action === 'accept' ? 'emergency.accept' : 'emergency.acknowledge')}
                    </button>
                  );
                return (
                  <span className="muted" data-testid="alert-waiting">
                    {a.state === 'ringing' ? t('emergency.waiting.reader') : t(a.escalationLevel >= 2 ? 'emergency.waiting.superAdmin' : 'emergency.waiting.staff')}
                  </span>
                );
              })()}
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
