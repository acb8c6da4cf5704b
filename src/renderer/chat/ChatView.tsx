import { useCallback, useEffect, useState } from 'react';
import type { ChatMessage, ChatSession, OutboxItem, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, withSessionRoles, type Person, type SessionLabel } from '../lib/directory';
import { applyOutboxChange, buildTimeline, mergeMessages } from '../lib/timeline';
import { MessageList } from './MessageList';
import { Composer } from './Composer';
import { ClientHistoryPanel } from './ClientHistoryPanel';
import { SessionPresence } from '../workspace/Presence';
import { SessionTitle } from '../workspace/session-labels';
import { playerFor } from '../audio/player';

const PAGE = 50;

interface Props {
  client: ConsoleClient;
  profile: Profile;
  sessionId: string;
  session: ChatSession | null;
  /** How the session is named everywhere (distinct from other sessions with the same people). */
  label: SessionLabel | null;
  people: ReadonlyMap<string, Person>;
  visible: boolean;
  focused: boolean;
  typingName: string | null;
  /** A search hit to open here: the view shows it with the messages around it until "Back to the latest". */
  jumpTo?: { messageId: string; query: string; nonce: number } | null;
}

const CONTEXT_AROUND = 20;

type SearchContext =
  | { kind: 'loading'; messageId: string; query: string }
  | { kind: 'ready'; messageId: string; query: string; messages: ChatMessage[]; hasOlder: boolean; loadingOlder: boolean };

/** One open session: its history (paged), the live changes, its outbox rows and its composer. */
export function ChatView({ client, profile, sessionId, session, label, people: directory, visible, focused, typingName, jumpTo = null }: Props) {
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
  const [context, setContext] = useState<SearchContext | null>(null);

  // A search hit: its context replaces the latest page on screen (the history between them is not loaded).
  const jumpNonce = jumpTo?.nonce;
  useEffect(() => {
    if (!jumpTo) return;
    const { messageId, query } = jumpTo;
    let live = true;
    void Promise.resolve().then(async () => {
      if (!live) return;
      setContext({ kind: 'loading', messageId, query });
      try {
        const { messages: around } = await client.call('search.context', { messageId, before: CONTEXT_AROUND, after: CONTEXT_AROUND });
        const at = around.findIndex((m) => m.id === messageId);
        if (live) setContext({ kind: 'ready', messageId, query, messages: around, hasOlder: at >= CONTEXT_AROUND, loadingOlder: false });
      } catch (failure) {
        if (!live) return;
        setContext(null);
        setActionError(toIpcError(failure));
      }
    });
    return () => {
      live = false;
    };
  }, [client, jumpNonce]); // eslint-disable-line react-hooks/exhaustive-deps

  // Edits, reviews and deletions of the messages in context show there too; new arrivals wait for "latest".
  useEffect(
    () =>
      client.on('messages.changed', ({ messages: incoming }) => {
        const byId = new Map(incoming.map((m) => [m.id, m]));
        setContext((c) => (c?.kind === 'ready' && incoming.some((m) => c.messages.some((x) => x.id === m.id)) ? { ...c, messages: c.messages.map((m) => byId.get(m.id) ?? m) } : c));
      }),
    [client],
  );

  const loadOlderContext = useCallback(async () => {
    if (context?.kind !== 'ready' || context.loadingOlder || !context.hasOlder) return;
    const first = context.messages[0];
    if (!first) return;
    setContext({ ...context, loadingOlder: true });
    try {
      const page = await client.call('messages.page', { sessionId, before: { createdAt: first.createdAt, id: first.id }, limit: PAGE });
      setContext((c) => (c?.kind === 'ready' ? { ...c, messages: mergeMessages(c.messages, page.messages, sessionId), hasOlder: page.messages.length >= PAGE, loadingOlder: false } : c));
    } catch (failure) {
      setActionError(toIpcError(failure));
      setContext((c) => (c?.kind === 'ready' ? { ...c, loadingOlder: false } : c));
    }
  }, [client, context, sessionId]);

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

  // The console's player picks "the next unplayed note" of this session from these, even after this view is gone.
  useEffect(() => {
    playerFor(client).knowSession(
      sessionId,
      messages
        .filter((m) => m.type === 'audio' && m.storagePath && (m.status === 'sent' || m.status === 'approved' || m.status === 'pending_approval'))
        .map((m) => ({ id: m.id, sessionId, senderId: m.senderId, createdAt: m.createdAt, storagePath: m.storagePath, mimeType: m.mimeType, durationMs: m.durationMs ?? 0 })),
    );
  }, [client, sessionId, messages]);

  // The oldest shown message, read from this render's state: a scroll right after the first page is drawn pages from
  // it (a ref filled by an effect could still be empty then, and that scroll would be lost).
  const first = messages[0];
  const loadOlder = useCallback(async () => {
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
  }, [client, sessionId, first, loadingOlder, hasMore]);

  // Read when it is on screen in a focused window, and only then.
  const unread = session?.unreadCount ?? 0;
  const lastId = messages.at(-1)?.id;
  useEffect(() => {
    if (!visible || !focused || unread === 0) return;
    void client.call('sessions.markRead', { sessionId }).catch(() => {});
  }, [client, sessionId, visible, focused, unread, lastId]);

  const timeline = context?.kind === 'ready' ? buildTimeline(context.messages, []) : buildTimeline(messages, pending);
  const shownLabel = label ?? { title: t('session.untitled'), qualifier: null, shortQualifier: null };
  const title = shownLabel.qualifier ? `${shownLabel.title} · ${shownLabel.qualifier}` : shownLabel.title;
  // Ended or locked: read-only in the UI too (the server refuses writes to it anyway).
  const writable = session === null || session.status === 'active';
  // Internal notes and the client's history are for the session's reader and staff (the server holds the rule; this
  // only keeps clients from being offered them). A reader's own support session has no client: nothing to show.
  const me = session?.participants.find((p) => p.userId === profile.id);
  const clientId = session?.participants.find((p) => p.roleInSession === 'client')?.userId ?? null;
  const staffSide = isStaff(profile.role) || (profile.role === 'reader' && me?.roleInSession === 'reader');
  const canWriteNotes = staffSide && clientId !== null;
  // Closed until the user opens it; the choice is remembered for the next sessions on this computer.
  const [historyOpen, setHistoryOpenState] = useState(() => readHistoryOpen());
  const setHistoryOpen = (open: boolean) => {
    setHistoryOpenState(open);
    writeHistoryOpen(open);
  };

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
        {canWriteNotes && (
          <button type="button" className="secondary" aria-expanded={historyOpen} data-testid="history-toggle" onClick={() => setHistoryOpen(!historyOpen)}>
            {historyOpen ? t('history.hide') : t('history.show')}
          </button>
        )}
      </header>
      {context && (
        <div className="search-context-banner" role="status" data-testid="search-context">
          <span>{context.kind === 'loading' ? t('search.context.loading') : t('search.context.banner')}</span>
          <button type="button" className="secondary" onClick={() => setContext(null)}>
            {t('search.context.latest')}
          </button>
        </div>
      )}
      <div className="chat-view__main">
        <div className="chat-view__conversation">
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
              key={context?.kind === 'ready' ? `context:${context.messageId}:${jumpNonce}` : 'latest'}
              client={client}
              profile={profile}
              session={session}
              items={timeline}
              messagesById={new Map((context?.kind === 'ready' ? [...messages, ...context.messages] : messages).map((m) => [m.id, m]))}
              people={people}
              loadingOlder={context?.kind === 'ready' ? context.loadingOlder : loadingOlder}
              hasMore={context?.kind === 'ready' ? context.hasOlder : hasMore}
              onNearTop={() => void (context?.kind === 'ready' ? loadOlderContext() : loadOlder())}
              searchHit={context?.kind === 'ready' ? { messageId: context.messageId, query: context.query } : null}
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
            canWriteNotes={canWriteNotes}
          />
        </div>
        {canWriteNotes && historyOpen && clientId && <ClientHistoryPanel client={client} sessionId={sessionId} clientId={clientId} people={people} />}
      </div>
    </section>
  );
}

const HISTORY_PANEL_KEY = 'samia.clientHistoryPanel';
function readHistoryOpen(): boolean {
  try {
    return localStorage.getItem(HISTORY_PANEL_KEY) === 'open';
  } catch {
    return false;
  }
}
function writeHistoryOpen(open: boolean) {
  try {
    localStorage.setItem(HISTORY_PANEL_KEY, open ? 'open' : 'closed');
  } catch {
    // Storage unavailable: the panel just starts closed next time.
  }
}

function AssignReader({ client, session, people }: { client: ConsoleClient; session: ChatSession; people: ReadonlyMap<string, Person> }) {
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
