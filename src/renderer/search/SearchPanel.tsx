import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage, Profile } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import { highlightRanges } from '../../shared/search/normalize';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { Name } from '../i18n/Name';
import { toIpcError } from '../lib/errors';
import type { Person, SessionLabel } from '../lib/directory';
import { Highlighted } from './Highlighted';

const PAGE = 20;
const TYPING_PAUSE_MS = 250;
/** Characters of a long body shown around its first hit. */
const SNIPPET = 160;

export interface SearchHit {
  message: ChatMessage;
  query: string;
}

interface Props {
  client: ConsoleClient;
  profile: Profile;
  /** The conversation on screen when the search was opened (Ctrl+F searches it); null: across every conversation. */
  sessionId: string | null;
  labels: ReadonlyMap<string, SessionLabel>;
  people: ReadonlyMap<string, Person>;
  onOpen(hit: SearchHit): void;
  onClose(): void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'ready'; hits: ChatMessage[]; hasMore: boolean; loadingMore: boolean }
  | { kind: 'error'; error: IpcError };

/** The part of a long body around its first hit, so that the hit is in sight. */
export function snippetOf(body: string, query: string): string {
  if (body.length <= SNIPPET) return body;
  const first = highlightRanges(body, query)[0]?.start ?? 0;
  const start = Math.max(0, first - SNIPPET / 3);
  const end = Math.min(body.length, start + SNIPPET);
  return `${start > 0 ? '…' : ''}${body.slice(start, end)}${end < body.length ? '…' : ''}`;
}

/**
 * Ctrl+F (this conversation) and Ctrl+Shift+F (every conversation): full-text search over what the user may read,
 * newest first, the hit highlighted; Enter or a click opens it in its conversation, scrolled to it. Arrows move,
 * Esc closes. Results page by keyset ("More results").
 */
export function SearchPanel({ client, profile, sessionId, labels, people, onOpen, onClose }: Props) {
  const { t, tx, errorText, formatDateTime } = useI18n();
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<string | null>(sessionId);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const asked = useRef(0);
  useEffect(() => input.current?.focus(), []);

  const run = useCallback(
    async (text: string, where: string | null) => {
      const ticket = ++asked.current;
      if (!text.trim()) {
        setState({ kind: 'idle' });
        return;
      }
      setState({ kind: 'searching' });
      try {
        const page = await client.call('search.messages', { query: text.trim(), ...(where ? { sessionId: where } : {}), limit: PAGE });
        if (ticket !== asked.current) return;
        setState({ kind: 'ready', hits: page.messages, hasMore: page.hasMore, loadingMore: false });
        setIndex(0);
      } catch (failure) {
        if (ticket === asked.current) setState({ kind: 'error', error: toIpcError(failure) });
      }
    },
    [client],
  );

  useEffect(() => {
    const timer = setTimeout(() => void run(query, scope), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [query, scope, run]);

  const loadMore = async () => {
    if (state.kind !== 'ready' || !state.hasMore || state.loadingMore) return;
    const last = state.hits.at(-1);
    if (!last) return;
    const ticket = asked.current;
    setState({ ...state, loadingMore: true });
    try {
      const page = await client.call('search.messages', {
        query: query.trim(),
        ...(scope ? { sessionId: scope } : {}),
        before: { createdAt: last.createdAt, id: last.id },
        limit: PAGE,
      });
      if (ticket !== asked.current) return;
      setState({ kind: 'ready', hits: [...state.hits, ...page.messages], hasMore: page.hasMore, loadingMore: false });
    } catch (failure) {
      if (ticket === asked.current) setState({ kind: 'error', error: toIpcError(failure) });
    }
  };

  const hits = state.kind === 'ready' ? state.hits : [];
  const open = (message: ChatMessage) => onOpen({ message, query: query.trim() });
  const senderName = (m: ChatMessage) => (m.senderId === profile.id ? t('message.you') : people.get(m.senderId)?.displayName || t('chat.someone'));
  const titleOf = (id: string) => {
    const label = labels.get(id);
    if (!label) return t('session.untitled');
    return label.qualifier ? `${label.title} · ${label.qualifier}` : label.title;
  };

  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div
        className="dialog search-panel"
        role="dialog"
        aria-modal="true"
        aria-label={t('search.title')}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          } else if (event.key === 'ArrowDown') {
            event.preventDefault();
            setIndex((i) => Math.min(hits.length - 1, i + 1));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setIndex((i) => Math.max(0, i - 1));
          } else if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'INPUT' && (event.target as HTMLInputElement).type === 'search') {
            event.preventDefault();
            const pick = hits[index] ?? hits[0];
            if (pick) open(pick);
          }
        }}
      >
        <input
          ref={input}
          type="search"
          dir="auto"
          maxLength={200}
          aria-label={t('search.input')}
          placeholder={t('search.input')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {sessionId && (
          <fieldset className="search-panel__scope">
            <legend className="visually-hidden">{t('search.scope')}</legend>
            <label>
              <input type="radio" name="search-scope" checked={scope === sessionId} onChange={() => setScope(sessionId)} /> {t('search.scope.session')}
            </label>
            <label>
              <input type="radio" name="search-scope" checked={scope === null} onChange={() => setScope(null)} /> {t('search.scope.all')}
            </label>
          </fieldset>
        )}
        {state.kind === 'idle' && <p className="muted">{t('search.hint')}</p>}
        {state.kind === 'searching' && (
          <p className="muted" role="status">
            {t('search.searching')}
          </p>
        )}
        {state.kind === 'error' && (
          <p className="form-error" role="alert" data-error-code={state.error.code}>
            {errorText(state.error)}
          </p>
        )}
        {state.kind === 'ready' && (
          <>
            <p className="muted" role="status" data-testid="search-count">
              {state.hits.length === 0 ? t('search.none') : t('search.count', { count: state.hits.length, more: state.hasMore ? 'true' : 'false' })}
            </p>
            <ul role="listbox" aria-label={t('search.results')} className="search-panel__results">
              {state.hits.map((m, i) => (
                <li
                  key={m.id}
                  role="option"
                  aria-selected={i === index}
                  className={i === index ? 'search-hit search-hit--active' : 'search-hit'}
                  data-testid="search-hit"
                  data-message-id={m.id}
                  onMouseDown={() => open(m)}
                >
                  <span className="search-hit__meta muted">
                    {!scope && <span className="search-hit__session">{tx('search.in', { title: titleOf(m.sessionId) })} · </span>}
                    <Name clip>{senderName(m)}</Name> · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                  </span>
                  <span className="search-hit__body" dir="auto">
                    <Highlighted text={snippetOf(m.body ?? '', query)} query={query} />
                  </span>
                </li>
              ))}
            </ul>
            {state.hasMore && (
              <button type="button" className="secondary" disabled={state.loadingMore} onClick={() => void loadMore()}>
                {state.loadingMore ? t('search.searching') : t('search.more')}
              </button>
            )}
          </>
        )}
      </div>
    </div>
  );
}
