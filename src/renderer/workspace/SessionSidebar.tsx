import { memo, useMemo, useState } from 'react';
import { OrderedList } from '../lib/ordered-list';
import type { ChatSession, Profile, SessionTriage } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n, useNow } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, type Person, type SessionLabel } from '../lib/directory';
import { LastMessagePreview, SessionTitle } from './session-labels';
import { SessionPresence } from './Presence';
import { isolate } from '../i18n/format';
import { byLongestWaiting } from '../../shared/waiting-time';
import { useReplyTarget, WaitingFigure, WaitingSummary } from './waiting';

export type SessionSort = 'recent' | 'waiting';
const NOBODY_LISTED: readonly Person[] = [];
const sessionId = (session: ChatSession) => session.id;
/**
 * Rows drawn at first, and added by each "show more": a staff member follows thousands of sessions, and a list that
 * drew them all would make every message re-lay out thousands of rows. The most recent (or longest waiting) come
 * first; the quick switcher and search reach the others.
 */
export const SIDEBAR_PAGE_ROWS = 100;
const SORT_KEY = 'samia.sidebar.sort';
const readSort = (): SessionSort => (localStorage.getItem(SORT_KEY) === 'waiting' ? 'waiting' : 'recent');
import { splitByTriage } from '../lib/session-list';
import { useTriage } from './use-triage';
import { TriageMenu } from './TriageMenu';

interface Props {
  client: ConsoleClient;
  profile: Profile;
  sessions: readonly ChatSession[];
  labels: ReadonlyMap<string, SessionLabel>;
  load: { status: 'loading' } | { status: 'ready'; refreshing?: boolean } | { status: 'error'; error: IpcError };
  activeId: string | null;
  people: ReadonlyMap<string, Person>;
  /** Whom a staff member may start a session with (accounts.list). */
  pickable?: readonly Person[];
  typingFor(sessionId: string): string | null;
  onOpen(sessionId: string): void;
  onRetry(): void;
}

export function SessionSidebar({ client, profile, sessions, labels, load, activeId, people, pickable = NOBODY_LISTED, typingFor, onOpen, onRetry }: Props) {
  const { t, errorText } = useI18n();
  const now = useNow();
  const [newWith, setNewWith] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const [showSnoozed, setShowSnoozed] = useState(false);
  const staff = isStaff(profile.role);
  const target = useReplyTarget(client);
  const [sort, setSort] = useState<SessionSort>(readSort);
  const triage = useTriage(client);
  const [shownRows, setShownRows] = useState(SIDEBAR_PAGE_ROWS);
  const { listed, snoozed } = useMemo(() => {
    const split = splitByTriage(sessions, triage.bySession, now);
    return sort === 'waiting' ? { listed: byLongestWaiting(split.listed), snoozed: split.snoozed } : split;
  }, [sessions, triage.bySession, now, sort]);

  async function openSupport(userId?: string) {
    setBusy(true);
    setError(null);
    try {
      const { id } = await client.call('sessions.openSupport', userId ? { userId } : {});
      onOpen(id);
      onRetry();
    } catch (failure) {
      setError(toIpcError(failure));
    } finally {
      setBusy(false);
    }
  }

  // Everyone a staff member may start a session with (thousands of clients), as the accounts list gives them: built
  // when that list is loaded again, not with every session a message brings into the sidebar.
  const otherOptions = useMemo(
    () =>
      pickable
        .filter((p) => p.id !== profile.id)
        .map((p) => (
          <option key={p.id} value={p.id}>
            {isolate(p.displayName)} · {t(`role.${p.role}`)}
          </option>
        )),
    [pickable, profile.id, t],
  );

  return (
    <aside className="sidebar" aria-label={t('sidebar.label')}>
      <div className="sidebar__actions">
        {staff ? (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (newWith) void openSupport(newWith);
            }}
          >
            <label className="visually-hidden" htmlFor="new-session-target">
              {t('sidebar.newWith')}
            </label>
            <select id="new-session-target" aria-label={t('sidebar.newWith')} value={newWith} onChange={(e) => setNewWith(e.target.value)}>
              <option value="">{t('sidebar.pickPerson')}</option>
              {otherOptions}
            </select>
            <button type="submit" disabled={busy || !newWith}>
              {t('sidebar.newSession')}
            </button>
          </form>
        ) : (
          <button type="button" disabled={busy} onClick={() => void openSupport()}>
            {t('sidebar.openSupport')}
          </button>
        )}
        <button type="button" className="link-button" onClick={onRetry}>
          {t('sidebar.refresh')}
        </button>
        {error && (
          <p className="form-error" role="alert" data-error-code={error.code}>
            {errorText(error)}
          </p>
        )}
      </div>
      {load.status === 'loading' && sessions.length === 0 && (
        <p className="empty-state" role="status">
          {t('sidebar.loading')}
        </p>
      )}
      {load.status === 'ready' && load.refreshing && (
        <p className="sidebar__refreshing" role="status" data-testid="sessions-refreshing">
          {t('sidebar.refreshing')}
        </p>
      )}
      {load.status === 'error' && (
        <div className="empty-state" role="alert">
          <p>{errorText(load.error)}</p>
          <button type="button" className="secondary" onClick={onRetry}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {load.status === 'ready' && sessions.length === 0 && <p className="empty-state">{t('sidebar.empty')}</p>}
      <div className="sidebar__sort">
        <label htmlFor="session-sort">{t('sidebar.sort')}</label>
        <select
          id="session-sort"
          value={sort}
          data-testid="session-sort"
          onChange={(e) => {
            const next: SessionSort = e.target.value === 'waiting' ? 'waiting' : 'recent';
            localStorage.setItem(SORT_KEY, next);
            setSort(next);
          }}
        >
          <option value="recent">{t('sidebar.sort.recent')}</option>
          <option value="waiting">{t('sidebar.sort.waiting')}</option>
        </select>
      </div>
      <WaitingSummary sessions={sessions} target={target} />
      {[listed, ...(showSnoozed ? [snoozed] : [])].map((group, g) => (
        <OrderedList
          key={g === 0 ? 'listed' : 'snoozed'}
          className="session-list"
          data-testid={g === 0 ? 'session-list' : 'snoozed-list'}
          data-total={group.length}
          aria-label={g === 0 ? undefined : t('triage.snoozedGroup', { count: snoozed.length })}
          items={group.slice(0, shownRows)}
          idOf={sessionId}
          renderRow={(s) => {
            const last = s.lastMessage;
            return (
              <SessionRow
                client={client}
                session={s}
                label={labels.get(s.id) ?? null}
                active={s.id === activeId}
                typingName={typingFor(s.id)}
                selfId={profile.id}
                sender={last ? (people.get(last.senderId) ?? null) : null}
                triage={triage.bySession.get(s.id)}
                now={now}
                target={target}
                onOpen={onOpen}
              />
            );
          }}
        />
      ))}
      {listed.length > shownRows && (
        <button type="button" className="link-button" data-testid="sidebar-show-more" onClick={() => setShownRows((n) => n + SIDEBAR_PAGE_ROWS)}>
          {t('sidebar.showMore', { count: Math.min(SIDEBAR_PAGE_ROWS, listed.length - shownRows), rest: listed.length - shownRows })}
        </button>
      )}
      {snoozed.length > 0 && (
        <button type="button" className="link-button" aria-expanded={showSnoozed} data-testid="snoozed-toggle" onClick={() => setShowSnoozed((v) => !v)}>
          {showSnoozed ? t('triage.hideSnoozed') : t('triage.showSnoozed', { count: snoozed.length })}
        </button>
      )}
    </aside>
  );
}

interface RowProps {
  client: ConsoleClient;
  session: ChatSession;
  label: SessionLabel | null;
  active: boolean;
  typingName: string | null;
  selfId: string;
  /** The last message's sender as the directory knows them (the only entry of `people` a row reads). */
  sender: Person | null;
  /** The user's own triage of the session (muted, snoozed, marked unread). */
  triage: SessionTriage | undefined;
  now: number;
  /** The reply-time target in minutes (console.reply.target_minutes); null: none. */
  target: number | null;
  onOpen(sessionId: string): void;
}

const NOBODY = new Map<string, Person>();

/**
 * One session of the list. Memoized on what it shows: a pushed change to one session redraws that row only, so
 * the work per event does not grow with the number of sessions listed.
 */
const SessionRow = memo(function SessionRow({ client, session: s, label: given, active, typingName, selfId, sender, triage, now, target, onOpen }: RowProps) {
  const { t, tx, formatDateTime, formatNumber, formatRelative } = useI18n();
  const label = given ?? { title: t('session.untitled'), qualifier: null, shortQualifier: null };
  const people = useMemo(() => (sender ? new Map([[sender.id, sender]]) : NOBODY), [sender]);
  return (
    <li className="session-row" data-row-id={s.id} data-muted={triage?.muted ? 'true' : undefined} data-marked-unread={triage?.markedUnread ? 'true' : undefined}>
      <button
        type="button"
        className={active ? 'session-item session-item--active' : 'session-item'}
        aria-current={active ? 'true' : undefined}
        data-session-id={s.id}
        data-testid="session-item"
        data-session-type={s.type}
        data-session-status={s.status}
        onClick={() => onOpen(s.id)}
      >
        <span className="session-item__top">
          <SessionTitle label={label} className="session-item__title" compact />
          {s.type === 'emergency' && <span className="badge badge--danger">{t('session.emergency')}</span>}
          {s.status === 'active' && s.waitingSince && <WaitingFigure waitingSince={s.waitingSince} target={target} />}
          {triage?.muted && (
            <span className="triage-mark" data-testid="muted-mark" role="img" aria-label={t('triage.muted')} title={t('triage.muted')}>
              🔕
            </span>
          )}
          {s.unreadCount > 0 && (
            <span className="badge" data-testid="unread-count" aria-label={t('sidebar.unread', { count: s.unreadCount })}>
              {formatNumber(s.unreadCount)}
            </span>
          )}
          {s.unreadCount === 0 && triage?.markedUnread && (
            <span className="badge badge--dot" data-testid="marked-unread" role="img" aria-label={t('triage.markedUnread')} title={t('triage.markedUnread')} />
          )}
        </span>
        <SessionPresence session={s} selfId={selfId} fallbackName={(r) => t(`participant.${r}`)} />
        {!typingName && <LastMessagePreview session={s} selfId={selfId} people={people} />}
        <span className="session-item__meta">
          {typingName ? (
            <span className="typing" data-testid="typing-indicator">
              {tx('chat.typing', { name: typingName })}
            </span>
          ) : (
            <span data-testid="session-type">
              {t(`session.type.${s.type}`)}
              {s.status !== 'active' && ` · ${t(`session.status.${s.status}`)}`}
            </span>
          )}
          <time dateTime={s.lastMessageAt ?? s.createdAt} title={formatDateTime(s.lastMessageAt ?? s.createdAt)}>
            {formatRelative(s.lastMessageAt ?? s.createdAt, now)}
          </time>
        </span>
        {triage?.snoozedUntilReply && <span className="muted" data-testid="snoozed-until">{t('triage.snoozedUntilReply')}</span>}
        {triage?.snoozedUntil && Date.parse(triage.snoozedUntil) > now && (
          <span className="muted" data-testid="snoozed-until">
            {t('triage.snoozedUntil', { time: formatDateTime(triage.snoozedUntil) })}
          </span>
        )}
      </button>
      <TriageMenu client={client} sessionId={s.id} title={label.title} triage={triage} now={now} />
    </li>
  );
}, sameRow);

function sameRow(a: RowProps, b: RowProps): boolean {
  return (
    a.session === b.session &&
    a.client === b.client &&
    a.triage === b.triage &&
    a.active === b.active &&
    a.typingName === b.typingName &&
    a.selfId === b.selfId &&
    a.now === b.now &&
    a.target === b.target &&
    a.onOpen === b.onOpen &&
    a.label?.title === b.label?.title &&
    a.label?.qualifier === b.label?.qualifier &&
    a.label?.shortQualifier === b.label?.shortQualifier &&
    a.sender?.id === b.sender?.id &&
    a.sender?.displayName === b.sender?.displayName &&
    a.sender?.role === b.sender?.role
  );
}
