import { useCallback, useEffect, useState } from 'react';
import type { Emergency, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, type Person } from '../lib/directory';
import { Name } from '../i18n/Name';
import { byUrgency, OPEN_STATES, secondsUntil, upsertEmergency } from './urgency';

/** Staff and readers: every emergency they may see, live, by urgency and age, with what they may do about it. */
export function EmergencyConsole({ client, profile, people, onOpenSession }: { client: ConsoleClient; profile: Profile; people: Map<string, Person>; onOpenSession(id: string): void }) {
  const { t, tx, errorText, formatDateTime, formatNumber } = useI18n();
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

  const staff = isStaff(profile.role);
  const countdown = (e: Emergency) => {
    const left = secondsUntil(e.escalateAt, now);
    if (left === null || !(e.state === 'ringing' || e.state === 'escalated')) return null;
    if (left <= 0) return t('emergency.escalatingNow');
    return t('emergency.escalatesIn', { time: `${formatNumber(Math.floor(left / 60))}:${formatNumber(left % 60).padStart(2, formatNumber(0))}` });
  };

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
          return (
            <li key={e.id} className={`emergency emergency--${e.state}`} data-testid="emergency-item" data-state={e.state}>
              <div className="emergency__head">
                <span className={`badge ${open ? 'badge--danger' : ''}`}>{t(`emergency.state.${e.state}`)}</span>
                <strong>
                  <Name>{people.get(e.clientId)?.displayName || t('emergency.client')}</Name>
                </strong>
                {e.escalationLevel > 0 && <span className="badge">{t('emergency.level', { level: e.escalationLevel })}</span>}
                <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                <span className="emergency__countdown" data-testid="emergency-countdown">
                  {countdown(e)}
                </span>
              </div>
              {e.resolutionNote && <p className="muted">{tx('emergency.note', { note: e.resolutionNote })}</p>}
              {open && profile.role !== 'client' && (
                <div className="emergency__actions">
                  {profile.role === 'reader' && e.state === 'ringing' && (
                    <button type="button" onClick={() => void act(() => client.call('emergencies.accept', { callId: e.id }))}>
                      {t('emergency.accept')}
                    </button>
                  )}
                  {staff && (e.state === 'escalated' || e.state === 'ringing') && (
                    <button type="button" onClick={() => void act(() => client.call('emergencies.acknowledge', { callId: e.id }))}>
                      {t('emergency.acknowledge')}
                    </button>
                  )}
                  {staff && (
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
                  {profile.role === 'reader' && e.state === 'accepted' && e.acceptedBy === profile.id && (
                    <button type="button" className="secondary" onClick={() => onOpenSession(e.sessionId)}>
                      {t('emergency.open')}
                    </button>
                  )}
                  {(e.state === 'accepted' || e.state === 'acknowledged') && (
                    <button type="button" className="secondary" onClick={() => setResolving(e)}>
                      {t('emergency.resolve')}
                    </button>
                  )}
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
