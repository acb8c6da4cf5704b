import { AppError } from '../../shared/ipc/errors';
import type { AuthState, ConnectionState, Profile } from '../../shared/ipc/contract';
import type { Backend, ProfileRow, UserConnection } from '../backend/backend-port';
import { createDispatcher, type RequestHandlers } from '../ipc/dispatcher';
import { EventHub } from '../ipc/event-hub';
import { isOpenableExternalUrl } from '../security/url-policy';
import { UserSession } from './user-session';
import { toServerMessage } from './backend-outbox-transport';
import { mediaTypeOf } from '../media/media-types';
import { readSavedBackendChoice, saveBackendChoice } from './backend-config';
import type { AlertPlatform, AlertRendererEmit } from '../alerts';
import { PageActivity, PresenceTracker, idleMinutesFrom, type ActivitySource } from './presence';
import { figuresCsv, figuresFileName } from '../figures/figures-csv';
import { withDeadline } from './deadline';
import { startupMark } from './startup-trace';
import type { StartingBackend } from './console-startup';
import type { KeptSignIn, KeptSignIns } from './kept-sign-in';
import { RestoringConnection } from './restoring-connection';

/** What the core needs from the shell it runs in (Electron, or the web shell's Node host). */
export interface ShellServices {
  shell: 'electron' | 'webshell';
  appName: string;
  version: string;
  /**
   * The backend, shared by every window or page of this process: started, or still opening (console-startup.ts),
   * in which case the sign-in form is answered meanwhile and signing in waits for it.
   */
  backend: Backend | StartingBackend;
  /** The app's data folder: each signed-in user's local store lives under it. */
  dataDir: string;
  /**
   * The sign-in kept across restarts (kept-sign-in.ts), shared by the process's windows or pages: the first core
   * that starts opens its workspace at once. Absent, every start asks for the password (tests' cores).
   */
  keptSignIn?: KeptSignIns;
  /** Where this window's media route lives (Electron's media protocol or the web shell's /media route), ending in '/'. */
  mediaBaseUrl?: string;
  /** The OS alert surface for one window: Electron's notifications and tray, or the headless recorder. */
  createAlertPlatform(emit: AlertRendererEmit): AlertPlatform & { setWindowFocused?(focused: boolean): void };
  /** Opens a web link in the OS browser; the URL has already been checked to be http(s). */
  openExternal(url: string): Promise<boolean>;
  /**
   * Where this window's presence learns of input, locks and sleep (Electron: powerMonitor). Without one, the page
   * reports its own activity (presence.activity), as the web shell's page does.
   */
  createActivitySource?(): ActivitySource;
  /** Asks where to save a CSV report and writes it (Electron); absent where the page downloads it (web shell). */
  saveCsv?(fileName: string, csv: string): Promise<{ saved: boolean; fileName: string | null }>;
  log(level: 'info' | 'warn' | 'error', message: string, detail?: unknown): void;
}

/** Per-call facts the transport vouches for (the sender frame has already been checked). */
export interface CallContext {
  /** Identifies the window or web shell page that made the call. */
  origin: string;
}

const toProfile = (row: ProfileRow): Profile => ({
  id: row.id,
  displayName: row.displayName,
  role: row.role,
  preferredLanguage: row.preferredLanguage,
  // The user's own choice where the backend tells it: what their forms and switch show (others see `availability`).
  availability: row.availabilityChoice ?? row.availability,
  emergencyOptIn: row.emergencyOptIn,
});

/** How long signing out, closing or quitting waits for "offline" to reach the server: never a hung quit. */
const PRESENCE_OFFLINE_DEADLINE_MS = 3_000;

const signedOut = () => new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: true });

const base64ToBytes = (value: string) => new Uint8Array(Buffer.from(value, 'base64'));

/**
 * The main-process core, independent of Electron: the request handlers and the event hub for one
 * window (or web shell page). The Electron shell and the web shell each create one per window or page
 * and carry the contract to it; neither adds behaviour of its own.
 */
export function createConsoleCore(services: ShellServices) {
  const hub = new EventHub();
  const starting: StartingBackend =
    'ready' in services.backend ? services.backend : { kind: services.backend.kind, ready: Promise.resolve(services.backend), firstRunHint: null };
  const backendKind = starting.kind;
  /** The backend once it has started (at once when the shell passed a started one). */
  let backend: Backend | null = 'ready' in services.backend ? null : services.backend;
  // A "starting" state was handed out: the page hears the backend's own answer once it is up.
  let startingShown = false;
  const ready = starting.ready.then((started) => {
    backend = started;
    return started;
  });
  ready.catch(() => {});
  const startedBackend = async (): Promise<Backend> => {
    try {
      return await ready;
    } catch (error) {
      throw new AppError({ code: 'app.start_failed', messageKey: 'errors.app.start_failed' }, { permanent: true, cause: error });
    }
  };
  let session: UserSession | null = null;
  let sessionGeneration = 0;
  let profile: Profile | null = null;
  const view = { focused: true, visibleSessionId: null as string | null };
  let isOnline = true;
  const connectionState: ConnectionState = { online: true, backend: 'reachable', realtime: 'down' };
  const setConnection = (change: Partial<ConnectionState>) => {
    const next = { ...connectionState, ...change };
    // The realtime channels joined means the backend answers too.
    if (change.realtime === 'joined') next.backend = 'reachable';
    if (next.online === connectionState.online && next.backend === connectionState.backend && next.realtime === connectionState.realtime) return;
    Object.assign(connectionState, next);
    hub.emit('connection.changed', { ...connectionState });
  };
  const alertPlatform = services.createAlertPlatform((name, payload) => hub.emit(name, payload as never));
  // Presence: the shell's activity source, or what the page reports. One tracker per signed-in user.
  const pageActivity = new PageActivity();
  let presence: PresenceTracker | null = null;
  let idleMinutes = 5;
  const learnIdleMinutes = (settings: Record<string, unknown>) => {
    try {
      idleMinutes = idleMinutesFrom(settings);
    } catch (error) {
      services.log('warn', 'presence: keeping the idle time, the setting is not usable', error);
    }
  };

  const user = (): UserSession => {
    if (!session) throw signedOut();
    return session;
  };
  const connection = (): UserConnection => user().connection;
  // Readers and clients have no queue: the same refusal the SQL gives them (review.forbidden), without a round trip.
  const reviewQueue = () => {
    const queue = user().reviews;
    if (!queue) throw new AppError({ code: 'SA440', messageKey: 'review.forbidden' }, { permanent: true });
    return queue;
  };

  async function state(expired = false): Promise<AuthState> {
    const reason = expired ? { signedOutReason: 'expired' as const } : {};
    // Signed in (a kept sign-in too, while the backend still opens): nothing to ask the backend.
    if (profile) return { profile, backend: backendKind, firstRun: false };
    if (!backend && !profile && starting.firstRunHint === false) {
      startingShown = true;
      startupMark('sign-in form answered (backend starting)');
      return { profile: null, backend: backendKind, firstRun: false, starting: true, ...reason };
    }
    // Whether this is a first run is the backend's answer: wait for it.
    const started = backend ?? (await startedBackend());
    const firstRun = profile ? false : await started.needsFirstRun();
    // Read after the wait: a sign-in may have completed meanwhile.
    return { profile, backend: backendKind, firstRun: profile ? false : firstRun, ...reason };
  }
  void ready
    .then(
      async () => {
        if (!startingShown || profile) return;
        const current = await state();
        // Signed in while the backend's answer was read: that sign-in has announced itself.
        if (!current.profile && !profile) hub.emit('auth.changed', current);
      },
      () => {},
    )
    // The backend gone again before it answered (the app quitting at once): the form's next request says so.
    .catch((error: unknown) => services.log('warn', 'the sign-in form could not be told the backend is up', error));

  async function begin(conn: UserConnection, cursor: string | Promise<string> = conn.signedInCursor): Promise<AuthState> {
    await end();
    profile = toProfile(conn.signedInProfile);
    // The cursor was taken at the sign-in, before anything subscribes: whatever is committed from then on reaches this
    // console, live or by catch-up. Callbacks of an ended session (they can fire late, or during construction) must
    // not touch the new one.
    const generation = ++sessionGeneration;
    session = new UserSession(conn, services.dataDir, hub, alertPlatform, {
      online: isOnline,
      cursor,
      role: profile.role,
      language: profile.preferredLanguage,
      isSessionVisible: (sessionId) => view.focused && view.visibleSessionId === sessionId,
      onRealtimeStatus: (status) => {
        if (generation === sessionGeneration) setConnection({ realtime: status });
      },
      onBackendReachable: (reachable) => {
        if (generation === sessionGeneration) setConnection({ backend: reachable ? 'reachable' : 'unreachable' });
      },
      // The backend refused the first list while the cached one was shown (UserSession dropped it): signed out.
      onRefused: () => endRefused(generation),
    });
    // The session could not be renewed: back to the sign-in screen. The outbox stays in the user's local store
    // and resumes when they sign in again.
    conn.onExpired(() => endRefused(generation));
    startPresence(conn, generation, profile.availability ?? 'online');
    const current = await state();
    startupMark('user session started');
    hub.emit('auth.changed', current);
    return current;
  }

  /** A new sign-in is the one kept for the next start; a newer profile of the kept one replaces the one kept. */
  function keepSignIn(newSignIn: boolean) {
    const kept = services.keptSignIn;
    if (!kept || !session || !profile) return;
    const slot = session.connection.slot;
    if (newSignIn || kept.isKept(slot)) kept.keep({ userId: profile.id, slot, profile });
  }

  /**
   * The sign-in kept from the last run: its workspace opens now, from the user's local store (the kept session list,
   * cached messages, the outbox), and the backend takes the session up behind it. Restored: the profile read then
   * replaces the kept one (a changed role starts the session again, its rights and queues being another's). Refused:
   * forgotten, and back to the sign-in screen saying the session expired. The backend unable to start: the sign-in
   * screen, where signing in says so; the sign-in stays kept for the next start.
   */
  async function resume(kept: KeptSignIn): Promise<void> {
    const restoring = new RestoringConnection(kept, async () => (await startedBackend()).restore(kept.slot, kept.userId));
    startupMark('kept sign-in resumed');
    const cursor = restoring.restored.then((restored) => restored.signedInCursor);
    // Only the catch-up after the channels' join reads it, and a restore that fails is handled below.
    cursor.catch(() => {});
    await begin(restoring.connection, cursor);
    const generation = sessionGeneration;
    restoring.restored.then(
      async (restored) => {
        if (generation !== sessionGeneration) return;
        startupMark('kept sign-in restored by the backend');
        const fresh = toProfile(restored.signedInProfile);
        if (fresh.role !== profile?.role) {
          await end('keep');
          await begin(restored);
        } else {
          profile = fresh;
          hub.emit('auth.changed', await state());
        }
        keepSignIn(false);
      },
      async (error: unknown) => {
        if (generation !== sessionGeneration) return;
        if (error instanceof AppError && error.code === 'app.start_failed') {
          await end('close');
          services.keptSignIn?.release(kept.slot);
          hub.emit('auth.changed', { profile: null, backend: backendKind, firstRun: false });
        } else endRefused(generation);
      },
    ).catch((error: unknown) => services.log('error', 'taking up the kept sign-in failed', error));
  }

  /** The backend no longer takes this user's session (expired, revoked, refused): back to the sign-in screen, saying so. */
  function endRefused(generation: number) {
    if (generation !== sessionGeneration) return;
    void end()
      .then(async () => hub.emit('auth.changed', await state(true)))
      .catch((error: unknown) => services.log('error', 'ending a refused session failed', error));
  }

  /** Signed in: the console shows the user's choice (online by default) and follows their activity. */
  function startPresence(conn: UserConnection, generation: number, choice: NonNullable<Profile['availability']>) {
    const tracker = new PresenceTracker({
      activity: services.createActivitySource?.() ?? pageActivity,
      publisher: { show: (availability) => conn.setPresence(availability), heartbeat: () => conn.presenceHeartbeat() },
      idleMinutes: () => idleMinutes,
      onChoice: (next) => {
        if (generation !== sessionGeneration || !profile) return;
        profile = { ...profile, availability: next };
        keepSignIn(false);
        void state().then((current) => hub.emit('auth.changed', current));
      },
      log: (message, detail) => services.log('warn', message, detail),
    });
    presence = tracker;
    void conn
      .consoleSettings()
      .then((settings) => learnIdleMinutes(settings))
      .catch(() => {})
      .finally(() => {
        if (generation === sessionGeneration) void tracker.start(choice);
      });
  }

  /**
   * Ends this core's user session. 'sign-out' (the user's choice, a refusal, another sign-in here): the session is
   * signed out and not kept. 'close' (the window closes, the app quits): the connection is closed and the session
   * stays valid, for a kept sign-in's next start. 'keep': the connection stays open, to start a session on it again.
   */
  async function end(how: 'sign-out' | 'close' | 'keep' = 'sign-out'): Promise<void> {
    const previous = session;
    const tracker = presence;
    presence = null;
    session = null;
    profile = null;
    sessionGeneration++;
    setConnection({ realtime: 'down' });
    // Offline before the sign-out (afterwards the user's rights are gone), bounded so a dead server never holds a quit.
    if (tracker) await withDeadline(tracker.stop().catch(() => {}), PRESENCE_OFFLINE_DEADLINE_MS);
    if (previous) {
      await previous.close();
      if (how === 'sign-out') {
        services.keptSignIn?.forget(previous.connection.slot);
        await previous.connection.signOut();
      } else if (how === 'close') await previous.connection.close();
    }
  }

  const handlers: RequestHandlers<CallContext> = {
    'app.info': () => ({ name: services.appName, version: services.version, shell: services.shell, backend: backendKind }),
    'app.ping': ({ text }) => ({ text, receivedAt: new Date().toISOString() }),
    'auth.getState': async () => {
      await resuming;
      return state();
    },
    'auth.signIn': async ({ email, password }) => {
      const conn = await (await startedBackend()).signIn(email, password);
      startupMark('signed in (password checked, profile read)');
      const current = await begin(conn);
      keepSignIn(true);
      return current;
    },
    'auth.createFirstAccount': async (input) => {
      const current = await begin(await (await startedBackend()).createFirstAccount(input));
      keepSignIn(true);
      return current;
    },
    'auth.signOut': async () => {
      await end();
      const current = await state();
      hub.emit('auth.changed', current);
      return current;
    },
    'accounts.create': (input) => connection().createAccount({ ...input, preferredLanguage: input.preferredLanguage ?? 'en' }),
    'profile.setLanguage': async ({ language }) => {
      await connection().setPreferredLanguage(language);
      profile = toProfile(await connection().profile());
      keepSignIn(false);
      hub.emit('auth.changed', await state());
      return profile;
    },
    'profile.setAvailability': async ({ availability, emergencyOptIn }) => {
      await connection().setAvailability(availability, emergencyOptIn);
      // set_availability shows the choice at once; the tracker shows away instead if the user is idle or locked.
      void presence?.choose(availability);
      profile = toProfile(await connection().profile());
      keepSignIn(false);
      return profile;
    },
    'presence.activity': ({ idleSeconds }) => {
      pageActivity.report({ idleSeconds });
      return { ok: true as const };
    },
    'sessions.list': async () => {
      const listed = await user().sessionsForRenderer();
      startupMark(listed.refreshing ? 'sessions listed (cached)' : 'sessions listed');
      return listed;
    },
    'sessions.openSupport': ({ userId }) => connection().openSupportSession(userId),
    'sessions.viewClosed': ({ sessionId }) => {
      user().sessionClosed(sessionId);
      return { ok: true as const };
    },
    'sessions.assignReader': async ({ sessionId, readerId }) => {
      await connection().assignReader(sessionId, readerId);
      return { ok: true as const };
    },
    'sessions.join': async ({ sessionId }) => {
      await connection().joinSession(sessionId);
      return { ok: true as const };
    },
    'sessions.markRead': async ({ sessionId }) => ({ readAt: await connection().markRead(sessionId) }),
    'sessions.typing': async ({ sessionId }) => {
      await user().typing(sessionId);
      return { ok: true as const };
    },
    'messages.page': ({ sessionId, before, limit }) => user().page(sessionId, before, limit ?? 50),
    'messages.sendText': ({ sessionId, body, replyTo }) => user().sendText(sessionId, body, replyTo ?? null),
    'messages.sendFile': ({ bytesBase64, ...input }) => user().sendFile({ ...input, bytes: base64ToBytes(bytesBase64) }),
    'messages.retry': ({ clientMessageId }) => user().retry(clientMessageId),
    'messages.cancel': async ({ clientMessageId }) => {
      await user().cancel(clientMessageId);
      return { ok: true as const };
    },
    'messages.edit': async ({ messageId, body }) => toServerMessage(await connection().editMessage(messageId, body)),
    'messages.delete': async ({ messageId }) => toServerMessage(await connection().deleteMessage(messageId)),
    'search.messages': async ({ query, sessionId, before, limit }) => {
      const pageSize = limit ?? 20;
      // One more than the page says whether another page follows, without a count.
      const rows = await connection().searchMessages(query, { ...(sessionId ? { sessionId } : {}), ...(before ? { before } : {}), limit: pageSize + 1 });
      return { messages: rows.slice(0, pageSize).map(toServerMessage), hasMore: rows.length > pageSize };
    },
    'search.context': async ({ messageId, before, after }) => ({
      messages: (await connection().messageContext(messageId, { before: before ?? 20, after: after ?? 20 })).map(toServerMessage),
    }),
    'media.url': ({ storagePath }) => {
      user();
      if (!services.mediaBaseUrl) throw new AppError({ code: 'app.not_available', messageKey: 'errors.app.not_available' }, { permanent: true });
      return { url: services.mediaBaseUrl + encodeURIComponent(storagePath) };
    },
    'media.get': async ({ storagePath }) => {
      const bytes = await user().media(storagePath);
      return { bytesBase64: Buffer.from(bytes).toString('base64') };
    },
    'drafts.get': ({ sessionId }) => {
      const draft = user().store.drafts.get(sessionId);
      return { body: draft?.body ?? '', replyTo: draft?.replyTo ?? null };
    },
    'drafts.set': ({ sessionId, body, replyTo }) => {
      if (body.trim() === '') user().store.drafts.clear(sessionId);
      else user().store.drafts.set(sessionId, body, replyTo ?? null);
      return { ok: true as const };
    },
    'reviews.pending': async () => ({
      messages: (await connection().pendingAudio()).map(toServerMessage),
    }),
    'reviews.decide': ({ messageId, decision, reason }) => user().decide(messageId, decision, reason),
    'reviews.downloadPack': ({ label, limit }) => user().downloadPack(label, limit ?? 100),
    'reviews.packs': () => ({ packs: user().store.reviewPacks.packs() }),
    'reviews.packItems': ({ packId }) => ({
      items: user().store.reviewPacks.items(packId).map(({ audioPath: _audioPath, ...item }) => item),
    }),
    'reviews.removePack': async ({ packId }) => {
      await user().removePack(packId);
      return { ok: true as const };
    },
    'settings.get': async () => {
      const settings = (await user().refreshSettings()) as Record<string, string | number | string[]>;
      learnIdleMinutes(settings);
      return { settings };
    },
    'accounts.list': async ({ role }) => ({ people: await connection().listPeople(role) }),
    'accounts.manage.list': async ({ search }) => ({ accounts: await connection().listAccounts(search) }),
    'accounts.manage.setRole': ({ userId, role }) => connection().setAccountRole(userId, role),
    'accounts.manage.setDisabled': ({ userId, disabled }) => connection().setAccountDisabled(userId, disabled),
    'accounts.manage.sendPasswordReset': ({ userId }) => connection().sendPasswordReset(userId),
    'accounts.manage.history': async ({ userId }) => ({ history: await connection().accountHistory(userId) }),
    'settings.set': async ({ key, value }) => {
      await connection().setConsoleSetting(key, value);
      learnIdleMinutes(await user().refreshSettings());
      return { ok: true as const };
    },
    'emergencies.list': async () => ({ emergencies: await user().listEmergencies() }),
    'emergencies.request': () => connection().requestEmergency(),
    'emergencies.accept': ({ callId }) => connection().acceptEmergency(callId),
    'emergencies.acknowledge': ({ callId }) => connection().acknowledgeEmergency(callId),
    'emergencies.resolve': ({ callId, note }) => connection().resolveEmergency(callId, note),
    'alerts.getPreferences': () => user().alerts.getPreferences(),
    'alerts.setPreferences': async (preferences) => {
      // The do-not-disturb switch is the user's, in SQL (public.do_not_disturb): it follows them to every computer.
      const { doNotDisturb } = preferences;
      if (doNotDisturb !== undefined && doNotDisturb !== user().triage.state().doNotDisturb.manual) {
        await user().triage.setDoNotDisturb({ ...user().triage.state().doNotDisturb, manual: doNotDisturb });
      }
      user().alerts.setPreferences(preferences);
      return user().alerts.getPreferences();
    },
    'alerts.openEmergencies': () => ({ emergencies: user().alerts.openEmergencies() }),
    // ---- canned replies and triage ----
    'canned.list': async () => ({ replies: await connection().listCannedReplies() }),
    'canned.save': (reply) => connection().saveCannedReply(reply),
    'canned.delete': async ({ id }) => {
      await connection().deleteCannedReply(id);
      return { ok: true as const };
    },
    'triage.get': () => user().triage.state(),
    'triage.markUnread': ({ sessionId, unread }) => user().triage.markUnread(sessionId, unread),
    'triage.mute': ({ sessionId, muted }) => user().triage.mute(sessionId, muted),
    'triage.snooze': ({ sessionId, until, untilReply }) => user().triage.snooze(sessionId, { until: until ?? null, untilReply: untilReply ?? false }),
    'triage.setDoNotDisturb': (plan) => user().triage.setDoNotDisturb(plan),
    'connection.getState': () => ({ ...connectionState }),
    'app.setViewState': ({ focused, visibleSessionId }) => {
      view.focused = focused;
      view.visibleSessionId = visibleSessionId;
      alertPlatform.setWindowFocused?.(focused);
      if (visibleSessionId && session) session.alerts.sessionRead(visibleSessionId);
      // Looked at in a focused window: a mark of unread comes off.
      if (visibleSessionId && focused && session) void session.triage.seen(visibleSessionId).catch(() => {});
      return { ok: true as const };
    },
    'app.backendSettings': () => {
      const saved = readSavedBackendChoice(services.dataDir);
      return {
        current: backendKind,
        saved: saved ? { kind: saved.kind, url: saved.kind === 'supabase' ? saved.url : null } : null,
        fromEnvironment: Boolean(process.env.SUPABASE_URL && process.env.SUPABASE_ANON_KEY),
      };
    },
    'app.saveBackendSettings': (choice) => {
      // Choosing the backend is the machine owner's decision: refused once someone is signed in without admin rights.
      if (profile && profile.role !== 'admin' && profile.role !== 'super_admin') {
        throw new AppError({ code: 'auth.forbidden', messageKey: 'errors.auth.forbidden' }, { permanent: true });
      }
      saveBackendChoice(services.dataDir, choice);
      return { restartRequired: true as const };
    },
    'notes.add': ({ sessionId, body, mentions }) => user().addNote(sessionId, body, mentions ?? []),
    'notes.mentionCandidates': async ({ sessionId }) => ({ people: await connection().noteMentionCandidates(sessionId) }),
    'history.client': async ({ clientId }) => {
      const { sessions, notes } = await connection().clientHistory(clientId);
      return { sessions, notes: notes.map(toServerMessage) };
    },
    'figures.get': ({ from, to }) => connection().figures(from, to),
    'figures.exportCsv': async (range) => {
      const csv = figuresCsv(await connection().figures(range.from, range.to), range);
      const fileName = figuresFileName(range);
      if (!services.saveCsv) return { via: 'download' as const, fileName, csv };
      return { via: 'dialog' as const, ...(await services.saveCsv(fileName, csv)) };
    },
    'audit.list': async ({ before, actorId, action, from, to, limit = 50 }) => {
      // One row more than the page tells whether another page follows, without an empty last request.
      const rows = await connection().auditLog({
        limit: limit + 1,
        ...(before ? { before } : {}),
        ...(actorId ? { actorId } : {}),
        ...(action ? { action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      const entries = rows.slice(0, limit);
      const last = entries.at(-1);
      return { entries, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },
    'shell.openExternal': async ({ url }) => {
      if (!isOpenableExternalUrl(url)) return { opened: false };
      return { opened: await services.openExternal(url) };
    },
    'reviews.claim': ({ messageId }) => reviewQueue().claim(messageId),
    'reviews.release': ({ messageId }) => reviewQueue().release(messageId),
    'reviews.claims': () => reviewQueue().claims(),
    'reviews.pendingCount': () => reviewQueue().pendingCount(),
    'reviews.bulkApprove': ({ messageIds }) => reviewQueue().bulkApprove(messageIds),
    'reviews.reject': ({ messageId, reasonId, note }) => reviewQueue().reject(messageId, reasonId, note),
    'reviews.reasons': ({ includeArchived }) => reviewQueue().reasons(includeArchived ?? false),
    'reviews.saveReason': (input) => reviewQueue().saveReason(input),
  };

  const dispatch = createDispatcher(handlers, {
    onInternalError: (name, error) => services.log('error', `IPC request ${name} failed`, error),
  });

  // Started last: it uses the whole of this core. Begun before the page's first auth.getState is answered.
  const kept = services.keptSignIn?.take() ?? null;
  const resuming = kept ? resume(kept).catch((error: unknown) => services.log('error', 'opening the kept sign-in failed', error)) : null;

  return {
    dispatch,
    events: hub,
    /** Connectivity as the shell sees it (Electron's net/online events; the web shell's backend health). */
    setOnline(online: boolean) {
      // Shells report connectivity periodically; only a change pauses the outbox or triggers the catch-up fetch.
      if (online === isOnline) return;
      isOnline = online;
      session?.setOnline(online);
      hub.emit('app.connection', { online });
      // Back online with the channels still joined: the backend answers (it will say otherwise at the next call).
      setConnection({ online, backend: !online ? 'unreachable' : connectionState.realtime === 'joined' ? 'reachable' : connectionState.backend });
    },
    /** For the shell's media route: a chat file of the signed-in user, as a path to its cached copy. */
    async mediaFile(storagePath: string): Promise<{ filePath: string; mimeType: string }> {
      return { filePath: await user().mediaFile(storagePath), mimeType: mediaTypeOf(storagePath) };
    },
    async dispose() {
      // The kept sign-in stays valid for the next start (or the next window); any other session is signed out.
      const slot = session?.connection.slot;
      if (slot && services.keptSignIn?.isKept(slot)) {
        await end('close');
        services.keptSignIn.release(slot);
      } else await end();
    },
  };
}

export type ConsoleCore = ReturnType<typeof createConsoleCore>;

