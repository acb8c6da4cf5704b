import { applyPresence, applyPushes, column, defineColumn, emergenciesFirst, findSession } from '../lib/session-list';
import { reportActivity } from '../lib/activity-reporter';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChatSession, Profile } from '../../shared/ipc/contract';
import { SESSION_LIST_MAX } from '../../shared/ipc/list-limits';
import type { IpcError } from '../../shared/ipc/errors';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';
import { toIpcError } from '../lib/errors';
import { isStaff, PeopleDirectory, rememberedPeople, withSessionRoles, type Person } from '../lib/directory';
import { SessionSidebar } from './SessionSidebar';
import { QuickSwitcher } from './QuickSwitcher';
import { ChatView } from '../chat/ChatView';
import { ApprovalQueue } from '../reviews/ApprovalQueue';
import { usePendingReviewCount } from '../reviews/review-queue-state';
import { EmergencyConsole } from '../emergencies/EmergencyConsole';
import { EmergencyAlerts } from '../emergencies/EmergencyAlerts';
import { AlertSounds } from '../alerts/alert-sounds';
import { SettingsPanel } from '../settings/SettingsPanel';
import { AvailabilitySwitch, type Availability } from './Presence';
import { Name } from '../i18n/Name';
import { ConnectionIndicator, useConnection } from './ConnectionIndicator';
import { ShortcutSheet } from './ShortcutSheet';
import { SessionTitle, useSessionLabels } from './session-labels';
import { MiniPlayer } from '../audio/player';
import { FiguresView } from '../admin/FiguresView';
import { AuditLogView } from '../admin/AuditLogView';
import { SearchPanel, type SearchHit } from '../search/SearchPanel';

export type View = 'chats' | 'approvals' | 'emergencies' | 'settings' | 'figures' | 'audit';
/** `refreshing`: the rows are the ones kept from the last run, until the backend's list (sessions.listed) replaces them. */
type SessionsLoad = { status: 'loading' } | { status: 'ready'; refreshing?: boolean } | { status: 'error'; error: IpcError };

const TYPING_VISIBLE_MS = 4_000;

/** The user's own availability and emergency opt-in: from the profile when it carries them, else as the backend lists them. */
export interface Standing {
  availability: Availability | null;
  emergencyOptIn: boolean | null;
}

const UNREAD_COUNT = defineColumn((s) => s.unreadCount);

/** Readers, monitors and admins at work: sessions in a sidebar, open ones as tabs, and the staff views. */
export function Workspace({ client, profile }: { client: ConsoleClient; profile: Profile }) {
  const { t, tx, formatNumber } = useI18n();
  const [view, setView] = useState<View>('chats');
  const [sessions, setSessions] = useState<ChatSession[]>([]);
  const [load, setLoad] = useState<SessionsLoad>({ status: 'loading' });
  const [openIds, setOpenIds] = useState<string[]>([]);
  // The pushed rows' merge runs outside render: it reads the open tabs from here.
  const openIdsRef = useRef(openIds);
  useEffect(() => {
    openIdsRef.current = openIds;
  }, [openIds]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [typing, setTyping] = useState<Record<string, { userId: string; until: number }>>({});
  const [focused, setFocused] = useState(() => document.hasFocus() && document.visibilityState === 'visible');
  const [switcherOpen, setSwitcherOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [directoryVersion, setDirectoryVersion] = useState(0);
  const connection = useConnection(client);
  // Message search: open with the conversation it searches (null: every conversation); hits opened in context.
  const [search, setSearch] = useState<{ sessionId: string | null } | null>(null);
  const [jumps, setJumps] = useState<Record<string, { messageId: string; query: string; nonce: number }>>({});
  const staff = isStaff(profile.role);
  const admin = profile.role === 'admin' || profile.role === 'super_admin';

  // Whether the list shown is still the cached one, and whether the backend's list has come since sign-in.
  const cachedShown = useRef(false);
  const backendListed = useRef(false);
  const refresh = useCallback(async () => {
    try {
      const { sessions: list, refreshing = false } = await client.call('sessions.list', {});
      // An answer from the cache that arrives after the backend's list is older than what is shown.
      if (refreshing && backendListed.current) return;
      if (!refreshing) backendListed.current = true;
      cachedShown.current = refreshing;
      setSessions(list);
      setLoad({ status: 'ready', refreshing });
    } catch (failure) {
      // A cached list never outlives a failed refresh: it is only shown on the way to the backend's.
      if (cachedShown.current) setSessions([]);
      cachedShown.current = false;
      setLoad({ status: 'error', error: toIpcError(failure) });
    }
  }, [client]);

  // A pushed session is merged into the list; only "everything may have changed" (after a catch-up) refetches it,
  // and bursts of those coalesce into one refetch.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    void Promise.resolve().then(refresh);
    // Pushed rows are merged once per frame: a busy platform's fifty a second cost a few renders, not fifty.
    let pushed: { sessionId: string; session: ChatSession | null }[] = [];
    let frame: number | null = null;
    let fallback: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (frame !== null) cancelAnimationFrame(frame);
      if (fallback !== null) clearTimeout(fallback);
      frame = null;
      fallback = null;
      const batch = pushed;
      pushed = [];
      if (batch.length > 0) {
        setSessions((list) => applyPushes(list, batch, SESSION_LIST_MAX, new Set(openIdsRef.current)));
      }
    };
    const offChanged = client.on('sessions.changed', ({ sessionId, session }) => {
      if (sessionId && session !== undefined) {
        pushed.push({ sessionId, session });
        // A hidden window draws no frames: the timer applies them anyway.
        if (frame === null) frame = requestAnimationFrame(flush);
        if (fallback === null) fallback = setTimeout(flush, 250);
        return;
      }
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => void refresh(), 120);
    });
    const offListed = client.on('sessions.listed', ({ sessions: list }) => {
      backendListed.current = true;
      cachedShown.current = false;
      setSessions(list);
      setLoad({ status: 'ready', refreshing: false });
    });
    const offPresence = client.on('presence.changed', ({ userId, availability }) =>
      setSessions((list) => applyPresence(list, userId, availability)),
    );
    const offTyping = client.on('sessions.typing', ({ sessionId, userId }) =>
      setTyping((current) => ({ ...current, [sessionId]: { userId, until: Date.now() + TYPING_VISIBLE_MS } })),
    );
    const offConnection = client.on('app.connection', ({ online: value }) => {
      if (value) void refresh();
    });
    const offLink = client.link.onState((state) => {
      if (state === 'open') void refresh();
    });
    const offActivate = client.on('alerts.activate', (target) => {
      if (target.kind === 'session' || target.kind === 'emergency' || target.kind === 'note') {
        setView('chats');
        setOpenIds((ids) => (ids.includes(target.sessionId) ? ids : [...ids, target.sessionId]));
        setActiveId(target.sessionId);
      }
    });
    return () => {
      flush();
      offChanged();
      offListed();
      offPresence();
      offTyping();
      offConnection();
      offLink();
      offActivate();
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    };
  }, [client, refresh]);

  // Presence: the page tells the main process of its input (the web shell has no OS idle time; Electron's core
  // follows powerMonitor instead).
  useEffect(() => reportActivity((idleSeconds) => void client.call('presence.activity', { idleSeconds }).catch(() => {})), [client]);

  // Typing indicators expire on their own: the sender sends no "stopped typing".
  useEffect(() => {
    const entries = Object.entries(typing);
    if (entries.length === 0) return;
    const next = Math.min(...entries.map(([, v]) => v.until));
    const timer = setTimeout(() => {
      const now = Date.now();
      setTyping((current) => Object.fromEntries(Object.entries(current).filter(([, v]) => v.until > now)));
    }, Math.max(50, next - Date.now()));
    return () => clearTimeout(timer);
  }, [typing]);

  useEffect(() => {
    const update = () => setFocused(document.hasFocus() && document.visibilityState === 'visible');
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);

  const visibleSessionId = view === 'chats' ? activeId : null;
  // The main process decides notifications and read receipts from what the user actually sees.
  useEffect(() => {
    void client.call('app.setViewState', { focused, visibleSessionId }).catch(() => {});
  }, [client, focused, visibleSessionId]);

  const [listed, setListed] = useState<Person[]>([]);
  const [listedStanding, setListedStanding] = useState<Standing>({ availability: null, emergencyOptIn: null });
  const [chosen, setChosen] = useState<Partial<Standing>>({});
  useEffect(() => {
    let live = true;
    client
      .call('accounts.list', {})
      .then(({ people }) => {
        if (!live) return;
        setListed(people.map((p) => ({ id: p.id, displayName: p.displayName, role: p.role })));
        const me = people.find((p) => p.id === profile.id);
        if (me) setListedStanding({ availability: me.availability, emergencyOptIn: me.emergencyOptIn });
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, directoryVersion, profile.id]);

  // What this user last chose here, else what the profile says, else what the backend shows others.
  const standing: Standing = {
    availability:
      chosen.availability ??
      profile.availability ??
      sessions.flatMap((s) => s.participants).find((p) => p.userId === profile.id)?.availability ??
      listedStanding.availability,
    emergencyOptIn: chosen.emergencyOptIn ?? profile.emergencyOptIn ?? listedStanding.emergencyOptIn,
  };

  // Made again when the accounts list or the remembered accounts change; the sessions' participants are learned as
  // they come (the same view while a message brings nobody new), so a message does not rebuild it.
  const directory = useMemo(
    () => new PeopleDirectory(profile.id, { id: profile.id, displayName: profile.displayName, role: profile.role }, rememberedPeople(profile.id), listed),
    [profile, listed, directoryVersion], // eslint-disable-line react-hooks/exhaustive-deps -- directoryVersion: remembered accounts changed
  );
  // The workspace draws again for typing, focus and the clock too: the sessions are learned once per list.
  const people = useMemo(() => directory.learn(sessions), [directory, sessions]);
  const labels = useSessionLabels(sessions, profile.id);
  const ordered = useMemo(() => emergenciesFirst(sessions), [sessions]);

  const openSession = useCallback((sessionId: string) => {
    setView('chats');
    setOpenIds((ids) => (ids.includes(sessionId) ? ids : [...ids, sessionId]));
    setActiveId(sessionId);
  }, []);

  const closeTab = (sessionId: string) => {
    void client.call('sessions.viewClosed', { sessionId }).catch(() => {});
    setOpenIds((ids) => {
      const rest = ids.filter((id) => id !== sessionId);
      if (activeId === sessionId) setActiveId(rest.at(-1) ?? null);
      return rest;
    });
  };

  const step = useCallback(
    (delta: number) => {
      if (ordered.length === 0) return;
      const index = ordered.findIndex((s) => s.id === activeId);
      const next = index < 0 ? (delta > 0 ? 0 : ordered.length - 1) : (index + delta + ordered.length) % ordered.length;
      openSession(ordered[next]!.id);
    },
    [ordered, activeId, openSession],
  );

  const stepTab = useCallback(
    (delta: number) => {
      if (openIds.length === 0) return;
      const index = openIds.indexOf(activeId ?? '');
      const next = index < 0 ? 0 : (index + delta + openIds.length) % openIds.length;
      setView('chats');
      setActiveId(openIds[next]!);
    },
    [openIds, activeId],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const ctrl = event.ctrlKey || event.metaKey;
      if (ctrl && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSwitcherOpen((open) => !open);
      } else if (ctrl && (event.key === '/' || event.code === 'Slash')) {
        event.preventDefault();
        setShortcutsOpen((open) => !open);
      } else if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        event.preventDefault();
        step(event.key === 'ArrowDown' ? 1 : -1);
      } else if (ctrl && (event.key === 'Tab' || event.key === 'PageDown' || event.key === 'PageUp')) {
        // Ctrl+Tab between the open conversations (Ctrl+PageDown/PageUp where the browser keeps Ctrl+Tab for itself).
        event.preventDefault();
        stepTab(event.key === 'PageUp' || (event.key === 'Tab' && event.shiftKey) ? -1 : 1);
      } else if (ctrl && event.key.toLowerCase() === 'l') {
        event.preventDefault();
        setView('chats');
        requestAnimationFrame(() => document.querySelector<HTMLTextAreaElement>('.chat-view:not([hidden]) textarea[data-composer]')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, stepTab]);

  // Ctrl+F searches the conversation on screen (every conversation when none is), Ctrl+Shift+F every conversation.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 'f') return;
      event.preventDefault();
      setSearch({ sessionId: event.shiftKey ? null : visibleSessionId });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visibleSessionId]);

  const openHit = useCallback(
    ({ message, query }: SearchHit) => {
      setSearch(null);
      setJumps((j) => ({ ...j, [message.sessionId]: { messageId: message.id, query, nonce: (j[message.sessionId]?.nonce ?? 0) + 1 } }));
      openSession(message.sessionId);
    },
    [openSession],
  );

  const typingFor = (sessionId: string) => {
    const entry = typing[sessionId];
    if (!entry) return null;
    const session = findSession(sessions, sessionId) ?? null;
    return withSessionRoles(people, session, (r) => t(`participant.${r}`)).get(entry.userId)?.displayName || t('chat.someone');
  };

  const totalUnread = column(sessions, UNREAD_COUNT).reduce((sum, n) => sum + n, 0);
  const pendingReviews = usePendingReviewCount(client, staff);

  return (
    <div className="workspace">
      <nav className="workspace-bar" aria-label={t('nav.label')}>
        <div className="workspace-bar__who">
          <h2 id="signed-in-title">{tx('signedIn.title', { name: profile.displayName })}</h2>
          <span className="muted" data-testid="signed-in-role">
            {t(`role.${profile.role}`)}
          </span>
          <AvailabilitySwitch client={client} value={standing.availability} onChange={(availability) => setChosen((c) => ({ ...c, availability }))} />
        </div>
        <ConnectionIndicator summary={connection} />
        <div className="workspace-bar__views" role="tablist">
          {(['chats', ...(staff ? (['approvals'] as const) : []), 'emergencies', ...(admin ? (['figures', 'audit'] as const) : []), 'settings'] as View[]).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={view === name}
              className={view === name ? 'tab tab--active' : 'tab'}
              onClick={() => setView(name)}
            >
              {t(`nav.${name}`)}
              {name === 'chats' && totalUnread > 0 && <span className="badge">{formatNumber(totalUnread)}</span>}
              {name === 'approvals' && pendingReviews !== null && pendingReviews > 0 && (
                <span className="badge" data-testid="approvals-count">
                  {formatNumber(pendingReviews)}
                </span>
              )}
            </button>
          ))}
        </div>
        <button type="button" className="secondary" aria-label={t('search.open')} title={t('search.open')} onClick={() => setSearch({ sessionId: visibleSessionId })}>
          {t('search.button')}
        </button>
        <button type="button" className="icon-button" aria-label={t('shortcuts.open')} title={t('shortcuts.open')} onClick={() => setShortcutsOpen(true)}>
          ⌨
        </button>
        <button type="button" className="secondary" onClick={() => void client.call('auth.signOut', {})}>
          {t('signedIn.signOut')}
        </button>
      </nav>
      <EmergencyAlerts client={client} profile={profile} emergencyOptIn={standing.emergencyOptIn} onOpenConsole={() => setView('emergencies')} />
      <AlertSounds client={client} />
      <MiniPlayer
        client={client}
        userId={profile.id}
        senderName={(id) => (id ? (people.get(id)?.displayName ?? null) : null)}
        sessionTitle={(id) => {
          const label = id ? labels.get(id) : undefined;
          return label ? (label.qualifier ? `${label.title} · ${label.qualifier}` : label.title) : null;
        }}
        onOpenSession={openSession}
      />
      <div className="workspace-body">
        <SessionSidebar
          client={client}
          profile={profile}
          sessions={ordered}
          labels={labels}
          load={load}
          activeId={visibleSessionId}
          people={people}
          pickable={listed}
          typingFor={typingFor}
          onOpen={openSession}
          onRetry={() => void refresh()}
        />
        <section className="workspace-main">
          {view === 'chats' && openIds.length > 0 && (
            <div className="session-tabs" role="tablist" aria-label={t('tabs.label')}>
              {openIds.map((id) => {
                const s = findSession(sessions, id);
                const label = labels.get(id);
                const plain = label ? (label.qualifier ? `${label.title} · ${label.qualifier}` : label.title) : t('session.untitled');
                return (
                  <div key={id} className={id === activeId ? 'session-tab session-tab--active' : 'session-tab'}>
                    <button type="button" role="tab" aria-selected={id === activeId} className="session-tab__open" onClick={() => setActiveId(id)}>
                      {label ? <SessionTitle label={label} /> : <Name clip>{plain}</Name>}
                      {s && s.unreadCount > 0 && id !== activeId && <span className="badge">{formatNumber(s.unreadCount)}</span>}
                    </button>
                    <button type="button" className="icon-button" aria-label={t('tabs.close', { title: plain })} onClick={() => closeTab(id)}>
                      ×
                    </button>
                  </div>
                );
              })}
            </div>
          )}
          {view === 'chats' && openIds.length === 0 && (
            <div className="empty-state">
              <p>{t('chat.noneOpen')}</p>
              <p className="muted">{t('shortcuts.hint')}</p>
            </div>
          )}
          {openIds.map((id) => {
            const s = findSession(sessions, id);
            return (
              <ChatView
                key={id}
                client={client}
                profile={profile}
                sessionId={id}
                session={s ?? null}
                label={labels.get(id) ?? null}
                people={people}
                visible={view === 'chats' && id === activeId}
                focused={focused}
                typingName={typingFor(id)}
                jumpTo={jumps[id] ?? null}
              />
            );
          })}
          {view === 'approvals' && staff && <ApprovalQueue client={client} selfId={profile.id} selfRole={profile.role} people={people} sessions={sessions} />}
          {view === 'emergencies' && (
            <EmergencyConsole
              client={client}
              profile={profile}
              people={people}
              emergencyOptIn={standing.emergencyOptIn}
              onOpenSession={openSession}
              onOpenSettings={() => setView('settings')}
            />
          )}
          {view === 'figures' && admin && <FiguresView client={client} />}
          {view === 'audit' && admin && <AuditLogView client={client} people={people} />}
          {view === 'settings' && (
            <SettingsPanel
              client={client}
              profile={profile}
              standing={standing}
              onStandingChanged={(next) => setChosen((c) => ({ ...c, ...next }))}
              onPeopleChanged={() => setDirectoryVersion((v) => v + 1)}
            />
          )}
        </section>
      </div>
      {switcherOpen && (
        <QuickSwitcher
          sessions={ordered}
          labels={labels}
          profile={profile}
          people={people}
          onPick={(id) => {
            setSwitcherOpen(false);
            openSession(id);
          }}
          onClose={() => setSwitcherOpen(false)}
        />
      )}
      {shortcutsOpen && <ShortcutSheet onClose={() => setShortcutsOpen(false)} />}
      {search && (
        <SearchPanel
          client={client}
          profile={profile}
          sessionId={search.sessionId}
          labels={labels}
          people={people}
          onOpen={openHit}
          onClose={() => setSearch(null)}
        />
      )}
    </div>
  );
}
