import { useCallback, useEffect, useState } from 'react';
import type { ChatMessage, ClientHistorySession } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import type { Person } from '../lib/directory';

interface Props {
  client: ConsoleClient;
  /** The session on screen (marked in the list). */
  sessionId: string;
  clientId: string;
  people: ReadonlyMap<string, Person>;
}

/** The newest activity of a session with a reader other than this one: "their last reading". */
export function lastReadingAt(sessions: readonly ClientHistorySession[], currentSessionId: string): string | null {
  let last: string | null = null;
  for (const s of sessions) {
    if (s.sessionId === currentSessionId || s.readers.length === 0) continue;
    if (last === null || s.lastActivityAt > last) last = s.lastActivityAt;
  }
  return last;
}

/**
 * Beside a conversation, for readers and staff: the client's sessions with this and other readers, as the server
 * allows (history.client: dates, type, status and readers; no content of sessions the user did not take part in),
 * and the internal notes about the client the user may read. Reloaded when a note is written in this session.
 */
export function ClientHistoryPanel({ client, sessionId, clientId, people }: Props) {
  const { t, formatDateTime, errorText } = useI18n();
  const [state, setState] = useState<
    { kind: 'loading' } | { kind: 'ready'; sessions: ClientHistorySession[]; notes: ChatMessage[] } | { kind: 'error'; error: IpcError }
  >({ kind: 'loading' });

  const load = useCallback(async () => {
    try {
      const answer = await client.call('history.client', { clientId });
      setState({ kind: 'ready', sessions: answer.sessions, notes: answer.notes });
    } catch (failure) {
      setState({ kind: 'error', error: toIpcError(failure) });
    }
  }, [client, clientId]);

  useEffect(() => {
    void Promise.resolve().then(load);
    return client.on('messages.changed', ({ messages }) => {
      if (messages.some((m) => m.type === 'note' && m.sessionId === sessionId)) void load();
    });
  }, [client, sessionId, load]);

  return (
    <aside className="client-history" aria-label={t('history.title')} data-testid="client-history">
      <h4>{t('history.title')}</h4>
      {state.kind === 'loading' && <p className="muted" role="status">{t('history.loading')}</p>}
      {state.kind === 'error' && (
        <p className="form-error" role="alert" data-error-code={state.error.code}>
          {errorText(state.error)}
        </p>
      )}
      {state.kind === 'ready' && (
        <>
          <p className="muted" data-testid="history-last-reading">
            {(() => {
              const last = lastReadingAt(state.sessions, sessionId);
              return last ? t('history.lastReading', { date: formatDateTime(last) }) : t('history.noReading');
            })()}
          </p>
          <p className="muted">{t('history.sessions', { count: state.sessions.length })}</p>
          {state.sessions.length === 0 ? (
            <p className="muted">{t('history.empty')}</p>
          ) : (
            <ol data-testid="history-sessions">
              {state.sessions.map((s) => (
                <li
                  key={s.sessionId}
                  className={s.sessionId === sessionId ? 'client-history__session client-history__session--current' : 'client-history__session'}
                  data-testid="history-session"
                  data-session-id={s.sessionId}
                >
                  <div>
                    <strong>{t(`session.type.${s.type}`)}</strong> · {t(`session.status.${s.status}`)}
                    {s.sessionId === sessionId ? ` · ${t('history.current')}` : s.tookPart ? ` · ${t('history.yours')}` : ''}
                  </div>
                  <div className="muted">
                    <time dateTime={s.lastActivityAt}>{formatDateTime(s.lastActivityAt)}</time>{' '}
                    {s.readers.length > 0
                      ? t('history.with', { names: s.readers.map((r) => r.displayName || people.get(r.userId)?.displayName || t('chat.someone')).join(', ') })
                      : t('history.withNobody')}
                  </div>
                </li>
              ))}
            </ol>
          )}
          <h4>{t('history.notes')}</h4>
          {state.notes.length === 0 ? (
            <p className="muted">{t('history.noNotes')}</p>
          ) : (
            <ol data-testid="history-notes">
              {state.notes.map((n) => (
                <li key={n.id} className="client-history__note" data-testid="history-note" dir="auto">
                  <div className="muted">
                    {people.get(n.senderId)?.displayName || t('chat.someone')} · <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                  </div>
                  {n.body}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </aside>
  );
}
