import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/ipc/errors';
import { availabilitySchema, type ChatMessage, type ChatSession, type Emergency, type OutboxItem } from '../../shared/ipc/contract';
import type { RealtimeEvent, RealtimeStatus, RealtimeSubscription, UserConnection } from '../backend/backend-port';
import { isoTimestamp, toEmergencyRow, toMessageRow, toSessionRow } from '../backend/row-mapping';
import type { EventHub } from '../ipc/event-hub';
import { Outbox, OutboxActionError, OutboxInputError, outboxLimitsFromSettings, type OutboxEntry, type OutboxEvent } from '../outbox';
import { openLocalStore, type LocalStore } from '../store';
import { createOutboxTransport, toServerMessage } from './backend-outbox-transport';
import { AlertCenter, type AlertPlatform } from '../alerts';
import { GET_SESSIONS_MAX, type Role } from '../backend/backend-port';

/** After sign-in, when the message cache is brought within its per-session cap. */
const CACHE_TRIM_DELAY_MS = 30_000;
/**
 * With a cached list to show, how long the backend's first list waits for the renderer to take it: on the embedded
 * backend that read holds the process's thread while it runs (PGlite), so it starts once the cached rows are on their
 * way (sessionsForRenderer), or after this if no renderer asked.
 */
const FIRST_LIST_WAIT_MS = 1_000;
/**
 * How often the rows changed since the last list are written to the cached list (and once more at sign-out): never a
 * write per message, which a busy platform brings fifty a second.
 */
const SESSION_LIST_SAVE_MS = 60_000;
/** A topic's first join this soon after sign-in is covered by the list read at sign-in (reconcile). */
const FIRST_JOIN_COVERED_MS = 15_000;
/** The backend's answers that mean it no longer takes this user's session (message keys of the SQL and the adapter). */
const REFUSALS: ReadonlySet<string> = new Set(['auth.required', 'auth.profile_missing']);
import { waitingClientOf, waitingClients } from './waiting-clients';
import { sessionAfterArrival, sessionAfterReceipt } from './session-arrival';
import { leastRecentBeyond } from '../../shared/session-order';
import { SESSION_LIST_MAX } from '../../shared/ipc/list-limits';
import { ReviewQueue } from './review-queue';
import { SessionTriageState } from './session-triage';

/** The console setting that holds the reply-time target (supabase/migrations/*_app_settings.sql). */
export const REPLY_TARGET_SETTING = 'console.reply.target_minutes';

/** The reply target in minutes from the console settings; null (no reminders) where the backend has no such setting. */
export function replyTargetFrom(settings: Record<string, unknown>): number | null {
  const value = settings[REPLY_TARGET_SETTING];
  if (value === undefined || value === null) return null;
  const minutes = typeof value === 'string' ? Number(value) : value;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes <= 0) {
    throw new TypeError(`The console setting ${REPLY_TARGET_SETTING} must be a positive whole number of minutes, got ${JSON.stringify(value)}.`);
  }
  return minutes;
}

export interface UserSessionOptions {
  /** Connectivity when the session starts; the outbox waits while offline. */
  online: boolean;
  /**
   * The server's change cursor taken before the session subscribes: every (re)join fetches what changed after it,
   * so nothing committed from then on can be missed, whatever happens to the socket. A kept sign-in's is known once
   * the backend has taken its session up again (its subscription is made only then).
   */
  cursor: string | Promise<string>;
  role: Role;
  language: 'ar' | 'en';
  isSessionVisible(sessionId: string): boolean;
  onRealtimeStatus?(status: RealtimeStatus): void;
  /**
   * The backend refused the user's first list (token refused, rights gone) while the cached one was shown: the cached
   * list is dropped and the shell's core ends the session (the sign-in screen, with the reason).
   */
  onRefused?(error: AppError): void;
  /** The backend answered (true) or could not be reached (false), as the outbox's attempts found it. */
  onBackendReachable?(reachable: boolean): void;
}

// Clients have no emergency to answer: their console never rings.
const ALERTED_FOR_EMERGENCIES: ReadonlySet<Role> = new Set(['reader', 'monitor', 'admin', 'super_admin']);

// Staff read every session (private.is_staff); they review voice notes too.
const STAFF: ReadonlySet<Role> = new Set(['monitor', 'admin', 'super_admin']);
const REVIEWERS = STAFF;

const TYPING_THROTTLE_MS = 2_500;

/** Rows held before the least recent onlooker rows go (forgetLeastRecent): twice the list, so trims are rare. */
export const HELD_ROWS_MAX = 2 * SESSION_LIST_MAX;

export const toOutboxItem = (entry: OutboxEntry): OutboxItem => ({
  clientMessageId: entry.clientMessageId,
  job: entry.job,
  sessionId: entry.sessionId,
  kind: entry.kind,
  body: entry.body,
  fileName: entry.fileName,
  mimeType: entry.mimeType,
  sizeBytes: entry.sizeBytes,
  durationMs: entry.durationMs,
  waveform: entry.waveform,
  replyTo: entry.replyTo,
  createdAt: entry.createdAt,
  state: entry.state,
  attempts: entry.attempts,
  lastError: entry.lastError,
  serverMessageId: entry.serverMessageId,
});

/** Outbox refusals of the user's input or action, as typed errors the renderer translates. */
function outboxError(error: unknown): never {
  if (error instanceof OutboxInputError) {
    throw new AppError({ code: error.code, messageKey: error.messageKey }, { permanent: true, params: { field: error.field, ...error.params } });
  }
  if (error instanceof OutboxActionError) throw new AppError({ code: error.code, messageKey: error.messageKey }, { permanent: true });
  // Review packs refuse with their own coded errors (review.*), whose code doubles as the message key.
  const coded = error as { code?: unknown; messageKey?: unknown };
  if (error instanceof Error && typeof coded.code === 'string' && coded.code.startsWith('review.')) {
    const messageKey = typeof coded.messageKey === 'string' ? coded.messageKey : coded.code;
    throw new AppError({ code: coded.code, messageKey }, { permanent: true, cause: error });
  }
  throw error;
}

/**
 * One signed-in user in one window: their backend connection, their local store and outbox, and the
 * realtime feed turned into contract events. Everything is closed on sign-out.
 */
export class UserSession {
  readonly store: LocalStore;
  readonly outbox: Outbox;
  readonly alerts: AlertCenter;
  /** The review queue of staff (null for readers and clients, who review nothing). */
  readonly reviews: ReviewQueue | null;
  /** The user's muted, snoozed and marked-unread sessions and their do-not-disturb (SQL, per user). */
  readonly triage: SessionTriageState;
  private readonly names = new Map<string, string>();
  /** Sessions the user opened, least recent first: their typing topics are joined (the adapter caps how many). */
  private readonly openSessions: string[] = [];
  private readonly lastTyping = new Map<string, number>();
  private readonly detach: (() => void)[] = [];
  private readonly realtime: RealtimeSubscription;
  /** The server's change cursor: what this console has seen; a (re)join fetches everything after it. */
  private cursor: string | Promise<string>;
  private catchingUp: Promise<void> | null = null;
  private catchUpAgain = false;
  private catchUpRetry: NodeJS.Timeout | null = null;
  private catchUpFailures = 0;
  private closed = false;
  realtimeStatus: RealtimeStatus = 'joining';
  /** The console settings (limits) as last read from the server. */
  private settings: Record<string, unknown> | null = null;
  /** Unread counts per session, kept current from the list and from each pushed session row (the badge is their sum). */
  private readonly unread = new Map<string, number>();
  /** The sessions as last fetched (list or pushed row): with the message cache, they tell which clients are waiting. */
  private readonly sessions = new Map<string, ChatSession>();
  /**
   * Sessions whose row is to be fetched, and those in the call under way: the changes that arrive while one call
   * runs are fetched together by the next (get_sessions), so a busy platform costs fewer calls, not more.
   */
  private readonly sessionsToFetch = new Set<string>();
  private readonly sessionsFetching = new Set<string>();
  private sessionFetch: Promise<void> | null = null;
  private sessionsLoading: Promise<ChatSession[]> | null = null;
  /**
   * The user's list as the local store kept it at sign-in, until the backend's first list answers (null: nothing
   * cached, or replaced). The renderer is handed it once, at once; the backend's list then follows as sessions.listed.
   */
  private cachedList: ChatSession[] | null = null;
  private cachedListShown = false;
  /** The backend's list has answered since sign-in: only then are the held rows the list to keep. */
  private listed = false;
  /** The realtime topics joined since sign-in, and whether the catch-up under way is to refetch the list (reconcile). */
  private readonly joinedTopics = new Set<string>();
  private catchUpStale = false;
  private readonly startedAt = Date.now();
  /** A held row changed since the cached list was last written. */
  private sessionListDirty = false;

  constructor(
    readonly connection: UserConnection,
    dataDir: string,
    private readonly hub: EventHub,
    alertPlatform: AlertPlatform,
    private readonly options: UserSessionOptions,
  ) {
    this.cursor = options.cursor;
    this.alerts = new AlertCenter(alertPlatform, { isSessionVisible: options.isSessionVisible, preferences: { language: options.language } });
    this.triage = new SessionTriageState(connection, this.alerts, hub);
    this.store = openLocalStore({ directory: path.join(dataDir, 'users', connection.userId) });
    this.outbox = new Outbox({
      store: this.store,
      transport: createOutboxTransport(connection),
      online: options.online,
      // The limits the SQL layer applies, as last read: a message over them is refused at once, text kept.
      limits: () => (this.settings ? outboxLimitsFromSettings(this.settings) : null),
    });
    this.detach.push(this.outbox.on((event) => this.onOutboxEvent(event)));
    this.reviews = REVIEWERS.has(options.role) ? new ReviewQueue(connection, hub, alertPlatform, options.language) : null;
    this.realtime = connection.subscribe({
      onEvent: (event) => this.onRealtime(event),
      onStatus: (status) => {
        this.realtimeStatus = status;
        options.onRealtimeStatus?.(status);
      },
      onJoined: (topic) => {
        // A topic's first join soon after sign-in finds the list just read (see reconcile); a rejoin may not.
        const rejoin = this.joinedTopics.has(topic) || Date.now() - this.startedAt >= FIRST_JOIN_COVERED_MS;
        this.joinedTopics.add(topic);
        void this.reconcile(rejoin).catch(() => {});
      },
    });
    this.detach.push(() => this.realtime.close());
    this.outbox.start();
    // What earlier runs left beyond the cache's cap goes once the workspace is up, off the start-up path.
    const trim = setTimeout(() => {
      if (!this.closed) this.store.messages.trimAll();
    }, CACHE_TRIM_DELAY_MS);
    trim.unref?.();
    this.detach.push(() => clearTimeout(trim));
    void this.refreshSettings().catch(() => {});
    const cached = this.store.sessionList.list();
    if (cached.length > 0) {
      this.cachedList = cached;
      const wait = setTimeout(() => this.startFirstList(), FIRST_LIST_WAIT_MS);
      wait.unref?.();
      this.detach.push(() => clearTimeout(wait));
    } else {
      void this.refreshSessions().catch(() => {});
    }
    const save = setInterval(() => this.saveSessionList(), SESSION_LIST_SAVE_MS);
    save.unref?.();
    this.detach.push(() => clearInterval(save));
    void this.triage.load().catch(() => {});
    if (ALERTED_FOR_EMERGENCIES.has(options.role)) {
      void connection
        .listEmergencies()
        .then((all) => this.alerts.syncEmergencies(all.filter((e) => e.state === 'ringing' || e.state === 'escalated')))
        .catch(() => {});
    }
  }

  /** A message the user has not seen before, from someone else: the alert center decides whether it rings. */
  private notifyArrival(message: ChatMessage) {
    if (message.senderId === this.connection.userId) return;
    this.triage.messageArrived(message, this.sessions.get(message.sessionId));
    // An internal note is not a message to answer: only a mention of this user notifies (note_mention).
    if (message.type === 'note') return;
    this.alerts.messageReceived({
      id: message.id,
      sessionId: message.sessionId,
      senderName: this.names.get(message.senderId) ?? null,
      type: message.type,
      body: message.body,
      durationMs: message.durationMs,
    });
  }

  /** Reads the console limits again (at sign-in and after an admin changed them). */
  async refreshSettings() {
    this.settings = await this.connection.consoleSettings();
    this.alerts.setReplyTarget(replyTargetFrom(this.settings));
    return this.settings;
  }

  /**
   * Sessions with unread counts; also learns participants' names for notifications and the badge. Callers while a
   * load is in flight share it: at sign-in the session's own first load and the renderer's first list would
   * otherwise run the costliest read twice, one after the other (changes committed meanwhile arrive as pushes).
   */
  refreshSessions(): Promise<ChatSession[]> {
    if (this.sessionsLoading) return this.sessionsLoading;
    const load = (async () => {
      let sessions: ChatSession[];
      try {
        sessions = await this.connection.listSessions();
      } catch (error) {
        this.firstListFailed(error);
        throw error;
      }
      if (this.closed) return sessions;
      this.unread.clear();
      this.sessions.clear();
      for (const s of sessions) this.learn(s);
      this.updateBadge();
      this.updateWaiting();
      this.listed = true;
      // One write per list (not per message): the next start draws this list at once.
      this.store.sessionList.replace(sessions);
      this.sessionListDirty = false;
      const replacesShown = this.cachedListShown && this.cachedList !== null;
      this.cachedList = null;
      if (replacesShown) this.hub.emit('sessions.listed', { sessions });
      return sessions;
    })().finally(() => {
      this.sessionsLoading = null;
    });
    this.sessionsLoading = load;
    return load;
  }

  /**
   * The renderer's list: at the first ask after sign-in, the cached rows at once (refreshing: the backend's list
   * follows as sessions.listed and replaces them); otherwise the backend's list (shared with a load in flight).
   */
  async sessionsForRenderer(): Promise<{ sessions: ChatSession[]; refreshing: boolean }> {
    if (this.cachedList && !this.cachedListShown) {
      this.cachedListShown = true;
      // After this answer has left: the backend's answer, 500 rows, is parsed on this thread.
      setImmediate(() => this.startFirstList());
      return { sessions: this.cachedList, refreshing: true };
    }
    return { sessions: await this.refreshSessions(), refreshing: false };
  }

  private startFirstList() {
    if (this.closed || this.cachedList === null || this.sessionsLoading) return;
    void this.refreshSessions().catch(() => {});
  }

  /**
   * The backend's list failed while the cached one stood in for it. Refused (the token or the user's rights): the
   * cached list goes, from the screen and the store, and the core signs the user out. Otherwise (the backend did not
   * answer) the renderer asks again and shows the failure, as it does without a cache.
   */
  private firstListFailed(error: unknown) {
    if (this.closed || this.cachedList === null) return;
    const shown = this.cachedListShown;
    this.cachedList = null;
    // The token refused (PostgREST's or the SQL's auth.required), the account or its profile gone, the rights gone.
    const refused = error instanceof AppError && (REFUSALS.has(error.messageKey) || error.code === 'backend.forbidden');
    if (refused) {
      this.store.sessionList.clear();
      this.options.onRefused?.(error);
    }
    if (shown) this.hub.emit('sessions.changed', { sessionId: null });
  }

  /** The held rows, written as the cached list when one changed since the last write (at intervals and at sign-out). */
  private saveSessionList() {
    if (!this.sessionListDirty || !this.listed || this.closed) return;
    this.sessionListDirty = false;
    this.store.sessionList.replace(this.sessions.values());
  }

  private learn(session: ChatSession) {
    for (const p of session.participants) this.names.set(p.userId, p.displayName);
    this.unread.set(session.id, session.unreadCount);
    this.sessions.set(session.id, session);
  }

  /** Who waits for this user's reply, recomputed whenever a session row changes (every message changes its row). */
  private updateWaiting() {
    if (this.closed) return;
    this.alerts.setWaitingClients(
      waitingClients(this.connection.userId, this.sessions.values(), (sessionId, limit) => this.store.messages.pageBefore(sessionId, null, limit)),
    );
  }

  private updateBadge() {
    // Per session: the alert center leaves muted and snoozed sessions out and counts marked-unread ones.
    this.alerts.setUnreadCounts(this.unread);
  }

  /**
   * A pushed change to one session: its row is fetched (with the others changed meanwhile, in one call) and handed
   * to the renderer to merge. Never a reload of the whole list.
   */
  private sessionChanged(sessionId: string) {
    this.sessionsToFetch.add(sessionId);
    this.sessionFetch ??= this.fetchChangedSessions().finally(() => {
      this.sessionFetch = null;
    });
  }

  private async fetchChangedSessions() {
    while (this.sessionsToFetch.size > 0 && !this.closed) {
      const ids = [...this.sessionsToFetch].slice(0, GET_SESSIONS_MAX);
      for (const id of ids) {
        this.sessionsToFetch.delete(id);
        this.sessionsFetching.add(id);
      }
      try {
        const rows = new Map((await this.connection.getSessions(ids)).map((row) => [row.id, row]));
        // A session changed again meanwhile is fetched again next: its row from this call may predate that change.
        for (const id of ids) if (!this.sessionsToFetch.has(id)) this.sessionUpdated(id, rows.get(id) ?? null);
      } catch {
        this.hub.emit('sessions.changed', { sessionId: null });
      } finally {
        for (const id of ids) this.sessionsFetching.delete(id);
      }
    }
  }

  /**
   * A new message in a session: its row moves here, from the message, when the rules allow (sessionAfterArrival),
   * else it is fetched. A fetch already under way may predate the message: it is made again after it.
   */
  private messageArrived(message: ChatMessage) {
    const cached = this.sessions.get(message.sessionId);
    const next = cached ? sessionAfterArrival(cached, message, this.connection.userId) : null;
    if (next) this.sessionUpdated(message.sessionId, next);
    if (!next || this.sessionsFetching.has(message.sessionId)) this.sessionChanged(message.sessionId);
  }

  /**
   * Staff hear of every message on staff:sessions, with the message as staff read it. In a session they are part of,
   * the message reaches them on their own topic too (chat_message), which moves the row: nothing more to do. In one
   * they look on, it moves the held row the same way (and reaches the conversation if it is open), so a staff console
   * reads a session's row once, not once per message. A row it does not hold yet comes with the event, as staff who
   * have not joined the session read it: taken as it is, unless this user has joined (then the unread count and last
   * read are theirs, and fetched). True when nothing is left to fetch.
   */
  private activityArrived(sessionId: string, record: Record<string, unknown> | undefined, row: unknown): boolean {
    const cached = this.sessions.get(sessionId);
    if (cached && this.joined(cached)) return true;
    if (!record) return false;
    const message = toServerMessage(toMessageRow(record));
    if (this.openSessions.includes(sessionId)) {
      // Only conversations on screen keep what they are shown: a staff console's cache does not take the platform's traffic.
      this.store.messages.upsertMessages([message]);
      this.hub.emit('messages.changed', { messages: [message] });
    }
    if (this.sessionsFetching.has(sessionId)) return false;
    const carried = cached ? null : onlookerRow(row, sessionId);
    const next = cached
      ? sessionAfterArrival(cached, message, this.connection.userId)
      : carried && !this.joined(carried)
        ? carried
        : null;
    if (!next) return false;
    this.sessionUpdated(sessionId, next);
    return true;
  }

  /**
   * A staff console hears of every session of the platform; holding each row it was ever sent would grow all day.
   * Past HELD_ROWS_MAX, the rows of sessions this user only looks on go, least recently active first, down to the
   * list's own size (the renderer holds no more either); a later message brings its row again (activityArrived). The
   * user's own sessions, open conversations and active emergencies stay.
   */
  private forgetLeastRecent() {
    const kept = (s: ChatSession) => this.openSessions.includes(s.id) || (s.type === 'emergency' && s.status === 'active') || this.joined(s);
    for (const id of leastRecentBeyond(this.sessions.values(), SESSION_LIST_MAX, kept)) {
      this.sessions.delete(id);
      this.unread.delete(id);
      this.alerts.setSessionUnread(id, null);
      this.alerts.setSessionWaiting(id, null);
    }
  }

  /** Whether a session's messages are this user's own to keep and be alerted to: all of them but staff's onlooking. */
  private takesPart(sessionId: string): boolean {
    if (!STAFF.has(this.options.role) || this.openSessions.includes(sessionId)) return true;
    const held = this.sessions.get(sessionId);
    return held ? this.joined(held) : false;
  }

  /** Whether this user is among the row's participants. */
  private joined(session: ChatSession): boolean {
    return session.participants.some((p) => p.userId === this.connection.userId);
  }

  /** Someone else read up to a point: their receipt moves the held row (true), else the row is to be fetched. */
  private receiptArrived(sessionId: string, payload: Record<string, unknown>): boolean {
    const cached = this.sessions.get(sessionId);
    const userId = typeof payload.user_id === 'string' ? payload.user_id : null;
    if (!cached || !userId || this.sessionsFetching.has(sessionId)) return false;
    const next = sessionAfterReceipt(cached, userId, isoTimestamp(payload.last_read_at), this.connection.userId);
    if (!next) return false;
    this.sessionUpdated(sessionId, next);
    return true;
  }

  /** One session's new row (null: the user may no longer see it): the badge, the waits and the renderer follow it alone. */
  private sessionUpdated(sessionId: string, session: ChatSession | null) {
    if (this.closed) return;
    this.sessionListDirty = true;
    if (session) {
      this.learn(session);
      if (this.sessions.size > HELD_ROWS_MAX) this.forgetLeastRecent();
    } else {
      this.unread.delete(sessionId);
      this.sessions.delete(sessionId);
    }
    this.alerts.setSessionUnread(sessionId, session ? session.unreadCount : null);
    this.alerts.setSessionWaiting(
      sessionId,
      session ? waitingClientOf(this.connection.userId, session, (id, limit) => this.store.messages.pageBefore(id, null, limit)) : null,
    );
    this.hub.emit('sessions.changed', { sessionId, session });
  }

  private onOutboxEvent(event: OutboxEvent) {
    if (event.type === 'sent') this.options.onBackendReachable?.(true);
    else if (event.type === 'queued' && event.entry.lastError?.code === 'backend.unavailable') this.options.onBackendReachable?.(false);
    if (event.type === 'cancelled') {
      this.hub.emit('outbox.changed', { entry: null, clientMessageId: event.clientMessageId, state: 'cancelled' });
      return;
    }
    this.hub.emit('outbox.changed', { entry: toOutboxItem(event.entry), clientMessageId: event.entry.clientMessageId, state: event.entry.state });
    if (event.type === 'sent' && event.message) this.hub.emit('messages.changed', { messages: [event.message] });
  }

  private onRealtime(event: RealtimeEvent) {
    if (this.reviews?.onRealtime(event)) return;
    const record = event.payload.record as Record<string, unknown> | undefined;
    if (event.event === 'chat_message' && record) {
      const message = toServerMessage(toMessageRow(record));
      const isNew = event.payload.operation === 'INSERT' || !this.store.messages.get(message.id);
      this.store.messages.upsertMessages([message]);
      this.hub.emit('messages.changed', { messages: [message] });
      if (event.payload.operation === 'INSERT') this.messageArrived(message);
      else this.sessionChanged(message.sessionId);
      if (isNew) this.notifyArrival(message);
    } else if (event.event === 'emergency_call' && record) {
      const emergency = toEmergencyRow(record);
      this.hub.emit('emergencies.changed', { emergency });
      if (ALERTED_FOR_EMERGENCIES.has(this.options.role)) {
        this.alerts.emergencyUpdated({ ...emergency, clientName: this.names.get(emergency.clientId) ?? null });
      }
    } else if (event.event === 'note_mention') {
      const messageId = String(event.payload.message_id ?? '');
      const sessionId = String(event.payload.session_id ?? '');
      if (messageId && sessionId) {
        this.alerts.noteMentioned({
          messageId,
          sessionId,
          senderName: typeof event.payload.sender_name === 'string' ? event.payload.sender_name : null,
          preview: typeof event.payload.preview === 'string' ? event.payload.preview : '',
        });
      }
    } else if (event.event === 'presence') {
      this.presenceChanged(event.payload);
    } else if (event.event === 'typing') {
      const userId = String(event.payload.user_id ?? '');
      const sessionId = String(event.payload.session_id ?? '');
      if (userId && sessionId && userId !== this.connection.userId) this.hub.emit('sessions.typing', { sessionId, userId });
    } else if (
      event.event === 'session_activity' ||
      event.event === 'participant_joined' ||
      event.event === 'read_receipt' ||
      event.event === 'chat_session' ||
      event.event === 'session_participants'
    ) {
      const sessionId = String(event.payload.session_id ?? (record?.id as string | undefined) ?? '');
      if (event.event === 'session_activity' && this.activityArrived(sessionId, record, event.payload.session)) return;
      if (event.event === 'read_receipt' && this.receiptArrived(sessionId, event.payload)) return;
      if (event.event === 'chat_session' && record?.status === 'ended') this.sessionClosed(sessionId);
      if (sessionId) this.sessionChanged(sessionId);
      else this.hub.emit('sessions.changed', { sessionId: null });
    }
  }

  /**
   * Someone's presence changed (the fixed payload {user_id, availability}): the sessions as cached here follow, and
   * the renderer updates every list showing them. No fetch: one event per change, whatever the number of sessions.
   */
  private presenceChanged(payload: Record<string, unknown>) {
    const userId = typeof payload.user_id === 'string' ? payload.user_id : '';
    const parsed = availabilitySchema.safeParse(payload.availability);
    if (!userId || !parsed.success) return;
    const availability = parsed.data;
    for (const [id, session] of this.sessions) {
      if (!session.participants.some((p) => p.userId === userId && p.availability !== availability)) continue;
      this.sessions.set(id, { ...session, participants: session.participants.map((p) => (p.userId === userId ? { ...p, availability } : p)) });
    }
    this.hub.emit('presence.changed', { userId, availability });
  }

  /**
   * After every (re)join: fetch what changed after the server cursor, so nothing broadcast while the socket was
   * down (sleep, server restart, token expiry) is missed. Runs one at a time; a join during a run asks for another.
   */
  reconcile(listMayBeStale = true): Promise<void> {
    this.catchUpStale ||= listMayBeStale;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return this.catchingUp;
    }
    if (this.catchUpRetry) clearTimeout(this.catchUpRetry);
    this.catchUpRetry = null;
    this.catchingUp = (async () => {
      do {
        this.catchUpAgain = false;
        let page;
        do {
          page = await this.connection.messagesChangedSince(await this.cursor);
          const listFollows = this.catchUpStale;
          const changed = page.messages.map(toServerMessage);
          // Staff read every session's changes. As live (chat_message for their own, staff:sessions for the rest), only
          // the sessions they take part in or have open are kept, ring and move their rows; the others move a held row,
          // and any other is left to the whole list read that follows a stale catch-up (else its row is fetched).
          const own = changed.filter((m) => this.takesPart(m.sessionId));
          if (own.length > 0) {
            // What arrived while the socket was down rings like what arrives live (once: the alert center dedupes).
            const arrivals = own.filter((m) => !this.store.messages.get(m.id));
            this.store.messages.upsertMessages(own);
            this.hub.emit('messages.changed', { messages: own });
            for (const m of arrivals) this.notifyArrival(m);
            for (const sessionId of new Set(arrivals.map((m) => m.sessionId))) this.sessionChanged(sessionId);
          }
          const kept = new Set(own);
          for (const m of changed) {
            if (kept.has(m)) continue;
            const held = this.sessions.get(m.sessionId);
            const next = held && !this.sessionsFetching.has(m.sessionId) ? sessionAfterArrival(held, m, this.connection.userId) : null;
            if (next) this.sessionUpdated(m.sessionId, next);
            else if (!listFollows) this.sessionChanged(m.sessionId);
          }
          // Only once the page is applied: a crash or failure in between fetches it again, never skips it.
          this.cursor = page.cursor;
        } while (!page.complete);
        this.catchUpFailures = 0;
        this.reviews?.caughtUp();
        // Unread counts and the order of sessions may have changed meanwhile. Not after the channels' first joins soon
        // after sign-in: the first list is read after the cursor was taken (messages since then come as arrivals above),
        // and asking for the whole list again would read it twice at start-up (on the embedded backend, one after the
        // other, each holding the process's thread).
        if (this.catchUpStale) {
          this.catchUpStale = false;
          this.hub.emit('sessions.changed', { sessionId: null });
        }
      } while (this.catchUpAgain);
    })()
      .catch((error: unknown) => {
        // The server went away again mid-catch-up: try again (the next join will also ask), keeping the cursor.
        if (this.closed) return;
        const delay = Math.min(1_000 * 2 ** this.catchUpFailures++, 30_000);
        this.catchUpRetry = setTimeout(() => void this.reconcile().catch(() => {}), delay);
        this.catchUpRetry.unref?.();
        throw error;
      })
      .finally(() => {
        this.catchingUp = null;
      });
    return this.catchingUp;
  }

  setOnline(online: boolean) {
    this.outbox.setOnline(online);
    if (online) void this.reconcile().catch(() => {});
  }

  /** Cache first (instant), then the server's page reconciles the cache and reaches the renderer as an event. */
  page(sessionId: string, before: { createdAt: string; id: string } | undefined, limit: number) {
    this.sessionOpened(sessionId);
    const cached = this.store.messages.pageBefore(sessionId, before ?? null, limit);
    void this.connection
      .listMessages(sessionId, { ...(before ? { before } : {}), limit })
      .then((rows) => {
        const fresh = rows.map(toServerMessage);
        this.store.messages.upsertMessages(fresh);
        const cachedIds = new Set(cached.map((m) => `${m.id}:${m.status}:${m.editedAt ?? ''}:${m.reviewedAt ?? ''}`));
        const changed = fresh.filter((m) => !cachedIds.has(`${m.id}:${m.status}:${m.editedAt ?? ''}:${m.reviewedAt ?? ''}`));
        if (changed.length > 0) this.hub.emit('messages.changed', { messages: changed });
      })
      .catch(() => {});
    const pending = before ? [] : this.outbox.unsent(sessionId).map(toOutboxItem);
    return { messages: cached as ChatMessage[], pending };
  }

  private sessionOpened(sessionId: string) {
    const at = this.openSessions.indexOf(sessionId);
    if (at === this.openSessions.length - 1 && at >= 0) return;
    if (at >= 0) this.openSessions.splice(at, 1);
    this.openSessions.push(sessionId);
    this.realtime.setOpenSessions(this.openSessions);
  }

  /** A session ended or left: its typing topic is left. */
  sessionClosed(sessionId: string) {
    const at = this.openSessions.indexOf(sessionId);
    if (at < 0) return;
    this.openSessions.splice(at, 1);
    this.realtime.setOpenSessions(this.openSessions);
  }

  /**
   * An internal note goes straight to the server (not through the outbox: a note is written while online, and a
   * refusal is shown at once); the id is its client_message_id, so a retry of the same call cannot duplicate it.
   */
  async addNote(sessionId: string, body: string, mentions: readonly string[]): Promise<ChatMessage> {
    const message = toServerMessage(await this.connection.addNote({ sessionId, clientMessageId: randomUUID(), body, mentions }));
    this.store.messages.upsertMessages([message]);
    this.hub.emit('messages.changed', { messages: [message] });
    return message;
  }

  async sendText(sessionId: string, body: string, replyTo: string | null) {
    this.store.drafts.clear(sessionId);
    return toOutboxItem(await this.outbox.enqueue({ sessionId, kind: 'text', body, replyTo }).catch(outboxError));
  }

  async sendFile(input: {
    sessionId: string;
    kind: 'audio' | 'image' | 'file';
    fileName: string;
    mimeType: string;
    bytes: Uint8Array;
    durationMs?: number;
    waveform?: number[];
    body?: string | null;
    replyTo?: string | null;
  }) {
    const common = { sessionId: input.sessionId, file: { bytes: input.bytes }, fileName: input.fileName, mimeType: input.mimeType, body: input.body ?? null, replyTo: input.replyTo ?? null };
    const entry =
      input.kind === 'audio'
        ? await this.outbox
            .enqueue({ ...common, kind: 'audio', durationMs: input.durationMs ?? 0, waveform: input.waveform ?? [] })
            .catch(outboxError)
        : await this.outbox.enqueue({ ...common, kind: input.kind }).catch(outboxError);
    return toOutboxItem(entry);
  }

  retry(clientMessageId: string) {
    try {
      return toOutboxItem(this.outbox.retry(clientMessageId));
    } catch (error) {
      return outboxError(error);
    }
  }

  async cancel(clientMessageId: string) {
    await this.outbox.cancel(clientMessageId).catch(outboxError);
  }

  async decide(messageId: string, decision: 'approve' | 'reject', reason: string | undefined) {
    if (decision === 'reject' && !reason?.trim()) {
      throw new AppError({ code: 'SA442', messageKey: 'review.reason_required' }, { permanent: true });
    }
    if (this.store.reviewPacks.item(messageId)) {
      try {
        return { via: 'outbox' as const, entry: toOutboxItem(this.outbox.enqueueReview({ messageId, decision, reason: reason?.trim() || null })) };
      } catch (error) {
        return outboxError(error);
      }
    }
    const row = toServerMessage(await this.connection.reviewAudio(messageId, decision, reason?.trim() || undefined));
    this.store.messages.upsertMessages([row]);
    return { via: 'server' as const, message: row };
  }

  /** Downloads pending voice notes (metadata and audio) into a review pack for offline review. */
  async downloadPack(label: string, limit: number) {
    const pending = await this.connection.pendingAudio(limit);
    const items = [];
    for (const row of pending) {
      if (!row.storagePath) continue;
      items.push({ message: toServerMessage(row), senderName: this.names.get(row.senderId ?? '') ?? null, audio: await this.connection.downloadFile(row.storagePath) });
    }
    const packId = `pack-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      const result = await this.store.reviewPacks.importPack({ id: packId, label, items });
      return { packId, ...result };
    } catch (error) {
      return outboxError(error);
    }
  }

  async typing(sessionId: string) {
    const now = Date.now();
    if (now - (this.lastTyping.get(sessionId) ?? 0) < TYPING_THROTTLE_MS) return;
    this.lastTyping.set(sessionId, now);
    await this.connection.broadcastTyping(sessionId);
  }

  /** The cached copy's path of a chat file, downloaded under the user's rights first if needed. */
  async mediaFile(storagePath: string): Promise<string> {
    const cached = await this.store.audioCache.get(storagePath);
    if (cached) return cached;
    const bytes = await this.connection.downloadFile(storagePath);
    return this.store.audioCache.put(storagePath, bytes);
  }

  /** A file of the chat, from the size-capped cache or downloaded under the user's rights (then cached). */
  async media(storagePath: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(await this.mediaFile(storagePath)));
  }

  async removePack(packId: string) {
    await this.store.reviewPacks.removePack(packId).catch(outboxError);
  }

  async listEmergencies(): Promise<Emergency[]> {
    return this.connection.listEmergencies();
  }

  async close() {
    this.saveSessionList();
    this.closed = true;
    this.triage.close();
    if (this.catchUpRetry) clearTimeout(this.catchUpRetry);
    this.alerts.dispose();
    await this.reviews?.close();
    for (const detach of this.detach.splice(0)) detach();
    await this.outbox.close();
    this.store.close();
  }
}

/** The session row a staff:sessions event carries, when it is one (a malformed one is ignored: the row is then fetched). */
function onlookerRow(row: unknown, sessionId: string): ChatSession | null {
  if (!row || typeof row !== 'object' || (row as { id?: unknown }).id !== sessionId) return null;
  try {
    return toSessionRow(row as Record<string, unknown>);
  } catch {
    return null;
  }
}
