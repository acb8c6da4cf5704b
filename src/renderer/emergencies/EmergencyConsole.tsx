import { useCallback, useEffect, useState } from 'react';
import type { Emergency, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, type Person } from '../lib/directory';
import { Name } from '../i18n/Name';
import { byUrgency, secondsUntil, upsertEmergency } from './urgency';
import { allowedActions, needsOptInToHelp, OPEN_STATES, WAITING_STATES, type EmergencyActor } from '../../shared/emergency/state-machine';

interface Props {
  client: ConsoleClient;
  profile: Profile;
  people: ReadonlyMap<string, Person>;
  /** The user's emergency opt-in (readers), as last known: null while it is not known yet. */
  emergencyOptIn: boolean | null;
  onOpenSession(id: string): void;
  onOpenSettings(): void;
}

/**
 * Staff and readers: every emergency they may see, live, by urgency and age. The actions on each call are the
 * ones the shared state machine says the server will accept from this person (src/shared/emergency), so
 * nothing is offered that would be refused; what each call is waiting for is said in words.
 */
export function EmergencyConsole({ client, profile, people, emergencyOptIn, onOpenSession, onOpenSettings }: Props) {
  const { t, tx, errorText, formatDateTime, formatNumber, formatRelative } = useI18n();
  const [list, setList] = useState<Emergency[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<IpcError | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [resolving, setResolving] = useState<Emergency | null>(null);
  const [requested, setRequested] = useState(false);

  const load = useCallback(async () => {
    try {
      const { emergencies } = await client.call('emergencies.list', {});
      setList([...emergencies].sort(byUrgency));
      setStatus('ready');
    } catch (failure) {
      setError(toIpcError(failure));
      setStatus('error');
    }
  }, [client]);

  useEffect(() => {
    void Promise.resolve().then(load);
    const off = client.on('emergencies.changed', ({ emergency }) => {
      if (emergency) setList((current) => upsertEmergency(current, emergency));
      else void load();
    });
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [client, load]);

  const act = async (call: () => Promise<Emergency>) => {
    setError(null);
    try {
      const updated = await call();
      setList((current) => upsertEmergency(current, updated));
      return true;
    } catch (failure) {
      setError(toIpcError(failure));
      return false;
    }
  };

  const actor: EmergencyActor = { id: profile.id, role: profile.role, emergencyOptIn: emergencyOptIn ?? false };
  const optInMissing = emergencyOptIn === false && needsOptInToHelp(actor);
  const staff = isStaff(profile.role);
  const countdown = (e: Emergency) => {
    const left = secondsUntil(e.escalateAt, now);
    if (left === null || !WAITING_STATES.has(e.state)) return null;
    if (left <= 0) return t('emergency.escalatingNow');
    return t('emergency.escalatesIn', { time: `${formatNumber(Math.floor(left / 60))}:${formatNumber(left % 60).padStart(2, formatNumber(0))}` });
  };
  const waitingFor = (e: Emergency) =>
    e.state === 'ringing' ? t('emergency.waiting.reader') : e.state === 'escalated' ? t(e.escalationLevel >= 2 ? 'emergency.waiting.superAdmin' : 'emergency.waiting.staff') : null;
  const nameOf = (id: string | null) => (id ? people.get(id)?.displayName || t('chat.someone') : null);

  return (
    <section className="panel emergencies" aria-labelledby="emergencies-title" data-testid="emergency-console">
      <header className="panel__header">
        <h3 id="emergencies-title">{t('emergency.title')}</h3>
        {profile.role === 'client' && (
          <button
            type="button"
            className="danger"
            disabled={requested}
            onClick={async () => {
              if (await act(() => client.call('emergencies.request', {}))) setRequested(true);
            }}
          >
            {t('emergency.request')}
          </button>
        )}
      </header>
      {optInMissing && (
        <div className="banner banner--notice" role="note" data-testid="emergency-opt-in-missing">
          <p>{t('emergency.optIn.missing')}</p>
          <button type="button" className="secondary" onClick={onOpenSettings}>
            {t('emergency.optIn.openSettings')}
          </button>
        </div>
      )}
      {profile.role === 'reader' && emergencyOptIn === true && (
        <p className="muted" data-testid="emergency-opt-in-on">
          {t('emergency.optIn.on')}
        </p>
      )}
      {requested && <p className="banner" role="status">{t('emergency.requested')}</p>}
      {error && (
        <p className="form-error" role="alert" data-error-code={error.code}>
          {errorText(error)}
        </p>
      )}
      {status === 'loading' && <p className="empty-state" role="status">{t('emergency.loading')}</p>}
      {status === 'ready' && list.length === 0 && <p className="empty-state">{t('emergency.empty')}</p>}
      <ul className="emergency-list">
        {list.map((e) => {
          const open = OPEN_STATES.has(e.state);
          const actions = allowedActions(e, actor);
          const takenBy = nameOf(e.acceptedBy ?? e.acknowledgedBy);
          const mine = e.acceptedBy === profile.id || e.acknowledgedBy === profile.id;
          return (
            <li key={e.id} className={`emergency emergency--${e.state}`} data-testid="emergency-item" data-state={e.state} data-actions={actions.join(' ')}>
              <div className="emergency__head">
                <span className={`badge ${open ? 'badge--danger' : ''}`}>{t(`emergency.state.${e.state}`)}</span>
                <strong>
                  <Name>{people.get(e.clientId)?.displayName || t('emergency.client')}</Name>
                </strong>
                {e.escalationLevel > 0 && <span className="badge">{t('emergency.level', { level: e.escalationLevel })}</span>}
                <time dateTime={e.createdAt} title={formatDateTime(e.createdAt)}>
                  {t('emergency.requestedAgo', { time: formatRelative(e.createdAt, now) })}
                </time>
                <span className="emergency__countdown" data-testid="emergency-countdown">
                  {countdown(e)}
                </span>
              </div>
              {waitingFor(e) && <p className="emergency__waiting" data-testid="emergency-waiting">{waitingFor(e)}</p>}
              {takenBy && (e.state === 'accepted' || e.state === 'acknowledged') && <p className="muted">{tx('emergency.takenBy', { name: takenBy })}</p>}
              {e.resolutionNote && <p className="muted">{tx('emergency.note', { note: e.resolutionNote })}</p>}
              {open && profile.role !== 'client' && (
                <div className="emergency__actions">
                  {actions.includes('accept') && (
                    <button type="button" onClick={() => void act(() => client.call('emergencies.accept', { callId: e.id }))}>
                      {t('emergency.accept')}
                    </button>
                  )}
                  {actions.includes('acknowledge') && (
                    <button type="button" onClick={() => void act(() => client.call('emergencies.acknowledge', { callId: e.id }))}>
                      {t('emergency.acknowledge')}
                    </button>
                  )}
                  {staff && !mine && (
                    <button
                      type="button"
                      className="secondary"
                      onClick={async () => {
                        try {
                          await client.call('sessions.join', { sessionId: e.sessionId });
                          onOpenSession(e.sessionId);
                        } catch (failure) {
                          setError(toIpcError(failure));
                        }
                      }}
                    >
                      {t('emergency.join')}
                    </button>
                  )}
                  {mine && (
                    <button type="button" className="secondary" onClick={() => onOpenSession(e.sessionId)}>
                      {t('emergency.open')}
                    </button>
                  )}
                  {actions.includes('resolve') && (
                    <button type="button" className="secondary" onClick={() => setResolving(e)}>
                      {t('emergency.resolve')}
                    </button>
                  )}
                  {actions.length === 0 && !WAITING_STATES.has(e.state) && !mine && <span className="muted">{t('emergency.noAction')}</span>}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {resolving && (
        <ResolveDialog
          onCancel={() => setResolving(null)}
          onConfirm={async (note) => {
            if (await act(() => client.call('emergencies.resolve', { callId: resolving.id, note }))) setResolving(null);
          }}
        />
      )}
    </section>
  );
}

function ResolveDialog({ onCancel, onConfirm }: { onCancel(): void; onConfirm(note: string): Promise<void> }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="resolve-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
        onSubmit={(e) => {
          e.preventDefault();
          if (!note.trim()) setMissing(true);
          else void onConfirm(note.trim());
        }}
      >
        <h4 id="resolve-title">{t('emergency.resolveTitle')}</h4>
        <label>
          <span>{t('emergency.resolveNote')}</span>
          <textarea autoFocus value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} aria-invalid={missing} />
        </label>
        {missing && (
          <p className="form-error" role="alert">
            {t('emergency.note_required')}
          </p>
        )}
        <div className="dialog__actions">
          <button type="submit">{t('emergency.resolve')}</button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
