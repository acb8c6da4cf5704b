import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage, ChatSession, OutboxItem, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, withSessionRoles, type Person, type SessionLabel } from '../lib/directory';
import { applyOutboxChange, buildTimeline, mergeMessages } from '../lib/timeline';
import { MessageList } from './MessageList';
import { Composer } from './Composer';
import { SessionPresence } from '../workspace/Presence';
import { SessionTitle } from '../workspace/session-labels';

const PAGE = 50;

interface Props {
  client: ConsoleClient;
  profile: Profile;
  sessionId: string;
  session: ChatSession | null;
  /** How the session is named everywhere (distinct from other sessions with the same people). */
  label: SessionLabel | null;
  people: Map<string, Person>;
  visible: boolean;
  focused: boolean;
  typingName: string | null;
}

/** One open session: its history (paged), the live changes, its outbox rows and its composer. */
export function ChatView({ client, profile, sessionId, session, label, people: directory, visible, focused, typingName }: Props) {
  const { t, tx, errorText } = useI18n();
  const people = withSessionRoles(directory, session, (r) => t(`participant.${r}`));
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [pending, setPending] = useState<OutboxItem[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<IpcError | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [actionError, setActionError] = useState<IpcError | null>(null);
  const oldest = useRef<ChatMessage | null>(null);

  const loadFirst = useCallback(async () => {
    setStatus('loading');
    try {
      const page = await client.call('messages.page', { sessionId, limit: PAGE });
      setMessages((current) => mergeMessages(current, page.messages, sessionId));
      setPending(page.pending.filter((p) => p.job === 'message'));
      setHasMore(page.messages.length >= PAGE);
      setStatus('ready');
    } catch (failure) {
      setError(toIpcError(failure));
      setStatus('error');
    }
  }, [client, sessionId]);

  useEffect(() => {
    void Promise.resolve().then(loadFirst);
    const offMessages = client.on('messages.changed', ({ messages: incoming }) => setMessages((current) => mergeMessages(current, incoming, sessionId)));
    const offOutbox = client.on('outbox.changed', (change) => setPending((current) => applyOutboxChange(current, change, sessionId)));
    return () => {
      offMessages();
      offOutbox();
    };
  }, [client, sessionId, loadFirst]);

  useEffect(() => {
    oldest.current = messages[0] ?? null;
  }, [messages]);

  const loadOlder = useCallback(async () => {
    const first = oldest.current;
    if (!first || loadingOlder || !hasMore) return;
    setLoadingOlder(true);
    try {
      const page = await client.call('messages.page', { sessionId, before: { createdAt: first.createdAt, id: first.id }, limit: PAGE });
      setMessages((current) => mergeMessages(current, page.messages, sessionId));
      setHasMore(page.messages.length >= PAGE);
    } catch (failure) {
      setActionError(toIpcError(failure));
    } finally {
      setLoadingOlder(false);
    }
  }, [client, sessionId, loadingOlder, hasMore]);

  // Read when it is on screen in a focused window, and only then.
  const unread = session?.unreadCount ?? 0;
  const lastId = messages.at(-1)?.id;
  useEffect(() => {
    if (!visible || !focused || unread === 0) return;
    void client.call('sessions.markRead', { sessionId }).catch(() => {});
  }, [client, sessionId, visible, focused, unread, lastId]);

  const timeline = buildTimeline(messages, pending);
  const shownLabel = label ?? { title: t('session.untitled'), qualifier: null, shortQualifier: null };
  const title = shownLabel.qualifier ? `${shownLabel.title} · ${shownLabel.qualifier}` : shownLabel.title;
  // Ended or locked: read-only in the UI too (the server refuses writes to it anyway).
  const writable = session === null || session.status === 'active';

  return (
    <section className="chat-view" hidden={!visible} aria-label={title} data-session-id={sessionId}>
      <header className="chat-view__header">
        <div>
          <h3>
            <SessionTitle label={shownLabel} />
          </h3>
          {session && <SessionPresence session={session} selfId={profile.id} fallbackName={(r) => t(`participant.${r}`)} />}
          {session && (
            <span className="muted" data-testid="chat-session-kind" data-session-type={session.type}>
              {t(`session.type.${session.type}`)}
              {session.bookingId && ` · ${t('session.booking', { id: session.bookingId.replace(/-/g, '').slice(0, 6) })}`} · {t(`session.status.${session.status}`)}
            </span>
          )}
          {typingName && (
            <span className="typing" aria-live="polite">
              {' '}
              {tx('chat.typing', { name: typingName })}
            </span>
          )}
        </div>
        {isStaff(profile.role) && session && writable && session.type !== 'emergency' && <AssignReader client={client} session={session} people={people} />}
      </header>
      {status === 'loading' && messages.length === 0 && (
        <p className="empty-state" role="status">
          {t('chat.loading')}
        </p>
      )}
      {status === 'error' && (
        <div className="empty-state" role="alert">
          <p>{error && errorText(error)}</p>
          <button type="button" className="secondary" onClick={() => void loadFirst()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {status === 'ready' && timeline.length === 0 && <p className="empty-state">{t('chat.empty')}</p>}
      {actionError && (
        <p className="form-error" role="alert" data-error-code={actionError.code}>
          {errorText(actionError)}{' '}
          <button type="button" className="link-button" onClick={() => setActionError(null)}>
            {t('common.dismiss')}
          </button>
        </p>
      )}
      {timeline.length > 0 && (
        <MessageList
          client={client}
          profile={profile}
          session={session}
          items={timeline}
          messagesById={new Map(messages.map((m) => [m.id, m]))}
          people={people}
          loadingOlder={loadingOlder}
          hasMore={hasMore}
          onNearTop={() => void loadOlder()}
          onReply={setReplyTo}
          onError={setActionError}
        />
      )}
      <Composer
        client={client}
        sessionId={sessionId}
        disabled={!writable}
        replyTo={replyTo}
        people={people}
        variables={replyVariables(session, profile)}
        onClearReply={() => setReplyTo(null)}
      />
    </section>
  );
}

function AssignReader({ client, session, people }: { client: ConsoleClient; session: ChatSession; people: Map<string, Person> }) {
  const { t, errorText } = useI18n();
  const [readerId, setReaderId] = useState('');
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'busy' } | { kind: 'done' } | { kind: 'error'; error: IpcError }>({ kind: 'idle' });
  const present = new Set(session.participants.map((p) => p.userId));
  const readers = [...people.values()].filter((p) => p.role === 'reader' && !present.has(p.id));
  // The confirmation outlives the form: once the last reader is in the session there is nobody left to pick.
  if (readers.length === 0 && state.kind === 'done') return <span role="status">{t('assign.done')}</span>;
  if (readers.length === 0 && state.kind !== 'error') return null;
  return (
    <form
      className="inline-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!readerId) return;
        setState({ kind: 'busy' });
        try {
          await client.call('sessions.assignReader', { sessionId: session.id, readerId });
          setState({ kind: 'done' });
          setReaderId('');
        } catch (failure) {
          setState({ kind: 'error', error: toIpcError(failure) });
        }
      }}
    >
      <select aria-label={t('assign.reader')} value={readerId} onChange={(e) => setReaderId(e.target.value)}>
        <option value="">{t('assign.pick')}</option>
        {readers.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName}
          </option>
        ))}
      </select>
      <button type="submit" disabled={!readerId || state.kind === 'busy'}>
        {t('assign.submit')}
      </button>
      {state.kind === 'done' && <span role="status">{t('assign.done')}</span>}
      {state.kind === 'error' && (
        <span className="form-error" role="alert" data-error-code={state.error.code}>
          {errorText(state.error)}
        </span>
      )}
    </form>
  );
}

/** Who a canned reply's {client_name} and {reader_name} are: the session's client, and its reader (else the user). */
function replyVariables(session: ChatSession | null, profile: Profile) {
  const named = (role: 'client' | 'reader') => session?.participants.find((p) => p.roleInSession === role)?.displayName || null;
  return { clientName: named('client'), readerName: named('reader') ?? profile.displayName };
}
